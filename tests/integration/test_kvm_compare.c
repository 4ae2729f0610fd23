/* SPDX-License-Identifier: MIT */
/*
 * exitlab compare on real runs: two exit-costs runs (cpuid, pio_ioeventfd at
 * ring 3, raw samples kept) compared, for the structure and the verdict values
 * only (two runs on a shared host differ by chance); then a doctored CURRENT
 * with one test's samples doubled (regressed, exit 1), one from another KVM
 * backend (not comparable, exit 0), a named baseline, and the refusals (exit 2).
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static char run1[512], run2[512];
static bool have_runs;

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", harness_tmp, name);
}

static void run_exit_costs(const char *json)
{
	struct run_out o;

	harness_run(&o, (const char *[]){ "run", "exit-costs", "--quick", "--ring", "3", "--raw", "--test", "cpuid",
					  "--test", "pio_ioeventfd", "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
}

/* compare A B --json OUT: the exit code, and the JSON document read back. */
static json_t *compare(const char *a, const char *b, int *code, struct run_out *o)
{
	char out[512];
	json_error_t je;
	json_t *doc;

	path_in(out, sizeof(out), "compare.json");
	unlink(out);
	harness_run(o, (const char *[]){ "compare", a, b, "--json", out, NULL });
	*code = o->exit_code;
	if (o->exit_code != 0 && o->exit_code != 1)
		fprintf(stderr, "%s%s", o->out, o->err);
	doc = json_load_file(out, 0, &je);
	if (!doc)
		fprintf(stderr, "%s: %s\n", out, je.text);
	assert_non_null(doc);
	return doc;
}

static json_t *find(json_t *doc, const char *name, int ring)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name) &&
		    json_integer_value(json_object_get(t, "ring")) == ring)
			return t;
	fail_msg("no test %s at ring %d", name, ring);
	return NULL;
}

static const char *verdict(json_t *t)
{
	return json_string_value(json_object_get(t, "verdict"));
}

static json_int_t summary(json_t *doc, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(doc, "summary"), k));
}

static void test_real_runs(void **state)
{
	static const char *const allowed[] = { "improved", "regressed", "unchanged", "not comparable" };
	struct run_out o;
	json_t *doc, *t;
	size_t i;
	int code;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	path_in(run1, sizeof(run1), "run1.json");
	path_in(run2, sizeof(run2), "run2.json");
	run_exit_costs(run1);
	run_exit_costs(run2);
	have_runs = true;

	doc = compare(run1, run2, &code, &o);
	assert_string_equal(json_string_value(json_object_get(doc, "format")), "exitlab-compare");
	assert_true(json_real_value(json_object_get(doc, "confidence")) == 0.99);
	assert_true(json_real_value(json_object_get(doc, "threshold_pct")) == 5.0);
	/* exit 1 exactly when some test regressed */
	assert_int_equal(code, summary(doc, "regressed") ? 1 : 0);
	assert_non_null(strstr(o.out, "verdict"));
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		bool ok = false;

		for (size_t k = 0; k < 4; k++)
			ok |= !strcmp(verdict(t), allowed[k]);
		assert_true(ok);
		assert_true(json_is_string(json_object_get(t, "reason")));
	}
	for (int k = 0; k < 2; k++) {
		t = find(doc, k ? "pio_ioeventfd" : "cpuid", 3);
		assert_true(json_number_value(json_object_get(json_object_get(t, "baseline"), "median_cycles")) > 0);
		assert_true(json_integer_value(json_object_get(json_object_get(t, "current"), "samples")) > 0);
		assert_true(json_is_real(json_object_get(t, "change_pct")));
		assert_int_equal(json_array_size(json_object_get(t, "ci_pct")), 2);
		assert_true(json_is_real(json_object_get(t, "p_value")));
		assert_string_not_equal(verdict(t), "not comparable");
	}
	/* with --raw the host baselines keep their samples too: judged like the guest's */
	t = find(doc, "host_syscall", -1);
	assert_string_not_equal(verdict(t), "not comparable");
	assert_true(json_is_real(json_object_get(t, "p_value")));
	assert_true(json_integer_value(json_object_get(json_object_get(t, "current"), "samples")) > 0);
	json_decref(doc);
	harness_free(&o);
}

/* A copy of run1 with cpuid's samples and figures doubled, or with another backend or spectre_v2 mitigation. */
static void doctor(const char *out, bool double_cpuid, const char *backend, const char *spectre_v2)
{
	json_t *doc = json_load_file(run1, 0, NULL), *t, *v;
	size_t i, j;

	assert_non_null(doc);
	if (spectre_v2) {
		json_t *k = json_object_get(json_object_get(doc, "context"), "kernel");
		json_t *m = json_object_get(k, "mitigations");

		if (!json_is_object(m))   /* a host without vulnerabilities/: it recorded none */
			json_object_set_new(k, "mitigations", m = json_object());
		assert_int_equal(json_object_set_new(m, "spectre_v2", json_string(spectre_v2)), 0);
	}
	if (backend)
		assert_int_equal(json_object_set_new(json_object_get(json_object_get(doc, "context"), "kvm"),
						     "backend", json_string(backend)), 0);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *k;

		if (!double_cpuid || strcmp(json_string_value(json_object_get(t, "name")), "cpuid"))
			continue;
		json_array_foreach(json_object_get(t, "samples_cycles"), j, v)
			json_real_set(v, json_number_value(v) * 2);
		json_object_foreach(json_object_get(t, "cycles"), k, v)
			if (strcmp(k, "n"))
				json_object_set_new(json_object_get(t, "cycles"), k,
						    json_real(json_number_value(v) * 2));
	}
	assert_int_equal(json_dump_file(doc, out, JSON_INDENT(1)), 0);
	json_decref(doc);
}

static void test_doctored(void **state)
{
	char cur[512], other[512];
	struct run_out o;
	json_t *doc, *t;
	size_t i;
	int code;
	(void)state;

	if (!have_runs)
		skip();
	path_in(cur, sizeof(cur), "doubled.json");
	doctor(cur, true, NULL, NULL);
	doc = compare(run1, cur, &code, &o);
	assert_int_equal(code, 1);
	t = find(doc, "cpuid", 3);
	assert_string_equal(verdict(t), "regressed");
	assert_true(fabs(json_real_value(json_object_get(t, "change_pct")) - 100) < 1e-6);
	assert_true(json_real_value(json_array_get(json_object_get(t, "ci_pct"), 0)) > 5);
	assert_true(json_real_value(json_object_get(t, "p_value")) < 0.01);
	/* the untouched test, sample for sample the same */
	t = find(doc, "pio_ioeventfd", 3);
	assert_string_equal(verdict(t), "unchanged");
	assert_int_equal(summary(doc, "regressed"), 1);
	assert_non_null(strstr(o.out, "regressed"));
	json_decref(doc);
	harness_free(&o);
	/* the other way round it is an improvement, and not a failure */
	doc = compare(cur, run1, &code, &o);
	assert_int_equal(code, 0);
	assert_string_equal(verdict(find(doc, "cpuid", 3)), "improved");
	json_decref(doc);
	harness_free(&o);

	/* another KVM backend: nothing is comparable, even the doubled test */
	path_in(other, sizeof(other), "other-backend.json");
	doctor(other, true, "kvm_intel", NULL);
	doc = compare(run1, other, &code, &o);
	assert_int_equal(code, 0);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		assert_string_equal(verdict(t), "not comparable");
		assert_string_equal(json_string_value(json_object_get(t, "reason")), "KVM backend differs");
	}
	json_decref(doc);
	harness_free(&o);

	/* other CPU mitigations (paid on every exit): not comparable either, and said why */
	path_in(other, sizeof(other), "other-mitigations.json");
	doctor(other, true, NULL, "Mitigation: IBRS");
	doc = compare(run1, other, &code, &o);
	assert_int_equal(code, 0);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		assert_string_equal(verdict(t), "not comparable");
		assert_non_null(strstr(json_string_value(json_object_get(t, "reason")), "CPU mitigations"));
	}
	json_decref(doc);
	harness_free(&o);
}

/* A named baseline from EXITLAB_BASELINES (results/baselines by default). */
static void test_named_baseline(void **state)
{
	char dir[512], cmd[2048];
	struct run_out o;
	json_t *doc;
	int code;
	(void)state;

	if (!have_runs)
		skip();
	path_in(dir, sizeof(dir), "baselines");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s' '%s/mybase.json'", dir, run1, dir);
	assert_int_equal(system(cmd), 0);
	setenv("EXITLAB_BASELINES", dir, 1);
	doc = compare("mybase", run1, &code, &o);
	assert_int_equal(code, 0);
	assert_string_equal(verdict(find(doc, "cpuid", 3)), "unchanged");
	json_decref(doc);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "compare", "nosuchbase", run1, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "nosuchbase"));
	harness_free(&o);
	unsetenv("EXITLAB_BASELINES");
}

static void test_refusals(void **state)
{
	char bad[512];
	struct run_out o;
	FILE *f;
	(void)state;

	harness_run(&o, (const char *[]){ "compare", "onlyone", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "compare", "a", "b", "--threshold", "x", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "compare", "a", "b", "--confidence", "1.5", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	path_in(bad, sizeof(bad), "corrupt.json");
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("{\"schema\": \"exitlab-results\", \"tests\": [", f);
	fclose(f);
	harness_run(&o, (const char *[]){ "compare", bad, bad, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "corrupt.json"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_runs),
		cmocka_unit_test(test_doctored),
		cmocka_unit_test(test_named_baseline),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
