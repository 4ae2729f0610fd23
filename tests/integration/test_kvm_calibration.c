/* SPDX-License-Identifier: MIT */
/*
 * Calibration in a real run: each test's own loop overhead and its interval,
 * below-resolution instead of negative costs, --cpu, --order random,seed=N and
 * --repeat recorded and applied. Structure and counts only, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static const char *const tests3[] = { "cpuid", "pio_vmm", "rdtsc", "mmio_vmm" };

/* Run exit-costs at CPL3 with the calibration options; the results document. */
static json_t *run_calibrated(const char *json, const char *seed_arg)
{
	struct run_out o;
	json_t *doc;

	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--ring", "3",
					  "--no-baseline", "--repeat", "2", "--order", seed_arg, "--cpu", "0",
					  "--test", tests3[0], "--test", tests3[1], "--test", tests3[2],
					  "--test", tests3[3], "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	/* the table shows the repetitions' medians */
	assert_non_null(strstr(o.out, "medians of"));
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	return doc;
}

static void test_calibrated_run(void **state)
{
	char json[512];
	json_t *doc, *cfg, *t;
	size_t i, timed = 0;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/calib.json", harness_tmp);
	doc = run_calibrated(json, "random,seed=12345");

	cfg = json_object_get(doc, "config");
	assert_string_equal(json_string_value(json_object_get(json_object_get(cfg, "schedule"), "order")), "random");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cfg, "schedule"), "order_seed")), 12345);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cfg, "schedule"), "repeat")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cfg, "vmm"), "vcpu_cpu")), 0);

	/* empty + the four, each once: the two repetitions pool into one row */
	assert_int_equal(json_array_size(json_object_get(doc, "tests")), 5);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *st = json_string_value(json_object_get(t, "status"));
		json_t *cyc = json_object_get(t, "cycles"), *ovh = json_object_get(t, "overhead"),
		       *rep = json_object_get(t, "repeats");
		bool below;

		assert_int_equal(json_integer_value(json_object_get(t, "ring")), 3);
		assert_true(json_is_object(rep));
		assert_int_equal(json_integer_value(json_object_get(rep, "k")), 2);
		assert_int_equal(json_array_size(json_object_get(rep, "medians")), 2);
		assert_true(json_is_boolean(json_object_get(t, "p99_small_sample")));
		assert_true(json_is_boolean(json_object_get(t, "noisy")));
		assert_true(json_is_boolean(json_object_get(t, "below_resolution")));
		if (!strcmp(name, "empty")) {
			assert_true(json_is_null(ovh)); /* the overhead itself */
			continue;
		}
		if (strcmp(st, "ok"))
			continue;
		timed++;
		/* each test had its own overhead, measured next to it */
		assert_true(json_is_object(ovh));
		assert_string_equal(json_string_value(json_object_get(ovh, "method")), "bracket");
		assert_true(json_number_value(json_object_get(ovh, "lo")) <= json_number_value(json_object_get(ovh, "cycles")));
		assert_true(json_number_value(json_object_get(ovh, "cycles")) <= json_number_value(json_object_get(ovh, "hi")));
		assert_true(json_integer_value(json_object_get(ovh, "n")) > 0);
		assert_true(json_number_value(json_object_get(t, "resolution_cycles")) >= 1);
		/* no negative cost is ok: a median at or below zero is below resolution */
		below = json_is_true(json_object_get(t, "below_resolution"));
		assert_true(below || json_number_value(json_object_get(cyc, "median")) > 0);
		/* the counts pool both phases (each doorbell left out): cpuid still one exit per op */
		if (!strcmp(name, "cpuid") || !strcmp(name, "pio_vmm"))
			assert_true(json_number_value(json_object_get(t, "exits_per_iteration")) >= 0.99);
	}
	assert_true(timed >= 3);
	json_decref(doc);
}

/* The same seed gives the same order. */
static void test_seed_reproduces_order(void **state)
{
	char a[512], b[512];
	json_t *da, *db, *t;
	size_t i;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(a, sizeof(a), "%s/order-a.json", harness_tmp);
	snprintf(b, sizeof(b), "%s/order-b.json", harness_tmp);
	da = run_calibrated(a, "random,seed=7");
	db = run_calibrated(b, "random,seed=7");
	assert_int_equal(json_array_size(json_object_get(da, "tests")), json_array_size(json_object_get(db, "tests")));
	json_array_foreach(json_object_get(da, "tests"), i, t)
		assert_string_equal(json_string_value(json_object_get(t, "name")),
				    json_string_value(json_object_get(json_array_get(json_object_get(db, "tests"), i), "name")));
	json_decref(da);
	json_decref(db);
}

static void test_bad_options(void **state)
{
	static const char *const bad[][2] = {
		{ "--repeat", "0" }, { "--repeat", "many" }, { "--order", "shuffled" },
		{ "--order", "random,seed=-1" }, { "--cpu", "100000" }, { "--cpu", "x" },
	};
	struct run_out o;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), bad[i][0], bad[i][1], NULL });
		assert_int_equal(o.exit_code, 2);
		assert_non_null(strstr(o.err, bad[i][0]));
		harness_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calibrated_run),
		cmocka_unit_test(test_seed_reproduces_order),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
