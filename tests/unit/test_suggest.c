// SPDX-License-Identifier: MIT
/* Unit tests for util/suggest.c: the edit distance and "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/suggest.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("cpuid", "cpuid"), 0);
	assert_int_equal(suggest_distance("cpuidd", "cpuid"), 1);    /* insertion */
	assert_int_equal(suggest_distance("cpid", "cpuid"), 1);      /* deletion */
	assert_int_equal(suggest_distance("cpuix", "cpuid"), 1);     /* substitution */
	assert_int_equal(suggest_distance("cpiud", "cpuid"), 1);     /* neighbours swapped */
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
}

static void test_closest(void **state)
{
	static const char *const tests[] = { "empty", "cpuid", "hypercall", "pio_vmm", "pio_vmm_in",
					     "pio_ioeventfd", "mmio_vmm" };
	static const char *const params[] = { "nic", "dir", "frames", "size", "batch", "irq" };
	static const char *const holes[] = { NULL, "batch" };

	(void)state;
	assert_string_equal(suggest_closest("cpuidd", tests, 7), "cpuid");
	assert_string_equal(suggest_closest("hypercal", tests, 7), "hypercall");
	assert_string_equal(suggest_closest("pio_vm", tests, 7), "pio_vmm");
	assert_string_equal(suggest_closest("batchh", params, 6), "batch");
	assert_string_equal(suggest_closest("frame", params, 6), "frames");
	/* Far from everything: no suggestion rather than a wild one. */
	assert_null(suggest_closest("tlb_refill", tests, 7));
	assert_null(suggest_closest("xyz", params, 6));
	/* A short word may be one edit off at most. */
	assert_string_equal(suggest_closest("iq", params, 6), "irq");
	assert_null(suggest_closest("q", params, 6));
	/* Empty or holey candidate lists. */
	assert_null(suggest_closest("cpuid", NULL, 0));
	assert_string_equal(suggest_closest("bach", holes, 2), "batch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_closest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
