/* SPDX-License-Identifier: MIT */
/*
 * exitlab observe against tools and a VMM we did not write: QEMU boots a
 * fixture with known per-port PIO counts while both `perf stat` (filtered per
 * port) and `exitlab observe` watch it from before the first guest
 * instruction to QEMU's exit; the counts must be equal, and equal to the
 * fixture's. Also: observing exitlab itself reads its KVM stats fds, and bad
 * targets are refused with exit code 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define FIXTURE "build/tests/pio-bios.bin"

static bool in_path(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* fork+exec with stdout to out_fd (-1: /dev/null) and stderr to err_fd (-1: /dev/null). */
static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(err_fd >= 0 ? err_fd : null, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* waitpid with a deadline; kills the child if it overstays. Returns the exit status or -1. */
static int wait_for(pid_t pid, int seconds)
{
	int status;

	for (int i = 0; i < seconds * 20; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fprintf(stderr, "pid %d did not finish in %d s: killed\n", (int)pid, seconds);
	return -1;
}

/* Read lines from fd until one contains needle (or timeout). */
static bool wait_line(int fd, const char *needle, int seconds, char *buf, size_t len)
{
	size_t used = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	buf[0] = 0;
	while (used < len - 1 && poll(&p, 1, seconds * 1000) > 0) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n <= 0)
			break;
		used += n;
		buf[used] = 0;
		if (strstr(buf, needle))
			return true;
	}
	return false;
}

static int qmp_cont(const char *sock_path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	const char *cmds[] = { "{\"execute\":\"qmp_capabilities\"}\n", "{\"execute\":\"cont\"}\n" };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(sock_path) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, sock_path, strlen(sock_path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	if (!wait_line(fd, "QMP", 120, buf, sizeof(buf)))
		return -1;
	for (int i = 0; i < 2; i++)
		if (write(fd, cmds[i], strlen(cmds[i])) < 0 || !wait_line(fd, "return", 120, buf, sizeof(buf)))
			return -1;
	close(fd);
	return 0;
}

/* perf stat -x, output: the first field of each counter line, in order. */
static int perf_counts(const char *path, long long *v, int max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (line[0] >= '0' && line[0] <= '9' && strstr(line, "kvm:"))
			v[n++] = atoll(line);
	fclose(f);
	return n;
}

static long long port_count(json_t *doc, int port)
{
	json_t *ports = json_object_get(json_object_get(doc, "tracepoints"), "ioports"), *e;
	size_t i;
	long long sum = 0;

	json_array_foreach(ports, i, e)
		if (json_integer_value(json_object_get(e, "port")) == port)
			sum += json_integer_value(json_object_get(e, "count"));
	return sum;
}

static long long fired(json_t *doc, const char *event)
{
	return json_integer_value(json_object_get(
		json_object_get(json_object_get(doc, "tracepoints"), "events_fired"), event));
}

static void test_observe_qemu_matches_perf(void **state)
{
	char sock[512], ctl[512], ack[512], perf_out[512], obs_json[512], qpid[32], buf[4096];
	long long perf[4];
	int errp[2], ctl_fd, ack_fd;
	pid_t qemu, perf_pid, obs;
	json_error_t je;
	json_t *doc;
	(void)state;

	if (harness_kvm_missing() || !in_path("qemu-system-x86_64") || !in_path("perf")) {
		fprintf(stderr, "skipped: needs /dev/kvm, qemu-system-x86_64 and perf\n");
		skip();
	}
	snprintf(sock, sizeof(sock), "%s/qmp.sock", harness_tmp);
	snprintf(ctl, sizeof(ctl), "%s/perf.ctl", harness_tmp);
	snprintf(ack, sizeof(ack), "%s/perf.ack", harness_tmp);
	snprintf(perf_out, sizeof(perf_out), "%s/perf.csv", harness_tmp);
	snprintf(obs_json, sizeof(obs_json), "%s/observe.json", harness_tmp);
	snprintf(buf, sizeof(buf), "unix:%s,server=on,wait=off", sock);

	/* QEMU, paused before the first guest instruction. */
	qemu = spawn((const char *[]){ "qemu-system-x86_64", "-accel", "kvm", "-M", "pc", "-m", "16",
				       "-nodefaults", "-display", "none", "-bios", FIXTURE,
				       "-device", "isa-debug-exit,iobase=0xf4,iosize=1", "-S",
				       "-qmp", buf, NULL }, -1, -1);
	assert_true(qemu > 0);
	for (int i = 0; i < 2400 && access(sock, F_OK); i++) /* a bound only: 120 s */
		usleep(50000);
	assert_int_equal(access(sock, F_OK), 0);
	snprintf(qpid, sizeof(qpid), "%d", (int)qemu);

	/* perf stat attached and enabled (it acks 'enable' once counting). */
	assert_int_equal(mkfifo(ctl, 0600), 0);
	assert_int_equal(mkfifo(ack, 0600), 0);
	snprintf(buf, sizeof(buf), "fifo:%s,%s", ctl, ack);
	perf_pid = spawn((const char *[]){ "perf", "stat", "--control", buf, "-D", "-1", "-x,", "-o", perf_out,
					   "-e", "kvm:kvm_pio", "--filter", "port == 0x80",
					   "-e", "kvm:kvm_pio", "--filter", "port == 0x84",
					   "-e", "kvm:kvm_pio", "-e", "kvm:kvm_userspace_exit",
					   "-p", qpid, NULL }, -1, -1);
	ctl_fd = open(ctl, O_WRONLY);
	ack_fd = open(ack, O_RDONLY);
	assert_true(ctl_fd >= 0 && ack_fd >= 0);
	assert_true(write(ctl_fd, "enable\n", 7) == 7);
	assert_true(wait_line(ack_fd, "ack", 120, buf, sizeof(buf)));

	/* exitlab observe attached (it says so on stderr). */
	assert_int_equal(pipe(errp), 0);
	obs = spawn((const char *[]){ harness_exitlab(), "observe", "--pid", qpid, "--json", obs_json, NULL },
		    -1, errp[1]);
	close(errp[1]);
	if (!wait_line(errp[0], "observing", 120, buf, sizeof(buf)))
		fail_msg("exitlab observe did not attach: %s", buf);

	/* Run the guest to its isa-debug-exit (QEMU exit status 1). */
	assert_int_equal(qmp_cont(sock), 0);
	assert_int_equal(wait_for(qemu, 120), 1);
	assert_int_equal(wait_for(perf_pid, 120), 0);
	assert_int_equal(wait_for(obs, 120), 0);
	close(ctl_fd);
	close(ack_fd);
	close(errp[0]);

	assert_int_equal(perf_counts(perf_out, perf, 4), 4);
	doc = json_load_file(obs_json, 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "exitlab-observe");
	/* The fixture's own numbers, perf's, and ours. */
	assert_int_equal(perf[0], 3000);
	assert_int_equal(perf[1], 2000);
	assert_int_equal(port_count(doc, 0x80), perf[0]);
	assert_int_equal(port_count(doc, 0x84), perf[1]);
	assert_int_equal(fired(doc, "kvm:kvm_pio"), perf[2]);
	assert_int_equal(fired(doc, "kvm:kvm_userspace_exit"), perf[3]);
	json_decref(doc);
}

/* Whether process pid has an fd whose link starts with what. */
static bool has_fd(pid_t pid, const char *what)
{
	for (int fd = 0; fd < 64; fd++) {
		char path[64], link[128];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, what, strlen(what))))
			return true;
	}
	return false;
}

static void test_observe_exitlab_stats_fds(void **state)
{
	char obs_json[512], pid[32];
	struct run_out o;
	json_error_t je;
	json_t *doc, *st, *e;
	pid_t vm;
	size_t i, kinds = 0;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	vm = spawn((const char *[]){ harness_exitlab(), "run", harness_payload("runaway"), "--timeout", "600",
				     NULL }, -1, -1);
	/*
	 * Wait until its vCPU's stats fd exists (the last of the fds observe
	 * reads; a fixed sleep could lose that race on a busy host). A bound only for
	 * a run that never gets there.
	 */
	for (int k = 0; k < 1200 && !has_fd(vm, "anon_inode:kvm-vcpu-stats"); k++)
		usleep(50000);
	assert_true(has_fd(vm, "anon_inode:kvm-vcpu-stats"));
	snprintf(pid, sizeof(pid), "%d", (int)vm);
	snprintf(obs_json, sizeof(obs_json), "%s/observe-self.json", harness_tmp);
	harness_run(&o, (const char *[]){ "observe", "--pid", pid, "--duration", "1", "--json", obs_json, NULL });
	kill(vm, SIGKILL);
	waitpid(vm, NULL, 0);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "IO PORT ACCESS"));
	harness_free(&o);

	doc = json_load_file(obs_json, 0, &je);
	assert_non_null(doc);
	st = json_object_get(doc, "kvm_stats");
	json_array_foreach(st, i, e) {
		json_t *s = json_object_get(e, "stats");

		assert_true(json_is_object(s));
		assert_string_equal(json_string_value(json_object_get(s, "source")), "stats fd of the target");
		kinds++;
	}
	assert_int_equal(kinds, 2); /* the VM and its one vCPU */
	assert_true(json_array_size(json_object_get(json_object_get(doc, "tracepoints"), "events_available")) > 0);
	json_decref(doc);
}

static void test_observe_refuses_bad_targets(void **state)
{
	struct run_out o;
	char self[32];
	(void)state;

	snprintf(self, sizeof(self), "%d", (int)getpid());
	harness_run(&o, (const char *[]){ "observe", "--pid", self, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "no KVM VM"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "observe", "--pid", "1073741823", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "observe", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observe_refuses_bad_targets),
		cmocka_unit_test(test_observe_exitlab_stats_fds),
		cmocka_unit_test(test_observe_qemu_matches_perf),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
