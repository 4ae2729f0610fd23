/* SPDX-License-Identifier: MIT */
/*
 * compare_stats.c: the median, the seeded RNG, the bootstrap interval of the
 * median's relative change and the Mann-Whitney test, on synthetic samples with
 * a known shift (detected) and with none (false positives at the confidence).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/compare_stats.h"

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Cycle-like samples: mean mu, sd sigma, rounded to whole cycles (so ties occur). */
static void gen(struct cmp_rng *r, double *v, size_t n, double mu, double sigma)
{
	for (size_t i = 0; i < n; i++)
		v[i] = round(mu + sigma * cmp_rng_normal(r));
}

static void test_median_against_sort(void **state)
{
	struct cmp_rng r;
	double v[101], s[101];
	(void)state;

	cmp_rng_seed(&r, 1);
	for (size_t n = 1; n <= 101; n++) {
		for (int trial = 0; trial < 20; trial++) {
			for (size_t i = 0; i < n; i++)
				v[i] = (double)cmp_rng_below(&r, trial & 1 ? 5 : 1000); /* many ties on odd trials */
			memcpy(s, v, n * sizeof(*s));
			qsort(s, n, sizeof(*s), cmpd);
			double want = n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
			assert_true(cmp_median(v, n) == want);
		}
	}
	assert_true(isnan(cmp_median(v, 0)));
}

static void test_rng(void **state)
{
	struct cmp_rng a, b;
	int seen[7] = { 0 };
	(void)state;

	cmp_rng_seed(&a, 42);
	cmp_rng_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		assert_true(cmp_rng_next(&a) == cmp_rng_next(&b));
	for (int i = 0; i < 7000; i++) {
		uint64_t x = cmp_rng_below(&a, 7);

		assert_true(x < 7);
		seen[x]++;
	}
	for (int i = 0; i < 7; i++)
		assert_in_range(seen[i], 800, 1200);
}

static void test_mann_whitney_known(void **state)
{
	double b1[] = { 1, 2, 3 }, c1[] = { 4, 5, 6 };
	double b2[] = { 1, 1, 2, 2 }, c2[] = { 2, 2, 3, 3 };
	double same[] = { 7, 7, 7, 7 };
	double u, p;
	(void)state;

	/* U of current = pairs where current wins, ties one half (counted by hand). */
	assert_int_equal(cmp_mann_whitney(b1, 3, c1, 3, &u, &p), 0);
	assert_true(u == 9);
	/* exact: 2 of the C(6,3) = 20 splits are this far apart */
	assert_true(fabs(p - 0.1) < 1e-12);
	/* swapping the sides gives U = 0 and the same two-sided p */
	assert_int_equal(cmp_mann_whitney(c1, 3, b1, 3, &u, &p), 0);
	assert_true(u == 0);
	assert_true(fabs(p - 0.1) < 1e-12);
	/* ties: midranks; 12 of the C(8,4) = 70 splits of the tied values (enumerated by hand) */
	assert_int_equal(cmp_mann_whitney(b2, 4, c2, 4, &u, &p), 0);
	assert_true(u == 14);
	assert_true(fabs(p - 12.0 / 70) < 1e-12);
	/* every value tied: no evidence at all */
	assert_int_equal(cmp_mann_whitney(same, 4, same, 4, &u, &p), 0);
	assert_true(p == 1.0);
	assert_true(u == 8);
}

/*
 * Five run medians a side, fully apart: the exact p is 2/C(10,5) = 0.0079,
 * below 0.01, where the normal approximation (0.012) could never get; and
 * with one pair out of order, 4/252 = 0.016, it is not.
 */
static void test_mann_whitney_five_runs(void **state)
{
	double b[] = { 100, 120, 90, 110, 105 }, c[] = { 130, 150, 125, 140, 135 };
	double c2[] = { 115, 150, 125, 140, 135 };
	double u, p;
	(void)state;

	assert_int_equal(cmp_mann_whitney(b, 5, c, 5, &u, &p), 0);
	assert_true(u == 25);
	assert_true(fabs(p - 2.0 / 252) < 1e-12);
	assert_int_equal(cmp_mann_whitney(b, 5, c2, 5, &u, &p), 0);
	assert_true(u == 24);
	assert_true(fabs(p - 4.0 / 252) < 1e-12);
}

static void test_refusals(void **state)
{
	double ok[] = { 1, 2, 3, 4 }, nan_[] = { 1, NAN, 3, 4 }, inf_[] = { 1, 2, INFINITY, 4 };
	double zero[] = { 0, 0, 0, 0 };
	double u, p, lo, hi;
	(void)state;

	errno = 0;
	assert_int_equal(cmp_mann_whitney(ok, 4, nan_, 4, &u, &p), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cmp_mann_whitney(inf_, 4, ok, 4, &u, &p), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(nan_, 4, ok, 4, 0.99, 100, 1, &lo, &hi), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 4, inf_, 4, 0.99, 100, 1, &lo, &hi), -1);
	/* tiny samples: one value is no distribution */
	assert_int_equal(cmp_mann_whitney(ok, 1, ok, 4, &u, &p), -1);
	assert_int_equal(cmp_mann_whitney(ok, 4, ok, 0, &u, &p), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 1, ok, 4, 0.99, 100, 1, &lo, &hi), -1);
	assert_int_equal(cmp_mann_whitney(NULL, 4, ok, 4, &u, &p), -1);
	/* bad confidence, too few resamples, a baseline median of zero (no relative change) */
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 4, ok, 4, 1.0, 100, 1, &lo, &hi), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 4, ok, 4, 0.0, 100, 1, &lo, &hi), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 4, ok, 4, NAN, 100, 1, &lo, &hi), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(ok, 4, ok, 4, 0.99, 5, 1, &lo, &hi), -1);
	assert_int_equal(cmp_bootstrap_rel_ci(zero, 4, ok, 4, 0.99, 100, 1, &lo, &hi), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_tiny_samples_never_significant(void **state)
{
	double b[] = { 100, 101 }, c[] = { 200, 201 };
	double u, p, lo, hi;
	(void)state;

	/* two against two, fully separated: the best a rank test can say is p ~ 0.25 */
	assert_int_equal(cmp_mann_whitney(b, 2, c, 2, &u, &p), 0);
	assert_true(u == 4);
	assert_true(p > 0.2);
	assert_int_equal(cmp_bootstrap_rel_ci(b, 2, c, 2, 0.99, 2000, 7, &lo, &hi), 0);
	assert_true(lo <= hi);
}

static void test_known_shift_detected(void **state)
{
	struct cmp_rng r;
	double b[300], c[300], u, p, lo, hi, lo2, hi2;
	(void)state;

	cmp_rng_seed(&r, 2024);
	gen(&r, b, 300, 2000, 100);
	gen(&r, c, 300, 2200, 100);     /* +10 % */
	assert_int_equal(cmp_mann_whitney(b, 300, c, 300, &u, &p), 0);
	assert_true(p < 1e-6);
	assert_true(u > 300.0 * 300 / 2);
	assert_int_equal(cmp_bootstrap_rel_ci(b, 300, c, 300, 0.99, 2000, 99, &lo, &hi), 0);
	assert_true(lo > 0.05 && hi < 0.15);
	assert_true(lo < 0.10 && hi > 0.10);
	/* deterministic for a seed */
	assert_int_equal(cmp_bootstrap_rel_ci(b, 300, c, 300, 0.99, 2000, 99, &lo2, &hi2), 0);
	assert_true(lo == lo2 && hi == hi2);
	/* and the other way round: faster */
	assert_int_equal(cmp_bootstrap_rel_ci(c, 300, b, 300, 0.99, 2000, 99, &lo, &hi), 0);
	assert_true(hi < 0);
	/* samples times 2: the interval is about +100 % */
	for (int i = 0; i < 300; i++)
		c[i] = b[i] * 2;
	assert_int_equal(cmp_bootstrap_rel_ci(b, 300, c, 300, 0.99, 2000, 99, &lo, &hi), 0);
	assert_true(lo > 0.9 && hi < 1.1);
}

/*
 * No shift: over 500 seeded trials the decision compare makes (Mann-Whitney
 * p < 1 - C and the bootstrap interval excluding zero) fires at most 2 % of the
 * time at C = 0.99; the rank test alone stays near its nominal 1 %.
 */
static void test_false_positive_rate(void **state)
{
	enum { TRIALS = 500, N = 60 };
	struct cmp_rng r;
	double b[N], c[N], u, p, lo, hi;
	int mw = 0, both = 0, excl = 0;
	(void)state;

	cmp_rng_seed(&r, 77);
	for (int t = 0; t < TRIALS; t++) {
		gen(&r, b, N, 1500, 40);
		gen(&r, c, N, 1500, 40);
		assert_int_equal(cmp_mann_whitney(b, N, c, N, &u, &p), 0);
		assert_int_equal(cmp_bootstrap_rel_ci(b, N, c, N, 0.99, 500, (uint64_t)t, &lo, &hi), 0);
		mw += p < 0.01;
		excl += lo > 0 || hi < 0;
		both += p < 0.01 && (lo > 0 || hi < 0);
	}
	print_message("no shift, %d trials: MW p<0.01 %d, CI excludes 0 %d, both %d\n", TRIALS, mw, excl, both);
	assert_true(mw <= TRIALS * 2 / 100);
	assert_true(both <= TRIALS * 2 / 100);
	assert_true(excl <= TRIALS * 4 / 100);
}

/* The same shift at power: a 3 % shift with sd 2.7 % is found nearly always at n = 60. */
static void test_power(void **state)
{
	enum { TRIALS = 100, N = 60 };
	struct cmp_rng r;
	double b[N], c[N], u, p;
	int hit = 0;
	(void)state;

	cmp_rng_seed(&r, 5);
	for (int t = 0; t < TRIALS; t++) {
		gen(&r, b, N, 1500, 40);
		gen(&r, c, N, 1545, 40);
		assert_int_equal(cmp_mann_whitney(b, N, c, N, &u, &p), 0);
		hit += p < 0.01;
	}
	assert_true(hit >= 90);
}

/* Element-by-element resampling, the textbook bootstrap, for checking the O(1) one. */
static void naive_ci(const double *b, size_t nb, const double *c, size_t nc, double conf, unsigned R,
		     double *lo, double *hi)
{
	struct cmp_rng r;
	double *rel = malloc(R * sizeof(*rel)), tb[64], tc[64];

	assert_non_null(rel);
	cmp_rng_seed(&r, 12345);
	for (unsigned i = 0; i < R; i++) {
		for (size_t k = 0; k < nb; k++)
			tb[k] = b[cmp_rng_below(&r, nb)];
		for (size_t k = 0; k < nc; k++)
			tc[k] = c[cmp_rng_below(&r, nc)];
		rel[i] = cmp_median(tc, nc) / cmp_median(tb, nb) - 1;
	}
	qsort(rel, R, sizeof(*rel), cmpd);
	*lo = rel[(size_t)((R - 1) * (1 - conf) / 2)];
	*hi = rel[(size_t)((R - 1) * (1 + conf) / 2)];
	free(rel);
}

static void test_bootstrap_matches_naive(void **state)
{
	struct cmp_rng r;
	double b[64], c[64], lo, hi, nlo, nhi;
	(void)state;

	cmp_rng_seed(&r, 3);
	for (size_t n = 30; n <= 33; n++) {          /* odd and even sizes */
		for (size_t i = 0; i < n; i++) {
			b[i] = 1000 + 50 * cmp_rng_normal(&r);
			c[i] = 1030 + 50 * cmp_rng_normal(&r);
		}
		c[0] = c[1];                             /* a tie */
		assert_int_equal(cmp_bootstrap_rel_ci(b, n, c, n + 1, 0.9, 20000, 8, &lo, &hi), 0);
		naive_ci(b, n, c, n + 1, 0.9, 20000, &nlo, &nhi);
		print_message("n=%zu: O(1) [%.4f, %.4f], naive [%.4f, %.4f]\n", n, lo, hi, nlo, nhi);
		assert_true(fabs(lo - nlo) < 0.15 * (nhi - nlo));
		assert_true(fabs(hi - nhi) < 0.15 * (nhi - nlo));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_against_sort),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_mann_whitney_known),
		cmocka_unit_test(test_mann_whitney_five_runs),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_tiny_samples_never_significant),
		cmocka_unit_test(test_known_shift_detected),
		cmocka_unit_test(test_bootstrap_matches_naive),
		cmocka_unit_test(test_false_positive_rate),
		cmocka_unit_test(test_power),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
