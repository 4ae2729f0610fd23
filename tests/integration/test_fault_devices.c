/* SPDX-License-Identifier: MIT */
/*
 * A device's host side failing under a running guest, at a point the test
 * controls: once exitlab's --progress file shows the first test finished, the
 * test stops exitlab (SIGSTOP), counts the tests finished (exact: nothing runs
 * while it is stopped), breaks the host side, and lets it go on (SIGCONT).
 * - virtio-blk: the image truncated to 0 bytes between the write and the read
 *   test: a diagnostic naming the image, the read test failed with its reason,
 *   the write test's results kept, exit 1.
 * - virtio-net on a tap (in a network namespace of its own): the tap deleted
 *   after the first TX test: a diagnostic naming the interface, the first
 *   test's results kept, the frames sent after it counted as tx_errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

/*
 * Fork; in a new network namespace with a tap xltap0 if netns; exec exitlab
 * with args, stdout to /dev/null, stderr to errpath.
 */
static pid_t spawn(const char *const *args, const char *errpath, bool netns)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[40];
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644), nul = open("/dev/null", O_WRONLY);
		size_t n = 0;

		dup2(nul, 1);
		dup2(fd, 2);
		if (netns && (unshare(CLONE_NEWNET) ||
			      system("ip tuntap add dev xltap0 mode tap vnet_hdr && ip link set xltap0 up")))
			_exit(126);
		argv[n++] = harness_exitlab();
		while (*args && n < 39)
			argv[n++] = *args++;
		argv[n] = NULL;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/*
 * Once progress shows a finished test: stop pid, run `brk` on it, let it go
 * on. Returns the tests finished when it was stopped.
 */
static int break_after_first(pid_t pid, const char *progress, void (*brk)(pid_t pid, void *arg), void *arg)
{
	int status, seen;

	/* a bound only for a run that never gets there (10 minutes) */
	for (int i = 0; i < 300000 && harness_progress_lines(progress) < 1; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("exitlab ended (status 0x%x) before its first test finished", status);
		usleep(2000);
	}
	assert_int_equal(kill(pid, SIGSTOP), 0);
	seen = harness_progress_lines(progress);
	brk(pid, arg);
	assert_int_equal(kill(pid, SIGCONT), 0);
	return seen;
}

static int wait_exit(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static json_t *test_at(json_t *doc, size_t i)
{
	json_t *t = json_array_get(json_object_get(doc, "tests"), i);

	assert_non_null(t);
	return t;
}

static const char *status(json_t *t)
{
	return json_string_value(json_object_get(t, "status"));
}

static void truncate_image(pid_t pid, void *img)
{
	(void)pid;
	assert_int_equal(truncate(img, 0), 0);
}

static void test_blk_image_truncated(void **state)
{
	char img[1024], progress[1024], json[1024], errpath[1024], dev[1200];
	char *err;
	json_t *doc;
	int seen, code;
	pid_t pid;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(img, sizeof(img), "%s/disk.img", harness_tmp);
	snprintf(progress, sizeof(progress), "%s/blk.progress", harness_tmp);
	snprintf(json, sizeof(json), "%s/blk.json", harness_tmp);
	snprintf(errpath, sizeof(errpath), "%s/blk.err", harness_tmp);
	snprintf(dev, sizeof(dev), "virtio-blk,file=%s", img);
	assert_int_equal(close(open(img, O_WRONLY | O_CREAT | O_TRUNC, 0644)), 0);
	assert_int_equal(truncate(img, 64 << 20), 0);
	/* 4096 reads of 4 KiB: the read test is far from done when the first line comes */
	pid = spawn((const char *[]){ "run", harness_payload("blk"), "--ring", "3", "--no-baseline", "--device", dev,
				      "--param", "rw=write,read", "--param", "ios=4096", "--progress", progress,
				      "--json", json, NULL },
		    errpath, false);
	seen = break_after_first(pid, progress, truncate_image, img);
	code = wait_exit(pid);
	err = harness_slurp(errpath, NULL);
	assert_non_null(err);
	if (seen != 1)
		fail_msg("%d tests had finished when the image was truncated, want 1\n%s", seen, err);
	if (code != 1 || !strstr(err, img) || !strstr(err, "shrank under the run"))
		fail_msg("exit %d, want 1 and a diagnostic naming %s\n%s", code, img, err);
	free(err);
	doc = harness_load_json(json);
	assert_non_null(doc);
	/* the test finished before is kept; the one the truncation hit says why it failed */
	assert_string_equal(status(test_at(doc, 0)), "ok");
	assert_string_equal(status(test_at(doc, 1)), "failed");
	assert_non_null(json_string_value(json_object_get(test_at(doc, 1), "reason")));
	json_decref(doc);
}

static void delete_tap(pid_t pid, void *arg)
{
	char cmd[128];

	(void)arg;
	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n ip link del xltap0", (int)pid);
	assert_int_equal(system(cmd), 0);
}

static json_int_t netdev_stat(json_t *t, const char *key)
{
	json_t *d = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), "netdev");

	return json_integer_value(json_object_get(d, key));
}

static void test_tap_deleted(void **state)
{
	char progress[1024], json[1024], errpath[1024];
	char *err;
	json_t *doc, *last;
	int seen, code;
	pid_t pid;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(geteuid() || access("/dev/net/tun", R_OK | W_OK) || system("ip -V >/dev/null 2>&1") ||
			system("command -v nsenter >/dev/null 2>&1") ?
			"needs root, /dev/net/tun, iproute2 and nsenter" : NULL);
	snprintf(progress, sizeof(progress), "%s/tap.progress", harness_tmp);
	snprintf(json, sizeof(json), "%s/tap.json", harness_tmp);
	snprintf(errpath, sizeof(errpath), "%s/tap.err", harness_tmp);
	pid = spawn((const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline", "--device",
				      "virtio-net", "--netdev", "tap,ifname=xltap0,vnet_hdr=1", "--param",
				      "frames=65536", "--param", "batch=32,64", "--param", "dir=tx", "--progress",
				      progress, "--json", json, NULL },
		    errpath, true);
	seen = break_after_first(pid, progress, delete_tap, NULL);
	code = wait_exit(pid);
	err = harness_slurp(errpath, NULL);
	assert_non_null(err);
	if (seen != 1)
		fail_msg("%d tests had finished when the tap was deleted, want 1\n%s", seen, err);
	if (code == -1 || !strstr(err, "net backend tap xltap0: sending a frame failed") ||
	    !strstr(err, "deleted"))
		fail_msg("exit %d, want a diagnostic naming xltap0\n%s", code, err);
	free(err);
	doc = harness_load_json(json);
	assert_non_null(doc);
	/* the test before the deletion is kept whole; the frames after it went nowhere, and say so */
	assert_string_equal(status(test_at(doc, 0)), "ok");
	assert_int_equal(netdev_stat(test_at(doc, 0), "tx_frames"), 65536);
	assert_int_equal(netdev_stat(test_at(doc, 0), "tx_errors"), 0);
	last = test_at(doc, 1);
	assert_true(netdev_stat(last, "tx_errors") > 0);
	assert_int_equal(netdev_stat(last, "tx_frames") + netdev_stat(last, "tx_errors"), 65536);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blk_image_truncated),
		cmocka_unit_test(test_tap_deleted),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
