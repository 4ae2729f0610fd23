// SPDX-License-Identifier: MIT
/* The order-statistic interval of a median (analysis/ratio_stats.c), against binomial values by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "analysis/ratio_stats.h"

static void test_binom(void **state)
{
	(void)state;
	/* n = 11: C(11,0) + C(11,1) = 12, + C(11,2) = 67, over 2^11 */
	assert_true(fabs(ratio_binom_half_cdf(11, 1) - 12.0 / 2048) < 1e-12);
	assert_true(fabs(ratio_binom_half_cdf(11, 2) - 67.0 / 2048) < 1e-12);
	assert_true(fabs(ratio_binom_half_cdf(11, 11) - 1) < 1e-12);
	assert_true(fabs(ratio_binom_half_cdf(1000, 500) - 0.5126) < 1e-3);
}

static void test_interval(void **state)
{
	/* unsorted on purpose: 1..11 shuffled */
	double v[11] = { 7, 3, 11, 1, 9, 5, 2, 10, 4, 8, 6 }, med, lo, hi, ach;
	double w[5] = { 5, 1, 4, 2, 3 }, e[4] = { 4, 1, 3, 2 };
	(void)state;

	assert_int_equal(ratio_median_ci(v, 11, 0.95, &med, &lo, &hi, &ach), 0);
	assert_true(med == 6);
	/* k = 2: 1 - 2 * 12/2048 = 0.988 >= 0.95; k = 3 would give 0.935 */
	assert_true(lo == 2 && hi == 10);
	assert_true(fabs(ach - (1 - 24.0 / 2048)) < 1e-12);
	/* at 0.90 the narrower k = 3 interval is enough */
	assert_int_equal(ratio_median_ci(v, 11, 0.90, &med, &lo, &hi, &ach), 0);
	assert_true(lo == 3 && hi == 9);
	/* five rounds cannot reach 95 % (1 - 2/32 = 0.9375): no interval, said so */
	assert_int_equal(ratio_median_ci(w, 5, 0.95, &med, &lo, &hi, &ach), 0);
	assert_true(med == 3);
	assert_true(isnan(lo) && isnan(hi) && ach == 0);
	/* an even count: the mean of the middle two */
	assert_int_equal(ratio_median_ci(e, 4, 0.5, &med, &lo, &hi, &ach), 0);
	assert_true(med == 2.5);
	assert_int_equal(ratio_median_ci(e, 0, 0.95, &med, &lo, &hi, &ach), -1);
	assert_int_equal(ratio_median_ci(e, 4, 1.0, &med, &lo, &hi, &ach), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binom),
		cmocka_unit_test(test_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
