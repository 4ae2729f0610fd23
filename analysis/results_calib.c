// SPDX-License-Identifier: MIT
/* The calibration members of a results test object (see results_calib.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/results_calib.h"

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *overhead_to_json(const struct overhead_est *o)
{
	if (o->method == OVERHEAD_NONE)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
			 "method", overhead_method_name(o->method), "cycles", num(o->cycles),
			 "lo", num(o->lo), "hi", num(o->hi), "before_median", num(o->before_median),
			 "after_median", num(o->after_median), "mad", num(o->mad),
			 "n", (json_int_t)o->n, "median_ci_conf", num(o->conf));
}

static json_t *repeats_to_json(const struct test_calib *c)
{
	json_t *m;

	if (c->repeats < 2)
		return json_null();
	m = json_array();
	for (unsigned i = 0; m && i < c->repeats; i++)
		json_array_append_new(m, num(c->rep_medians[i]));
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "k", (int)c->repeats, "medians", m,
			 "min", num(c->rep_min), "max", num(c->rep_max), "ci_lo", num(c->rep_ci_lo),
			 "ci_hi", num(c->rep_ci_hi), "ci_conf", num(c->rep_ci_conf));
}

int results_calib_to_json(json_t *o, const struct test_result *t)
{
	struct test_calib cl = t->calib;
	const struct test_calib *c = &cl;
	int rc = 0;

	if (!t->has_timing)
		return 0;
	/* The flags follow from the stats: rows made outside collect (host baselines) get them too. */
	calib_flag_stats(&cl, &t->cycles);
	if (cl.overhead.method == OVERHEAD_NONE)
		cl.resolution_cycles = NAN;
	rc |= json_object_set_new(o, "overhead", overhead_to_json(&c->overhead));
	rc |= json_object_set_new(o, "below_resolution", json_boolean(c->below_resolution));
	rc |= json_object_set_new(o, "resolution_cycles", num(c->resolution_cycles));
	rc |= json_object_set_new(o, "p1_small_sample", json_boolean(c->p1_small_sample));
	rc |= json_object_set_new(o, "p99_small_sample", json_boolean(c->p99_small_sample));
	rc |= json_object_set_new(o, "noisy", json_boolean(c->noisy));
	rc |= json_object_set_new(o, "noise", c->noisy ? json_string(c->noise_reason) : json_null());
	rc |= json_object_set_new(o, "repeats", repeats_to_json(c));
	return rc ? -1 : 0;
}

static int fail(char *err, size_t errlen, const char *key, const char *what)
{
	snprintf(err, errlen, "%s: %s", key, what);
	return -1;
}

/* A number or null (NaN); absent leaves *d alone. */
static int opt_num(json_t *o, const char *key, double *d, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (json_is_null(v))
		*d = NAN;
	else if (json_is_number(v))
		*d = json_number_value(v);
	else
		return fail(err, errlen, key, "expected a number or null");
	return 0;
}

static int opt_bool(json_t *o, const char *key, bool *b, bool *present, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(err, errlen, key, "expected a boolean");
	*b = json_is_true(v);
	return 0;
}

static int overhead_from_json(json_t *v, struct overhead_est *o, char *err, size_t errlen)
{
	json_t *m, *n;

	o->method = OVERHEAD_NONE;
	if (!v || json_is_null(v))
		return 0;
	m = json_object_get(v, "method");
	if (!json_is_object(v) || !json_is_string(m) ||
	    overhead_method_parse(json_string_value(m), &o->method))
		return fail(err, errlen, "overhead", "expected null or an object with method bracket|ring|none");
	n = json_object_get(v, "n");
	if (n && !json_is_integer(n))
		return fail(err, errlen, "overhead.n", "expected an integer");
	o->n = n && json_integer_value(n) > 0 ? (size_t)json_integer_value(n) : 0;
	o->before_median = o->after_median = NAN;
	if (opt_num(v, "cycles", &o->cycles, err, errlen) || opt_num(v, "lo", &o->lo, err, errlen) ||
	    opt_num(v, "hi", &o->hi, err, errlen) ||
	    opt_num(v, "before_median", &o->before_median, err, errlen) ||
	    opt_num(v, "after_median", &o->after_median, err, errlen) ||
	    opt_num(v, "mad", &o->mad, err, errlen) || opt_num(v, "median_ci_conf", &o->conf, err, errlen))
		return -1;
	return 0;
}

static int repeats_from_json(json_t *v, struct test_calib *c, char *err, size_t errlen)
{
	json_t *m, *e;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	m = json_object_get(v, "medians");
	if (!json_is_object(v) || !json_is_array(m) || json_array_size(m) > CALIB_REPEAT_MAX)
		return fail(err, errlen, "repeats", "expected null or an object with at most 100 medians");
	json_array_foreach(m, i, e) {
		if (!json_is_number(e) && !json_is_null(e))
			return fail(err, errlen, "repeats.medians", "expected numbers");
		c->rep_medians[i] = json_is_null(e) ? NAN : json_number_value(e);
	}
	c->repeats = (unsigned)json_array_size(m);
	return opt_num(v, "min", &c->rep_min, err, errlen) || opt_num(v, "max", &c->rep_max, err, errlen) ||
	       opt_num(v, "ci_lo", &c->rep_ci_lo, err, errlen) ||
	       opt_num(v, "ci_hi", &c->rep_ci_hi, err, errlen) ||
	       opt_num(v, "ci_conf", &c->rep_ci_conf, err, errlen) ? -1 : 0;
}

int results_calib_from_json(json_t *o, struct test_result *t, char *err, size_t errlen)
{
	struct test_calib *c = &t->calib;
	bool has_below, has_p1, has_p99, has_noisy;
	json_t *noise;

	memset(c, 0, sizeof(*c));
	c->resolution_cycles = NAN;
	if (!t->has_timing)
		return 0;
	if (overhead_from_json(json_object_get(o, "overhead"), &c->overhead, err, errlen) ||
	    opt_bool(o, "below_resolution", &c->below_resolution, &has_below, err, errlen) ||
	    opt_num(o, "resolution_cycles", &c->resolution_cycles, err, errlen) ||
	    opt_bool(o, "p1_small_sample", &c->p1_small_sample, &has_p1, err, errlen) ||
	    opt_bool(o, "p99_small_sample", &c->p99_small_sample, &has_p99, err, errlen) ||
	    opt_bool(o, "noisy", &c->noisy, &has_noisy, err, errlen) ||
	    repeats_from_json(json_object_get(o, "repeats"), c, err, errlen))
		return -1;
	noise = json_object_get(o, "noise");
	if (noise && !json_is_null(noise) && !json_is_string(noise))
		return fail(err, errlen, "noise", "expected a string or null");
	if (json_is_string(noise))
		snprintf(c->noise_reason, sizeof(c->noise_reason), "%s", json_string_value(noise));
	/*
	 * Written before these members existed: a guest median at or below zero
	 * after an overhead subtraction is below a resolution the file never knew.
	 */
	if (!has_below)
		c->below_resolution = t->ring >= 0 && t->overhead_cycles > 0 && !(t->cycles.median > 0);
	if (!has_p1 || !has_p99 || !has_noisy) {
		struct test_calib d = *c;

		calib_flag_stats(&d, &t->cycles);
		c->p1_small_sample = has_p1 ? c->p1_small_sample : d.p1_small_sample;
		c->p99_small_sample = has_p99 ? c->p99_small_sample : d.p99_small_sample;
		if (!has_noisy) {
			c->noisy = d.noisy;
			memcpy(c->noise_reason, d.noise_reason, sizeof(c->noise_reason));
		}
	}
	return 0;
}
