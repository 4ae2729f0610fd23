// SPDX-License-Identifier: MIT
/* Order statistics over measured samples (see statistics.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/statistics.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	if (n == 1 || !(p > 0))		/* also catches NaN p */
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	/* h = (n - 1) p, interpolate between floor(h) and floor(h) + 1. */
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)h;
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int stats_compute(const double *v, size_t n, struct sample_stats *out)
{
	double *s, sum = 0, mean, m2 = 0;
	size_t i;

	if (n == 0 || !v || !out)
		return -1;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);

	for (i = 0; i < n; i++)
		sum += s[i];
	mean = sum / (double)n;
	/* Two passes: the one-pass formula cancels badly on cycle counts. */
	for (i = 0; i < n; i++)
		m2 += (s[i] - mean) * (s[i] - mean);

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = mean;
	out->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0;
	out->median = stats_percentile_sorted(s, n, 50);
	out->p1 = stats_percentile_sorted(s, n, 1);
	out->p99 = stats_percentile_sorted(s, n, 99);

	/* MAD: median of |x - median|, reusing the copy. */
	for (i = 0; i < n; i++)
		s[i] = fabs(s[i] - out->median);
	qsort(s, n, sizeof(*s), cmp_double);
	out->mad = stats_percentile_sorted(s, n, 50);

	free(s);
	return 0;
}

/* log P(Bin(n, 1/2) = k) */
static double binom_half_logpmf(size_t n, size_t k)
{
	return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) -
	       (double)n * M_LN2;
}

double stats_median_ci_sorted(const double *sorted, size_t n, double conf, double *lo, double *hi)
{
	double cdf, cover;
	size_t j = 0;

	*lo = *hi = NAN;
	if (n == 0)
		return NAN;
	/* [x(j), x(n-1-j)] (0-based) covers the median with 1 - 2 P(X <= j). */
	cdf = exp(binom_half_logpmf(n, 0));
	cover = 1 - 2 * cdf;
	for (size_t k = 1; 2 * k <= n - 1; k++) {
		double c = cdf + exp(binom_half_logpmf(n, k));

		if (1 - 2 * c < conf)
			break;
		cdf = c;
		cover = 1 - 2 * c;
		j = k;
	}
	if (cover < 0)
		cover = 0;
	*lo = sorted[j];
	*hi = sorted[n - 1 - j];
	return cover;
}

bool stats_percentile_supported(size_t n, double p)
{
	double tail = (p < 50 ? p : 100 - p) / 100.0;

	return (double)n * tail >= STATS_TAIL_MIN - 1e-9;
}

bool stats_noisy(const struct sample_stats *s, const char **why)
{
	const char *w = NULL;

	if (s->n && s->median > 0) {
		if (s->p99 >= STATS_NOISY_P99_RATIO * s->median)
			w = "p99 >= 30x median";
		else if (s->mad >= STATS_NOISY_MAD_RATIO * s->median)
			w = "MAD >= 0.5x median";
	}
	if (why)
		*why = w;
	return w != NULL;
}
