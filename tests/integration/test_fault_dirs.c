/* SPDX-License-Identifier: MIT */
/*
 * The results directory made unwritable (chattr +i: root ignores mode bits,
 * not the immutable flag) before a run and under a running campaign, at a
 * point the test controls: a clear diagnostic, a non-zero exit, every result
 * completed before it kept, and a resume once the directory is writable again
 * runs what is left exactly once.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define NLOCKED 2
static char locked[NLOCKED][1024]; /* directories made immutable, cleared in every path */

/* Set or clear the immutable flag of dir; 0, or an errno. */
static int immutable(const char *dir, int on)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), flags, rc = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		rc = errno;
	else {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
			rc = errno;
	}
	close(fd);
	return rc;
}

static void lock_dir(size_t slot, const char *dir)
{
	int rc = immutable(dir, 1);

	if (rc)
		fail_msg("chattr +i %s: %s", dir, strerror(rc));
	snprintf(locked[slot], sizeof(locked[slot]), "%s", dir);
}

static void unlock_all(void)
{
	for (size_t i = 0; i < NLOCKED; i++)
		if (locked[i][0]) {
			immutable(locked[i], 0);
			locked[i][0] = 0;
		}
}

/* NULL if this host lets the test make a directory immutable, else why not. */
static const char *immutable_missing(void)
{
	static char why[200];
	char dir[1100];
	int rc;

	if (geteuid())
		return "chattr +i needs root (CAP_LINUX_IMMUTABLE)";
	snprintf(dir, sizeof(dir), "%s/probe", harness_tmp);
	mkdir(dir, 0755);
	rc = immutable(dir, 1);
	immutable(dir, 0);
	rmdir(dir);
	if (!rc)
		return NULL;
	snprintf(why, sizeof(why), "the file system of %s has no immutable flag: %s", harness_tmp, strerror(rc));
	return why;
}

static int teardown(void **state)
{
	unlock_all();
	return harness_group_teardown(state);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* run --json into a directory that cannot be written: exit 1, why, the previous file kept. */
static void test_run_json_dir(void **state)
{
	char dir[1100], path[1200];
	struct run_out o;
	char *now;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(immutable_missing());
	snprintf(dir, sizeof(dir), "%s/ro-run", harness_tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/keep.json", dir);
	write_file(path, "the previous results\n");
	lock_dir(0, dir);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--quick", "--ring", "3", "--test", "cpuid",
					  "--json", path, NULL });
	unlock_all();
	if (o.exit_code != 1 || !strstr(o.err, path) || !strstr(o.err, strerror(EPERM)))
		fail_msg("exit %d, want 1 naming %s with '%s'; stderr:\n%s", o.exit_code, path, strerror(EPERM),
			 o.err);
	harness_free(&o);
	now = harness_slurp(path, NULL);
	assert_non_null(now);
	assert_string_equal(now, "the previous results\n");
	free(now);
}

static size_t count_status(json_t *m, const char *st)
{
	size_t n = 0, i;
	json_t *e;

	json_array_foreach(json_object_get(m, "entries"), i, e)
		n += !strcmp(json_string_value(json_object_get(e, "status")), st);
	return n;
}

/*
 * Made immutable once entry 0 is recorded done: the campaign stops with the
 * reason and exit 1; entry 0's results are kept; the resume, once the
 * directory is writable again, runs the others once.
 */
static void test_campaign_dir(void **state)
{
	char file[1100], dir[1100], sub[1200], mpath[1200], epath[1200], errpath[1100];
	size_t blen, len;
	char *before, *now, *text;
	struct run_out o;
	int status;
	json_t *m;
	pid_t pid;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(immutable_missing());
	snprintf(file, sizeof(file), "%s/ro.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/ro-out", harness_tmp);
	snprintf(sub, sizeof(sub), "%s/entries", dir);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
	snprintf(epath, sizeof(epath), "%s/entries/000-exit-costs-rep1.json", dir);
	snprintf(errpath, sizeof(errpath), "%s/ro.err", harness_tmp);
	write_file(file, "name: ro\ndefaults: { ring: 3, timeout_s: 120 }\nentries:\n"
			 "  - payload: exit-costs\n    quick: true\n    tests: [cpuid]\n    repetitions: 4\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(harness_exitlab(), harness_exitlab(), "campaign", file, "--out", dir, (char *)NULL);
		_exit(127);
	}
	for (m = NULL; !(m = access(mpath, F_OK) ? NULL : harness_load_json(mpath)) || !count_status(m, "done");
	     usleep(2000)) {
		json_decref(m);
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("the campaign ended before entry 0 was done");
	}
	json_decref(m);
	lock_dir(0, dir);
	lock_dir(1, sub);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlock_all();
	text = harness_slurp(errpath, NULL);
	assert_non_null(text);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !strstr(text, strerror(EPERM)) ||
	    !strstr(text, mpath) || !strstr(text, "--resume"))
		fail_msg("status 0x%x, want exit 1 naming %s with '%s' and how to resume; output:\n%s", status,
			 mpath, strerror(EPERM), text);
	free(text);
	m = harness_load_json(mpath);
	assert_non_null(m);
	assert_true(count_status(m, "done") >= 1);
	assert_int_equal(count_status(m, "failed"), 0);
	json_decref(m);
	before = harness_slurp(epath, &blen);
	assert_non_null(before);

	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	if (o.exit_code != 0)
		fail_msg("resume: exit %d\n%s", o.exit_code, o.err);
	harness_free(&o);
	m = harness_load_json(mpath);
	assert_non_null(m);
	assert_int_equal(count_status(m, "done"), 4);
	json_decref(m);
	now = harness_slurp(epath, &len);
	assert_non_null(now);
	assert_true(len == blen && !memcmp(now, before, len));
	free(now);
	free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_json_dir),
		cmocka_unit_test(test_campaign_dir),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, teardown);
}
