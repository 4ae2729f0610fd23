// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-payloads/lib/timing.h"
#include "linux-guest/phase.h"

/* The timing loop with no operation: what a sample costs by itself. */
static void empty_loop(uint64_t *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();

		s[i] = tsc_end() - t0;
	}
}

static void touch(uint64_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 4096 / sizeof(uint64_t))
		((volatile uint64_t *)p)[i] = 0;
}

void lg_hello(struct lg_bench *b, const char *payload)
{
	struct bench_hello h;

	memset(&h, 0, sizeof(h));
	strncpy(h.payload, payload, sizeof(h.payload) - 1);
	lg_send(b, BENCH_HELLO, &h, sizeof(h));
}

int lg_test_begin(struct lg_test *t, struct lg_bench *b, const char *name, const char *params)
{
	struct bench_test_begin m;
	uint64_t slots = b->buf_len / sizeof(uint64_t);

	memset(t, 0, sizeof(*t));
	t->b = b;
	strncpy(t->name, name, sizeof(t->name) - 1);
	/* The overhead slots at the end of the buffer, the test's own before them. */
	t->cap = slots > 4 * LG_OVERHEAD_MAX ? slots - 2 * LG_OVERHEAD_MAX : slots / 2;
	t->samples = b->buf;
	t->ovh = b->buf + t->cap;
	memset(&m, 0, sizeof(m)); /* every byte goes to the VMM */
	strncpy(m.name, name, sizeof(m.name) - 1);
	m.ring = 3;
	if (params)
		strncpy(m.params, params, sizeof(m.params) - 1);
	if (lg_send(b, BENCH_TEST_BEGIN, &m, sizeof(m)) != BENCH_REPLY_RUN) {
		printf("exitlab-guest: %s: skipped by the VMM\n", t->name);
		return 0;
	}
	return 1;
}

uint64_t *lg_samples(struct lg_test *t, uint64_t *n)
{
	uint64_t room = (t->b->buf_len / sizeof(uint64_t) - t->cap) / 2;

	if (*n > t->cap)
		*n = t->cap;
	if (*n == 0)
		*n = 1;
	t->n = *n;
	t->m = *n < LG_OVERHEAD_MAX ? *n : LG_OVERHEAD_MAX;
	if (t->m > room)
		t->m = room;
	touch(t->samples, t->n);
	touch(t->ovh, 2 * t->m);
	return t->samples;
}

void lg_phase_begin(struct lg_test *t)
{
	empty_loop(t->ovh, t->m < 32 ? t->m : 32); /* warm-up */
	empty_loop(t->ovh, t->m);
	clock_gettime(CLOCK_MONOTONIC, &t->t0);
	lg_send(t->b, BENCH_PHASE_BEGIN, NULL, 0);
}

void lg_phase_end(struct lg_test *t, uint64_t iterations, uint64_t nsamples, uint64_t ops_per_sample)
{
	struct bench_phase_end p = {
		.iterations = iterations,
		.samples_gpa = lg_gpa(t->b, t->samples),
		.nsamples = nsamples,
		.ops_per_sample = ops_per_sample,
	};
	struct timespec t1;

	if (lg_send(t->b, BENCH_PHASE_END, &p, sizeof(p)) == BENCH_REPLY_REJECTED)
		t->rejected = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->wall_s = (double)(t1.tv_sec - t->t0.tv_sec) + (double)(t1.tv_nsec - t->t0.tv_nsec) / 1e9;
	t->phased = 1;
	t->n = nsamples;
	t->iterations = iterations;
	t->ops_per_sample = ops_per_sample;
	if (t->m) {
		struct bench_overhead o = {
			.samples_gpa = lg_gpa(t->b, t->ovh),
			.nbefore = t->m,
			.nafter = t->m,
		};

		empty_loop(t->ovh + t->m, t->m);
		if (lg_send(t->b, BENCH_OVERHEAD, &o, sizeof(o)) == BENCH_REPLY_REJECTED)
			t->rejected = 1;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of n samples, from a sorted copy (the buffer is what the VMM may still read). */
static uint64_t median(const uint64_t *s, uint64_t n, uint64_t *min)
{
	uint64_t *c = malloc(n * sizeof(*c)), med;

	if (!c || !n) {
		free(c);
		*min = 0;
		return 0;
	}
	memcpy(c, s, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_u64);
	*min = c[0];
	med = c[n / 2];
	free(c);
	return med;
}

static void summary(const struct lg_test *t)
{
	uint64_t min, omin, med = median(t->samples, t->n, &min);
	uint64_t omed = median(t->ovh, 2 * t->m, &omin);
	double per = t->ops_per_sample ? (double)t->ops_per_sample : 1;

	printf("exitlab-guest: %s: %llu ops in %.3f s (%.0f ops/s); TSC cycles per op: median %.0f, min %.0f"
	       " (loop overhead %llu per sample)\n",
	       t->name, (unsigned long long)t->iterations, t->wall_s,
	       t->wall_s > 0 ? (double)t->iterations / t->wall_s : 0.0, (double)med / per, (double)min / per,
	       (unsigned long long)omed);
}

int lg_test_end(struct lg_test *t, enum bench_status status, const char *reason, const char *metrics)
{
	struct bench_test_end e;
	static const char *const names[] = { "ok", "skipped", "FAILED" };

	memset(&e, 0, sizeof(e));
	e.status = status;
	if (reason)
		strncpy(e.reason, reason, sizeof(e.reason) - 1);
	if (metrics)
		strncpy(e.metrics, metrics, sizeof(e.metrics) - 1);
	lg_send(t->b, BENCH_TEST_END, &e, sizeof(e));
	if (t->phased && status == BENCH_STATUS_OK)
		summary(t);
	printf("exitlab-guest: %s: %s%s%s%s%s%s\n", t->name, status <= BENCH_STATUS_FAILED ? names[status] : "?",
	       reason && *reason ? ": " : "", reason ? reason : "", metrics && *metrics ? " [" : "",
	       metrics ? metrics : "", metrics && *metrics ? "]" : "");
	if (t->rejected)
		printf("exitlab-guest: %s: the VMM refused its samples (a limit: docs/bench-protocol.md)\n", t->name);
	fflush(stdout);
	return status == BENCH_STATUS_FAILED || t->rejected;
}

void lg_log(struct lg_bench *b, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	if (lg_measured(b))
		lg_send(b, BENCH_LOG, text, (uint32_t)n + 1);
	fprintf(stderr, "exitlab-guest: %s\n", text);
}

void lg_done(struct lg_bench *b, uint32_t status)
{
	struct bench_done d = { .status = status };

	lg_send(b, BENCH_DONE, &d, sizeof(d));
}
