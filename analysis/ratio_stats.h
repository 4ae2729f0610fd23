/* SPDX-License-Identifier: MIT */
/*
 * Ratios of VMMs measured in interleaved rounds (exitlab ratios,
 * microbench/vmm-vs-minimal.sh): per round, one VMM's median over the
 * reference's median in the same round (paired, so that load that moves
 * both between rounds cancels), then the median of those ratios with a
 * distribution-free confidence interval from order statistics.
 */
#ifndef EXITLAB_RATIO_STATS_H
#define EXITLAB_RATIO_STATS_H

#include <stddef.h>

/*
 * Median of v[0..n) (v is sorted in place) and the order-statistic interval
 * [x(k), x(n+1-k)] (1-based) with the largest k whose coverage
 * 1 - 2 P(Binomial(n, 1/2) <= k - 1) is at least conf; *achieved is that
 * coverage.  When n is too small for conf, lo = hi = NAN and *achieved = 0.
 * 0, or -1 if n == 0 or conf is not in (0, 1).
 */
int ratio_median_ci(double *v, size_t n, double conf, double *median, double *lo, double *hi,
		    double *achieved);

/* P(Binomial(n, 1/2) <= k), exactly enough for n up to a few thousand. */
double ratio_binom_half_cdf(size_t n, size_t k);

#endif
