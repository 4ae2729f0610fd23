/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

const char *harness_exitlab(void)
{
	const char *e = getenv("EXITLAB_BIN");

	return e && *e ? e : "build/exitlab-san";
}

const char *harness_payload(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "build/payloads/%s.elf", name);
	return buf[i];
}

static char *slurp(int fd)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, b + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2)
			b = realloc(b, cap *= 2);
	}
	b[len] = 0;
	return b;
}

int harness_run(struct run_out *o, const char *const *args)
{
	return harness_run_as(o, -1, args);
}

int harness_run_as(struct run_out *o, int uid, const char *const *args)
{
	char outp[] = "/tmp/exitlab-test-out-XXXXXX", errp[] = "/tmp/exitlab-test-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), status;
	const char *argv[64];
	size_t n = 0;
	pid_t pid;

	unlink(outp);
	unlink(errp);
	argv[n++] = harness_exitlab();
	while (args[n - 1] && n < 63) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (uid >= 0 && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	waitpid(pid, &status, 0);
	o->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	o->out = slurp(ofd);
	o->err = slurp(efd);
	close(ofd);
	close(efd);
	if (o->exit_code < 0 || getenv("EXITLAB_TEST_VERBOSE"))
		fprintf(stderr, "--- exitlab exited %d\n--- stdout:\n%s--- stderr:\n%s", o->exit_code,
			o->out, o->err);
	return o->exit_code;
}

void harness_free(struct run_out *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

const char *harness_kvm_missing(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? "no /dev/kvm on this host" : "/dev/kvm not accessible";
	close(fd);
	return NULL;
}

char *harness_tmpdir(void)
{
	char *d = strdup("/tmp/exitlab-test-XXXXXX");

	return mkdtemp(d) ? d : NULL;
}

void harness_rmdir(char *dir)
{
	char cmd[512];

	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
}

json_t *harness_find_test(json_t *doc, const char *name, int ring)
{
	json_t *tests = json_object_get(doc, "tests"), *t;
	size_t i;

	json_array_foreach(tests, i, t) {
		json_t *r = json_object_get(t, "ring");

		if (!strcmp(json_string_value(json_object_get(t, "name")), name) &&
		    ((ring < 0 && json_is_null(r)) || (json_is_integer(r) && json_integer_value(r) == ring)))
			return t;
	}
	return NULL;
}

char *harness_tmp;

int harness_group_setup(void **state)
{
	(void)state;
	harness_tmp = harness_tmpdir();
	return harness_tmp ? 0 : -1;
}

int harness_group_teardown(void **state)
{
	(void)state;
	harness_rmdir(harness_tmp);
	harness_tmp = NULL;
	return 0;
}

char *harness_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *b;

	if (!f)
		return NULL;
	b = malloc(cap);
	while (b && (got = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2 && !(b = realloc(b, cap *= 2)))
			break;
	}
	fclose(f);
	if (!b)
		return NULL;
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

size_t harness_md_links(const char *md, const char *dir, long min_bytes)
{
	size_t n = 0;

	for (const char *p = md; (p = strstr(p, "](")); ) {
		char name[256], path[1024];
		const char *e = strchr(p + 2, ')');
		struct stat st;

		assert_non_null(e);
		if (p[2] == '#') { /* a link within the document (the report's contents): not a file */
			p = e;
			continue;
		}
		assert_true(e - (p + 2) < (long)sizeof(name));
		snprintf(name, sizeof(name), "%.*s", (int)(e - (p + 2)), p + 2);
		assert_null(strchr(name, '/')); /* next to the Markdown, linked relatively */
		assert_null(strstr(name, "http"));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > min_bytes);
		n++;
		p = e;
	}
	return n;
}

json_t *harness_load_json(const char *path)
{
	json_error_t je;
	json_t *d = json_load_file(path, 0, &je);

	if (!d)
		fprintf(stderr, "%s: %s (line %d)\n", path, je.text, je.line);
	return d;
}

pid_t harness_spawn(const char *const *args, const char *outpath, bool append)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32];
		int fd = open(outpath, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
		size_t n = 0;

		argv[n++] = harness_exitlab();
		while (*args && n < 31)
			argv[n++] = *args++;
		argv[n] = NULL;
		dup2(fd, 2);
		dup2(fd, 1);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	return pid;
}

int harness_progress_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

void harness_assert_sanitizers_silent(const struct run_out *o)
{
	static const char *const bad[] = { "runtime error", "AddressSanitizer", "LeakSanitizer", "SUMMARY:" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strstr(o->err, bad[i]))
			fprintf(stderr, "stderr has '%s':\n%s", bad[i], o->err);
		assert_null(strstr(o->err, bad[i]));
	}
	assert_true(o->exit_code >= 0); /* not killed by a signal */
}
