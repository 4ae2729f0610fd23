// SPDX-License-Identifier: MIT
/*
 * virtio-rng (devices/virtio/virtio_rng.c, added through the device
 * registry) in real KVM, driven by the rng payload: every request comes
 * back filled whole, the guest's and the device's counts agree, kicks by
 * ioeventfd cost no userspace exit and notify=exit puts them back; its
 * options are refused with the registry's usage text. Counts, never timings.
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

/* Run the rng payload on virtio-rng (device spec dev) with n requests of 4 KiB at qd; the results. */
static json_t *run_rng(const char *dev, const char *n, const char *qd, const char *name)
{
	char json[512], np[32], qp[32];
	struct run_out o;
	json_t *d;

	snprintf(json, sizeof(json), "%s/%s.json", harness_tmp, name);
	snprintf(np, sizeof(np), "n=%s", n);
	snprintf(qp, sizeof(qp), "qd=%s", qd);
	harness_run(&o, (const char *[]){ "run", harness_payload("rng"), "--ring", "3", "--no-baseline",
		"--device", dev, "--param", np, "--param", "size=4096", "--param", qp, "--json", json, NULL });
	if (o.exit_code != 0)
		fprintf(stderr, "exit %d\n%s%s", o.exit_code, o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	d = harness_load_json(json);
	assert_non_null(d);
	return d;
}

static json_int_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fprintf(stderr, "no integer '%s'\n", key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The fill test of d: ok, n requests, every byte asked given, the device's counters the same. */
static json_t *fill_ok(json_t *d, json_int_t n)
{
	json_t *t = harness_find_test(d, "fill", 3), *m, *dev;

	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	assert_int_equal(get_int(t, "iterations"), n);
	m = json_object_get(t, "metrics");
	assert_int_equal(get_int(m, "bytes"), n * 4096);
	assert_int_equal(get_int(m, "short"), 0);
	assert_true(get_int(m, "bytes_per_s") > 0);
	dev = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), "virtio-rng");
	assert_true(json_is_object(dev));
	assert_int_equal(get_int(dev, "requests"), n);
	assert_int_equal(get_int(dev, "bytes"), n * 4096);
	assert_int_equal(get_int(dev, "errors"), 0);
	return t;
}

static void test_rng_fill(void **state)
{
	json_t *d, *t, *desc;
	double ue;
	(void)state;

	HARNESS_NEED_KVM();
	d = run_rng("virtio-rng", "256", "4", "rng");
	desc = json_array_get(json_object_get(json_object_get(d, "config"), "devices"), 0);
	assert_string_equal(json_string_value(json_object_get(desc, "model")), "virtio-rng");
	assert_string_equal(json_string_value(json_object_get(desc, "kind")), "other");
	assert_string_equal(json_string_value(json_object_get(desc, "notify")), "ioeventfd");
	t = fill_ok(d, 256);
	/* kicks land on an ioeventfd: no userspace exit per request (the PHASE_END doorbell at most) */
	ue = json_real_value(json_object_get(t, "userspace_exits_per_iteration"));
	assert_true(ue * 256 < 2);
	json_decref(d);
}

/* notify=exit: the kicks come back as userspace exits. */
static void test_rng_notify_exit(void **state)
{
	json_t *d, *t;
	double ue;
	(void)state;

	HARNESS_NEED_KVM();
	d = run_rng("virtio-rng,notify=exit", "64", "1", "rng-exit");
	t = fill_ok(d, 64);
	ue = json_real_value(json_object_get(t, "userspace_exits_per_iteration"));
	assert_true(ue * 64 >= 2);
	json_decref(d);
}

/* The registry's refusals for virtio-rng: usage errors, before any KVM. */
static void test_rng_bad_options(void **state)
{
	static const char *const bad[][2] = {
		{ "virtio-rng,file=x", "virtio-rng: bad option 'file=x' (virtio-rng takes notify=exit|ioeventfd)" },
		{ "virtio-rng,vhost-user=/tmp/x.sock", "virtio-rng: bad option 'vhost-user=/tmp/x.sock'" },
		{ "virtio-rn", "unknown device model 'virtio-rn'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run_out o;

		harness_run(&o, (const char *[]){ "run", harness_payload("rng"), "--device", bad[i][0], NULL });
		if (o.exit_code != 2 || !strstr(o.err, bad[i][1]))
			fprintf(stderr, "case %s: exit %d\n%s", bad[i][0], o.exit_code, o.err);
		assert_int_equal(o.exit_code, 2);
		assert_non_null(strstr(o.err, bad[i][1]));
		harness_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_bad_options),
		cmocka_unit_test(test_rng_fill),
		cmocka_unit_test(test_rng_notify_exit),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
