// SPDX-License-Identifier: MIT
/*
 * tcp: a TCP stream to peer:port.  Our own sender by default: a sample is
 * one write of `size` bytes, all of it taken by the kernel (a blocking
 * socket: the sample includes waiting for window).  The peer must listen
 * and read (under exitlab, e.g. `iperf3 -s` or `nc -l` on the VMM's side of
 * the tap); unmeasured with no peer given, a sink thread in this process
 * listens on 127.0.0.1.  tool=iperf3 runs `iperf3 -c peer -p port -t secs`
 * instead, timed as one sample, when iperf3 is on the PATH.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-payloads/lib/timing.h"
#include "linux-guest/net_peer.h"
#include "linux-guest/workloads.h"

const struct lg_key lg_tcp_keys[] = {
	{ "peer", 's', "IPv4 address of a listener (default: the default gateway; unmeasured: a sink here)" },
	{ "port", 'u', "TCP port (tcp default 5201, iperf3's)" },
	{ "size", 'u', "bytes per write (tcp default 65536)" },
	{ "writes", 'u', "writes timed (default 4096, --quick 256)" },
	{ "tool", 's', "own (default) or iperf3" },
	{ "secs", 'u', "iperf3's -t (default 10, --quick 2)" },
	{ NULL, 0, NULL },
};

/* The unmeasured peer: accept one connection, read until it closes. */
static void *sink(void *arg)
{
	int lfd = (int)(intptr_t)arg, c = accept(lfd, NULL, NULL);
	static char buf[1 << 16];

	if (c >= 0) {
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
	return NULL;
}

/* A listener on 127.0.0.1 with a thread reading it; its port in sa. -1 on failure. */
static int start_sink(struct sockaddr_in *sa, pthread_t *tid)
{
	socklen_t len = sizeof(*sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)sa, sizeof(*sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)sa, &len) ||
	    pthread_create(tid, NULL, sink, (void *)(intptr_t)lfd)) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	return lfd;
}

/* Write all of buf; 0, or -1 with errno. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The number after "key": in text at or after from, or -1. */
static double json_number_after(const char *text, const char *from, const char *key)
{
	const char *p = from ? strstr(text, from) : text;

	if (!p || !(p = strstr(p, key)))
		return -1;
	return strtod(p + strlen(key), NULL);
}

/* 1 if an executable name is in a directory of $PATH. */
static int on_path(const char *name)
{
	const char *path = getenv("PATH");
	char dir[4096], file[4200];

	for (const char *p = path ? path : "/bin:/usr/bin"; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)len, p);
		snprintf(file, sizeof(file), "%s/%s", *dir ? dir : ".", name);
		if (!access(file, X_OK))
			return 1;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

static int tcp_iperf3(struct lg_bench *b, const struct lg_opts *o, const char *peer, uint64_t port,
		      const char *params)
{
	uint64_t secs = lg_param_u64(o->p, "secs", o->quick ? 2 : 10), n = 1, *s;
	char portarg[16], secsarg[16], metrics[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX];
	static char out[1 << 20];
	size_t got = 0;
	struct lg_test t;
	int pfd[2], st;
	pid_t pid;

	if (!on_path("iperf3"))
		return lg_skip_test(b, "tcp", params, "tool=iperf3: no iperf3 on the PATH");
	if (!lg_test_begin(&t, b, "tcp", params))
		return 0;
	s = lg_samples(&t, &n);
	snprintf(portarg, sizeof(portarg), "%llu", (unsigned long long)port);
	snprintf(secsarg, sizeof(secsarg), "%llu", (unsigned long long)secs);
	if (pipe(pfd))
		return lg_test_end(&t, BENCH_STATUS_SKIPPED, "pipe failed", NULL);
	lg_phase_begin(&t);
	uint64_t t0 = tsc_begin();
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execlp("iperf3", "iperf3", "-c", peer, "-p", portarg, "-t", secsarg, "-J", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (ssize_t r; pid > 0 && got < sizeof(out) - 1 && (r = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0;)
		got += (size_t)r;
	out[got] = 0;
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		const char *e = strstr(out, "\"error\":");

		snprintf(why, sizeof(why), "iperf3 -c %s -p %s failed%s%.80s", peer, portarg, e ? ": " : "",
			 e ? e + 8 : "");
		return lg_test_end(&t, BENCH_STATUS_FAILED, why, NULL);
	}
	s[0] = tsc_end() - t0;
	lg_phase_end(&t, 1, 1, 1);
	lg_kv_add(metrics, sizeof(metrics), "tool", "iperf3");
	lg_kv_add(metrics, sizeof(metrics), "bytes", "%.0f", json_number_after(out, "\"sum_sent\"", "\"bytes\":"));
	lg_kv_add(metrics, sizeof(metrics), "bits_per_s", "%.0f",
		  json_number_after(out, "\"sum_sent\"", "\"bits_per_second\":"));
	return lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
}

int lg_tcp_run(struct lg_bench *b, const struct lg_opts *o)
{
	uint64_t port = lg_param_u64(o->p, "port", 5201), size = lg_param_u64(o->p, "size", 65536);
	uint64_t n = lg_param_u64(o->p, "writes", o->quick ? 256 : 4096), *s;
	const char *given = lg_param_str(o->p, "peer", NULL), *tool = lg_param_str(o->p, "tool", "own");
	char params[BENCH_KV_MAX] = "", metrics[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX] = "", peer[32] = "none";
	int local = !given && !lg_measured(b), fd = -1, lfd = -1;
	struct sockaddr_in sa;
	pthread_t tid;
	struct lg_test t;
	uint8_t *buf = NULL;
	int failed;

	if (strcmp(tool, "own") && strcmp(tool, "iperf3"))
		snprintf(why, sizeof(why), "tool=%s: want own or iperf3", tool);
	else if (port == 0 || port > 65535)
		snprintf(why, sizeof(why), "port=%llu: want 1..65535", (unsigned long long)port);
	else if (size == 0 || size > (64u << 20))
		snprintf(why, sizeof(why), "size=%llu: want 1..64M", (unsigned long long)size);
	else if (local && !strcmp(tool, "own")) {
		if ((lfd = start_sink(&sa, &tid)) < 0)
			snprintf(why, sizeof(why), "cannot listen on 127.0.0.1: %s", strerror(errno));
	} else {
		lg_net_peer(given, lg_measured(b), (uint16_t)port, &sa, why, sizeof(why));
	}
	if (!why[0]) {
		inet_ntop(AF_INET, &sa.sin_addr, peer, sizeof(peer));
		port = ntohs(sa.sin_port);
	}
	lg_kv_add(params, sizeof(params), "peer", "%s", local ? "local" : peer);
	lg_kv_add(params, sizeof(params), "port", "%llu", (unsigned long long)port);
	lg_kv_add(params, sizeof(params), "tool", "%s", tool);
	if (!why[0] && !strcmp(tool, "iperf3"))
		return tcp_iperf3(b, o, peer, port, params);
	lg_kv_add(params, sizeof(params), "size", "%llu", (unsigned long long)size);
	if (!why[0] && (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
	if (!why[0] && connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		snprintf(why, sizeof(why), "connect %s:%llu: %s (a listener must be there: --param peer=, port=)",
			 peer, (unsigned long long)port, strerror(errno));
	if (!why[0] && !(buf = calloc(1, size)))
		snprintf(why, sizeof(why), "out of memory");
	/* One write before the phase: the connection's first segments are not the stream's rate. */
	if (!why[0] && write_all(fd, buf, size))
		snprintf(why, sizeof(why), "write to %s:%llu: %s", peer, (unsigned long long)port, strerror(errno));
	if (why[0]) {
		failed = lg_skip_test(b, "tcp", params, why);
		goto out;
	}
	if (!lg_test_begin(&t, b, "tcp", params)) {
		failed = 0;
		goto out;
	}
	s = lg_samples(&t, &n);
	lg_phase_begin(&t);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		int bad = write_all(fd, buf, size);

		s[i] = tsc_end() - t0;
		if (bad) {
			snprintf(why, sizeof(why), "write %llu of %llu: %s", (unsigned long long)i,
				 (unsigned long long)n, strerror(errno));
			failed = lg_test_end(&t, BENCH_STATUS_FAILED, why, NULL);
			goto out;
		}
	}
	lg_phase_end(&t, n, n, 1);
	lg_kv_add(metrics, sizeof(metrics), "bytes", "%llu", (unsigned long long)(n * size));
	lg_kv_add(metrics, sizeof(metrics), "mbit_per_s", "%.1f",
		  t.wall_s > 0 ? (double)(n * size) * 8 / t.wall_s / 1e6 : 0.0);
	failed = lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
out:
	if (fd >= 0)
		close(fd); /* the sink sees the end of the stream and returns */
	if (lfd >= 0) {
		shutdown(lfd, SHUT_RDWR); /* wakes its accept if no connection came */
		pthread_join(tid, NULL);
		close(lfd);
	}
	free(buf);
	return failed;
}
