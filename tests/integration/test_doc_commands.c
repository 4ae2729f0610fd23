/* SPDX-License-Identifier: MIT */
/*
 * The device examples of README.md and docs/devices.md work as written
 * (the first of them once failed). Taken from the documents
 * themselves, so that an example edited there is an example tested here:
 *  - every fenced code block with an `exitlab run <payload> ... --device`
 *    line runs whole, as a `sh -e` script;
 *  - every inline `exitlab run <payload> ... --device ...` span runs alone.
 * They run in a fresh directory holding an empty 16 MiB disk.img (what
 * `truncate -s 16M disk.img` makes, for the blk examples), with `exitlab`
 * on PATH. A command may exit 0, or 3 where this host lacks what it needs
 * (reported, as far as this host allows); anything else fails the test.
 * A synopsis (PAYLOAD, [optional], ...) is not an example and is left out.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Whether s (a line or a span) holds "exitlab run <lowercase payload>" and "--device". */
static bool device_example(const char *s, size_t len)
{
	char tmp[4096];
	const char *r;

	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	r = strstr(tmp, "exitlab run ");
	return r && islower((unsigned char)r[strlen("exitlab run ")]) && strstr(tmp, "--device");
}

/* A directory with `exitlab` (the binary under test) and nothing else, for PATH. */
static const char *bin_dir(void)
{
	static char dir[PATH_MAX];
	char target[PATH_MAX], link[PATH_MAX + 16];

	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s/docbin", harness_tmp);
	mkdir(dir, 0755);
	assert_non_null(realpath(harness_exitlab(), target));
	snprintf(link, sizeof(link), "%s/exitlab", dir);
	unlink(link);
	/* a symlink: exitlab finds its payloads beside the file /proc/self/exe names */
	assert_int_equal(symlink(target, link), 0);
	return dir;
}

/* A fresh working directory with the blk examples' disk.img. */
static void fresh_dir(char *dir, size_t len, const char *doc, unsigned n)
{
	char img[PATH_MAX + 16];
	int fd;

	snprintf(dir, len, "%s/doc-%s-%u", harness_tmp, doc, n);
	mkdir(dir, 0755);
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 16 << 20), 0);
	close(fd);
}

/* Run script with sh -e in dir; its exit status, its output in dir/out.txt. */
static int run_script(const char *dir, const char *script)
{
	char path[PATH_MAX * 2 + 8], out[PATH_MAX + 16];
	const char *old = getenv("PATH");
	pid_t pid;
	int st;

	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(path, sizeof(path), "%s:%s", bin_dir(), old ? old : "/usr/bin:/bin");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || chdir(dir))
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("PATH", path, 1);
		execl("/bin/sh", "sh", "-e", "-c", script, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run one example; fail the test with its output unless it exits 0 (or 3: reported). */
static void run_example(const char *doc, unsigned n, const char *script)
{
	char dir[PATH_MAX], out[PATH_MAX + 16];
	int code;

	fresh_dir(dir, sizeof(dir), doc, n);
	fprintf(stderr, "%s example %u:\n%s\n", doc, n, script);
	code = run_script(dir, script);
	if (code == 0)
		return;
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	{
		char *text = slurp(out);

		if (code == 3) {
			fprintf(stderr, "  exit 3, this host lacks what it needs:\n%s\n", text);
			free(text);
			return;
		}
		fprintf(stderr, "  exit %d:\n%s\n", code, text);
		free(text);
	}
	fail_msg("%s example %u exits %d", doc, n, code);
}

/* Every device example of the document at path; how many ran. */
static unsigned run_doc(const char *path, const char *name)
{
	char *text = slurp(path), *p = text;
	unsigned n = 0;

	/* fenced blocks */
	while ((p = strstr(p, "```"))) {
		char *body = strchr(p, '\n'), *end;
		bool example = false;

		if (!body)
			break;
		body++;
		end = strstr(body, "\n```");
		if (!end)
			break;
		for (char *l = body; l < end;) {
			char *nl = memchr(l, '\n', (size_t)(end - l));
			size_t len = nl ? (size_t)(nl - l) : (size_t)(end - l);

			example |= device_example(l, len);
			l += len + 1;
		}
		if (example) {
			*end = 0;
			run_example(name, ++n, body);
			*end = '\n';
		}
		p = end + 4;
	}
	/* inline spans, outside the blocks */
	p = text;
	for (bool fenced = false; *p;) {
		if (!strncmp(p, "```", 3)) {
			fenced = !fenced;
			p += 3;
			continue;
		}
		if (!fenced && *p == '`') {
			char *close = strchr(p + 1, '`');

			if (!close)
				break;
			if (device_example(p + 1, (size_t)(close - p - 1)) &&
			    !strncmp(p + 1, "exitlab run ", 12)) {
				*close = 0;
				run_example(name, ++n, p + 1);
				*close = '`';
			}
			p = close + 1;
			continue;
		}
		p++;
	}
	free(text);
	return n;
}

static void test_readme(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	/* e1000, virtio-net (the first example that failed) and blk */
	assert_true(run_doc("README.md", "README.md") >= 3);
}

static void test_devices_md(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	/* the first examples, the measurement, the charts, bar-read */
	assert_true(run_doc("docs/devices.md", "devices.md") >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme),
		cmocka_unit_test(test_devices_md),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
