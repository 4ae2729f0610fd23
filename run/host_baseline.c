// SPDX-License-Identifier: MIT
/* Host-native baselines (see host_baseline.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "run/host_baseline.h"
#include "util/host_tsc.h"
#include "util/statistics.h"

#define MIN_SAMPLES 10
#define WARMUP_MIN_OPS 100
#define WARMUP_MAX_OPS 100000

enum op { OP_EMPTY, OP_SYSCALL, OP_RDTSC };

static const struct {
	const char *name;
	enum op op;
} ops[] = {
	{ "empty", OP_EMPTY },
	{ "host_syscall", OP_SYSCALL },
	{ "host_rdtsc", OP_RDTSC },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

#if defined(__x86_64__)
static bool have_rdtscp(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27));
}

/*
 * One sample: the operation inlined between the fences. Returns the cycles
 * and the end timestamp, which the caller uses as its clock.
 */
static uint64_t sample_once(enum op op, uint64_t *end)
{
	uint64_t t0, t1;
	uint32_t lo, hi;

	switch (op) {
	case OP_EMPTY:
		t0 = tsc_begin();
		t1 = tsc_end();
		break;
	case OP_SYSCALL:
		t0 = tsc_begin();
		syscall(SYS_getppid); /* the raw syscall: glibc may cache getpid-like calls */
		t1 = tsc_end();
		break;
	case OP_RDTSC:
	default:
		t0 = tsc_begin();
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
		t1 = tsc_end();
		(void)lo;
		(void)hi;
		break;
	}
	*end = t1;
	return t1 - t0;
}
#else
static bool have_rdtscp(void)
{
	return false;
}

static uint64_t sample_once(enum op op, uint64_t *end)
{
	(void)op;
	*end = 0;
	return 0;
}
#endif

/*
 * Warm up (caches, branch predictors, frequency), then sample until the
 * time goal has passed (and at least MIN_SAMPLES) or the cap is hit; or take
 * exactly cfg->iterations samples. Returns a malloc'd array, count in *n.
 */
static double *measure(const struct host_baseline_cfg *cfg, enum op op, size_t *n)
{
	uint64_t cap = cfg->max_samples ? cfg->max_samples : HOST_BASELINE_MAX_SAMPLES;
	uint64_t want = cfg->iterations ? cfg->iterations : cap;
	uint64_t start, now;
	size_t count = 0, alloc;
	double *v;

	if (want > cap)
		want = cap;
	if (want == 0)
		want = 1;

	sample_once(op, &start);
	for (uint64_t i = 0; i < WARMUP_MAX_OPS; i++) {
		sample_once(op, &now);
		if (i >= WARMUP_MIN_OPS && now - start >= cfg->time_goal_cycles / 10)
			break;
	}

	/* Grow the buffer as we go: a time goal usually needs far fewer than cap. */
	alloc = want < 1024 ? (size_t)want : 1024;
	v = malloc(alloc * sizeof(*v));
	if (!v)
		return NULL;
	sample_once(op, &start);
	while (count < want) {
		if (count == alloc) {
			size_t na = alloc * 2 > want ? (size_t)want : alloc * 2;
			double *nv = realloc(v, na * sizeof(*nv));

			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
			alloc = na;
		}
		v[count++] = (double)sample_once(op, &now);
		if (!cfg->iterations && count >= MIN_SAMPLES && now - start >= cfg->time_goal_cycles)
			break;
	}
	*n = count;
	return v;
}

static void scale_stats(struct sample_stats *s, double k)
{
	s->min *= k;
	s->max *= k;
	s->mean *= k;
	s->stddev *= k;
	s->median *= k;
	s->p1 *= k;
	s->p99 *= k;
	s->mad *= k;
}

static struct test_result *add_test(struct run_result *r, const char *name)
{
	struct test_result *t = results_add_test(r);

	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "host");
	t->ring = -1;
	return t;
}

int host_baseline_run(const struct host_baseline_cfg *cfg, double tsc_khz, struct run_result *r)
{
	double overhead = 0;
	int added = 0;

	if (!cfg || !r)
		return -1;
	if (!have_rdtscp()) {
		for (size_t i = 0; i < NOPS; i++) {
			struct test_result *t = add_test(r, ops[i].name);

			if (!t)
				return -1;
			t->status = TEST_SKIPPED;
			snprintf(t->reason, sizeof(t->reason), "host CPU has no RDTSCP");
			added++;
		}
		return added;
	}

	/* ops[0] is "empty": its median is the overhead subtracted from the rest. */
	for (size_t i = 0; i < NOPS; i++) {
		struct test_result *t;
		size_t n = 0;
		double *v = measure(cfg, ops[i].op, &n);

		if (!v)
			return -1;
		t = add_test(r, ops[i].name);
		if (!t) {
			free(v);
			return -1;
		}
		added++;
		if (ops[i].op != OP_EMPTY)
			for (size_t k = 0; k < n; k++)
				v[k] -= overhead; /* negatives are noise: keep, as the guest does */
		if (stats_compute(v, n, &t->cycles)) {
			free(v);
			t->status = TEST_FAILED;
			snprintf(t->reason, sizeof(t->reason), "no samples");
			continue;
		}
		if (cfg->keep_samples) {
			t->samples = v;
			t->nsamples = n;
		} else {
			free(v);
		}
		if (ops[i].op == OP_EMPTY)
			overhead = t->cycles.median;
		else
			t->overhead_cycles = overhead;
		t->status = TEST_OK;
		t->iterations = n;
		t->has_timing = true;
		if (tsc_khz > 0) {
			t->ns = t->cycles;
			scale_stats(&t->ns, 1e6 / tsc_khz);
		}
	}
	return added;
}
