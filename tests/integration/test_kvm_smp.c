/* SPDX-License-Identifier: MIT */
/*
 * Several vCPUs through the exitlab binary (docs/smp.md): the host's limits
 * refused with the right exit code before /dev/kvm is touched (these run
 * everywhere), and under KVM the counts: per-vCPU exits against the guest's
 * operations, per-vCPU stats that sum to the reported sums, named threads.
 * Counts are asserted, timings never.
 */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
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

static unsigned host_cpus(void)
{
	cpu_set_t set;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	return (unsigned)CPU_COUNT(&set);
}

/* More vCPUs than this process's CPUs: exit 3, the reason named, whether or not there is KVM. */
static void test_vcpus_beyond_host(void **state)
{
	struct run_out o;
	char n[16];
	(void)state;

	snprintf(n, sizeof(n), "%u", host_cpus() + 1);
	if (host_cpus() + 1 > 64)
		skip(); /* then it is the option's own limit, exit 2 */
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--vcpus", n, "--quick", NULL });
	assert_int_equal(o.exit_code, 3);
	assert_non_null(strstr(o.err, "host CPU"));
	harness_free(&o);
	/* Beyond what exitlab takes at all: bad usage. */
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--vcpus", "65", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "--vcpus"));
	harness_free(&o);
}

/* --pin naming a CPU the process may not use: exit 2 with the CPU named; --pin with --cpu too. */
static void test_pin_refused(void **state)
{
	struct run_out o;
	cpu_set_t set;
	char list[32];
	int no = -1;
	(void)state;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int c = CPU_SETSIZE - 1; c >= 0 && no < 0; c--)
		if (!CPU_ISSET(c, &set))
			no = c;
	assert_true(no >= 0);
	snprintf(list, sizeof(list), "0,%d", no);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--pin", list, "--quick", NULL });
	assert_int_equal(o.exit_code, 2);
	snprintf(list, sizeof(list), "CPU %d", no);
	assert_non_null(strstr(o.err, list));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--pin", "0", "--cpu", "0", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--pin", "1-0", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
}

static json_t *smp_doc; /* one --vcpus 2 run shared by the count checks */

static int group_teardown(void **state)
{
	json_decref(smp_doc);
	return harness_group_teardown(state);
}

static const char *need_two(void)
{
	const char *why = harness_kvm_missing();

	if (why)
		return why;
	return host_cpus() < 2 ? "needs 2 host CPUs for --vcpus 2" : NULL;
}

static void test_smp_run(void **state)
{
	struct run_out o;
	char json[512];
	(void)state;

	HARNESS_SKIP_IF(need_two());
	snprintf(json, sizeof(json), "%s/smp.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("exit-costs"), "--vcpus", "2", "--quick",
					  "--no-baseline", "--ring", "0", "--test", "cpuid", "--test", "ipi",
					  "--test", "ipi_halt", "--test", "ipi_broadcast", "--test", "tlb_shootdown",
					  "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	/* The run's table has the per-vCPU section. */
	assert_non_null(strstr(o.out, "KVM exits per operation on each vCPU"));
	harness_free(&o);
	smp_doc = harness_load_json(json);
	assert_non_null(smp_doc);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(smp_doc, "config"),
									       "vmm"), "vcpus")), 2);
}

static json_t *per_vcpu(json_t *t, int k)
{
	return json_array_get(json_object_get(json_object_get(t, "vcpus"), "per_vcpu"), k);
}

static long long stat_of(json_t *o, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(o, "kvm_stats"), name));
}

/* Every test's per-vCPU stats add up to its "sum", and userspace exits too. */
static void test_per_vcpu_sums(void **state)
{
	json_t *t, *sum, *per, *e;
	const char *k;
	json_t *v;
	size_t i, j;
	(void)state;

	HARNESS_SKIP_IF(need_two());
	if (!smp_doc)
		skip();
	json_array_foreach(json_object_get(smp_doc, "tests"), i, t) {
		long long us = 0;

		if (strcmp(json_string_value(json_object_get(t, "status")), "ok"))
			continue;
		per = json_object_get(json_object_get(t, "vcpus"), "per_vcpu");
		sum = json_object_get(json_object_get(t, "vcpus"), "sum");
		assert_int_equal(json_array_size(per), 2);
		json_array_foreach(per, j, e)
			us += json_integer_value(json_object_get(e, "userspace_exits"));
		assert_int_equal(us, json_integer_value(json_object_get(sum, "userspace_exits")));
		json_object_foreach(json_object_get(sum, "kvm_stats"), k, v)
			assert_int_equal(json_integer_value(v), stat_of(json_array_get(per, 0), k) +
								stat_of(json_array_get(per, 1), k));
		/* vCPU 0's own stats are still the test's kvm_stats. */
		assert_int_equal(stat_of(json_array_get(per, 0), "exits"), stat_of(t, "exits"));
	}
	/* The run's vmm object: per vCPU, and the old fields their sum. */
	{
		json_t *vmm = json_object_get(smp_doc, "vmm");
		long long us = 0;

		assert_int_equal(json_array_size(json_object_get(vmm, "vcpus")), 2);
		json_array_foreach(json_object_get(vmm, "vcpus"), j, e) {
			assert_int_equal(json_integer_value(json_object_get(e, "vcpu")), (long long)j);
			us += json_integer_value(json_object_get(e, "userspace_exits"));
		}
		assert_int_equal(us, json_integer_value(json_object_get(vmm, "userspace_exits")));
	}
}

/*
 * Per-vCPU exits against the guest's operations: cpuid on vCPU 0 is one
 * exit each (plus the doorbell), the idle AP stays out of userspace; in the
 * IPI tests only vCPU 0's doorbell reaches the VMM, and each target took
 * every IPI (the guest's check, or the test would have failed).
 */
static void test_per_vcpu_counts(void **state)
{
	static const char *const ipis[] = { "ipi", "ipi_halt", "ipi_broadcast", "tlb_shootdown" };
	json_t *t;
	long long it;
	(void)state;

	HARNESS_SKIP_IF(need_two());
	if (!smp_doc)
		skip();
	t = harness_find_test(smp_doc, "cpuid", 0);
	assert_non_null(t);
	it = json_integer_value(json_object_get(t, "iterations"));
	assert_in_range(stat_of(per_vcpu(t, 0), "exits"), it + 1, it + 1 + it / 20 + 4);
	assert_int_equal(json_integer_value(json_object_get(per_vcpu(t, 0), "userspace_exits")), 1);
	assert_int_equal(json_integer_value(json_object_get(per_vcpu(t, 1), "userspace_exits")), 0);
	for (size_t i = 0; i < sizeof(ipis) / sizeof(ipis[0]); i++) {
		t = harness_find_test(smp_doc, ipis[i], 0);
		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		assert_int_equal(json_integer_value(json_object_get(per_vcpu(t, 0), "userspace_exits")), 1);
		assert_int_equal(json_integer_value(json_object_get(per_vcpu(t, 1), "userspace_exits")), 0);
	}
}

/* One thread per vCPU, named vcpu0, vcpu1 (runaway spins until killed). */
static void test_threads_named(void **state)
{
	char out[512], path[600], cmd[700];
	pid_t pid;
	int found = 0;
	(void)state;

	HARNESS_SKIP_IF(need_two());
	snprintf(out, sizeof(out), "%s/threads.log", harness_tmp);
	pid = harness_spawn((const char *[]){ "run", harness_payload("runaway"), "--vcpus", "2",
					      "--timeout", "120", NULL }, out, false);
	assert_true(pid > 0);
	snprintf(path, sizeof(path), "%s/comm", harness_tmp);
	snprintf(cmd, sizeof(cmd), "cat /proc/%d/task/*/comm >%s 2>/dev/null", (int)pid, path);
	for (int tries = 0; tries < 300 && found < 2; tries++) {
		char *s;

		usleep(100000);
		if (system(cmd) == -1)
			continue;
		s = harness_slurp(path, NULL);
		found = s && strstr(s, "vcpu0\n") && strstr(s, "vcpu1\n") ? 2 : 0;
		free(s);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(found, 2);
}

/* One --timeout for every vCPU: a guest that never ends is stopped, both threads joined. */
static void test_timeout_all_vcpus(void **state)
{
	struct run_out o;
	(void)state;

	HARNESS_SKIP_IF(need_two());
	harness_run(&o, (const char *[]){ "run", harness_payload("runaway"), "--vcpus", "2", "--timeout", "3", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "timed out"));
	harness_free(&o);
}

/* The hostile SMP guest: each misuse contained (the run goes on), or stopped with a diagnostic. */
static void test_hostile_smp(void **state)
{
	char json[512];
	struct run_out o;
	json_t *doc, *t;
	(void)state;

	HARNESS_SKIP_IF(need_two());
	snprintf(json, sizeof(json), "%s/hostile-smp.json", harness_tmp);
	/* An AP left spinning in real mode, an IPI storm, malformed ICR writes: the run ends, exit 0. */
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile-smp"), "--vcpus", "2", "--timeout", "300",
					  "--test", "ap_stray", "--test", "ipi_storm", "--test", "icr_reserved",
					  "--no-baseline", "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "ap_stray", "ipi_storm", "icr_reserved" };

		t = harness_find_test(doc, names[i], 0);
		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	}
	json_decref(doc);
	/* The AP's INIT resets the boot CPU into no memory: stopped, exit 1, the vCPU named. */
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile-smp"), "--vcpus", "2", "--timeout", "300",
					  "--test", "icr_init_bsp", "--no-baseline", NULL });
	if (o.exit_code != 1)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "vCPU 0: "));
	harness_free(&o);
	/* One vCPU: every test skipped with the reason. */
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile-smp"), "--no-baseline", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "needs --vcpus 2 or more"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpus_beyond_host),
		cmocka_unit_test(test_pin_refused),
		cmocka_unit_test(test_smp_run),
		cmocka_unit_test(test_per_vcpu_sums),
		cmocka_unit_test(test_per_vcpu_counts),
		cmocka_unit_test(test_threads_named),
		cmocka_unit_test(test_timeout_all_vcpus),
		cmocka_unit_test(test_hostile_smp),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, group_teardown);
}
