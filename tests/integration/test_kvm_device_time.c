/* SPDX-License-Identifier: MIT */
/*
 * Where the time goes, in real KVM: a virtio-net TX into the checking sink
 * and a virtio-blk write and read each carry the "cpu" member: the device
 * side's threads used CPU (their time is > 0), the vCPU's too, and the
 * guest's busy time fits inside the phase's wall time.  The table printed
 * has the columns.  Structure only, never a rate.
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

/* Run exitlab; assert exit 0 and that the device table has the time columns; the results document. */
static json_t *run_json(const char *json, const char *const *args)
{
	struct run_out o;
	json_t *d;

	harness_run(&o, args);
	if (o.exit_code)
		fprintf(stderr, "exit %d\n%s%s", o.exit_code, o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "wall ns   dev cpu  guest ns"));
	harness_free(&o);
	d = harness_load_json(json);
	assert_non_null(d);
	return d;
}

static double number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fprintf(stderr, "'%s' is not a number in %s\n", key, json_dumps(o, JSON_COMPACT));
	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* The test's cpu member is complete and consistent with its phase. */
static void check_cpu(json_t *doc, const char *name)
{
	json_t *t = harness_find_test(doc, name, 3), *cpu, *per;
	double phase_ns, guest_phase, guest_wait, it;

	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	cpu = json_object_get(t, "cpu");
	assert_true(json_is_object(cpu));
	per = json_object_get(cpu, "per_op");
	assert_true(json_is_object(per));
	it = number(t, "iterations");
	phase_ns = number(t, "phase_s") * 1e9;
	/* the device's worker ran in the phase, and so did the vCPU */
	assert_true(number(cpu, "device_ns") > 0);
	assert_true(number(cpu, "vcpu_ns") > 0);
	assert_true(number(per, "device_ns") > 0);
	/* the guest's phase is inside the host's (its doorbells bracket it); its waits inside its phase */
	guest_phase = number(cpu, "guest_phase_ns");
	guest_wait = number(cpu, "guest_wait_ns");
	assert_true(guest_wait >= 0 && guest_wait <= guest_phase);
	/* 1 %: the TSC rate and the host clock are two clocks */
	assert_true(guest_phase - guest_wait <= phase_ns * 1.01);
	assert_true(number(per, "guest_busy_ns") <= number(per, "wall_ns") * 1.01);
	assert_true(number(per, "wall_ns") > 0);
	/* per_op is the totals over the iterations */
	assert_float_equal(number(per, "device_ns"), number(cpu, "device_ns") / it, 1e-6 * number(per, "device_ns"));
	/* the guest's raw figures are in its metrics */
	assert_true(json_is_integer(json_object_get(json_object_get(t, "metrics"), "wait_cycles")));
	assert_true(json_is_integer(json_object_get(json_object_get(t, "metrics"), "phase_cycles")));
}

static void test_net_tx(void **state)
{
	char json[512];
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/tx.json", harness_tmp);
	doc = run_json(json, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--netdev", "sink,check=1", "--param", "frames=4096",
		"--param", "batch=256", "--param", "dir=tx", "--json", json, NULL });
	check_cpu(doc, "tx");
	{
		json_t *t = harness_find_test(doc, "tx", 3);
		json_t *m = json_object_get(t, "metrics");

		/* the guest's time on the frames themselves (the harness) is inside its busy time */
		assert_true(json_is_integer(json_object_get(m, "pattern_ns_per_frame")));
		assert_true(number(m, "pattern_ns_per_frame") <=
			    number(json_object_get(json_object_get(t, "cpu"), "per_op"), "guest_busy_ns") * 1.01 + 1);
	}
	json_decref(doc);
}

static void test_blk(void **state)
{
	char json[512], img[512], devspec[600];
	json_t *doc;
	FILE *f;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(img, sizeof(img), "%s/disk.img", harness_tmp);
	f = fopen(img, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 4 << 20), 0);
	fclose(f);
	snprintf(devspec, sizeof(devspec), "virtio-blk,file=%s", img);
	snprintf(json, sizeof(json), "%s/blk.json", harness_tmp);
	doc = run_json(json, (const char *[]){ "run", harness_payload("blk"), "--ring", "3", "--no-baseline",
		"--device", devspec, "--param", "ios=256", "--param", "qd=4", "--json", json, NULL });
	check_cpu(doc, "write");
	check_cpu(doc, "read");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_tx),
		cmocka_unit_test(test_blk),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
