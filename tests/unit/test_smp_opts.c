// SPDX-License-Identifier: MIT
/*
 * Unit tests for the host side of several vCPUs: the CPU-list parser
 * (util/cpulist.c), --vcpus/--pin/--cpu (run/run_opts.c, run/run_sched.c),
 * the per-vCPU CPUID APIC ID (vmm/boot_x86.c) and boot_info's vCPU count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/kvm.h>
#include <sched.h>

#include "run/run_opts.h"
#include "run/run_sched.h"
#include "util/cpulist.h"
#include "vmm/boot_info.h"
#include "vmm/boot_x86.h"
#include "vmm/machine.h"
#include "vmm/vm.h"

static void test_cpulist_ok(void **state)
{
	unsigned cpus[16];
	char err[200];
	size_t n;

	(void)state;
	assert_int_equal(cpulist_parse("3", 64, cpus, 16, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cpus[0], 3);
	assert_int_equal(cpulist_parse("0-3,8,10-11", 64, cpus, 16, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 7);
	assert_int_equal(cpus[3], 3);
	assert_int_equal(cpus[4], 8);
	assert_int_equal(cpus[6], 11);
	/* The order given is the order kept: vCPU i takes the i-th. */
	assert_int_equal(cpulist_parse("5,1,4-4", 64, cpus, 16, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(cpus[0], 5);
	assert_int_equal(cpus[1], 1);
	assert_int_equal(cpus[2], 4);
}

static void test_cpulist_bad(void **state)
{
	static const char *const bad[] = { "", ",", "1,", ",1", "a", "1-", "-1", "3-1", "1,1", "0-2,2",
					   "64", "1;2", "1 2", "0x1", "99999999999999999999" };
	unsigned cpus[4];
	char err[200];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(cpulist_parse(bad[i], 64, cpus, 4, &n, err, sizeof(err)), -1);
		assert_true(err[0] != 0);
	}
	/* More CPUs than room. */
	assert_int_equal(cpulist_parse("0-4", 64, cpus, 4, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 4"));
}

/* A CPU this process may run on, and one it may not (or -1 if it may run on all). */
static void own_cpus(int *yes, int *no)
{
	cpu_set_t set;

	*yes = 0;
	*no = -1;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			*yes = c;
			break;
		}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (!CPU_ISSET(c, &set)) {
			*no = c;
			break;
		}
}

static void test_pin(void **state)
{
	struct run_sched s;
	char err[320], arg[32];
	int yes, no;

	(void)state;
	own_cpus(&yes, &no);
	run_sched_init(&s);
	assert_int_equal(run_sched_vcpu_cpu(&s, 0), -1);
	snprintf(arg, sizeof(arg), "%d", yes);
	assert_int_equal(run_sched_parse_pin(&s, arg, err, sizeof(err)), 0);
	assert_int_equal(s.npin, 1);
	/* A list shorter than the vCPUs is cycled. */
	assert_int_equal(run_sched_vcpu_cpu(&s, 0), yes);
	assert_int_equal(run_sched_vcpu_cpu(&s, 5), yes);
	/* --cpu and --pin exclude each other, either way round. */
	assert_int_equal(run_sched_parse_cpu(&s, arg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--pin"));
	run_sched_init(&s);
	assert_int_equal(run_sched_parse_cpu(&s, arg, err, sizeof(err)), 0);
	assert_int_equal(run_sched_vcpu_cpu(&s, 0), yes);
	assert_int_equal(run_sched_vcpu_cpu(&s, 1), -1);
	assert_int_equal(run_sched_parse_pin(&s, arg, err, sizeof(err)), -1);
	run_sched_init(&s);
	assert_int_equal(run_sched_parse_pin(&s, "2-1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--pin"));
	if (no >= 0) {
		snprintf(arg, sizeof(arg), "%d,%d", yes, no);
		assert_int_equal(run_sched_parse_pin(&s, arg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "not a CPU this process may run on"));
	}
	{
		json_t *a;

		run_sched_init(&s);
		snprintf(arg, sizeof(arg), "%d", yes);
		assert_int_equal(run_sched_parse_pin(&s, arg, err, sizeof(err)), 0);
		a = run_sched_vcpus_json(&s, 3);
		assert_int_equal(json_array_size(a), 3);
		assert_int_equal(json_integer_value(json_array_get(a, 2)), yes);
		json_decref(a);
	}
}

static enum run_opts_status parse(struct run_opts *o, const char *a1, const char *a2)
{
	char *argv[] = { "run", (char *)a1, (char *)a2, "exit-costs", NULL };
	enum run_opts_status st = run_opts_parse(o, 4, argv);

	return st;
}

static void test_vcpus_option(void **state)
{
	struct run_opts o;
	char n[16];

	(void)state;
	assert_int_equal(parse(&o, "--vcpus", "4"), RUN_OPTS_OK);
	assert_int_equal(o.nvcpus, 4);
	assert_true(o.exitlab_only);
	run_opts_free(&o);
	snprintf(n, sizeof(n), "%d", VM_MAX_VCPUS);
	assert_int_equal(parse(&o, "--vcpus", n), RUN_OPTS_OK);
	assert_int_equal(o.nvcpus, VM_MAX_VCPUS);
	run_opts_free(&o);
	assert_true(VM_MAX_VCPUS >= 64);
	snprintf(n, sizeof(n), "%d", VM_MAX_VCPUS + 1);
	assert_int_equal(parse(&o, "--vcpus", n), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, "--vcpus", "0"), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, "--vcpus", "two"), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, "--pin", "x"), RUN_OPTS_BAD);
	run_opts_free(&o);
	/* Without --vcpus: one vCPU, as before. */
	assert_int_equal(parse(&o, "--quick", "--quick"), RUN_OPTS_OK);
	assert_int_equal(o.nvcpus, 1);
	run_opts_free(&o);
}

/* More vCPUs than the process's CPUs: the host lacks something (exit 3), before /dev/kvm. */
static void test_machine_host_cpus(void **state)
{
	struct machine_config c = { .mem_size = 64 << 20, .nvcpus = 0 };
	struct machine *m = NULL;
	char err[300];

	(void)state;
	assert_true(machine_host_cpus() >= 1);
	c.nvcpus = machine_host_cpus() + 1;
	if (c.nvcpus <= VM_MAX_VCPUS) {
		assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_NO_HOST);
		assert_non_null(strstr(err, "host CPU"));
		machine_destroy(m);
	}
	c.nvcpus = VM_MAX_VCPUS + 1;
	assert_int_equal(machine_config_check(&c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	c.nvcpus = 0;
	assert_int_equal(machine_config_check(&c, err, sizeof(err)), OUTCOME_BAD_INPUT);
}

static void test_cpuid_apic_id(void **state)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 4 * sizeof(c->entries[0]));

	(void)state;
	c->nent = 4;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 1, .ebx = 0x00ab0800 };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 0, .edx = 0 };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 1, .edx = 0 };
	c->entries[3] = (struct kvm_cpuid_entry2){ .function = 7, .ebx = 0x1234 };
	boot_cpuid_set_apic_id(c, 5);
	assert_int_equal(c->entries[0].ebx, 0x05ab0800);
	assert_int_equal(c->entries[1].edx, 5);
	assert_int_equal(c->entries[2].edx, 5);
	assert_int_equal(c->entries[3].ebx, 0x1234);
	free(c);
}

static void test_boot_info_nvcpus(void **state)
{
	struct boot_layout l = { .low_size = 64 << 20, .image_end = 0x200000, .nvcpus = 4 };
	struct boot_args a = { .ring_mask = BOOT_RING0 };
	struct boot_info bi;
	char err[200];

	(void)state;
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), 0);
	assert_int_equal(bi.nvcpus, 4);
	assert_int_equal(bi.version, 4);
	l.nvcpus = 0;
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), 0);
	assert_int_equal(bi.nvcpus, 1);
	/* The trampoline page is free low RAM, below every fixed structure after boot_info. */
	assert_true(BOOT_AP_TRAMPOLINE_GPA >= BOOT_PARAMS_GPA + BOOT_PARAMS_MAX);
	assert_true(BOOT_AP_TRAMPOLINE_GPA + 0x1000 <= BOOT_PGTABLE_GPA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist_ok),
		cmocka_unit_test(test_cpulist_bad),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_vcpus_option),
		cmocka_unit_test(test_machine_host_cpus),
		cmocka_unit_test(test_cpuid_apic_id),
		cmocka_unit_test(test_boot_info_nvcpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
