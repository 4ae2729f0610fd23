// SPDX-License-Identifier: MIT
/* Unit tests for util/statistics.c against hand-computed (numpy-equal) values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util/statistics.h"

#define EPS 1e-9

static void test_one_to_hundred(void **state)
{
	double v[100];
	struct sample_stats s;

	(void)state;
	/* Reversed so that the sort matters. */
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i;
	assert_int_equal(stats_compute(v, 100, &s), 0);
	assert_int_equal(s.n, 100);
	assert_float_equal(s.min, 1, EPS);
	assert_float_equal(s.max, 100, EPS);
	assert_float_equal(s.mean, 50.5, EPS);
	assert_float_equal(s.median, 50.5, EPS);
	assert_float_equal(s.p1, 1.99, EPS);
	assert_float_equal(s.p99, 99.01, EPS);
	assert_float_equal(s.stddev, sqrt(100.0 * 101.0 / 12.0), EPS);
	assert_float_equal(s.mad, 25, EPS);
}

static void test_odd_n(void **state)
{
	const double v[] = { 3, 1, 2 };
	struct sample_stats s;

	(void)state;
	assert_int_equal(stats_compute(v, 3, &s), 0);
	assert_float_equal(s.median, 2, EPS);
	assert_float_equal(s.mean, 2, EPS);
	assert_float_equal(s.stddev, 1, EPS);
	assert_float_equal(s.mad, 1, EPS);
	assert_float_equal(s.p1, 1.02, EPS);
	assert_float_equal(s.p99, 2.98, EPS);
}

static void test_even_n(void **state)
{
	const double v[] = { 4, 1, 3, 2 };
	struct sample_stats s;

	(void)state;
	assert_int_equal(stats_compute(v, 4, &s), 0);
	assert_float_equal(s.median, 2.5, EPS);
	assert_float_equal(s.p1, 1.03, EPS);
	assert_float_equal(s.p99, 3.97, EPS);
	assert_float_equal(s.stddev, sqrt(5.0 / 3.0), EPS);
	assert_float_equal(s.mad, 1, EPS);
}

static void test_single(void **state)
{
	const double v[] = { 42.5 };
	struct sample_stats s;

	(void)state;
	assert_int_equal(stats_compute(v, 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_float_equal(s.min, 42.5, EPS);
	assert_float_equal(s.max, 42.5, EPS);
	assert_float_equal(s.median, 42.5, EPS);
	assert_float_equal(s.p1, 42.5, EPS);
	assert_float_equal(s.p99, 42.5, EPS);
	assert_float_equal(s.mean, 42.5, EPS);
	assert_float_equal(s.stddev, 0, EPS);
	assert_float_equal(s.mad, 0, EPS);
}

static void test_duplicates(void **state)
{
	const double v[] = { 5, 9, 5, 5, 5 };
	struct sample_stats s;

	(void)state;
	assert_int_equal(stats_compute(v, 5, &s), 0);
	assert_float_equal(s.median, 5, EPS);
	assert_float_equal(s.mad, 0, EPS);
	assert_float_equal(s.mean, 5.8, EPS);
	assert_float_equal(s.min, 5, EPS);
	assert_float_equal(s.max, 9, EPS);
	assert_float_equal(s.p99, 5 + 0.96 * 4, EPS);
	assert_float_equal(s.stddev, sqrt(3.2), EPS);
}

static void test_input_not_modified(void **state)
{
	double v[] = { 9, -1, 7, 3, 3, 100, 0.5 };
	double copy[sizeof(v) / sizeof(v[0])];
	struct sample_stats s;

	(void)state;
	memcpy(copy, v, sizeof(v));
	assert_int_equal(stats_compute(v, 7, &s), 0);
	assert_memory_equal(v, copy, sizeof(v));
	assert_float_equal(s.min, -1, EPS);
	assert_float_equal(s.max, 100, EPS);
	assert_float_equal(s.median, 3, EPS);
}

static void test_empty_is_error(void **state)
{
	const double v[] = { 1 };
	struct sample_stats s;

	(void)state;
	assert_int_equal(stats_compute(v, 0, &s), -1);
	assert_int_equal(stats_compute(NULL, 0, &s), -1);
}

static void test_percentile_edges(void **state)
{
	const double v[] = { 10, 20, 30, 40, 50 };

	(void)state;
	assert_float_equal(stats_percentile_sorted(v, 5, 0), 10, EPS);
	assert_float_equal(stats_percentile_sorted(v, 5, 100), 50, EPS);
	assert_float_equal(stats_percentile_sorted(v, 5, 25), 20, EPS);
	assert_float_equal(stats_percentile_sorted(v, 5, 90), 46, EPS);
	assert_float_equal(stats_percentile_sorted(v, 5, 12.5), 15, EPS);
	/* Out of range p is clamped rather than reading out of bounds. */
	assert_float_equal(stats_percentile_sorted(v, 5, -3), 10, EPS);
	assert_float_equal(stats_percentile_sorted(v, 5, 250), 50, EPS);
}

/* The median interval: exact binomial coverage, min..max when n is too small for 95 %. */
static void test_median_ci(void **state)
{
	double v[100], lo, hi, cover;
	(void)state;

	for (int i = 0; i < 100; i++)
		v[i] = i;
	cover = stats_median_ci_sorted(v, 3, 0.95, &lo, &hi);
	assert_float_equal(lo, 0, 0);
	assert_float_equal(hi, 2, 0);
	assert_float_equal(cover, 0.75, 1e-12);
	cover = stats_median_ci_sorted(v, 5, 0.95, &lo, &hi);
	assert_float_equal(cover, 1 - 2.0 / 32, 1e-12);
	/* n = 6: [x1, x4] would cover 78 %, so still min..max (96.9 %) */
	cover = stats_median_ci_sorted(v, 6, 0.95, &lo, &hi);
	assert_float_equal(lo, 0, 0);
	assert_float_equal(hi, 5, 0);
	assert_float_equal(cover, 1 - 2.0 / 64, 1e-12);
	/* n = 100: ranks 40..59 (0-based), the textbook 95 % interval, coverage 0.9648 */
	cover = stats_median_ci_sorted(v, 100, 0.95, &lo, &hi);
	assert_float_equal(lo, 39, 0);
	assert_float_equal(hi, 60, 0);
	assert_true(cover >= 0.95 && cover < 0.97);
	cover = stats_median_ci_sorted(v, 1, 0.95, &lo, &hi);
	assert_float_equal(lo, 0, 0);
	assert_float_equal(hi, 0, 0);
	assert_true(isnan(stats_median_ci_sorted(v, 0, 0.95, &lo, &hi)));
}

static void test_small_sample_and_noise(void **state)
{
	struct sample_stats s = { .n = 100, .median = 100, .p99 = 2999, .mad = 10 };
	const char *why;
	(void)state;

	assert_false(stats_percentile_supported(96, 99));
	assert_false(stats_percentile_supported(999, 99));
	assert_true(stats_percentile_supported(1000, 99));
	assert_true(stats_percentile_supported(1000, 1));
	assert_false(stats_percentile_supported(99, 90));
	assert_true(stats_percentile_supported(100, 90));
	assert_true(stats_percentile_supported(20, 50));

	assert_false(stats_noisy(&s, &why));
	assert_null(why);
	s.p99 = 3000;
	assert_true(stats_noisy(&s, &why));
	assert_string_equal(why, "p99 >= 30x median");
	s.p99 = 200;
	s.mad = 50;
	assert_true(stats_noisy(&s, &why));
	assert_string_equal(why, "MAD >= 0.5x median");
	s.median = -5; /* no ratio to a median at or below zero */
	assert_false(stats_noisy(&s, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_odd_n),
		cmocka_unit_test(test_even_n),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_input_not_modified),
		cmocka_unit_test(test_empty_is_error),
		cmocka_unit_test(test_percentile_edges),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_small_sample_and_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
