/* SPDX-License-Identifier: MIT */
/*
 * The machine builder in-process, on /dev/kvm (skipped without it): a
 * machine made with vmm/machine.h and the platform devices of
 * run/run_platform.c boots the exit-costs payload and runs one test to the
 * payload's DONE; the outcome the machine stops with is the one its stopper
 * gave (a payload's DONE, a timeout, a stop from another thread). No binary,
 * no JSON: the bench device's records and the vCPU's counters directly.
 */
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run/run_platform.h"
#include "tests/integration/harness.h"
#include "vmm/machine.h"
#include "vmm/payload_path.h"
#include "vmm/vm.h"

struct rig {
	struct machine *m;
	struct run_platform plat;
	void *image;
	size_t len;
	struct elf_image elf;
	char *select[1];
};

static void stop_hook(void *opaque, enum outcome o, const char *why)
{
	machine_stop(opaque, o, why);
}

/* exit-costs, only `test` at CPL3, `iterations` each: built up to started vCPUs waiting at their gate. */
static struct rig *rig_start(const char *test, uint64_t iterations)
{
	struct machine_config mc = { .mem_size = 64 << 20, .backing = GUEST_BACKING_4K, .nvcpus = 1,
				     .boot = MACHINE_BOOT_PAYLOAD };
	struct boot_args ba = { .iterations = iterations, .ring_mask = BOOT_RING3, .goal_ms = 10 };
	struct rig *r = calloc(1, sizeof(*r));
	char err[512];
	uint64_t khz;

	assert_non_null(r);
	r->image = payload_read(harness_payload("exit-costs"), 1024, &r->len, err, sizeof(err));
	assert_non_null(r->image);
	assert_int_equal(elf_parse(r->image, r->len, BOOT_PAYLOAD_MIN, mc.mem_size, &r->elf, err, sizeof(err)), 0);
	if (machine_create(&r->m, &mc, err, sizeof(err)) != OUTCOME_OK)
		fail_msg("machine_create: %s", err);
	assert_int_equal(run_platform_add(&r->plat, r->m, stderr, err, sizeof(err)), OUTCOME_OK);
	{
		struct machine_payload p = { r->image, r->len, &r->elf };

		if (machine_load(r->m, &p, &ba, err, sizeof(err)) != OUTCOME_OK)
			fail_msg("machine_load: %s", err);
	}
	if (machine_create_vcpus(r->m, err, sizeof(err)) != OUTCOME_OK)
		fail_msg("machine_create_vcpus: %s", err);
	assert_int_equal(machine_nvcpus(r->m), 1);
	khz = machine_tsc_khz(r->m);
	machine_set_tsc_khz(r->m, khz ? khz : 1000000);
	{
		struct bench_hooks h = { .opaque = r->m, .stop = stop_hook };

		run_platform_bench_init(&r->plat, r->m, &h);
	}
	r->select[0] = (char *)test;
	r->plat.bench.select = r->select;
	r->plat.bench.nselect = 1;
	if (machine_start(r->m, err, sizeof(err)) != OUTCOME_OK)
		fail_msg("machine_start: %s", err);
	assert_true(machine_vcpu_tid(r->m, 0) > 0);
	return r;
}

static void rig_free(struct rig *r)
{
	run_platform_destroy(&r->plat);
	machine_destroy(r->m);
	free(r->image);
	free(r);
}

static void test_machine_runs_payload(void **state)
{
	struct rig *r;
	const struct bench_record *rec = NULL;
	enum outcome o;
	(void)state;

	HARNESS_NEED_KVM();
	r = rig_start("cpuid", 1000);
	machine_release(r->m);
	o = machine_wait(r->m, 300);
	if (o != OUTCOME_OK)
		fail_msg("stopped with %d: %s", o, machine_stop_reason(r->m));
	assert_true(r->plat.bench.done);
	assert_string_equal(machine_stop_reason(r->m), "payload done");
	for (size_t i = 0; i < r->plat.bench.nrecs; i++)
		if (!strcmp(r->plat.bench.recs[i].name, "cpuid") && r->plat.bench.recs[i].ring == 3)
			rec = &r->plat.bench.recs[i];
	assert_non_null(rec);
	assert_int_equal(rec->status, BENCH_STATUS_OK);
	assert_int_equal(rec->iterations, 1000);
	/* The bench doorbell is a port write: at least one IO exit per message. */
	assert_true(machine_vcpu(r->m, 0)->exits[KVM_EXIT_IO] > 0);
	rig_free(r);
}

/* Stopped before it ran: the outcome given is the outcome returned, NO_HOST included. */
static void test_machine_stop_outcome(void **state)
{
	struct rig *r;
	(void)state;

	HARNESS_NEED_KVM();
	r = rig_start("cpuid", 1000);
	machine_stop(r->m, OUTCOME_NO_HOST, "the test said so");
	machine_stop(r->m, OUTCOME_OK, "too late: the first stop wins");
	machine_release(r->m);
	assert_int_equal(machine_wait(r->m, 60), OUTCOME_NO_HOST);
	assert_string_equal(machine_stop_reason(r->m), "the test said so");
	assert_false(r->plat.bench.done);
	rig_free(r);
}

/* A run longer than its timeout: FAILED, "timed out". */
static void test_machine_timeout_fails(void **state)
{
	struct rig *r;
	(void)state;

	HARNESS_NEED_KVM();
	r = rig_start("cpuid", BENCH_MAX_SAMPLES);
	machine_release(r->m);
	assert_int_equal(machine_wait(r->m, 0.2), OUTCOME_FAILED);
	assert_non_null(strstr(machine_stop_reason(r->m), "timed out"));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_runs_payload),
		cmocka_unit_test(test_machine_stop_outcome),
		cmocka_unit_test(test_machine_timeout_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
