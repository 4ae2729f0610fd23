/* SPDX-License-Identifier: MIT */
/*
 * The ratio of two medians with its confidence interval, for benchmarks that
 * set one VMM beside another (microbench/net-vs-qemu.sh): median(a) /
 * median(b) and the bootstrap percentile interval of `exitlab compare`
 * (analysis/compare_stats.h), and whether that interval is narrow enough to state.
 */
#ifndef EXITLAB_RATIO_CI_H
#define EXITLAB_RATIO_CI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratio_ci_opts {
	double conf;          /* confidence, 0 < conf < 1 */
	double max_width;     /* widest interval stated: (hi - lo) / ratio */
	size_t min_n;         /* fewest samples on a side for an interval at all */
	unsigned resamples;
	uint64_t seed;
};

#define RATIO_CI_DEFAULTS { .conf = 0.95, .max_width = 0.20, .min_n = 10, .resamples = 10000, .seed = 1 }

struct ratio_ci {
	size_t na, nb;
	double median_a, median_b;
	double ratio;         /* median_a / median_b */
	double lo, hi;        /* its interval (NAN when not computed) */
	double width;         /* (hi - lo) / ratio */
	bool stated;          /* enough samples and width <= max_width */
	const char *why;      /* why not stated, or NULL */
};

/*
 * Fill *r from a[0..na) and b[0..nb) (positive values, e.g. frames/s).
 * 0 (r->stated says whether the ratio may be stated, r->why why not), or -1
 * with errno EINVAL (a side empty, a value not finite and > 0, bad options)
 * or ENOMEM.
 */
int ratio_ci_compute(const double *a, size_t na, const double *b, size_t nb, const struct ratio_ci_opts *o,
		     struct ratio_ci *r);

/* Parse "v1,v2,..." (finite numbers) into a malloc'ed array; its length, or -1 (EINVAL/ENOMEM). */
long ratio_ci_parse_list(const char *s, double **out);

#endif
