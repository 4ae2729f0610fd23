/* SPDX-License-Identifier: MIT */
/* The loop overhead's interval, the resolution rule, repetitions, and their JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "analysis/calibration.h"
#include "analysis/results.h"
#include "run/run_sched.h"

static void test_bracket_interval(void **state)
{
	uint64_t before[50], after[50];
	struct overhead_est o;
	(void)state;

	/* the overhead drifted from ~100 to ~120 across the test */
	for (int i = 0; i < 50; i++) {
		before[i] = 100 + i % 3;
		after[i] = 120 + i % 3;
	}
	assert_int_equal(overhead_estimate(before, 50, after, 50, OVERHEAD_BRACKET, &o), 0);
	assert_int_equal(o.method, OVERHEAD_BRACKET);
	assert_int_equal(o.n, 100);
	assert_float_equal(o.before_median, 101, 0);
	assert_float_equal(o.after_median, 121, 0);
	/* the interval spans both blocks' medians: the drift is part of the uncertainty */
	assert_true(o.lo <= 101 && o.hi >= 121);
	assert_true(o.cycles >= o.lo && o.cycles <= o.hi);
	assert_true(o.conf >= 0.95);

	/* one block (the ring's empty test): only the median's own interval */
	assert_int_equal(overhead_estimate(before, 50, NULL, 0, OVERHEAD_RING, &o), 0);
	assert_true(isnan(o.before_median));
	assert_float_equal(o.cycles, 101, 0);
	assert_true(o.lo >= 100 && o.hi <= 102);
	assert_int_equal(overhead_estimate(before, 0, NULL, 0, OVERHEAD_RING, &o), -1);
}

static void test_judge(void **state)
{
	struct test_calib c = { .overhead = { .method = OVERHEAD_BRACKET, .cycles = 100, .lo = 90, .hi = 130 } };
	(void)state;

	/* resolved: the median clears the overhead's upper bound (30 above what was subtracted) */
	calib_judge(&c, 31, 1);
	assert_false(c.below_resolution);
	assert_float_equal(c.resolution_cycles, 40, 0);
	calib_judge(&c, 30, 1);
	assert_true(c.below_resolution);
	calib_judge(&c, -12, 1);
	assert_true(c.below_resolution);
	/* per operation when a sample holds several */
	calib_judge(&c, 4, 8);
	assert_false(c.below_resolution);
	assert_float_equal(c.resolution_cycles, 5, 0);
	/* an interval of width 0 still has a resolution of one tick */
	c.overhead.lo = c.overhead.hi = 100;
	calib_judge(&c, 0, 1);
	assert_true(c.below_resolution);
	assert_float_equal(c.resolution_cycles, 1, 0);
	/* nothing subtracted: nothing to judge */
	c.overhead.method = OVERHEAD_NONE;
	calib_judge(&c, -1, 1);
	assert_false(c.below_resolution);
	assert_true(isnan(c.resolution_cycles));
}

static void test_repeats(void **state)
{
	const double m[] = { 1200, 1000, 1100, 1050, 1150, 1120, 1080 };
	struct test_calib c = { 0 };
	(void)state;

	calib_repeats(&c, m, 7);
	assert_int_equal(c.repeats, 7);
	assert_float_equal(c.rep_medians[0], 1200, 0);
	assert_float_equal(c.rep_min, 1000, 0);
	assert_float_equal(c.rep_max, 1200, 0);
	/* 7 medians: [x1, x5] covers 1 - 2 x 8/128 = 87.5 % < 95 %, so min..max at 98.4 % */
	assert_float_equal(c.rep_ci_lo, 1000, 0);
	assert_float_equal(c.rep_ci_hi, 1200, 0);
	assert_float_equal(c.rep_ci_conf, 1 - 2.0 / 128, 1e-12);
}

static void test_sched_options(void **state)
{
	struct run_sched s;
	char err[160];
	json_t *j;
	(void)state;

	run_sched_init(&s);
	assert_int_equal(s.cpu, -1);
	assert_int_equal(s.repeat, 1);
	assert_int_equal(run_sched_parse_order(&s, "random,seed=42", err, sizeof(err)), 0);
	assert_true(s.random);
	assert_int_equal(s.seed, 42);
	run_sched_finish(&s);
	assert_int_equal(s.seed, 42); /* a given seed is kept */
	assert_int_equal(run_sched_parse_order(&s, "table", err, sizeof(err)), 0);
	assert_false(s.random);
	assert_int_equal(run_sched_parse_order(&s, "random,seed=", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_order(&s, "shuffle", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_order(&s, "random,seed=18446744073709551615", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_repeat(&s, "0", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_repeat(&s, "101", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_repeat(&s, "3x", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_repeat(&s, "3", err, sizeof(err)), 0);
	assert_int_equal(s.repeat, 3);
	assert_int_equal(run_sched_parse_cpu(&s, "-1", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_cpu(&s, "100000", err, sizeof(err)), -1);
	assert_int_equal(run_sched_parse_cpu(&s, "0", err, sizeof(err)), 0);
	/* a drawn seed is recorded exactly (JSON integers are signed) */
	assert_int_equal(run_sched_parse_order(&s, "random", err, sizeof(err)), 0);
	run_sched_finish(&s);
	assert_true(s.seed <= INT64_MAX);
	j = run_sched_describe(&s);
	assert_string_equal(json_string_value(json_object_get(j, "order")), "random");
	assert_int_equal(json_integer_value(json_object_get(j, "order_seed")), (json_int_t)s.seed);
	assert_int_equal(json_integer_value(json_object_get(j, "repeat")), 3);
	json_decref(j);
}

/* One guest test below resolution with repetitions: what it writes, what reads back. */
static void make_one(struct run_result *r)
{
	struct test_result *t;

	memset(r, 0, sizeof(*r));
	strcpy(r->payload, "exit-costs");
	strcpy(r->started_at, "2026-12-06T00:00:00Z");
	t = results_add_test(r);
	strcpy(t->name, "mov_from_cr8");
	strcpy(t->where, "guest");
	t->ring = 0;
	t->status = TEST_OK;
	t->iterations = 96;
	t->has_timing = true;
	t->cycles = (struct sample_stats){ .n = 96, .min = -900, .median = -12, .max = 400, .p1 = -800,
					   .p99 = 300, .mad = 50 };
	t->ns = t->cycles;
	t->calib.overhead = (struct overhead_est){ .method = OVERHEAD_BRACKET, .cycles = 9300, .lo = 9200,
						   .hi = 9420, .before_median = 9250, .after_median = 9400,
						   .mad = 30, .conf = 0.96, .n = 192 };
	t->overhead_cycles = 9300;
	calib_judge(&t->calib, t->cycles.median, 1);
	calib_flag_stats(&t->calib, &t->cycles);
	calib_repeats(&t->calib, (const double[]){ -20, -4 }, 2);
}

static void test_json_round_trip(void **state)
{
	char path[] = "/tmp/exitlab-calib-XXXXXX", err[256];
	struct run_result a, b;
	int fd = mkstemp(path);
	json_t *root, *t;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	make_one(&a);
	assert_true(a.tests[0].calib.below_resolution);
	assert_int_equal(results_write_json(&a, path, err, sizeof(err)), 0);
	root = json_load_file(path, 0, NULL);
	t = json_array_get(json_object_get(root, "tests"), 0);
	/* a field, not only text */
	assert_true(json_is_true(json_object_get(t, "below_resolution")));
	assert_float_equal(json_real_value(json_object_get(t, "resolution_cycles")), 220, 1e-9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "overhead"), "method")), "bracket");
	assert_true(json_is_true(json_object_get(t, "p99_small_sample")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "repeats"), "k")), 2);
	json_decref(root);

	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_true(b.tests[0].calib.below_resolution);
	assert_float_equal(b.tests[0].calib.resolution_cycles, 220, 1e-9);
	assert_int_equal(b.tests[0].calib.overhead.method, OVERHEAD_BRACKET);
	assert_float_equal(b.tests[0].calib.overhead.after_median, 9400, 0);
	assert_int_equal(b.tests[0].calib.overhead.n, 192);
	assert_int_equal(b.tests[0].calib.repeats, 2);
	assert_float_equal(b.tests[0].calib.rep_medians[1], -4, 0);
	assert_true(b.tests[0].calib.p99_small_sample);
	results_free(&b);

	/* written before these members: derived, so an old negative ok row is no figure either */
	root = json_load_file(path, 0, NULL);
	t = json_array_get(json_object_get(root, "tests"), 0);
	for (const char *const *k = (const char *const[]){ "overhead", "below_resolution", "resolution_cycles",
		"p1_small_sample", "p99_small_sample", "noisy", "noise", "repeats", NULL }; *k; k++)
		json_object_del(t, *k);
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_true(b.tests[0].calib.below_resolution);
	assert_true(isnan(b.tests[0].calib.resolution_cycles));
	assert_true(b.tests[0].calib.p99_small_sample);
	assert_int_equal(b.tests[0].calib.repeats, 0);
	results_free(&b);

	/* wrong types are named */
	root = json_load_file(path, 0, NULL);
	t = json_array_get(json_object_get(root, "tests"), 0);
	json_object_set_new(t, "below_resolution", json_string("yes"));
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "below_resolution"));
	results_free(&b);

	results_free(&a);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bracket_interval),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_sched_options),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
