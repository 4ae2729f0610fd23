// SPDX-License-Identifier: MIT
/*
 * Unit tests for run/host_baseline.c. Timing values depend on the
 * host, so only structure and ordering invariants are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "run/host_baseline.h"

static const char *const names[] = { "empty", "host_syscall", "host_rdtsc" };

static void check_structure(const struct run_result *r, size_t first, bool with_ns)
{
	for (size_t i = 0; i < 3; i++) {
		const struct test_result *t = &r->tests[first + i];

		assert_string_equal(t->name, names[i]);
		assert_string_equal(t->where, "host");
		assert_int_equal(t->ring, -1);
		assert_false(t->has_exits);
		assert_false(t->emulated);
		assert_null(t->samples);
		if (t->status == TEST_SKIPPED) {	/* a host without RDTSCP */
			assert_true(t->reason[0]);
			continue;
		}
		assert_int_equal(t->status, TEST_OK);
		assert_true(t->has_timing);
		assert_true(t->cycles.n > 0);
		assert_int_equal(t->iterations, t->cycles.n);
		assert_true(t->cycles.min <= t->cycles.median);
		assert_true(t->cycles.median <= t->cycles.p99);
		assert_true(t->cycles.p99 <= t->cycles.max);
		assert_true(t->cycles.p1 <= t->cycles.median);
		assert_true(t->cycles.stddev >= 0);
		assert_true(t->cycles.mad >= 0);
		if (with_ns) {
			assert_true(t->ns.min <= t->ns.median);
			assert_true(t->ns.median <= t->ns.p99);
			assert_true(t->ns.p99 <= t->ns.max);
		} else {
			assert_true(t->ns.median == 0 && t->ns.max == 0);
		}
	}
	/* The empty sample is the overhead: reported raw, subtracted from the rest. */
	if (r->tests[first].status == TEST_OK) {
		assert_true(r->tests[first].overhead_cycles == 0);
		assert_true(r->tests[first + 1].overhead_cycles == r->tests[first].cycles.median);
	}
}

static void test_time_goal(void **state)
{
	struct host_baseline_cfg cfg = { .time_goal_cycles = 200000, .max_samples = 5000 };
	struct run_result r = { 0 };

	(void)state;
	assert_int_equal(host_baseline_run(&cfg, 2000000.0, &r), 3);
	assert_int_equal(r.ntests, 3);
	check_structure(&r, 0, true);
	for (size_t i = 0; i < 3; i++)
		assert_true(r.tests[i].iterations <= 5000);
	results_free(&r);
}

static void test_fixed_iterations_no_tsc_khz(void **state)
{
	struct host_baseline_cfg cfg = { .time_goal_cycles = 1, .iterations = 37 };
	struct run_result r = { 0 };

	(void)state;
	assert_int_equal(host_baseline_run(&cfg, 0, &r), 3);
	check_structure(&r, 0, false);
	for (size_t i = 0; i < 3; i++)
		if (r.tests[i].status == TEST_OK)
			assert_int_equal(r.tests[i].iterations, 37);
	results_free(&r);
}

static void test_sample_cap(void **state)
{
	/* A goal far beyond reach: the cap must end it. */
	struct host_baseline_cfg cfg = { .time_goal_cycles = UINT64_MAX, .max_samples = 50 };
	struct run_result r = { 0 };

	(void)state;
	assert_int_equal(host_baseline_run(&cfg, 1000000.0, &r), 3);
	check_structure(&r, 0, true);
	for (size_t i = 0; i < 3; i++)
		if (r.tests[i].status == TEST_OK)
			assert_int_equal(r.tests[i].iterations, 50);
	results_free(&r);
}

static void test_appends(void **state)
{
	struct host_baseline_cfg cfg = { .time_goal_cycles = 1000, .max_samples = 100 };
	struct run_result r = { 0 };
	struct test_result *g;

	(void)state;
	g = results_add_test(&r);
	assert_non_null(g);
	strcpy(g->name, "cpuid");
	strcpy(g->where, "guest");
	assert_int_equal(host_baseline_run(&cfg, 1e6, &r), 3);
	assert_int_equal(r.ntests, 4);
	assert_string_equal(r.tests[0].name, "cpuid");
	check_structure(&r, 1, true);
	results_free(&r);
	assert_int_equal(host_baseline_run(NULL, 1e6, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_goal),
		cmocka_unit_test(test_fixed_iterations_no_tsc_khz),
		cmocka_unit_test(test_sample_cap),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
