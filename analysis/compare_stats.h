/* SPDX-License-Identifier: MIT */
/*
 * The small statistics behind `exitlab compare`: a seeded deterministic RNG,
 * a bootstrap confidence interval for the relative change of the median, and
 * the Mann-Whitney U test (normal approximation with tie correction).
 */
#ifndef EXITLAB_COMPARE_STATS_H
#define EXITLAB_COMPARE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Fewer samples than this on either side: no statistic (EINVAL). */
#define CMP_MIN_SAMPLES 2

/* splitmix64: tiny, seeded, the same sequence everywhere. */
struct cmp_rng {
	uint64_t s;
};

void cmp_rng_seed(struct cmp_rng *r, uint64_t seed);
uint64_t cmp_rng_next(struct cmp_rng *r);
/* Uniform in [0, n), n > 0 (rejection sampling, no modulo bias). */
uint64_t cmp_rng_below(struct cmp_rng *r, uint64_t n);
/* Standard normal (Box-Muller), for synthetic samples in tests. */
double cmp_rng_normal(struct cmp_rng *r);

/* Median of v[0..n) (does not modify v); NAN if n == 0 or on ENOMEM. */
double cmp_median(const double *v, size_t n);

/*
 * Bootstrap percentile interval at confidence `conf` (0 < conf < 1) for the
 * relative change median(cur)/median(base) - 1, from `resamples` resamples of
 * each side drawn with replacement by an RNG seeded with `seed`.
 * 0, or -1 with errno EINVAL (fewer than CMP_MIN_SAMPLES on a side, a NaN or
 * infinite sample, a bad conf, resamples < 10, or a baseline median <= 0 in a
 * resample) or ENOMEM.
 */
int cmp_bootstrap_rel_ci(const double *base, size_t nb, const double *cur, size_t nc,
			 double conf, unsigned resamples, uint64_t seed, double *lo, double *hi);

/* Up to this many values in all, Mann-Whitney's p is exact; beyond, the normal approximation. */
#define CMP_MW_EXACT_MAX 40

/*
 * Two-sided Mann-Whitney U test of base against cur: *u is U of `cur`
 * (the number of pairs where cur > base, ties counting one half), *p the
 * p-value: exact (the permutation distribution of the midrank sum, ties
 * included) for nb + nc <= CMP_MW_EXACT_MAX, as a few run medians a side
 * need (5 against 5 fully apart: p = 2/252); beyond, the normal approximation
 * with tie and continuity correction. 1 when every value ties. 0, or -1 with
 * errno EINVAL (fewer than CMP_MIN_SAMPLES on a side, NaN or infinite) or ENOMEM.
 */
int cmp_mann_whitney(const double *base, size_t nb, const double *cur, size_t nc, double *u, double *p);

#endif
