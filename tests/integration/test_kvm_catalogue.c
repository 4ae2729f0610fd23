/* SPDX-License-Identifier: MIT */
/*
 * The payload catalogue end to end: `exitlab list` reads what the built
 * payloads declare; typos in --test, --param, a campaign file and `results
 * show --test` are bad usage (exit 2) with the closest name, before anything
 * runs; and a real exit-costs run judges each row by its exit counts, so that
 * a hypercall at CPL3 that KVM never sees (the PVM development hosts, which
 * are themselves guests) comes out invalid.  Counts are asserted, timings never.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static void expect_usage(struct run_out *o, const char *says)
{
	if (o->exit_code != 2 || !strstr(o->err, says))
		fail_msg("exit %d, stderr '%s', want exit 2 saying '%s'", o->exit_code, o->err, says);
}

static void test_list(void **state)
{
	struct run_out o;
	json_error_t je;
	json_t *doc, *p, *t, *cpuid = NULL, *batch = NULL;
	size_t i;

	(void)state;
	harness_run(&o, (const char *[]){ "list", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "exit-costs"));
	assert_non_null(strstr(o.out, "hypercall"));
	assert_non_null(strstr(o.out, "batch"));
	harness_free(&o);

	harness_run(&o, (const char *[]){ "list", harness_payload("exit-costs"), "--json", NULL });
	assert_int_equal(o.exit_code, 0);
	doc = json_loads(o.out, 0, &je);
	if (!doc)
		fail_msg("list --json: %s", je.text);
	harness_free(&o);
	p = json_array_get(json_object_get(doc, "payloads"), 0);
	assert_true(json_is_true(json_object_get(p, "catalogue")));
	json_array_foreach(json_object_get(p, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), "cpuid"))
			cpuid = t;
	assert_non_null(cpuid);
	assert_int_equal(json_integer_value(json_object_get(cpuid, "exits_per_operation")), 1);
	assert_int_equal(json_integer_value(json_object_get(cpuid, "userspace_exits_per_operation")), 0);
	assert_int_equal(json_array_size(json_object_get(cpuid, "rings")), 2);
	json_decref(doc);

	harness_run(&o, (const char *[]){ "list", "net", "--json", NULL });
	assert_int_equal(o.exit_code, 0);
	doc = json_loads(o.out, 0, &je);
	assert_non_null(doc);
	harness_free(&o);
	p = json_array_get(json_object_get(doc, "payloads"), 0);
	json_array_foreach(json_object_get(p, "params"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), "batch"))
			batch = t;
	assert_non_null(batch);
	assert_string_equal(json_string_value(json_object_get(batch, "default")), "1,32,256");
	json_decref(doc);

	harness_run(&o, (const char *[]){ "list", "exit-cost", NULL });
	expect_usage(&o, "did you mean 'exit-costs'?");
	harness_free(&o);
}

/* Before the catalogue this ran only `empty` and exited 0. */
static void test_run_test_typo(void **state)
{
	struct run_out o;

	(void)state;
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--test", "cpuidd",
					  NULL });
	expect_usage(&o, "has no test 'cpuidd'; did you mean 'cpuid'?");
	assert_null(strstr(o.out, "empty")); /* nothing ran */
	harness_free(&o);

	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--test", "rdmsr/cpl3",
					  NULL });
	expect_usage(&o, "rdmsr runs only at cpl0");
	harness_free(&o);
}

/* Before, an unknown key was ignored and the defaults ran. */
static void test_run_param_typo(void **state)
{
	struct run_out o;

	(void)state;
	harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--param", "batchh=32", NULL });
	expect_usage(&o, "has no parameter 'batchh'; did you mean 'batch'?");
	assert_string_equal(o.out, "");
	harness_free(&o);

	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--param", "batch=32", NULL });
	expect_usage(&o, "takes no --param (got 'batch')");
	harness_free(&o);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Before, a mistyped test in tests: ran nothing for it and was shown done. */
static void test_campaign_typo(void **state)
{
	char file[512], out[512];
	struct run_out o;
	struct stat st;

	(void)state;
	snprintf(file, sizeof(file), "%s/typo.yaml", harness_tmp);
	snprintf(out, sizeof(out), "%s/typo-out", harness_tmp);
	write_file(file, "name: typo\nentries:\n  - payload: exit-costs\n    quick: true\n"
			 "    tests: [cpuid, pio_vmmm]\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--out", out, NULL });
	expect_usage(&o, "exit-costs has no test 'pio_vmmm'; did you mean 'pio_vmm'?");
	assert_int_equal(stat(out, &st), -1); /* nothing ran, nothing written */
	harness_free(&o);

	write_file(file, "name: typo\ndefaults:\n  params: { frames: 64 }\nentries:\n  - payload: net\n"
			 "    params:\n      batchh: [1, 32]\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--dry-run", NULL });
	expect_usage(&o, ":7: params: net has no parameter 'batchh'; did you mean 'batch'?");
	harness_free(&o);
}

static void test_hypercall_cpl3_invalid(void **state)
{
	char json[512];
	struct run_out o;
	json_t *doc, *t;
	const char *backend;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/hypercall.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--ring", "3",
					  "--no-baseline", "--test", "hypercall", "--test", "pio_vmm",
					  "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	doc = harness_load_json(json);
	assert_non_null(doc);
	backend = json_string_value(json_object_get(json_object_get(json_object_get(doc, "context"), "kvm"),
						    "backend"));
	if (!backend || strcmp(backend, "kvm_pvm")) {
		harness_free(&o);
		json_decref(doc);
		HARNESS_SKIP_IF("the host's KVM backend is not PVM: a CPL3 hypercall reaches KVM there");
	}
	t = harness_find_test(doc, "hypercall", 3);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	assert_true(json_is_false(json_object_get(t, "valid")));
	assert_non_null(strstr(json_string_value(json_object_get(t, "invalid_reason")),
			       "1 KVM exit per operation expected"));
	assert_non_null(strstr(o.out, "INVALID [1]"));
	assert_non_null(strstr(o.out, "[1] hypercall cpl3: 1 KVM exit per operation expected"));
	/* A port write to the VMM is one exit, one to the VMM, here as anywhere. */
	t = harness_find_test(doc, "pio_vmm", 3);
	assert_true(json_is_true(json_object_get(t, "valid")));
	assert_true(json_is_null(json_object_get(t, "invalid_reason")));
	harness_free(&o);
	json_decref(doc);

	/* results show --test: a name not in these results is a typo. */
	harness_run(&o, (const char *[]){ "results", "show", json, "--test", "hypercal", NULL });
	expect_usage(&o, "no test 'hypercal' in these results; did you mean 'hypercall'?");
	harness_free(&o);
	harness_run(&o, (const char *[]){ "results", "show", json, "--test", "hypercall", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "INVALID [1]"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_run_test_typo),
		cmocka_unit_test(test_run_param_typo),
		cmocka_unit_test(test_campaign_typo),
		cmocka_unit_test(test_hypercall_cpl3_invalid),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
