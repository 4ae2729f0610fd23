/* SPDX-License-Identifier: MIT */
/*
 * exit-costs' rows after kvm-unit-tests' x86/vmexit.c in
 * /dev/kvm: each runs or is skipped with a reason, and the counts say who
 * answered: an in-kernel PIT port read is one KVM io exit and never reaches
 * the VMM, a PM timer read does, a datamatch MMIO ioeventfd signals without
 * an exit to the VMM, wbinvd and invd exit, every TSC-deadline arming and
 * every TPR-masked self-IPI is delivered (the payload's checks).  Counts are
 * asserted, timings never.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static const char *const rows[] = {
	"wbinvd", "invd", "wr_kernel_gs_base", "wr_tsx_ctrl_msr", "wr_ibrs_msr", "wr_ibpb_msr",
	"tscdeadline", "tscdeadline_immed", "self_ipi_sti_nop", "self_ipi_sti_hlt", "self_ipi_tpr", "self_ipi_tpr_sti_nop", "self_ipi_tpr_sti_hlt",
	"x2apic_self_ipi_tpr", "x2apic_self_ipi_tpr_sti_nop", "x2apic_self_ipi_tpr_sti_hlt",
	"inl_from_kernel", "outl_to_kernel", "inl_from_pmtimer", "mmio_ioeventfd_dm",
	"irq_device", "irq_device_halt",
};

static json_t *doc; /* one run of those rows, shared */

static int group_teardown(void **state)
{
	json_decref(doc);
	return harness_group_teardown(state);
}

static const char *status(json_t *t)
{
	return json_string_value(json_object_get(t, "status"));
}

static double num(json_t *t, const char *k)
{
	json_t *v = json_object_get(t, k);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static long long stat(json_t *t, const char *name)
{
	json_t *v = json_object_get(json_object_get(t, "kvm_stats"), name);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static bool on_pvm(void)
{
	const char *b = json_string_value(json_object_get(json_object_get(json_object_get(doc, "context"), "kvm"),
							  "backend"));

	return b && !strcmp(b, "kvm_pvm");
}

/* Every row at every ring it declares: ok, or skipped with a reason; never failed (exit 0). */
static void test_rows_run_or_skip(void **state)
{
	const char *args[64] = { "run", harness_payload("exit-costs"), "--quick", "--no-baseline" };
	size_t na = 4, i, seen = 0;
	int rc;
	struct run_out o;
	char json[512];
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/catalogue-b.json", harness_tmp);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		args[na++] = "--test";
		args[na++] = rows[i];
	}
	args[na++] = "--json";
	args[na++] = json;
	args[na] = NULL;
	harness_run(&o, args);
	fprintf(stderr, "%s", o.out);
	if (o.exit_code != 0)
		fprintf(stderr, "%s", o.err);
	rc = o.exit_code;
	harness_free(&o);
	assert_int_equal(rc, 0);
	doc = harness_load_json(json);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *st = status(t);

		if (!strcmp(st, "skipped"))
			assert_true(strlen(json_string_value(json_object_get(t, "reason"))) > 0);
		else
			assert_string_equal(st, "ok");
		if (!strcmp(st, "ok") && json_is_false(json_object_get(t, "valid")))
			fail_msg("%s: %s", json_string_value(json_object_get(t, "name")),
				 json_string_value(json_object_get(t, "invalid_reason")));
		seen++;
	}
	assert_true(seen >= sizeof(rows) / sizeof(rows[0]));
	assert_true(json_is_boolean(json_object_get(json_object_get(json_object_get(doc, "config"), "vmm"),
						    "kernel_pit")));
}

/* The in-kernel PIT's ports: KVM's io exits count every access, the VMM sees none of them. */
static void test_kernel_port_never_reaches_vmm(void **state)
{
	json_t *vmm, *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	vmm = json_object_get(json_object_get(doc, "config"), "vmm");
	if (!json_is_true(json_object_get(vmm, "kernel_pit"))) {
		fprintf(stderr, "skipped: the host has no KVM_CAP_PIT2\n");
		skip();
	}
	for (int k = 0; k < 4; k++) {
		const char *name = k < 2 ? "inl_from_kernel" : "outl_to_kernel";
		int ring = k % 2 ? 3 : 0;
		long long n;

		t = harness_find_test(doc, name, ring);
		assert_non_null(t);
		assert_string_equal(status(t), "ok");
		n = (long long)num(t, "iterations");
		fprintf(stderr, "%s cpl%d: %lld accesses, %lld io_exits, %.3f to the VMM each\n", name, ring, n,
			stat(t, "io_exits"), num(t, "userspace_exits_per_iteration"));
		assert_true(num(t, "userspace_exits_per_iteration") < 0.01);
		if (!(ring == 0 && on_pvm()))
			assert_true(stat(t, "io_exits") >= n);
	}
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "vmm"), "pio_unhandled")), 0);
}

/* The PM timer: one exit to the VMM per read, and the device counted them. */
static void test_pmtimer_reaches_vmm(void **state)
{
	long long total = 0;
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	for (int ring = 0; ring <= 3; ring += 3) {
		t = harness_find_test(doc, "inl_from_pmtimer", ring);
		assert_non_null(t);
		assert_string_equal(status(t), "ok");
		assert_float_equal(num(t, "userspace_exits_per_iteration"), 1.0, 0.05);
		total += (long long)num(t, "iterations");
	}
	/* warm-up and calibration read it too */
	assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(doc, "vmm"), "test_regs"),
						       "pmtimer_reads")) >= total);
}

/* The datamatch MMIO ioeventfd: signalled in the kernel, no exit to the VMM. */
static void test_mmio_datamatch(void **state)
{
	long long total = 0;
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	for (int ring = 0; ring <= 3; ring += 3) {
		t = harness_find_test(doc, "mmio_ioeventfd_dm", ring);
		assert_non_null(t);
		assert_string_equal(status(t), "ok");
		assert_true(num(t, "userspace_exits_per_iteration") < 0.01);
		total += (long long)num(t, "iterations");
	}
	assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(doc, "vmm"),
							"ioeventfd_signals"), "mmio_datamatch")) >= total);
}

/* wbinvd and invd exit every time (not judged on PVM's emulated CPL0). */
static void test_cache_flushes_exit(void **state)
{
	static const char *const names[] = { "wbinvd", "invd" };
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	for (size_t i = 0; i < 2; i++) {
		t = harness_find_test(doc, names[i], 0);
		assert_non_null(t);
		assert_string_equal(status(t), "ok");
		fprintf(stderr, "%s: %.3f exits per operation\n", names[i], num(t, "exits_per_iteration"));
		if (!on_pvm())
			assert_true(num(t, "exits_per_iteration") >= 0.95);
	}
}

/* The interrupt tests ran where the host has what they need (the payload checked every delivery). */
static void test_interrupts_delivered(void **state)
{
	static const char *const names[] = { "tscdeadline", "tscdeadline_immed", "self_ipi_sti_hlt",
					     "self_ipi_tpr_sti_hlt", "x2apic_self_ipi_tpr_sti_hlt" };
	json_t *t;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		t = harness_find_test(doc, names[i], 0);
		assert_non_null(t);
		fprintf(stderr, "%s: %s %s\n", names[i], status(t),
			json_is_string(json_object_get(t, "reason")) ? json_string_value(json_object_get(t, "reason")) : "");
		if (!strcmp(status(t), "skipped"))
			continue;
		assert_string_equal(status(t), "ok");
	}
}

/*
 * An interrupt from the VMM's interrupt source (an irqfd written by a host thread): every request
 * answered by one interrupt, each request one exit that never reaches the VMM (an ioeventfd);
 * without posted interrupts the delivery costs at least one exit more (the kick or the hlt).
 */
static void test_device_interrupts(void **state)
{
	static const char *const names[] = { "irq_device", "irq_device_halt" };
	json_t *iv, *t;
	long long total = 0;
	(void)state;

	HARNESS_NEED_KVM();
	if (!doc)
		skip();
	iv = json_object_get(json_object_get(json_object_get(doc, "context"), "kvm"), "interrupt_virtualization");
	assert_true(json_is_object(iv));
	for (size_t i = 0; i < 2; i++) {
		t = harness_find_test(doc, names[i], 0);
		assert_non_null(t);
		if (!strcmp(status(t), "skipped")) {
			fprintf(stderr, "%s: skipped: %s\n", names[i], json_string_value(json_object_get(t, "reason")));
			continue;
		}
		assert_string_equal(status(t), "ok");
		fprintf(stderr, "%s: %lld interrupts, %.3f exits and %.3f to the VMM each, median %.0f cycles "
			"(posted interrupts: %s)\n", names[i], (long long)num(t, "iterations"),
			num(t, "exits_per_iteration"), num(t, "userspace_exits_per_iteration"),
			json_number_value(json_object_get(json_object_get(t, "cycles"), "median")),
			json_is_true(json_object_get(iv, "posted_interrupts")) ? "on" : "off");
		total += (long long)num(t, "iterations");
		assert_true(num(t, "userspace_exits_per_iteration") < 0.05);
		if (!on_pvm())
			assert_true(num(t, "exits_per_iteration") >= 0.95);
		if (!on_pvm() && json_is_false(json_object_get(iv, "posted_interrupts")))
			assert_true(num(t, "exits_per_iteration") >= 1.95);
	}
	if (total)
		assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(doc, "vmm"), "test_regs"),
							       "irq_source_fires")) >= total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_run_or_skip),
		cmocka_unit_test(test_kernel_port_never_reaches_vmm),
		cmocka_unit_test(test_pmtimer_reaches_vmm),
		cmocka_unit_test(test_mmio_datamatch),
		cmocka_unit_test(test_cache_flushes_exit),
		cmocka_unit_test(test_interrupts_delivered),
		cmocka_unit_test(test_device_interrupts),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, group_teardown);
}
