/* SPDX-License-Identifier: MIT */
/*
 * build/microbench/net-limits and microbench/net-limits.sh as a user runs
 * them: a tiny run exits 0 and prints its header and one row per case
 * (copy, memcmp, device) of positive numbers, each median within its range;
 * bad usage exits 2. No timing is asserted.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define BIN    "build/microbench/net-limits"
#define SCRIPT "microbench/net-limits.sh"

/* --cpu A --peer-cpu B: the first two CPUs this process may run on (one twice on a single-CPU host). */
static void cpu_args(char *buf, size_t len)
{
	cpu_set_t s;
	int a = -1, b = -1;

	assert_int_equal(sched_getaffinity(0, sizeof(s), &s), 0);
	for (int c = 0; c < CPU_SETSIZE && b < 0; c++)
		if (CPU_ISSET(c, &s))
			*(a < 0 ? &a : &b) = c;
	snprintf(buf, len, "--cpu %d --peer-cpu %d", a, b < 0 ? a : b);
}

/* Run cmd; its exit code, with stdout in out. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	assert_non_null(p);
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The table net-limits prints: its header, then copy, memcmp and device, in that order. */
static void check_table(const char *out)
{
	static const char *const cases[] = { "copy", "memcmp", "device" };
	const char *p = strstr(out, "# net-limits: 1514-byte frames, 1 round of 1024 frames per case");
	unsigned rows = 0;

	assert_non_null(p);
	p = strstr(p, "\n# case ");
	assert_non_null(p);
	p = strchr(p + 1, '\n') + 1;
	for (; *p; p = strchr(p, '\n') + 1) {
		char name[16];
		double v[6];

		assert_int_equal(sscanf(p, "%15s %lf %lf %lf %lf %lf %lf", name, &v[0], &v[1], &v[2], &v[3], &v[4],
					&v[5]), 7);
		assert_true(rows < 3);
		assert_string_equal(name, cases[rows]);
		for (int i = 0; i < 6; i++)
			assert_true(v[i] > 0);
		assert_true(v[1] <= v[0] && v[0] <= v[2]);
		assert_true(v[4] <= v[3] && v[3] <= v[5]);
		rows++;
		if (!strchr(p, '\n'))
			break;
	}
	assert_int_equal(rows, 3);
}

static void test_tiny_run_prints_three_cases(void **state)
{
	char cpus[64], cmd[256], out[4096];
	(void)state;

	cpu_args(cpus, sizeof(cpus));
	snprintf(cmd, sizeof(cmd), BIN " --rounds 1 --frames 1024 %s", cpus);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	check_table(out);
}

static void test_script_prints_three_cases(void **state)
{
	char cpus[64], cmd[256], out[4096];
	(void)state;

	cpu_args(cpus, sizeof(cpus));
	snprintf(cmd, sizeof(cmd), SCRIPT " 1 1024 %s", cpus);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "# host: "));
	check_table(out);
}

static void test_bad_usage_exits_2(void **state)
{
	static const char *const bad[] = {
		BIN " --frames 0", BIN " --rounds x", BIN " --size 59", BIN " --case nope", BIN " --cpu 5000",
		BIN " --peer-cpu -2", BIN " extra", SCRIPT " x",
	};
	char cmd[256], out[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s 2>/dev/null", bad[i]);
		if (run(cmd, out, sizeof(out)) != 2)
			fail_msg("'%s' did not exit 2", bad[i]);
		assert_string_equal(out, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny_run_prints_three_cases),
		cmocka_unit_test(test_script_prints_three_cases),
		cmocka_unit_test(test_bad_usage_exits_2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
