/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exitlab/chase.h"
#include "run/native_chase.h"
#include "util/statistics.h"

#define SAMPLES_CAP (1u << 16)
#define SAMPLES_MIN 16
#define HUGE_2M (2ull << 20)

/* The guest's fences (guest-payloads/lib/timing.h), so both sides pay the same. */
static inline __attribute__((always_inline)) uint64_t fenced_tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static double median_u64(const uint64_t *s, size_t n)
{
	double *v = malloc(n * sizeof(*v));
	struct sample_stats st = { 0 };

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		v[i] = (double)s[i];
	stats_compute(v, n, &st);
	free(v);
	return st.median;
}

/* AnonHugePages of the mapping containing addr, in kB (-1 if unknown). */
static long thp_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int finish(struct test_result *t, enum test_status st, const char *reason)
{
	t->status = st;
	snprintf(t->reason, sizeof(t->reason), "%s", reason ? reason : "");
	return 0;
}

int native_chase_run(const struct native_chase_cfg *cfg, struct run_result *r)
{
	struct test_result *t = results_add_test(r);
	uint64_t npages = cfg->working_set / CHASE_STRIDE, n, best = UINT64_MAX, *samples = NULL;
	uint64_t len = (cfg->working_set + HUGE_2M - 1) & ~(HUGE_2M - 1);
	uint32_t *next = NULL;
	uint8_t *map = NULL, *base;
	uintptr_t p;
	double ovh, *per;
	json_t *params;

	if (!t)
		return -1;
	snprintf(t->name, sizeof(t->name), "native_chase");
	snprintf(t->where, sizeof(t->where), "host");
	t->ring = -1;
	params = json_pack("{s:I, s:s, s:I}", "working_set", (json_int_t)cfg->working_set,
			   "host_page", cfg->page == NATIVE_PAGE_THP ? "thp" : "4k", "pages", (json_int_t)npages);
	t->params_json = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(params);
	if (!npages || cfg->working_set % CHASE_STRIDE)
		return finish(t, TEST_FAILED, "working set is not a multiple of 4 KiB");

	/* 2 MiB-aligned, so that THP can back it whole. */
	map = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	next = malloc(npages * sizeof(*next));
	samples = malloc(SAMPLES_CAP * sizeof(*samples));
	if (map == MAP_FAILED || !next || !samples) {
		if (map != MAP_FAILED)
			munmap(map, len + HUGE_2M);
		free(next);
		free(samples);
		return finish(t, TEST_SKIPPED, "not enough host memory for the working set");
	}
	base = (uint8_t *)(((uintptr_t)map + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	if (madvise(base, len, cfg->page == NATIVE_PAGE_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) && cfg->page == NATIVE_PAGE_THP) {
		finish(t, TEST_SKIPPED, "madvise(MADV_HUGEPAGE) refused: THP disabled on this host");
		goto out;
	}
	chase_cycle(next, npages, CHASE_SEED);
	chase_link((uintptr_t)base, next, npages);
	if (!chase_verify((uintptr_t)base, npages)) {
		finish(t, TEST_FAILED, "the chain is not one cycle through every page");
		goto out;
	}

	/* The empty sample: what the fences cost, subtracted as the guest's 'empty' is. */
	for (unsigned i = 0; i < 4096; i++) {
		uint64_t t0 = fenced_tsc();

		samples[i] = fenced_tsc() - t0;
	}
	ovh = median_u64(samples, 4096);

	p = chase_walk(chase_node((uintptr_t)base, 0), npages > NATIVE_CHASE_STEPS ? npages : NATIVE_CHASE_STEPS);
	if (cfg->iterations) {
		n = cfg->iterations < SAMPLES_CAP ? cfg->iterations : SAMPLES_CAP;
	} else {
		for (int k = 0; k < 2; k++) {
			uint64_t t0 = fenced_tsc();

			p = chase_walk(p, 4 * NATIVE_CHASE_STEPS);
			t0 = fenced_tsc() - t0;
			if (t0 < best)
				best = t0;
		}
		n = cfg->time_goal_cycles / (best / 4 + 1);
		n = n < SAMPLES_MIN ? SAMPLES_MIN : n > SAMPLES_CAP ? SAMPLES_CAP : n;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = fenced_tsc();

		p = chase_walk(p, NATIVE_CHASE_STEPS);
		samples[i] = fenced_tsc() - t0;
	}
	per = malloc(n * sizeof(*per));
	if (!per) {
		finish(t, TEST_FAILED, "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < n; i++)
		per[i] = ((double)samples[i] - ovh) / NATIVE_CHASE_STEPS;
	stats_compute(per, n, &t->cycles);
	if (cfg->keep_samples && (t->samples = malloc(n * sizeof(*t->samples)))) {
		memcpy(t->samples, per, n * sizeof(*per));
		t->nsamples = n;
	}
	if (cfg->tsc_khz > 0) {
		for (uint64_t i = 0; i < n; i++)
			per[i] *= 1e6 / cfg->tsc_khz;
		stats_compute(per, n, &t->ns);
	}
	free(per);
	t->has_timing = true;
	t->overhead_cycles = ovh;
	t->iterations = n * NATIVE_CHASE_STEPS;
	{
		json_t *m = json_pack("{s:I, s:I}", "accesses", (json_int_t)t->iterations, "end_offset",
				      (json_int_t)(p - (uintptr_t)base));

		if (cfg->page == NATIVE_PAGE_THP)
			json_object_set_new(m, "anon_huge_kb", json_integer(thp_kb(base)));
		t->metrics_json = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(m);
	}
	finish(t, TEST_OK, NULL);
out:
	munmap(map, len + HUGE_2M);
	free(next);
	free(samples);
	return 0;
}
