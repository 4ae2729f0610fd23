/* SPDX-License-Identifier: MIT */
/*
 * Boots real payloads in /dev/kvm through the exitlab binary and checks what
 * comes out: statuses, host-side exit counts, exit codes and messages.
 * Counts are asserted, timings never (shared, noisy machines).
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

static json_t *quick_doc; /* one quick exit-costs run shared by the count checks */
static int group_teardown(void **state)
{
	json_decref(quick_doc);
	return harness_group_teardown(state);
}

static void test_exit_costs_quick(void **state)
{
	struct run_out o;
	char json[512];
	json_error_t je;
	json_t *t;
	size_t i, ok = 0;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/exit-costs.json", harness_tmp);
	/* tracepoint counts on (not the default: they cost ~0.3 us per traced exit) */
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--instruments",
					  "tracepoints,pmu", "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "cpuid"));
	harness_free(&o);

	quick_doc = json_load_file(json, 0, &je);
	assert_non_null(quick_doc);
	assert_string_equal(json_string_value(json_object_get(quick_doc, "schema")), "exitlab-results");
	assert_non_null(json_object_get(json_object_get(quick_doc, "context"), "kvm"));
	json_array_foreach(json_object_get(quick_doc, "tests"), i, t) {
		const char *st = json_string_value(json_object_get(t, "status"));

		assert_non_null(st);
		if (!strcmp(st, "ok")) {
			ok++;
			assert_true(json_integer_value(json_object_get(t, "iterations")) > 0);
			assert_true(json_is_object(json_object_get(t, "cycles")));
		} else {
			/* Skipped with a reason; nothing may fail on a healthy host. */
			assert_string_equal(st, "skipped");
			assert_true(strlen(json_string_value(json_object_get(t, "reason"))) > 0);
		}
	}
	assert_true(ok >= 10);
}

static double field(json_t *t, const char *k)
{
	json_t *v = json_object_get(t, k);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* A test's tracepoint count over its phase (the PHASE_END doorbell included), or -1. */
static long long tp_count(json_t *t, const char *event)
{
	json_t *c = json_object_get(json_object_get(json_object_get(json_object_get(t, "host"),
								       "tracepoints"), "counts"), event);

	return json_is_integer(c) ? json_integer_value(c) : -1;
}

/* Host-side tracepoint counts agree with the guest's iteration counts. */
static void test_tracepoint_counts(void **state)
{
	json_t *t;
	long long it;
	(void)state;

	HARNESS_NEED_KVM();
	if (!quick_doc)
		skip();
	t = harness_find_test(quick_doc, "pio_vmm", 3);
	assert_non_null(t);
	if (tp_count(t, "kvm:kvm_pio") < 0) {
		fprintf(stderr, "skipped: no kvm tracepoints here (%s)\n",
			json_dumps(json_object_get(json_object_get(json_object_get(quick_doc, "config"),
								   "instruments"), "tracepoints"), 0));
		skip();
	}
	/* VMM-handled port writes: one kvm_pio and one kvm_userspace_exit each, plus the doorbell. */
	it = json_integer_value(json_object_get(t, "iterations"));
	assert_int_equal(tp_count(t, "kvm:kvm_pio"), it + 1);
	assert_in_range(tp_count(t, "kvm:kvm_userspace_exit"), it + 1, it + 3);
	/* ioeventfd writes: a kvm_pio each, completed in the kernel: only the doorbell reaches us. */
	t = harness_find_test(quick_doc, "pio_ioeventfd", 3);
	assert_non_null(t);
	it = json_integer_value(json_object_get(t, "iterations"));
	assert_int_equal(tp_count(t, "kvm:kvm_pio"), it + 1);
	assert_in_range(tp_count(t, "kvm:kvm_userspace_exit"), 1, 3);
	/* VMM-handled MMIO: one kvm_mmio and one userspace exit each. */
	t = harness_find_test(quick_doc, "mmio_vmm", 3);
	assert_non_null(t);
	it = json_integer_value(json_object_get(t, "iterations"));
	assert_int_equal(tp_count(t, "kvm:kvm_mmio"), it);
	assert_in_range(tp_count(t, "kvm:kvm_userspace_exit"), it + 1, it + 3);
}

static void test_exit_counts(void **state)
{
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!quick_doc)
		skip();
	/* Port I/O handled in the VMM: one userspace exit per write, at either ring. */
	for (int ring = 0; ring <= 3; ring += 3) {
		t = harness_find_test(quick_doc, "pio_vmm", ring);
		assert_non_null(t);
		assert_float_equal(field(t, "userspace_exits_per_iteration"), 1.0, 0.05);
		assert_true(field(t, "exits_per_iteration") >= 0.95);
	}
	/* The same write to an ioeventfd port completes in the kernel: no userspace exit. */
	t = harness_find_test(quick_doc, "pio_ioeventfd", 3);
	assert_non_null(t);
	if (!strcmp(json_string_value(json_object_get(t, "status")), "ok")) {
		assert_float_equal(field(t, "userspace_exits_per_iteration"), 0.0, 0.05);
		assert_true(field(t, "exits_per_iteration") >= 0.95);
	}
	/* cpuid always exits, never to userspace. */
	t = harness_find_test(quick_doc, "cpuid", 0);
	assert_non_null(t);
	assert_float_equal(field(t, "userspace_exits_per_iteration"), 0.0, 0.05);
	/* The loop overhead itself causes no userspace exit. */
	t = harness_find_test(quick_doc, "empty", 3);
	assert_non_null(t);
	assert_float_equal(field(t, "userspace_exits_per_iteration"), 0.0, 0.05);
}

/*
 * The exit loop's own accounting: without --exit-timing the handler times are
 * null (the loop does not time), with it they are numbers; the counts are
 * there either way and cover what reached the test registers.
 */
static void test_vmm_accounting(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *vmm, *io;
	(void)state;

	HARNESS_NEED_KVM();
	if (!quick_doc)
		skip();
	vmm = json_object_get(quick_doc, "vmm");
	assert_true(json_is_false(json_object_get(vmm, "exit_timing")));
	io = json_object_get(json_object_get(vmm, "exit_reasons"), "IO");
	assert_true(json_integer_value(json_object_get(io, "count")) >=
		    json_integer_value(json_object_get(json_object_get(vmm, "test_regs"), "pio_writes")));
	assert_true(json_is_null(json_object_get(io, "handler_cycles_total")));
	assert_true(json_is_null(json_object_get(io, "handler_ns_mean")));

	snprintf(json, sizeof(json), "%s/exit-timing.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--ring", "3",
					  "--test", "pio_vmm", "--no-baseline", "--exit-timing",
					  "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	vmm = json_object_get(doc, "vmm");
	assert_true(json_is_true(json_object_get(vmm, "exit_timing")));
	io = json_object_get(json_object_get(vmm, "exit_reasons"), "IO");
	assert_true(json_integer_value(json_object_get(io, "count")) > 0);
	assert_true(json_is_integer(json_object_get(io, "handler_cycles_total")));
	assert_true(json_is_number(json_object_get(io, "handler_ns_mean")));
	json_decref(doc);
}

static void test_fault_reported(void **state)
{
	struct run_out o;
	(void)state;

	HARNESS_NEED_KVM();
	harness_run(&o, (const char *[]){ "run", harness_payload("fault"), "--timeout", "60", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "vector 14"));
	assert_non_null(strstr(o.err, "RIP 0x"));
	assert_non_null(strstr(o.err, "CR2 0x0"));
	harness_free(&o);
}

static void test_runaway_timeout(void **state)
{
	struct run_out o;
	(void)state;

	HARNESS_NEED_KVM();
	harness_run(&o, (const char *[]){ "run", harness_payload("runaway"), "--timeout", "2", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "timed out"));
	harness_free(&o);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void test_malformed_elf(void **state)
{
	struct run_out o;
	char bad[512], trunc[512];
	FILE *f;
	char buf[200];
	size_t n;
	(void)state;

	/* Not an ELF at all. */
	snprintf(bad, sizeof(bad), "%s/garbage.elf", harness_tmp);
	write_file(bad, "this is not an ELF image, just text\n", 36);
	harness_run(&o, (const char *[]){ "run", bad, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "ELF"));
	harness_free(&o);

	/* A real payload cut after its headers. */
	f = fopen(harness_payload("exit-costs"), "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	snprintf(trunc, sizeof(trunc), "%s/truncated.elf", harness_tmp);
	write_file(trunc, buf, n);
	harness_run(&o, (const char *[]){ "run", trunc, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "ELF"));
	harness_free(&o);
}

static void test_bad_usage(void **state)
{
	struct run_out o;
	(void)state;

	harness_run(&o, (const char *[]){ "run", "no-such-payload", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--ring", "2", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "frobnicate", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", "--help", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "--timeout"));
	harness_free(&o);
}

/* A guest that points the VMM outside its RAM is stopped, never obeyed. */
static void test_hostile_guest(void **state)
{
	struct run_out o;
	(void)state;

	HARNESS_NEED_KVM();
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile"), "--timeout", "60", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "bench protocol: PHASE_END: sample array outside guest RAM"));
	assert_null(strstr(o.err, "accepted"));
	harness_free(&o);
}

/* What the host lacks is exit code 3 with a message naming it. */
static void test_host_lacks(void **state)
{
	struct run_out o;
	FILE *f;
	long huge = -1;
	(void)state;

	HARNESS_NEED_KVM();
	if (geteuid() == 0) {
		/* /dev/kvm is root-only (0600) on our machines: nobody gets EACCES. */
		harness_run_as(&o, 65534, (const char *[]){ "run", harness_payload("exit-costs"), "--quick", NULL });
		if (o.exit_code != 0) {
			assert_int_equal(o.exit_code, 3);
			assert_non_null(strstr(o.err, "/dev/kvm"));
		}
		harness_free(&o);
	}
	f = fopen("/proc/sys/vm/nr_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &huge) != 1)
			huge = -1;
		fclose(f);
	}
	if (huge == 0) {
		harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--hugepages", NULL });
		assert_int_equal(o.exit_code, 3);
		assert_non_null(strstr(o.err, "hugepages"));
		harness_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_malformed_elf),
		cmocka_unit_test(test_exit_costs_quick),
		cmocka_unit_test(test_exit_counts),
		cmocka_unit_test(test_vmm_accounting),
		cmocka_unit_test(test_tracepoint_counts),
		cmocka_unit_test(test_fault_reported),
		cmocka_unit_test(test_runaway_timeout),
		cmocka_unit_test(test_hostile_guest),
		cmocka_unit_test(test_host_lacks),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, group_teardown);
}
