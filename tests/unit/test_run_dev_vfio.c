// SPDX-License-Identifier: MIT
/*
 * run/run_devices.c's --device vfio,host=BDF: the address normalized, bad
 * addresses and options refused with the usage text, host= required, and
 * the run's config naming the host function and the passthrough backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "run/run_devices.h"

static void test_parse(void **state)
{
	struct run_dev_opts o;
	char err[256];
	json_t *d;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(run_dev_parse(&o, "vfio,host=00:03.0", err, sizeof(err)), 0);
	assert_int_equal(o.ndev, 1);
	assert_ptr_equal(o.dev[0].type, device_type_find("vfio"));
	assert_int_equal(o.dev[0].type->kind, DEVICE_OTHER);
	/* a vfio function is not "the NIC": an emulated one may sit beside it */
	assert_int_equal(run_dev_parse(&o, "e1000", err, sizeof(err)), 0);
	d = run_dev_describe(&o);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "model")), "vfio");
	/* the address as given, normalized */
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "host")), "0000:00:03.0");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "kind")), "other");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "backend")), "passthrough");
	json_decref(d);

	memset(&o, 0, sizeof(o));
	assert_int_equal(run_dev_parse(&o, "vfio", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vfio needs host="));
	assert_int_equal(run_dev_parse(&o, "vfio,host=", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "host=DDDD:BB:DD.F"));
	assert_int_equal(run_dev_parse(&o, "vfio,host=../../x", err, sizeof(err)), -1);
	assert_int_equal(run_dev_parse(&o, "vfio,host=0000:00:03.0,notify=exit", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad option 'notify=exit'"));
	assert_int_equal(run_dev_parse(&o, "vfio,file=x", err, sizeof(err)), -1);
	assert_int_equal(o.ndev, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
