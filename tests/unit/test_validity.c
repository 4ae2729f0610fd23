// SPDX-License-Identifier: MIT
/*
 * Unit tests for run/validity.c.  The inputs are recorded from `exitlab run
 * exit-costs --quick` on a PVM development host (iterations, phase_s and the
 * per-operation exit counts of its results file), plus what a hardware
 * backend would count, so the backend table is exercised without one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exitlab/boot_abi.h"
#include "run/validity.h"

static struct catalogue_test decl(const char *name, unsigned exits, unsigned user)
{
	struct catalogue_test t = {
		.hdr = CATALOGUE_HDR(CATALOGUE_TEST, struct catalogue_test),
		.rings = BOOT_RING0 | BOOT_RING3,
		.expect = CATALOGUE_EXPECT_EXITS | CATALOGUE_EXPECT_USER,
		.exits = (uint16_t)exits, .user_exits = (uint16_t)user,
	};

	snprintf(t.name, sizeof(t.name), "%s", name);
	return t;
}

static bool judge(const struct catalogue_test *d, const char *backend, int ring, uint64_t it, double phase_s,
		  double exits, double user, char *why, size_t n)
{
	struct validity_in in = {
		.decl = d, .backend = backend, .ring = ring, .iterations = it, .phase_s = phase_s,
		.exits_per_iteration = exits, .user_exits_per_iteration = user,
	};

	return validity_judge(&in, why, n);
}

/* The defect: a hypercall at CPL3 answered with ~0 KVM exits is not a KVM exit. */
static void test_hypercall_cpl3_pvm_invalid(void **state)
{
	struct catalogue_test d = decl("hypercall", 1, 0);
	char why[160];

	(void)state;
	assert_false(judge(&d, "kvm_pvm", 3, 1440, 0.02470429, 0.0020833333333333333, 0.0, why, sizeof(why)));
	assert_non_null(strstr(why, "1 KVM exit per operation expected, 0.002 counted"));
	/* The same on a hardware backend: still no exit, still invalid. */
	assert_false(judge(&d, "kvm_amd", 3, 1440, 0.02470429, 0.0020833333333333333, 0.0, why, sizeof(why)));
}

/* Recorded rows that are what they claim, at CPL3 on PVM. */
static void test_real_exits_valid(void **state)
{
	struct catalogue_test cpuid = decl("cpuid", 1, 0), pio = decl("pio_vmm", 1, 1),
			      ioev = decl("pio_ioeventfd", 1, 0), coal = decl("mmio_coalesced", 1, 0),
			      empty = decl("empty", 0, 0);
	char why[160];

	(void)state;
	assert_true(judge(&cpuid, "kvm_pvm", 3, 352, 0.031427327, 1.0028409090909092, 0.0, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_true(judge(&pio, "kvm_pvm", 3, 160, 0.02748836, 1.00625, 1.0, why, sizeof(why)));
	assert_true(judge(&ioev, "kvm_pvm", 3, 544, 0.028103319, 1.005514705882353, 0.0, why, sizeof(why)));
	/* The coalesced ring drains to the VMM when it fills: a few userspace exits per thousand. */
	assert_true(judge(&coal, "kvm_pvm", 3, 576, 0.044109915, 1.0017361111111112, 0.005208333333333333,
			  why, sizeof(why)));
	assert_true(judge(&empty, "kvm_pvm", 3, 131072, 0.022525982, 2.288818359375e-05, 0.0, why, sizeof(why)));
}

/* PVM emulates CPL0: KVM answers cpuid there without counting an exit (the backend table). */
static void test_pvm_cpl0_judges_user_exits_only(void **state)
{
	struct catalogue_test cpuid = decl("cpuid", 1, 0), pio = decl("pio_vmm", 1, 1),
			      ioev = decl("pio_ioeventfd", 1, 0);
	char why[160];

	(void)state;
	assert_true(judge(&cpuid, "kvm_pvm", 0, 544, 0.029507191, 0.022058823529411766, 0.0, why, sizeof(why)));
	assert_true(judge(&ioev, "kvm_pvm", 0, 512, 0.03261746, 0.021484375, 0.0, why, sizeof(why)));
	assert_true(judge(&pio, "kvm_pvm", 0, 384, 0.042429916, 1.0130208333333333, 1.0, why, sizeof(why)));
	/* The exits to the VMM are still judged there. */
	assert_false(judge(&pio, "kvm_pvm", 0, 384, 0.042429916, 1.0130208333333333, 0.0, why, sizeof(why)));
	assert_non_null(strstr(why, "1 exit to the VMM per operation expected, 0.000 counted"));
	/* The same counts at CPL0 on a hardware backend are a contradiction. */
	assert_false(judge(&cpuid, "kvm_intel", 0, 544, 0.029507191, 0.022058823529411766, 0.0, why, sizeof(why)));
	assert_false(judge(&cpuid, "kvm_amd", 0, 544, 0.029507191, 0.022058823529411766, 0.0, why, sizeof(why)));
}

/* Noise adds exits; a short phase must not turn a few stray ones into a verdict. */
static void test_noise_tolerance(void **state)
{
	struct catalogue_test cpuid = decl("cpuid", 1, 0), sys = decl("syscall", 0, 0);
	char why[160];

	(void)state;
	/* --iterations 1: a timer tick or two in the phase. */
	assert_true(judge(&cpuid, "kvm_intel", 3, 1, 0.0001, 3.0, 0.0, why, sizeof(why)));
	/* A long phase: 0.1 stray exits per operation is noise... */
	assert_true(judge(&cpuid, "kvm_intel", 3, 100000, 0.2, 1.1, 0.0, why, sizeof(why)));
	/* ...one more exit per operation is not. */
	assert_false(judge(&cpuid, "kvm_intel", 3, 100000, 0.2, 2.0, 0.0, why, sizeof(why)));
	assert_non_null(strstr(why, "more exits than the operation makes"));
	/* A system call that exits is not a system call, even when each one is slow (65 us here). */
	assert_false(judge(&sys, "kvm_amd", 3, 10000, 0.1, 1.0, 0.0, why, sizeof(why)));
	assert_false(judge(&sys, "kvm_pvm", 3, 160, 160 * 65e-6, 1.0, 1.0, why, sizeof(why)));
	/* Missing exits are never noise: the lower bound has no slack even in a short phase. */
	assert_false(judge(&cpuid, "kvm_intel", 3, 1, 0.0001, 0.0, 0.0, why, sizeof(why)));
}

/* validity_apply: only ok guest tests with counts and a declared expectation are judged. */
static void test_apply(void **state)
{
	struct catalogue_test tests[] = { decl("hypercall", 1, 0), decl("cpuid", 1, 0), decl("mov_to_cr8", 0, 0) };
	struct catalogue c = { .present = true, .tests = tests, .ntests = 3 };
	struct test_result t[5] = { 0 };
	struct run_result r = { .tests = t, .ntests = 5 };

	(void)state;
	tests[2].expect = 0; /* declares nothing */
	for (int i = 0; i < 5; i++) {
		snprintf(t[i].where, sizeof(t[i].where), "guest");
		t[i].ring = 3;
		t[i].status = TEST_OK;
		t[i].has_exits = true;
		t[i].iterations = 1000;
		t[i].exits_per_iteration = 0.002;
	}
	snprintf(t[0].name, sizeof(t[0].name), "hypercall");
	snprintf(t[1].name, sizeof(t[1].name), "hypercall");
	t[1].status = TEST_SKIPPED;
	snprintf(t[2].name, sizeof(t[2].name), "mov_to_cr8");
	snprintf(t[3].name, sizeof(t[3].name), "not_declared");
	snprintf(t[4].name, sizeof(t[4].name), "cpuid");
	t[4].has_exits = false; /* no KVM stats: nothing to judge by */
	validity_apply(&c, "kvm_pvm", &r);
	assert_true(t[0].invalid);
	assert_non_null(strstr(t[0].invalid_reason, "something other than KVM answered it"));
	for (int i = 1; i < 5; i++) {
		assert_false(t[i].invalid);
		assert_string_equal(t[i].invalid_reason, "");
	}
	/* A payload without a catalogue judges nothing. */
	c.present = false;
	t[0].invalid = false;
	validity_apply(&c, "kvm_pvm", &r);
	assert_false(t[0].invalid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hypercall_cpl3_pvm_invalid),
		cmocka_unit_test(test_real_exits_valid),
		cmocka_unit_test(test_pvm_cpl0_judges_user_exits_only),
		cmocka_unit_test(test_noise_tolerance),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
