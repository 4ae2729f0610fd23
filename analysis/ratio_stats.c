// SPDX-License-Identifier: MIT
/* Paired ratios and the order-statistic interval of their median (ratio_stats.h). */
#include <math.h>
#include <stdlib.h>

#include "analysis/ratio_stats.h"

double ratio_binom_half_cdf(size_t n, size_t k)
{
	double sum = 0, logp = -(double)n * log(2.0);

	/* Each term C(n, i) / 2^n in logs: no overflow for large n. */
	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) + logp);
	return sum > 1 ? 1 : sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int ratio_median_ci(double *v, size_t n, double conf, double *median, double *lo, double *hi,
		    double *achieved)
{
	size_t k = 0;

	if (!n || !(conf > 0 && conf < 1))
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* The largest k (1-based, k <= n/2) whose interval still covers with conf. */
	for (size_t j = 1; j <= n / 2; j++) {
		if (1 - 2 * ratio_binom_half_cdf(n, j - 1) < conf)
			break;
		k = j;
	}
	if (!k) {
		*lo = *hi = NAN;
		*achieved = 0;
		return 0;
	}
	*lo = v[k - 1];
	*hi = v[n - k];
	*achieved = 1 - 2 * ratio_binom_half_cdf(n, k - 1);
	return 0;
}
