/* SPDX-License-Identifier: MIT */
/*
 * Calibration of a test's figures (docs/methodology.md, "Loop overhead and
 * resolution"): the loop overhead measured next to the test and its
 * interval; whether the test's cost is resolved against it; the small-sample
 * and noise flags of its distribution; the interval of its medians over the
 * repetitions of one run (--repeat).
 */
#ifndef EXITLAB_CALIBRATION_H
#define EXITLAB_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/statistics.h"

#define CALIB_CONF 0.95          /* coverage asked of every interval here */
#define CALIB_REPEAT_MAX 100     /* --repeat bound */

enum overhead_method {
	OVERHEAD_NONE,    /* nothing subtracted */
	OVERHEAD_BRACKET, /* empty loops right before and after the test's phase */
	OVERHEAD_RING,    /* the ring's `empty` test (payloads that send no bracket) */
};

/* Per sample (not per operation), in cycles. */
struct overhead_est {
	enum overhead_method method;
	double cycles;            /* subtracted from every sample */
	double lo, hi;            /* interval of the overhead: median CI and drift */
	double before_median, after_median; /* bracket only, else NAN */
	double mad;
	double conf;              /* coverage of the median CI inside [lo, hi] */
	size_t n;                 /* empty samples behind it */
};

struct test_calib {
	struct overhead_est overhead;
	/* The cost per operation is below what the overhead's interval resolves. */
	bool below_resolution;
	double resolution_cycles; /* per operation: width of the overhead interval, NAN if none */
	/* Percentiles the sample count cannot support (stats_percentile_supported). */
	bool p1_small_sample, p99_small_sample;
	bool noisy;
	char noise_reason[32];
	/* --repeat K > 1: each repetition's median (per op, overhead subtracted). */
	unsigned repeats;
	double rep_medians[CALIB_REPEAT_MAX];
	double rep_min, rep_max, rep_ci_lo, rep_ci_hi, rep_ci_conf;
};

/*
 * The overhead from empty-loop samples: before[0..nb) and after[0..na)
 * (after may be empty: a single block, method OVERHEAD_RING). cycles = the
 * median of both blocks pooled; [lo, hi] spans the distribution-free
 * CALIB_CONF interval of that median and both blocks' medians (the drift
 * across the test). 0, or -1 (no samples, or out of memory).
 */
int overhead_estimate(const uint64_t *before, size_t nb, const uint64_t *after, size_t na,
		      enum overhead_method method, struct overhead_est *o);

/*
 * Judge a cost per operation against the overhead it had subtracted:
 * resolved when it exceeds (hi - cycles) / ops_per_sample (the test's median
 * lies above the overhead's interval). Unresolved, the cost is below
 * resolution_cycles = max(hi - lo, 1) / ops_per_sample, a bound it cannot
 * exceed. Without an overhead: never below resolution, resolution NAN.
 */
void calib_judge(struct test_calib *c, double cost_per_op, double ops_per_sample);

/* The small-sample and noise flags of a distribution. */
void calib_flag_stats(struct test_calib *c, const struct sample_stats *s);

/*
 * The repetitions' medians m[0..k): min..max and the CALIB_CONF median
 * interval (for k <= 5 that is min..max, with the coverage it has).
 */
void calib_repeats(struct test_calib *c, const double *m, size_t k);

/* "bracket", "ring", "none" */
const char *overhead_method_name(enum overhead_method m);
int overhead_method_parse(const char *s, enum overhead_method *m);

#endif
