/* SPDX-License-Identifier: MIT */
/*
 * exitlab run --vmm qemu (run/run_peer.c): the exit-costs payload under QEMU
 * with pci-testdev's targets, results in our schema with the VMM named and
 * QEMU's KVM stats counted; compare labels the two VMMs; the minimal KVM
 * program (microbench/minimal) runs and prints its rows; exitlab ratios
 * reads rounds.  Counts are asserted, timings never.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"
#include "tests/integration/qemu_harness.h"

#define MINIMAL "build/microbench/minimal-kvm"

static const char *const four[] = { "pio_vmm", "pio_ioeventfd", "mmio_vmm", "cpuid" };
static char qemu_json[512];
static bool have_qemu_json;

static double num(json_t *t, const char *k)
{
	json_t *v = json_object_get(t, k);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void test_qemu_exit_costs(void **state)
{
	struct run_out o;
	json_t *doc, *vmm;
	char progress[512], *lines;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(qemu_missing());
	snprintf(qemu_json, sizeof(qemu_json), "%s/qemu.json", harness_tmp);
	snprintf(progress, sizeof(progress), "%s/qemu.progress", harness_tmp);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemu", "--ring", "3", "--quick",
					  "--test", "pio_vmm", "--test", "pio_ioeventfd", "--test", "mmio_vmm",
					  "--test", "cpuid", "--test", "hypercall", "--raw", "--json", qemu_json,
					  "--progress", progress, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "vmm: qemu"));
	harness_free(&o);
	/* --progress works under a peer as under exitlab's own VMM */
	lines = harness_slurp(progress, NULL);
	assert_non_null(lines);
	assert_non_null(strstr(lines, " pio_vmm cpl3 ok"));
	free(lines);

	doc = harness_load_json(qemu_json);
	assert_non_null(doc);
	vmm = json_object_get(json_object_get(doc, "config"), "vmm");
	assert_string_equal(json_string_value(json_object_get(vmm, "name")), "qemu");
	assert_true(strlen(json_string_value(json_object_get(vmm, "version"))) > 0);
	assert_non_null(strstr(json_string_value(json_object_get(vmm, "command_line")), "pci-testdev"));
	for (size_t i = 0; i < 4; i++) {
		json_t *t = harness_find_test(doc, four[i], 3);
		double user;

		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		assert_true(num(t, "iterations") > 0);
		/* QEMU's KVM stats, read over QMP: every one of these exits */
		assert_true(num(t, "exits_per_iteration") > 0.5);
		/* userspace exits from kvm_userspace_exit: QEMU handles pio_vmm and mmio_vmm, the kernel the ioeventfd */
		user = num(t, "userspace_exits_per_iteration");
		if (!strcmp(four[i], "pio_vmm") || !strcmp(four[i], "mmio_vmm"))
			assert_true(user > 0.5);
		else
			assert_true(user < 0.5);
		/* judged by the payload's catalogue as a run under exitlab's own VMM is */
		assert_true(json_is_true(json_object_get(t, "valid")));
	}
	/* a CPL3 hypercall that KVM never sees (PVM hosts) is as invalid under QEMU as under exitlab */
	{
		json_t *h = harness_find_test(doc, "hypercall", 3);
		const char *backend = json_string_value(
			json_object_get(json_object_get(json_object_get(doc, "context"), "kvm"), "backend"));

		assert_non_null(h);
		if (backend && !strcmp(backend, "kvm_pvm")) {
			assert_true(json_is_false(json_object_get(h, "valid")));
			assert_non_null(strstr(json_string_value(json_object_get(h, "invalid_reason")),
					       "1 KVM exit per operation expected"));
		}
	}
	/* --raw keeps the host baselines' samples too, as under exitlab's own VMM */
	assert_true(json_array_size(json_object_get(harness_find_test(doc, "host_syscall", -1),
						    "samples_cycles")) > 0);
	/* only the selected tests (and the loop overhead) ran */
	assert_null(harness_find_test(doc, "syscall", 3));
	json_decref(doc);
	have_qemu_json = true;
}

/* compare allows exitlab against QEMU and says so. */
static void test_compare_labels_vmms(void **state)
{
	struct run_out o;
	char native[512], cmp[512];
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(have_qemu_json ? NULL : "no QEMU results (the test before skipped or failed)");
	snprintf(native, sizeof(native), "%s/exitlab.json", harness_tmp);
	snprintf(cmp, sizeof(cmp), "%s/compare.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--ring", "3", "--quick", "--no-baseline",
					  "--test", "cpuid", "--json", native, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "compare", native, qemu_json, "--json", cmp, NULL });
	if (o.exit_code != 0 && o.exit_code != 1)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_true(o.exit_code == 0 || o.exit_code == 1);
	assert_non_null(strstr(o.out, "VMMs differ: exitlab (baseline) against qemu (current)"));
	assert_non_null(strstr(o.out, "cpuid"));
	harness_free(&o);
	doc = harness_load_json(cmp);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "baseline"), "vmm")), "exitlab");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "current"), "vmm")), "qemu");
	json_decref(doc);
}

/* Bad --vmm use is exit 2 with a message; a peer that is not installed is exit 3 naming its package. */
static void test_vmm_refusals(void **state)
{
	struct run_out o;
	(void)state;

	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemuu", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "--vmm qemuu: not a VMM exitlab knows (exitlab, qemu)"));
	harness_free(&o);
	/* a test or parameter the payload does not declare is caught before a peer starts too */
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemu", "--test", "cpuidd", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "no test 'cpuidd'; did you mean 'cpuid'?"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemu", "--param", "batchh=32", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemu", "--device", "e1000", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "need exitlab's own VMM, not --vmm qemu"));
	harness_free(&o);
	setenv("EXITLAB_PEER_BINARY", "/nonexistent/qemu-system-x86_64", 1);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--vmm", "qemu", "--quick", NULL });
	unsetenv("EXITLAB_PEER_BINARY");
	assert_int_equal(o.exit_code, 3);
	assert_non_null(strstr(o.err, "package qemu-system-x86"));
	harness_free(&o);
}

/* The minimal KVM program prints one row per test it was asked for; a typo is exit 2. */
static void test_minimal_program(void **state)
{
	char line[256];
	size_t rows = 0;
	FILE *p;
	int rc;
	(void)state;

	HARNESS_NEED_KVM();
	assert_int_equal(access(MINIMAL, X_OK), 0);
	p = popen(MINIMAL " -n 50", "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char name[64];
		double med;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%63s %lf", name, &med), 2);
		assert_string_equal(name, four[rows]);
		rows++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(rows, 4);
	rc = system(MINIMAL " -n 50 cpuidd 2>/dev/null");
	assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
}

/* exitlab ratios on rounds given on stdin: one row per test and VMM, ratios to the reference. */
static void test_ratios(void **state)
{
	char cmd[1024], line[256], out[4096] = "";
	FILE *p;
	(void)state;

	snprintf(cmd, sizeof(cmd), "for r in 1 2 3 4 5 6 7 8 9 10 11; do echo \"$r minimal cpuid 1000\"; "
		 "echo \"$r exitlab cpuid $((1000 + r))\"; done | %s ratios", harness_exitlab());
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		strncat(out, line, sizeof(out) - strlen(out) - 1);
	assert_int_equal(pclose(p), 0);
	/* ratios 1.001 .. 1.011: median 1.006, interval [2nd, 10th] = [1.002, 1.010] at 98.8 % */
	assert_non_null(strstr(out, "1.006"));
	assert_non_null(strstr(out, "[1.002, 1.010] (98.8 %)"));
	snprintf(cmd, sizeof(cmd), "echo '1 exitlab cpuid 5' | %s ratios 2>/dev/null", harness_exitlab());
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_exit_costs),
		cmocka_unit_test(test_compare_labels_vmms),
		cmocka_unit_test(test_vmm_refusals),
		cmocka_unit_test(test_minimal_program),
		cmocka_unit_test(test_ratios),
	};
	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
