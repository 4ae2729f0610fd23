/* SPDX-License-Identifier: MIT */
/* Order statistics over measured samples. */
#ifndef EXITLAB_STATISTICS_H
#define EXITLAB_STATISTICS_H

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

#endif
