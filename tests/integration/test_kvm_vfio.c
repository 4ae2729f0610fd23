/* SPDX-License-Identifier: MIT */
/*
 * VFIO passthrough (`--device vfio,host=BDF`) in real KVM, and what a BAR
 * access costs.  Everywhere: a malformed address is a usage error (2); a
 * host without /dev/vfio, or an address with no device behind it, is
 * refused with exit code 3 and a message that says what to do.  Everywhere
 * with KVM: the bar-read payload against our emulated e1000 takes exactly
 * one userspace exit per register access.  Where EXITLAB_VFIO_BDF names a
 * function bound to vfio-pci (the nested testbed's e1000e, 8086:10d3): the
 * same payload against the passed-through device takes no exit at all per
 * read, and the net payload sends frames through it.  Counts, never timings.
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

static const char *bdf_missing(void)
{
	const char *b = getenv("EXITLAB_VFIO_BDF");

	return b && *b ? NULL : "EXITLAB_VFIO_BDF is not set (the nested testbed sets it to a vfio-pci "
		"bound e1000e; this host has no IOMMU)";
}

static void expect(const char *const *args, int code, const char *msg)
{
	struct run_out o;

	harness_run(&o, args);
	if (o.exit_code != code || !strstr(o.err, msg))
		fprintf(stderr, "exit %d (wanted %d), stderr:\n%s\n(wanted '%s')\n", o.exit_code, code, o.err, msg);
	assert_int_equal(o.exit_code, code);
	assert_non_null(strstr(o.err, msg));
	harness_free(&o);
}

static void test_malformed_bdf(void **state)
{
	(void)state;
	expect((const char *[]){ "run", harness_payload("bar-read"), "--device", "vfio,host=zz", NULL }, 2,
	       "vfio takes host=DDDD:BB:DD.F");
	expect((const char *[]){ "run", harness_payload("bar-read"), "--device", "vfio,host=0000:00:20.0", NULL }, 2,
	       "vfio takes host=DDDD:BB:DD.F");
	expect((const char *[]){ "run", harness_payload("bar-read"), "--device", "vfio", NULL }, 2,
	       "vfio needs host=");
	expect((const char *[]){ "run", harness_payload("bar-read"), "--device", "vfio,host=0000:00:03.0,x=1", NULL },
	       2, "bad option 'x=1'");
}

/* A function number no host has on bus 0xfe. */
static void test_no_such_device(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	expect((const char *[]){ "run", harness_payload("bar-read"), "--ring", "3", "--no-baseline", "--device",
				 "vfio,host=0000:fe:1f.7", NULL }, 3, "no PCI device 0000:fe:1f.7 on this host");
}

/* The first PCI function this host has, for the /dev/vfio refusal. */
static int some_host_function(char *out, size_t n)
{
	FILE *p = popen("ls /sys/bus/pci/devices 2>/dev/null | head -1", "r");
	int ok;

	if (!p)
		return -1;
	ok = fgets(out, (int)n, p) != NULL;
	pclose(p);
	if (!ok)
		return -1;
	out[strcspn(out, "\n")] = 0;
	return out[0] ? 0 : -1;
}

static void test_no_dev_vfio(void **state)
{
	char bdf[64], dev[96];

	(void)state;
	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(access("/dev/vfio/vfio", F_OK) == 0 ? "this host has /dev/vfio/vfio" : NULL);
	HARNESS_SKIP_IF(some_host_function(bdf, sizeof(bdf)) ? "this host has no PCI functions in sysfs" : NULL);
	snprintf(dev, sizeof(dev), "vfio,host=%s", bdf);
	expect((const char *[]){ "run", harness_payload("bar-read"), "--ring", "3", "--no-baseline", "--device", dev,
				 NULL }, 3, "modprobe vfio-pci; the host needs an IOMMU");
}

static double field(json_t *t, const char *k)
{
	json_t *v = json_object_get(t, k);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* bar-read at CPL3 with `device`: the results document. */
static json_t *bar_read(const char *device, const char *name)
{
	char json[512];
	struct run_out o;
	json_t *doc;

	snprintf(json, sizeof(json), "%s/%s.json", harness_tmp, name);
	harness_run(&o, (const char *[]){ "run", harness_payload("bar-read"), "--ring", "3", "--no-baseline",
		"--device", device, "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "exit %d\n%s%s", o.exit_code, o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	return doc;
}

static void assert_ok(json_t *t)
{
	const char *s = json_string_value(json_object_get(t, "status"));

	if (strcmp(s, "ok"))
		fprintf(stderr, "%s: %s (%s)\n", json_string_value(json_object_get(t, "name")), s,
			json_string_value(json_object_get(t, "reason")));
	assert_string_equal(s, "ok");
}

/* Our e1000 model: every register access is an MMIO exit to the VMM. */
static void test_emulated_bar_one_exit(void **state)
{
	json_t *doc, *t;

	(void)state;
	HARNESS_NEED_KVM();
	doc = bar_read("e1000", "emulated");
	t = harness_find_test(doc, "bar_read", 3);
	assert_non_null(t);
	assert_ok(t);
	assert_float_equal(field(t, "userspace_exits_per_iteration"), 1.0, 0.05);
	assert_true(field(t, "exits_per_iteration") >= 0.95);
	t = harness_find_test(doc, "bar_write", 3);
	assert_non_null(t);
	assert_ok(t);
	assert_float_equal(field(t, "userspace_exits_per_iteration"), 1.0, 0.05);
	json_decref(doc);
}

/* The passed-through function: BAR0 is a memory slot, a read does not exit. */
static void test_passthrough_bar_no_exit(void **state)
{
	char dev[96];
	json_t *doc, *t, *v;

	(void)state;
	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(bdf_missing());
	snprintf(dev, sizeof(dev), "vfio,host=%s", getenv("EXITLAB_VFIO_BDF"));
	doc = bar_read(dev, "passthrough");
	t = harness_find_test(doc, "bar_read", 3);
	assert_non_null(t);
	assert_ok(t);
	assert_float_equal(field(t, "userspace_exits_per_iteration"), 0.0, 0.01);
	assert_true(field(t, "exits_per_iteration") < 0.05);
	/* the VMM saw no trapped BAR access in the phase, and mapped BAR pieces as slots */
	v = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), "vfio");
	assert_true(json_is_object(v));
	assert_int_equal(json_integer_value(json_object_get(v, "bar_trap_reads")), 0);
	json_decref(doc);
}

/* The guest's e1000 driver sends frames through the passed-through 82574 (legacy descriptors). */
static void test_passthrough_tx(void **state)
{
	char dev[96], json[512];
	struct run_out o;
	json_t *doc, *t;

	(void)state;
	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(bdf_missing());
	snprintf(dev, sizeof(dev), "vfio,host=%s", getenv("EXITLAB_VFIO_BDF"));
	snprintf(json, sizeof(json), "%s/pt-tx.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", dev, "--param", "nic=e1000", "--param", "dir=tx", "--param", "frames=64",
		"--param", "batch=32", "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "exit %d\n%s%s", o.exit_code, o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	t = harness_find_test(doc, "tx", 3);
	assert_non_null(t);
	assert_ok(t);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "metrics"), "frames")), 64);
	/* doorbells hit the mmapped BAR: no userspace exit per frame */
	assert_true(field(t, "userspace_exits_per_iteration") < 0.1);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_bdf),
		cmocka_unit_test(test_no_such_device),
		cmocka_unit_test(test_no_dev_vfio),
		cmocka_unit_test(test_emulated_bar_one_exit),
		cmocka_unit_test(test_passthrough_bar_no_exit),
		cmocka_unit_test(test_passthrough_tx),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
