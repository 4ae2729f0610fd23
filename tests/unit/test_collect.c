/* SPDX-License-Identifier: MIT */
/* Bench records to results: overhead subtraction, exits per iteration, statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect.h"

static void add_rec(struct bench_dev *b, const char *name, int ring, uint32_t flags, int status,
		    const uint64_t *samples, size_t n, uint64_t user_exits, uint64_t exits)
{
	struct bench_record *r;

	b->recs = realloc(b->recs, (b->nrecs + 1) * sizeof(*r));
	r = &b->recs[b->nrecs++];
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->ring = ring;
	r->flags = flags;
	r->status = status;
	if (!samples)
		return;
	r->has_phase = true;
	r->samples = malloc(n * sizeof(uint64_t));
	memcpy(r->samples, samples, n * sizeof(uint64_t));
	r->nsamples = r->iterations = n;
	r->ops_per_sample = 1;
	r->before = calloc(1, sizeof(*r->before));
	r->after = calloc(1, sizeof(*r->after));
	r->before->v[SNAP_USER_EXITS] = 1000;
	r->after->v[SNAP_USER_EXITS] = 1000 + user_exits;
	r->before->v[SNAP_STATS_BASE] = 50;
	r->after->v[SNAP_STATS_BASE] = 50 + exits;
}

static void test_overhead_and_exits(void **state)
{
	struct bench_dev b;
	struct run_result r;
	/* A fake stats table with one stat, "exits". */
	char names[1][64] = { "exits" };
	uint32_t offs[1] = { 0 };
	unsigned kinds[1] = { 0 };
	struct kvm_stats st = { .fd = 99, .n = 1, .names = names, .offsets = offs, .kinds = kinds };
	struct collect_ctx c = { .stats = &st, .tsc_khz = 1e6, .pvm = true };
	const uint64_t empty[] = { 40, 40, 50, 40, 40 };      /* median 40 */
	const uint64_t op[] = { 140, 150, 160, 140, 1040 };   /* median 150 -> 110 */
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	add_rec(&b, "empty", 3, BENCH_TF_OVERHEAD, BENCH_STATUS_OK, empty, 5, 1, 1);
	/* 5 iterations, each one userspace exit, plus the PHASE_END doorbell */
	add_rec(&b, "pio_vmm", 3, 0, BENCH_STATUS_OK, op, 5, 6, 6);
	add_rec(&b, "rdtscp", 0, 0, BENCH_STATUS_SKIPPED, NULL, 0, 0, 0);
	strcpy(b.recs[2].reason, "no RDTSCP");
	add_rec(&b, "cpuid", 0, 0, -1, NULL, 0, 0, 0); /* never finished */
	c.stop_reason = "timed out after 1.0 s";
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_int_equal(r.ntests, 4);

	assert_true(r.tests[0].has_timing);
	assert_float_equal(r.tests[0].overhead_cycles, 0, 1e-9);
	assert_float_equal(r.tests[0].cycles.median, 40, 1e-9);

	assert_float_equal(r.tests[1].overhead_cycles, 40, 1e-9);
	assert_float_equal(r.tests[1].cycles.median, 110, 1e-9);
	assert_float_equal(r.tests[1].cycles.min, 100, 1e-9);
	assert_float_equal(r.tests[1].ns.median, 110, 1e-9); /* 1 GHz: 1 ns per cycle */
	assert_true(r.tests[1].has_exits);
	assert_float_equal(r.tests[1].userspace_exits_per_iteration, 1.0, 1e-9);
	assert_float_equal(r.tests[1].exits_per_iteration, 1.0, 1e-9);
	assert_int_equal(r.tests[1].nstats, 1);
	assert_string_equal(r.tests[1].stats[0].name, "exits");
	assert_int_equal(r.tests[1].stats[0].delta, 6);
	assert_false(r.tests[1].emulated); /* CPL3 runs natively on PVM */

	assert_int_equal(r.tests[2].status, TEST_SKIPPED);
	assert_string_equal(r.tests[2].reason, "no RDTSCP");
	assert_false(r.tests[2].has_timing);
	assert_true(r.tests[2].emulated);

	assert_int_equal(r.tests[3].status, TEST_FAILED);
	assert_non_null(strstr(r.tests[3].reason, "timed out"));

	results_free(&r);
	bench_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overhead_and_exits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
