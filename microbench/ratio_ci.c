// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/compare_stats.h"
#include "microbench/ratio_ci.h"

int ratio_ci_compute(const double *a, size_t na, const double *b, size_t nb, const struct ratio_ci_opts *o,
		     struct ratio_ci *r)
{
	double rel_lo, rel_hi;

	if (!na || !nb || !(o->conf > 0 && o->conf < 1) || !(o->max_width > 0) || o->min_n < CMP_MIN_SAMPLES) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < na + nb; i++) {
		double v = i < na ? a[i] : b[i - na];

		if (!isfinite(v) || !(v > 0)) {
			errno = EINVAL;
			return -1;
		}
	}
	*r = (struct ratio_ci){ .na = na, .nb = nb, .lo = NAN, .hi = NAN, .width = NAN };
	r->median_a = cmp_median(a, na);
	r->median_b = cmp_median(b, nb);
	if (isnan(r->median_a) || isnan(r->median_b)) {
		errno = ENOMEM;
		return -1;
	}
	r->ratio = r->median_a / r->median_b;
	if (na < o->min_n || nb < o->min_n) {
		r->why = "too few samples for an interval";
		return 0;
	}
	/* compare's interval is for median(cur)/median(base) - 1: b is the base. */
	if (cmp_bootstrap_rel_ci(b, nb, a, na, o->conf, o->resamples, o->seed, &rel_lo, &rel_hi))
		return -1;
	r->lo = 1 + rel_lo;
	r->hi = 1 + rel_hi;
	r->width = (r->hi - r->lo) / r->ratio;
	r->stated = r->width <= o->max_width;
	if (!r->stated)
		r->why = "interval wider than the bound";
	return 0;
}

long ratio_ci_parse_list(const char *s, double **out)
{
	size_t n = 0, cap = 16;
	double *v = malloc(cap * sizeof(*v));

	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	while (*s) {
		char *end;
		double x;

		errno = 0;
		x = strtod(s, &end);
		if (end == s || errno || !isfinite(x) || (*end && *end != ',')) {
			free(v);
			errno = EINVAL;
			return -1;
		}
		if (n == cap) {
			double *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
		}
		v[n++] = x;
		s = *end ? end + 1 : end;
	}
	*out = v;
	return (long)n;
}
