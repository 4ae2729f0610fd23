// SPDX-License-Identifier: MIT
/*
 * Run qemu-system-x86_64 on a PVH-booted payload and parse its serial
 * report (qemu_harness.h).  QEMU runs with no default devices, the
 * isa-debug-exit device at 0xf4 (exit status (v << 1) | 1) and COM1 into a
 * file; a run that outlives its timeout is killed by its pid.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/qemu_harness.h"

#define QEMU_BIN "qemu-system-x86_64"
#define MAX_ARGS 96

const char *qemu_missing(void)
{
	if (system("command -v " QEMU_BIN " >/dev/null 2>&1") != 0)
		return "no " QEMU_BIN " on this host (package qemu-system-x86)";
	return NULL;
}

static char *slurp_path(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, len = 0, n;
	char *b = malloc(cap);

	if (!b)
		abort();
	if (f) {
		while ((n = fread(b + len, 1, cap - len - 1, f)) > 0) {
			len += n;
			if (cap - len < 2 && !(b = realloc(b, cap *= 2)))
				abort();
		}
		fclose(f);
	}
	b[len] = 0;
	return b;
}

static bool kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool host_is_pvm(void)
{
	struct stat st;

	return stat("/sys/module/kvm_pvm", &st) == 0;
}

/* Copy the value of a "key=" token in a line up to the next space (or the line's end if `rest`). */
static void line_value(const char *line, const char *key, char *out, size_t len, bool rest)
{
	char k[40];
	const char *p;
	size_t n = 0;

	snprintf(k, sizeof(k), " %s=", key);
	out[0] = 0;
	p = strstr(line, k);
	if (!p || !len)
		return;
	p += strlen(k);
	while (p[n] && (rest || p[n] != ' ') && n + 1 < len)
		n++;
	memcpy(out, p, n);
	out[n] = 0;
}

static uint64_t line_u64(const char *line, const char *key)
{
	char v[32];

	line_value(line, key, v, sizeof(v), false);
	return strtoull(v, NULL, 0);
}

static void parse_line(struct qemu_result *r, const char *l)
{
	char v[32];

	if (!strncmp(l, "hello ", 6)) {
		r->hello = true;
	} else if (!strncmp(l, "test ", 5)) {
		struct qemu_test *t;

		r->tests = realloc(r->tests, (r->ntests + 1) * sizeof(*r->tests));
		if (!r->tests)
			abort();
		t = &r->tests[r->ntests++];
		memset(t, 0, sizeof(*t));
		line_value(l - 1, "name", t->name, sizeof(t->name), false);
		line_value(l - 1, "params", t->params, sizeof(t->params), false);
		line_value(l - 1, "ring", v, sizeof(v), false);
		t->ring = atoi(v);
	} else if (!strncmp(l, "end ", 4) && r->ntests) {
		struct qemu_test *t = &r->tests[r->ntests - 1];

		line_value(l - 1, "status", t->status, sizeof(t->status), false);
		t->iterations = line_u64(l - 1, "iterations");
		t->samples = line_u64(l - 1, "samples");
		t->median_cycles = line_u64(l - 1, "median_cycles");
		t->phase_cycles = line_u64(l - 1, "phase_cycles");
		line_value(l - 1, "metrics", t->metrics, sizeof(t->metrics), false);
		line_value(l - 1, "reason", t->reason, sizeof(t->reason), true);
	} else if (!strncmp(l, "exception ", 10)) {
		snprintf(r->exception, sizeof(r->exception), "%s", l + 10);
	} else if (!strncmp(l, "done ", 5)) {
		line_value(l - 1, "status", v, sizeof(v), false);
		r->done_status = atoi(v);
	}
}

/* Every "exitlab: " line (the firmware may have written text before it on the same line). */
static void parse_serial(struct qemu_result *r)
{
	char *s = r->serial;

	while (*s) {
		char *eol = strchr(s, '\n'), *p, save = 0;

		if (eol) {
			save = *eol;
			*eol = 0;
		}
		for (char *c = s; *c; c++)
			if (*c == '\r')
				*c = ' ';
		p = strstr(s, "exitlab: ");
		if (p)
			parse_line(r, p + 9); /* p + 8 is the space before: key lookups need it */
		if (!eol)
			break;
		*eol = save;
		s = eol + 1;
	}
}

static int run_once(const struct qemu_opts *o, const char *accel, struct qemu_result *r)
{
	char serial_path[] = "/tmp/exitlab-qemu-serial-XXXXXX", err_path[] = "/tmp/exitlab-qemu-err-XXXXXX";
	char serial_arg[64], mem[16], append[1024], machine[64];
	const char *argv[MAX_ARGS];
	int sfd = mkstemp(serial_path), efd = mkstemp(err_path), status = 0, n = 0;
	int timeout = o->timeout_s > 0 ? o->timeout_s : 60;
	struct timespec t0, now;
	pid_t pid, w;

	if (sfd < 0 || efd < 0)
		return -1;
	close(sfd);
	snprintf(serial_arg, sizeof(serial_arg), "file:%s", serial_path);
	snprintf(mem, sizeof(mem), "%u", o->mem_mib ? o->mem_mib : 64);
	snprintf(machine, sizeof(machine), "%s", o->machine ? o->machine : "q35");
	snprintf(append, sizeof(append), "%s%s", o->params ? o->params : "",
		 !strcmp(accel, "kvm") && host_is_pvm() ? (o->params && *o->params ? " pvm=1" : "pvm=1") : "");

	argv[n++] = QEMU_BIN;
	argv[n++] = "-accel";
	argv[n++] = accel;
	argv[n++] = "-machine";
	argv[n++] = machine;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-serial";
	argv[n++] = serial_arg;
	argv[n++] = "-device";
	argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	argv[n++] = "-kernel";
	argv[n++] = o->payload;
	if (append[0]) {
		argv[n++] = "-append";
		argv[n++] = append;
	}
	for (int i = 0; o->args && o->args[i] && n < MAX_ARGS - 1; i++)
		argv[n++] = o->args[i];
	argv[n] = NULL;

	snprintf(r->accel, sizeof(r->accel), "%s", accel);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(efd, 1);
		dup2(efd, 2);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			r->timed_out = true;
			break;
		}
		usleep(20000);
	}
	close(efd);
	r->exit_code = !r->timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->serial = slurp_path(serial_path);
	r->err = slurp_path(err_path);
	unlink(serial_path);
	unlink(err_path);
	parse_serial(r);
	if (getenv("EXITLAB_TEST_VERBOSE") || r->timed_out)
		fprintf(stderr, "--- qemu (%s) exited %d%s\n--- serial:\n%s\n--- qemu output:\n%s", accel,
			r->exit_code, r->timed_out ? " (timed out, killed)" : "", r->serial, r->err);
	return 0;
}

int qemu_run(const struct qemu_opts *o, struct qemu_result *r)
{
	const char *accel = o->accel;

	memset(r, 0, sizeof(*r));
	r->done_status = -1;
	if (!accel)
		accel = kvm_usable() ? "kvm" : "tcg";
	if (run_once(o, accel, r))
		return -1;
	/* KVM that does not start: QEMU fails before the guest says anything. */
	if (!o->accel && !strcmp(accel, "kvm") && !r->hello && !r->timed_out && r->exit_code != 0 &&
	    strstr(r->err, "kvm")) {
		fprintf(stderr, "qemu: -accel kvm did not start (%.200s); trying tcg\n", r->err);
		qemu_result_free(r);
		memset(r, 0, sizeof(*r));
		r->done_status = -1;
		return run_once(o, "tcg", r);
	}
	return 0;
}

void qemu_result_free(struct qemu_result *r)
{
	free(r->serial);
	free(r->err);
	free(r->tests);
	r->serial = r->err = NULL;
	r->tests = NULL;
	r->ntests = 0;
}

int qemu_kv_u64(const char *list, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			char *end;

			*out = strtoull(p + kl + 1, &end, 0);
			return end == p + kl + 1 ? -1 : 0;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return -1;
}

/* 1 if the list holds the token k=v exactly. */
static bool kv_has(const char *list, const char *kv, size_t len)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && !strncmp(p, kv, len))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static const struct qemu_test *find_test(const struct qemu_result *r, const char *name, int ring,
					 const char *match)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct qemu_test *t = &r->tests[i];
		const char *m = match;
		bool ok = !strcmp(t->name, name) && (ring < 0 || t->ring == ring);

		while (ok && m && *m) {
			const char *end = strchr(m, ',');
			size_t n = end ? (size_t)(end - m) : strlen(m);

			ok = kv_has(t->params, m, n);
			m = end ? end + 1 : NULL;
		}
		if (ok)
			return t;
	}
	return NULL;
}

const struct qemu_test *qemu_find_test(const struct qemu_result *r, const char *name, const char *match)
{
	return find_test(r, name, -1, match);
}

const struct qemu_test *qemu_find_test_ring(const struct qemu_result *r, const char *name, int ring,
					    const char *match)
{
	return find_test(r, name, ring, match);
}

int qemu_free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) && !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}
