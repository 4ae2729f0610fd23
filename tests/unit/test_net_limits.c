// SPDX-License-Identifier: MIT
/*
 * microbench/net_limits.c under the sanitizers: every case moves and checks
 * its frames (rings wrapped, a last ring only partly filled, the smallest and
 * the largest frame) and gives a positive time per frame; bad options are
 * refused. No timing is asserted.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "microbench/net_limits.h"

/* The first two CPUs this process may run on (the same one twice on a single-CPU host). */
static void two_cpus(int *a, int *b)
{
	cpu_set_t s;

	*a = *b = -1;
	assert_int_equal(sched_getaffinity(0, sizeof(s), &s), 0);
	for (int c = 0; c < CPU_SETSIZE && *b < 0; c++)
		if (CPU_ISSET(c, &s))
			*(*a < 0 ? a : b) = c;
	if (*b < 0)
		*b = *a;
}

static void test_every_case_moves_its_frames(void **state)
{
	static const unsigned sizes[] = { NET_LIMITS_SIZE_MIN, NET_LIMITS_SIZE_MAX };
	struct net_limits_opts o = { .frames = 2 * NET_LIMITS_RING + 37 };
	char err[256];
	(void)state;

	two_cpus(&o.cpu, &o.peer_cpu);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		o.size = sizes[s];
		for (int c = 0; c < NET_LIMITS_NCASES; c++) {
			double ns = -1;

			err[0] = 0;
			if (net_limits_round(c, &o, &ns, err, sizeof(err)))
				fail_msg("%s, %u bytes: %s", net_limits_case_names[c], o.size, err);
			assert_true(ns > 0);
		}
	}
}

/* Unpinned, and a single frame: still a round. */
static void test_unpinned_single_frame(void **state)
{
	struct net_limits_opts o = { .size = 1514, .frames = 1, .cpu = -1, .peer_cpu = -1 };
	char err[256];
	(void)state;

	for (int c = 0; c < NET_LIMITS_NCASES; c++) {
		double ns = -1;

		if (net_limits_round(c, &o, &ns, err, sizeof(err)))
			fail_msg("%s: %s", net_limits_case_names[c], err);
		assert_true(ns > 0);
	}
}

static void test_bad_options_are_refused(void **state)
{
	struct net_limits_opts o = { .size = NET_LIMITS_SIZE_MIN - 1, .frames = 10, .cpu = -1, .peer_cpu = -1 };
	char err[256];
	double ns = -1;
	(void)state;

	assert_int_equal(net_limits_round(NET_LIMITS_COPY, &o, &ns, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "59 bytes"));
	o.size = NET_LIMITS_SIZE_MAX + 1;
	assert_int_equal(net_limits_round(NET_LIMITS_DEVICE, &o, &ns, err, sizeof(err)), -1);
	o.size = 100;
	o.frames = 0;
	assert_int_equal(net_limits_round(NET_LIMITS_MEMCMP, &o, &ns, err, sizeof(err)), -1);
	o.frames = 10;
	o.cpu = CPU_SETSIZE;
	assert_int_equal(net_limits_round(NET_LIMITS_MEMCMP, &o, &ns, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CPU"));
	assert_true(ns == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_case_moves_its_frames),
		cmocka_unit_test(test_unpinned_single_frame),
		cmocka_unit_test(test_bad_options_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
