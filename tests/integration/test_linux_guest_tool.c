/* SPDX-License-Identifier: MIT */
/*
 * exitlab-guest (linux-guest/, docs/linux-guest.md) run for real on this
 * host: without exitlab.bench= on the command line its workloads run
 * unmeasured and it says so; a malformed key is an error, not an unmeasured
 * run; bad usage exits 2.  EXITLAB_GUEST_CMDLINE stands in for /proc/cmdline.
 * Outcomes and messages only, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define TOOL "build/linux-guest/exitlab-guest"

/* Run a shell command line; its exit code, stdout and stderr together in *out (malloc'd). */
static int run(const char *cmdline, char **out)
{
	char cmd[1024], log[512];
	int st;

	snprintf(log, sizeof(log), "%s/out.txt", harness_tmp);
	snprintf(cmd, sizeof(cmd), "%s >%s 2>&1 </dev/null", cmdline, log);
	st = system(cmd);
	*out = harness_slurp(log, NULL);
	assert_non_null(*out);
	fprintf(stderr, "%s\n%s", cmdline, *out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_pt_churn_runs_unmeasured(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("EXITLAB_GUEST_CMDLINE=/dev/null " TOOL " --quick --test pt-churn", &out), 0);
	assert_non_null(strstr(out, "UNMEASURED run"));
	assert_non_null(strstr(out, "pt-churn: ok"));
	assert_non_null(strstr(out, "0 test(s) failed (unmeasured)"));
	free(out);
	/* /proc/cmdline of this host has no key either. */
	assert_int_equal(run(TOOL " --quick --test pt-churn --param ops=3", &out), 0);
	assert_non_null(strstr(out, "UNMEASURED run"));
	free(out);
}

static void test_every_workload_runs_or_says_why_not(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("EXITLAB_GUEST_CMDLINE=/dev/null " TOOL " --quick --param slices=5 --param ops=3 "
			     "--param frames=50 --param writes=4",
			     &out),
			 0);
	assert_non_null(strstr(out, "idle: ok"));
	assert_non_null(strstr(out, "pt-churn: ok"));
	/* No device given: blk writes nothing on an unmeasured host. */
	assert_non_null(strstr(out, "blk-write: skipped: unmeasured: no default device"));
	assert_non_null(strstr(out, "udp: ok"));
	assert_non_null(strstr(out, "tcp: ok"));
	free(out);
}

static void test_malformed_key_is_an_error(void **state)
{
	char path[600], *out;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/cmdline", harness_tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("quiet exitlab.bench=0x10000,0x510\n", f);
	fclose(f);
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "EXITLAB_GUEST_CMDLINE=%s " TOOL " --quick --test idle", path);
	assert_int_equal(run(cmd, &out), 1);
	assert_non_null(strstr(out, "malformed exitlab.bench=0x10000,0x510"));
	assert_null(strstr(out, "idle: ok"));
	free(out);
}

static void test_usage(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run(TOOL " --help", &out), 0);
	assert_non_null(strstr(out, "exitlab-guest poweroff"));
	assert_non_null(strstr(out, "pt-churn"));
	free(out);
	assert_int_equal(run(TOOL " --test nosuch", &out), 2);
	assert_non_null(strstr(out, "no such workload"));
	free(out);
	assert_int_equal(run(TOOL " --test idle --param fork_pages=3", &out), 2);
	assert_non_null(strstr(out, "no selected workload reads it"));
	free(out);
	assert_int_equal(run(TOOL " --param ops=many", &out), 2);
	assert_non_null(strstr(out, "not a number"));
	free(out);
	assert_int_equal(run(TOOL " --bogus", &out), 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pt_churn_runs_unmeasured),
		cmocka_unit_test(test_every_workload_runs_or_says_why_not),
		cmocka_unit_test(test_malformed_key_is_an_error),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
