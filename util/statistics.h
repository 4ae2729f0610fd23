/* SPDX-License-Identifier: MIT */
/* Order statistics over measured samples. */
#ifndef EXITLAB_STATISTICS_H
#define EXITLAB_STATISTICS_H

#include <stdbool.h>
#include <stddef.h>

struct sample_stats {
	size_t n;
	double min, max, mean, stddev;
	double median, p1, p99;
	double mad; /* median absolute deviation: the dispersion we report */
};

/*
 * Percentile of sorted data with linear interpolation between closest ranks
 * (the "R-7"/numpy default definition). p in [0,100]. n must be > 0.
 */
double stats_percentile_sorted(const double *sorted, size_t n, double p);

/* Fills *out from v[0..n). Does not modify v. Returns 0, or -1 if n == 0 or out of memory. */
int stats_compute(const double *v, size_t n, struct sample_stats *out);

/*
 * Distribution-free interval for the median of sorted[0..n): the order
 * statistics [sorted[j], sorted[n-1-j]] with the largest j whose exact
 * binomial coverage 1 - 2 P(Bin(n, 1/2) <= j) is at least conf. With too
 * few values for conf (n <= 5 at 95 %), min..max. Returns the coverage the
 * interval has (NAN if n == 0).
 */
double stats_median_ci_sorted(const double *sorted, size_t n, double conf, double *lo, double *hi);

/*
 * A percentile is shown only when the tail beyond it holds at least
 * STATS_TAIL_MIN samples: min(p, 100 - p) % of n >= 10, so p99 and p1
 * need n >= 1000, p90 n >= 100; the median needs 20.
 */
#define STATS_TAIL_MIN 10
bool stats_percentile_supported(size_t n, double p);

/*
 * A noisy distribution: p99 >= STATS_NOISY_P99_RATIO x median, or
 * MAD >= STATS_NOISY_MAD_RATIO x median (judged only for a positive median).
 * *why gets "p99 >= 30x median" or "MAD >= 0.5x median" (NULL if not noisy).
 */
#define STATS_NOISY_P99_RATIO 30.0
#define STATS_NOISY_MAD_RATIO 0.5
bool stats_noisy(const struct sample_stats *s, const char **why);

#endif
