/* SPDX-License-Identifier: MIT */
/*
 * A guest that floods the bench log or the serial console (the flood
 * payload) is bounded: what passes on is at most GUEST_TEXT_MAX bytes a
 * channel (devices/platform/guest_text.h), the rest dropped with a note; the test
 * after the flood is kept; the VMM's peak RSS stays within GUEST_TEXT_MAX x 4
 * of a quiet run's (the VMM holds none of the text, so a flood of 16 MiB
 * leaves no trace there); time is bounded by --timeout. The release binary is
 * measured: ASan's quarantine would hold freed mailbox copies and blur RSS.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"
#include "devices/platform/guest_text.h"

struct child {
	int status;
	long maxrss_kib;
	off_t err_bytes;
	char *err;
};

/* build/exitlab run flood ARGS..., stderr to a file; its peak RSS from wait4. */
static void run_release(struct child *c, const char *const *args)
{
	char errpath[1024], jsonpath[1024];
	const char *argv[24];
	struct rusage ru;
	struct stat st;
	size_t n = 0;
	pid_t pid;

	if (access("build/exitlab", X_OK))
		fail_msg("build/exitlab is not built");
	snprintf(errpath, sizeof(errpath), "%s/flood.err", harness_tmp);
	snprintf(jsonpath, sizeof(jsonpath), "%s/flood.json", harness_tmp);
	unlink(jsonpath);
	argv[n++] = "build/exitlab";
	argv[n++] = "run";
	argv[n++] = "flood";
	while (*args && n < 20)
		argv[n++] = *args++;
	argv[n++] = "--json";
	argv[n++] = jsonpath;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644), nul = open("/dev/null", O_WRONLY);

		dup2(nul, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &c->status, 0, &ru), pid);
	c->maxrss_kib = ru.ru_maxrss;
	assert_int_equal(stat(errpath, &st), 0);
	c->err_bytes = st.st_size;
	c->err = harness_slurp(errpath, NULL);
	assert_non_null(c->err);
}

static int exit_code(const struct child *c)
{
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
}

/* The flood's "after" test is in the results, ok. */
static void assert_after_kept(void)
{
	char path[1024];
	json_t *doc, *t;

	snprintf(path, sizeof(path), "%s/flood.json", harness_tmp);
	doc = harness_load_json(path);
	assert_non_null(doc);
	t = json_array_get(json_object_get(doc, "tests"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "name")), "after");
	assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
	json_decref(doc);
}

/* 16 MiB of LOG records: 1 MiB passes, a note says the rest was dropped, the test is kept. */
static void test_log_flood(void **state)
{
	struct child quiet, flood;
	(void)state;

	HARNESS_NEED_KVM();
	run_release(&quiet, (const char *[]){ "--param", "what=log", "--param", "mib=0", NULL });
	if (exit_code(&quiet) != 0)
		fail_msg("quiet run: status 0x%x\n%s", quiet.status, quiet.err);
	run_release(&flood, (const char *[]){ "--param", "what=log", "--param", "mib=16", NULL });
	if (exit_code(&flood) != 0)
		fail_msg("flood: status 0x%x\n%.4000s", flood.status, flood.err);
	assert_non_null(strstr(flood.err, "the guest's log passed 1048576 bytes: the rest of it is dropped"));
	assert_non_null(strstr(flood.err, "bytes of the guest's serial output and"));
	/* the text that passed, with its "guest: " prefixes and the notes */
	if (flood.err_bytes > (off_t)GUEST_TEXT_MAX + 64 * 1024)
		fail_msg("%lld bytes on stderr, more than the %u a channel may pass", (long long)flood.err_bytes,
			 GUEST_TEXT_MAX);
	assert_after_kept();
	fprintf(stderr, "peak RSS: quiet %ld KiB, 16 MiB log flood %ld KiB\n", quiet.maxrss_kib, flood.maxrss_kib);
	assert_true(flood.maxrss_kib <= quiet.maxrss_kib + 4 * (GUEST_TEXT_MAX / 1024));
	free(quiet.err);
	free(flood.err);
}

/*
 * The serial console flooded until --timeout stops the run: bounded in time by
 * it, in size by GUEST_TEXT_MAX (a host whose port exits are fast reaches the
 * cap; on a slow one the timeout comes first), in memory as above.
 */
static void test_serial_flood(void **state)
{
	struct child quiet, flood;
	(void)state;

	HARNESS_NEED_KVM();
	run_release(&quiet, (const char *[]){ "--param", "what=serial", "--param", "mib=0", NULL });
	if (exit_code(&quiet) != 0)
		fail_msg("quiet run: status 0x%x\n%s", quiet.status, quiet.err);
	run_release(&flood, (const char *[]){ "--param", "what=serial", "--param", "mib=4096", "--timeout", "5",
					      NULL });
	if (exit_code(&flood) != 1 || !strstr(flood.err, "timed out"))
		fail_msg("flood: status 0x%x, want exit 1 (timed out)\n%.2000s", flood.status, flood.err);
	/* "serial: " before each 63-character line: 1/8 more than what passed */
	if (flood.err_bytes > (off_t)GUEST_TEXT_MAX * 9 / 8 + 64 * 1024)
		fail_msg("%lld bytes on stderr, more than the %u a channel may pass", (long long)flood.err_bytes,
			 GUEST_TEXT_MAX);
	fprintf(stderr, "serial flood: %lld bytes on stderr in the 5 s; peak RSS: quiet %ld KiB, flood %ld KiB\n",
		(long long)flood.err_bytes, quiet.maxrss_kib, flood.maxrss_kib);
	assert_true(flood.maxrss_kib <= quiet.maxrss_kib + 4 * (GUEST_TEXT_MAX / 1024));
	free(quiet.err);
	free(flood.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_flood),
		cmocka_unit_test(test_serial_flood),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
