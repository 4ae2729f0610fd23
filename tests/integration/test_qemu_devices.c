/* SPDX-License-Identifier: MIT */
/*
 * Our payloads and guest drivers under a VMM we did not write: QEMU boots
 * them through PVH (-kernel NAME.elf) with its own devices, and they must
 * report through the serial fallback of the bench protocol and exit through
 * isa-debug-exit with the functional results we expect.  Timings are never
 * asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "qemu_harness.h"

/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
#define QEMU_EXIT(status) (((status) << 1) | 1)

static bool skip_if_no_qemu(void)
{
	const char *why = qemu_missing();

	if (why)
		fprintf(stderr, "skipped: %s\n", why);
	return why != NULL;
}

/* The boot path itself: boot_info from PVH, ring 3, serial report, debug exit; and a fault is reported. */
static void test_qemu_pvh_boot(void **state)
{
	struct qemu_result r;
	const struct qemu_test *t;
	struct qemu_opts o = {
		.payload = harness_payload("exit-costs"),
		.params = "ring=3",
		.accel = "tcg", /* CPL0-heavy: see accel_for_drivers */
		.timeout_s = 60,
	};

	(void)state;
	if (skip_if_no_qemu())
		return;
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_true(r.hello);
	assert_int_equal(r.done_status, 0);
	assert_int_equal(r.exit_code, QEMU_EXIT(0));
	t = qemu_find_test(&r, "empty", NULL);
	assert_non_null(t);
	assert_int_equal(t->ring, 3);
	assert_string_equal(t->status, "ok");
	assert_true(t->iterations > 0 && t->samples == t->iterations);
	/* No test port, no ioeventfd: the VMM-only tests say why they were skipped. */
	t = qemu_find_test(&r, "pio_vmm", NULL);
	assert_non_null(t);
	assert_string_equal(t->status, "skipped");
	assert_non_null(strstr(t->reason, "no test port"));
	qemu_result_free(&r);

	o.payload = harness_payload("fault");
	o.params = NULL;
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_non_null(strstr(r.exception, "vector=14"));
	assert_non_null(strstr(r.exception, "cr2=0x0"));
	assert_int_equal(r.done_status, 1);
	assert_int_equal(r.exit_code, QEMU_EXIT(1));
	qemu_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_pvh_boot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
