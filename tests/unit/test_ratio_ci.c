// SPDX-License-Identifier: MIT
/* ratio_ci: the ratio of medians, its interval, and when it may be stated. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "analysis/compare_stats.h"
#include "microbench/ratio_ci.h"

/* n samples around mid with relative spread sd (normal, seeded). */
static void fill(double *v, size_t n, double mid, double sd, uint64_t seed)
{
	struct cmp_rng r;

	cmp_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		v[i] = mid * (1 + sd * cmp_rng_normal(&r));
}

static void test_tight_ratio_is_stated(void **state)
{
	struct ratio_ci_opts o = RATIO_CI_DEFAULTS;
	double a[20], b[20];
	struct ratio_ci r;
	(void)state;

	fill(a, 20, 1100, 0.02, 1);
	fill(b, 20, 1000, 0.02, 2);
	assert_int_equal(ratio_ci_compute(a, 20, b, 20, &o, &r), 0);
	assert_true(fabs(r.ratio - r.median_a / r.median_b) < 1e-12);
	assert_true(r.lo <= r.ratio && r.ratio <= r.hi);
	assert_true(r.lo > 1.0 && r.hi < 1.25); /* 1.1 lies well inside, 1 outside */
	assert_true(r.stated);
	assert_null(r.why);
}

/* The case: per-round ratios from 0.11 to 2.78 (the interval is wide: not stated). */
static void test_noisy_ratio_is_not_stated(void **state)
{
	struct ratio_ci_opts o = RATIO_CI_DEFAULTS;
	double a[12], b[12];
	struct ratio_ci r;
	(void)state;

	fill(a, 12, 100000, 0.6, 3);
	fill(b, 12, 100000, 0.6, 4);
	for (int i = 0; i < 12; i++) { /* keep them positive: frames/s */
		a[i] = fabs(a[i]) + 1000;
		b[i] = fabs(b[i]) + 1000;
	}
	assert_int_equal(ratio_ci_compute(a, 12, b, 12, &o, &r), 0);
	assert_true(r.width > o.max_width);
	assert_false(r.stated);
	assert_string_equal(r.why, "interval wider than the bound");
}

/* Five rounds (the old script's default) are too few for an interval at all. */
static void test_too_few_rounds(void **state)
{
	struct ratio_ci_opts o = RATIO_CI_DEFAULTS;
	double a[5] = { 5, 4, 3, 2, 1 }, b[5] = { 2, 2, 2, 2, 2 };
	struct ratio_ci r;
	(void)state;

	assert_int_equal(ratio_ci_compute(a, 5, b, 5, &o, &r), 0);
	assert_true(fabs(r.ratio - 1.5) < 1e-12);
	assert_true(isnan(r.lo) && isnan(r.hi));
	assert_false(r.stated);
	assert_string_equal(r.why, "too few samples for an interval");
}

static void test_bad_input(void **state)
{
	struct ratio_ci_opts o = RATIO_CI_DEFAULTS;
	double good[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, bad[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	struct ratio_ci r;
	double *v = NULL;
	(void)state;

	errno = 0;
	assert_int_equal(ratio_ci_compute(good, 10, bad, 10, &o, &r), -1); /* a rate of 0 */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ratio_ci_compute(good, 0, good, 10, &o, &r), -1);
	o.conf = 1;
	assert_int_equal(ratio_ci_compute(good, 10, good, 10, &o, &r), -1);
	assert_int_equal(ratio_ci_parse_list("1,2.5,3e3", &v), 3);
	assert_true(v[1] == 2.5 && v[2] == 3000);
	free(v);
	assert_int_equal(ratio_ci_parse_list("1,,2", &v), -1);
	assert_int_equal(ratio_ci_parse_list("1,x", &v), -1);
	assert_int_equal(ratio_ci_parse_list("nan", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tight_ratio_is_stated),
		cmocka_unit_test(test_noisy_ratio_is_not_stated),
		cmocka_unit_test(test_too_few_rounds),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
