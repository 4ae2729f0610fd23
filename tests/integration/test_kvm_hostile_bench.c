/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest against the bench device in real KVM, under the ASan+UBSan
 * build: a phase of 2^63 iterations (more than the results hold) fails its
 * test with a reason and nothing else; the run goes on to the next test and
 * its results are written.
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

static void test_huge_iterations_fail_one_test(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *t;
	const char *reason;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/huge.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile"), "--test", "huge", "--test", "after",
					  "--no-baseline", "--timeout", "60", "--json", json, NULL });
	if (o.exit_code != 1 || !strstr(o.err, "exitlab: bench: test huge cpl3: PHASE_END: "))
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 1); /* a failed test */
	assert_non_null(strstr(o.err, "exitlab: bench: test huge cpl3: PHASE_END: "));
	assert_null(strstr(o.err, "bench protocol:")); /* not a violation: the VM was not stopped */
	assert_null(strstr(o.err, "out of range"));
	assert_null(strstr(o.err, "AddressSanitizer"));
	assert_null(strstr(o.err, "runtime error"));
	harness_free(&o);

	doc = harness_load_json(json);
	assert_non_null(doc);
	t = harness_find_test(doc, "huge", 3);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "failed");
	reason = json_string_value(json_object_get(t, "reason"));
	assert_non_null(reason);
	assert_non_null(strstr(reason, "the VMM takes at most 9007199254740991"));
	t = harness_find_test(doc, "after", 3);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	assert_int_equal(json_integer_value(json_object_get(t, "iterations")), 1);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huge_iterations_fail_one_test),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
