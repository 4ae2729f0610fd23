// SPDX-License-Identifier: MIT
/* Loop overhead, resolution, sample flags and repetitions (see calibration.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/calibration.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_u64(const uint64_t *s, size_t n, double *v)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (double)s[i];
	qsort(v, n, sizeof(*v), cmp_double);
	return stats_percentile_sorted(v, n, 50);
}

int overhead_estimate(const uint64_t *before, size_t nb, const uint64_t *after, size_t na,
		      enum overhead_method method, struct overhead_est *o)
{
	size_t n = nb + na;
	double *v, lo, hi;
	struct sample_stats st;

	memset(o, 0, sizeof(*o));
	o->before_median = o->after_median = NAN;
	if (!n || !nb)
		return -1;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	if (na) {
		o->before_median = median_u64(before, nb, v);
		o->after_median = median_u64(after, na, v);
	}
	for (size_t i = 0; i < nb; i++)
		v[i] = (double)before[i];
	for (size_t i = 0; i < na; i++)
		v[nb + i] = (double)after[i];
	if (stats_compute(v, n, &st)) {
		free(v);
		return -1;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	o->conf = stats_median_ci_sorted(v, n, CALIB_CONF, &lo, &hi);
	free(v);
	/* Drift across the test: the overhead during it lies between the two blocks. */
	if (na) {
		lo = fmin(lo, fmin(o->before_median, o->after_median));
		hi = fmax(hi, fmax(o->before_median, o->after_median));
	}
	o->method = method;
	o->cycles = st.median;
	o->lo = lo;
	o->hi = hi;
	o->mad = st.mad;
	o->n = n;
	return 0;
}

void calib_judge(struct test_calib *c, double cost_per_op, double ops_per_sample)
{
	const struct overhead_est *o = &c->overhead;

	c->below_resolution = false;
	c->resolution_cycles = NAN;
	if (o->method == OVERHEAD_NONE || !(ops_per_sample > 0))
		return;
	c->resolution_cycles = fmax(o->hi - o->lo, 1.0) / ops_per_sample;
	/* NaN cost (no samples) is not a cost at all: leave it to the caller. */
	c->below_resolution = !(cost_per_op > (o->hi - o->cycles) / ops_per_sample) && !isnan(cost_per_op);
}

void calib_flag_stats(struct test_calib *c, const struct sample_stats *s)
{
	const char *why = NULL;

	c->p1_small_sample = !stats_percentile_supported(s->n, 1);
	c->p99_small_sample = !stats_percentile_supported(s->n, 99);
	/* A median at or below resolution makes every ratio to it meaningless. */
	c->noisy = !c->below_resolution && stats_noisy(s, &why);
	snprintf(c->noise_reason, sizeof(c->noise_reason), "%s", c->noisy ? why : "");
}

void calib_repeats(struct test_calib *c, const double *m, size_t k)
{
	double s[CALIB_REPEAT_MAX];

	if (k > CALIB_REPEAT_MAX)
		k = CALIB_REPEAT_MAX;
	c->repeats = (unsigned)k;
	if (!k)
		return;
	memcpy(c->rep_medians, m, k * sizeof(*m));
	memcpy(s, m, k * sizeof(*m));
	qsort(s, k, sizeof(*s), cmp_double);
	c->rep_min = s[0];
	c->rep_max = s[k - 1];
	c->rep_ci_conf = stats_median_ci_sorted(s, k, CALIB_CONF, &c->rep_ci_lo, &c->rep_ci_hi);
}

static const char *const method_names[] = {
	[OVERHEAD_NONE] = "none", [OVERHEAD_BRACKET] = "bracket", [OVERHEAD_RING] = "ring",
};

const char *overhead_method_name(enum overhead_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m] : "none";
}

int overhead_method_parse(const char *s, enum overhead_method *m)
{
	for (unsigned i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (!strcmp(s, method_names[i])) {
			*m = i;
			return 0;
		}
	return -1;
}
