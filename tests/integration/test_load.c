/* SPDX-License-Identifier: MIT */
/*
 * The tests that depend most on other processes pass with every core busy: a
 * CPU hog on each online CPU (stress-ng --cpu N when installed, else busy
 * children), and beside it the vhost-user back-end kill tests, the campaign
 * SIGKILL/resume tests and a virtio-net and e1000 run to the checking sink.
 * The hog is stopped in the group teardown and dies with this test if it dies
 * (PR_SET_PDEATHSIG; stress-ng also has a --timeout).
 * Outcomes are asserted, timings never.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define MAX_HOGS 256
static pid_t hogs[MAX_HOGS]; /* stress-ng, or one spinner per CPU: all children of this process */
static size_t nhogs;
static bool stress;

static int on_path(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static pid_t fork_hog(pid_t parent)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "load: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* dies with this test, whatever kills it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(0);
		if (stress) {
			char n[16];
			int nul = open("/dev/null", O_WRONLY);

			dup2(nul, 1);
			snprintf(n, sizeof(n), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
			/* its workers die with it (stress-ng watches its parent), --timeout bounds them anyway */
			execlp("stress-ng", "stress-ng", "--cpu", n, "--timeout", "1800s", "--quiet", (char *)NULL);
			_exit(127);
		}
		for (volatile unsigned long x = 0;; x++)
			;
	}
	return pid;
}

static void start_hog(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pid_t parent = getpid();

	if (ncpu < 1)
		ncpu = 1;
	stress = on_path("stress-ng");
	for (long i = 0; i < (stress ? 1 : ncpu) && nhogs < MAX_HOGS; i++) {
		pid_t pid = fork_hog(parent);

		if (pid > 0)
			hogs[nhogs++] = pid;
	}
	fprintf(stderr, "load: %s on %ld CPUs beside the tests\n", stress ? "stress-ng --cpu" : "busy loops",
		ncpu);
}

/*
 * stress-ng gets SIGTERM first so that it reaps its workers (a killed parent
 * leaves them to init, which may not reap them); then SIGKILL, always.
 */
static void stop_hog(void)
{
	for (size_t i = 0; i < nhogs; i++) {
		int status;

		if (stress) {
			kill(hogs[i], SIGTERM);
			/* a bound only: stress-ng stops its workers at once */
			for (int k = 0; k < 3000 && waitpid(hogs[i], &status, WNOHANG) == 0; k++)
				usleep(10000);
		}
		kill(hogs[i], SIGKILL);
		waitpid(hogs[i], &status, 0);
	}
	nhogs = 0;
}

static int setup(void **state)
{
	int rc = harness_group_setup(state);

	if (!rc)
		start_hog();
	return rc;
}

static int teardown(void **state)
{
	stop_hog();
	return harness_group_teardown(state);
}

/*
 * Run a test binary of this suite with only the tests the filter names; its
 * exit status, its output in *out (malloc'd).
 */
static int run_suite(const char *bin, const char *filter, const char *const *env, char **out)
{
	char log[1024];
	int status;
	pid_t pid;

	if (access(bin, X_OK))
		fail_msg("%s is not built (make %s)", bin, bin);
	snprintf(log, sizeof(log), "%s/suite.log", harness_tmp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("EXITLAB_TEST_FILTER", filter, 1);
		for (; env && *env; env += 2)
			setenv(env[0], env[1], 1);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	*out = harness_slurp(log, NULL);
	assert_non_null(*out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_suite(const char *bin, const char *filter, const char *const *env)
{
	char *out;
	int rc = run_suite(bin, filter, env, &out);

	const char *passed = strstr(out, "[  PASSED  ]");

	if (rc || strstr(out, "[  FAILED  ]") || !passed)
		fail_msg("%s (%s) under load: exit %d\n%s", bin, filter, rc, out);
	fprintf(stderr, "load: %s %s: %.*s%s\n", bin, filter, (int)strcspn(passed, "\n"), passed,
		strstr(out, "[  SKIPPED ]") ? " (some skipped: see their reasons)" : "");
	free(out);
}

/* The back-end SIGKILLed after N tests, the run stopped or reconnected. */
static void test_vhost_user_kill(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	expect_suite("build/tests/test_vhost_user", "test_kill_backend_*", NULL);
}

/* A campaign SIGKILLed after entry k and at random points, resumed, and a resume beside a run. */
static void test_campaign_kill(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	expect_suite("build/tests/test_campaign_kill", "test_*",
		     (const char *const[]){ "EXITLAB_KILL_TRIALS", "2", NULL });
}

/* A device run (the guest's driver, the device thread, the sink) with every core busy. */
static void test_device_runs(void **state)
{
	const char *const models[][2] = { { "virtio-net", "virtio-net" }, { "e1000", "e1000" } };
	(void)state;

	HARNESS_NEED_KVM();
	for (size_t i = 0; i < 2; i++) {
		char json[1024];
		struct run_out o;
		json_t *doc, *t;
		size_t k;

		snprintf(json, sizeof(json), "%s/%s.json", harness_tmp, models[i][0]);
		harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
						  "--device", models[i][0], "--netdev", "sink,check=1",
						  "--param", "frames=256", "--param", "batch=1,32",
						  "--param", "dir=tx", "--json", json, NULL });
		if (o.exit_code != 0)
			fail_msg("%s under load: exit %d\n%s", models[i][0], o.exit_code, o.err);
		harness_free(&o);
		doc = harness_load_json(json);
		assert_non_null(doc);
		assert_int_equal(json_array_size(json_object_get(doc, "tests")), 2);
		json_array_foreach(json_object_get(doc, "tests"), k, t) {
			json_t *sink = json_object_get(json_object_get(json_object_get(t, "host"), "devices"),
						       "netdev");

			assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
			assert_int_equal(json_integer_value(json_object_get(sink, "tx_frames")), 256);
			assert_int_equal(json_integer_value(json_object_get(sink, "tx_bad_payload")), 0);
		}
		json_decref(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_runs),
		cmocka_unit_test(test_campaign_kill),
		cmocka_unit_test(test_vhost_user_kill),
	};

	if (getenv("EXITLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("EXITLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
