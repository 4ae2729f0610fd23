/* SPDX-License-Identifier: MIT */
/* Where the time goes: per-operation figures from the totals, and the guest's metrics. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/results_cpu.h"

/* 1000 operations over 2 ms of wall time: 2000 ns per operation. */
static struct test_result timed(void)
{
	struct test_result t;

	memset(&t, 0, sizeof(t));
	t.iterations = 1000;
	t.has_phase = true;
	t.phase_s = 0.002;
	return t;
}

static void test_per_op(void **state)
{
	struct test_result t = timed();
	struct test_cpu_per_op p;
	(void)state;

	t.cpu = (struct test_cpu){ .has_device = true, .device_ns = 500000, .has_vcpu = true, .vcpu_ns = 1900000,
				   .has_guest = true, .guest_phase_ns = 1800000, .guest_wait_ns = 600000 };
	test_cpu_per_op(&t, &p);
	assert_float_equal(p.wall_ns, 2000, 1e-6);
	assert_float_equal(p.device_ns, 500, 1e-9);
	assert_float_equal(p.vcpu_ns, 1900, 1e-9);
	assert_float_equal(p.guest_busy_ns, 1200, 1e-9); /* (phase - wait) / ops */
}

static void test_per_op_unknown(void **state)
{
	struct test_result t = timed();
	struct test_cpu_per_op p;
	(void)state;

	/* nothing known: NAN, never 0 */
	test_cpu_per_op(&t, &p);
	assert_float_equal(p.wall_ns, 2000, 1e-6);
	assert_true(isnan(p.device_ns) && isnan(p.vcpu_ns) && isnan(p.guest_busy_ns));
	/* no iterations, no phase, no timing: no per-op figure at all */
	memset(&t, 0, sizeof(t));
	t.cpu.has_device = true;
	t.cpu.device_ns = 5;
	test_cpu_per_op(&t, &p);
	assert_true(isnan(p.wall_ns) && isnan(p.device_ns));
	/* without a phase, wall time from the median ns per operation */
	t.iterations = 10;
	t.has_timing = true;
	t.ns.n = 10;
	t.ns.median = 250;
	test_cpu_per_op(&t, &p);
	assert_float_equal(p.wall_ns, 250, 1e-9);
	assert_float_equal(p.device_ns, 0.5, 1e-12);
}

static void test_guest_metrics(void **state)
{
	struct test_cpu c;
	(void)state;

	memset(&c, 0, sizeof(c));
	/* 2 GHz: 2 cycles per ns; two phases add up */
	assert_true(test_cpu_add_guest(&c, "frames=4 phase_cycles=4000 wait_cycles=1000 bad=0", 2e6));
	assert_true(test_cpu_add_guest(&c, "wait_cycles=0 phase_cycles=2000", 2e6));
	assert_true(c.has_guest);
	assert_float_equal(c.guest_phase_ns, 3000, 1e-9);
	assert_float_equal(c.guest_wait_ns, 500, 1e-9);

	/* what cannot be a measurement changes nothing */
	memset(&c, 0, sizeof(c));
	assert_false(test_cpu_add_guest(&c, "frames=4 phase_cycles=4000", 2e6));       /* no wait */
	assert_false(test_cpu_add_guest(&c, "wait_cycles=1", 2e6));                     /* no phase */
	assert_false(test_cpu_add_guest(&c, "phase_cycles=10 wait_cycles=11", 2e6));    /* wait > phase */
	assert_false(test_cpu_add_guest(&c, "phase_cycles=0x10 wait_cycles=1", 2e6));   /* not decimal */
	assert_false(test_cpu_add_guest(&c, "phase_cycles=-10 wait_cycles=1", 2e6));
	assert_false(test_cpu_add_guest(&c, "phase_cycles=10 wait_cycles=1 wait_cycles=2", 2e6));
	assert_false(test_cpu_add_guest(&c, "phase_cycles=10 wait_cycles=1", 0));       /* TSC rate unknown */
	assert_false(test_cpu_add_guest(&c, NULL, 2e6));
	assert_false(c.has_guest);
	assert_float_equal(c.guest_phase_ns, 0, 0);
}

static void test_json(void **state)
{
	struct test_result t = timed(), u;
	char err[128];
	json_t *o = json_object(), *cpu;
	(void)state;

	t.cpu = (struct test_cpu){ .has_device = true, .device_ns = 500000, .has_guest = true,
				   .guest_phase_ns = 1800000, .guest_wait_ns = 600000 };
	assert_int_equal(results_cpu_to_json(o, &t), 0);
	cpu = json_object_get(o, "cpu");
	assert_true(json_is_null(json_object_get(cpu, "vcpu_ns")));
	assert_float_equal(json_number_value(json_object_get(cpu, "device_ns")), 500000, 1e-9);
	assert_float_equal(json_number_value(json_object_get(json_object_get(cpu, "per_op"), "guest_busy_ns")), 1200,
			   1e-9);
	assert_true(json_is_null(json_object_get(json_object_get(cpu, "per_op"), "vcpu_ns")));
	memset(&u, 0xa5, sizeof(u));
	assert_int_equal(results_cpu_from_json(o, &u, err, sizeof(err)), 0);
	assert_true(u.cpu.has_device && !u.cpu.has_vcpu && u.cpu.has_guest);
	assert_float_equal(u.cpu.guest_wait_ns, 600000, 1e-9);
	/* a guest figure without its pair is refused */
	json_object_set_new(cpu, "guest_wait_ns", json_null());
	assert_int_equal(results_cpu_from_json(o, &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "both"));
	json_object_set_new(cpu, "guest_wait_ns", json_real(-1));
	assert_int_equal(results_cpu_from_json(o, &u, err, sizeof(err)), -1);
	/* absent (an older file): all unknown */
	json_object_del(o, "cpu");
	assert_int_equal(results_cpu_from_json(o, &u, err, sizeof(err)), 0);
	assert_false(u.cpu.has_device || u.cpu.has_vcpu || u.cpu.has_guest);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_op),
		cmocka_unit_test(test_per_op_unknown),
		cmocka_unit_test(test_guest_metrics),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
