// SPDX-License-Identifier: MIT
/*
 * udp: a flood of UDP datagrams of `size` payload bytes (a frame of size + 42
 * bytes on Ethernet) to peer:port; a sample is `batch` sendto calls.  What
 * the host counts per frame is the NIC's cost (exits per frame, interrupts).
 * Nothing needs to answer: a send the kernel drops (ENOBUFS, a closed port's
 * ICMP reply) is counted as an error, not retried.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-payloads/lib/timing.h"
#include "linux-guest/net_peer.h"
#include "linux-guest/workloads.h"

const struct lg_key lg_udp_keys[] = {
	{ "peer", 's', "IPv4 address (default: the default gateway; unmeasured 127.0.0.1)" },
	{ "port", 'u', "UDP port (udp default 9, discard)" },
	{ "size", 'u', "payload bytes per datagram (default 1472: 1514-byte frames)" },
	{ "frames", 'u', "datagrams sent (default 100000, --quick 2000)" },
	{ "batch", 'u', "sends per sample (default 1)" },
	{ NULL, 0, NULL },
};

int lg_udp_run(struct lg_bench *b, const struct lg_opts *o)
{
	uint64_t port = lg_param_u64(o->p, "port", 9), size = lg_param_u64(o->p, "size", 1472);
	uint64_t frames = lg_param_u64(o->p, "frames", o->quick ? 2000 : 100000);
	uint64_t batch = lg_param_u64(o->p, "batch", 1), n, sent = 0, errors = 0;
	char params[BENCH_KV_MAX] = "", metrics[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX] = "", peer[32];
	struct sockaddr_in sa;
	struct lg_test t;
	uint8_t *frame = NULL;
	uint64_t *s;
	int fd = -1;

	if (port == 0 || port > 65535)
		snprintf(why, sizeof(why), "port=%llu: want 1..65535", (unsigned long long)port);
	else if (size == 0 || size > 65507)
		snprintf(why, sizeof(why), "size=%llu: want 1..65507", (unsigned long long)size);
	else if (batch == 0 || batch > frames)
		snprintf(why, sizeof(why), "batch=%llu: want 1..frames", (unsigned long long)batch);
	else
		lg_net_peer(lg_param_str(o->p, "peer", NULL), lg_measured(b), (uint16_t)port, &sa, why, sizeof(why));
	if (!why[0])
		inet_ntop(AF_INET, &sa.sin_addr, peer, sizeof(peer));
	else
		snprintf(peer, sizeof(peer), "none");
	lg_kv_add(params, sizeof(params), "peer", "%s", peer);
	lg_kv_add(params, sizeof(params), "port", "%llu", (unsigned long long)port);
	lg_kv_add(params, sizeof(params), "frame_bytes", "%llu", (unsigned long long)(size + 42));
	lg_kv_add(params, sizeof(params), "batch", "%llu", (unsigned long long)batch);
	if (!why[0] && (fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
	if (!why[0] && !(frame = calloc(1, size)))
		snprintf(why, sizeof(why), "out of memory");
	/* One datagram before the phase: a route or ARP problem shows here, not as a phase of errors. */
	if (!why[0] && sendto(fd, frame, size, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		snprintf(why, sizeof(why), "sendto %s:%llu: %s", peer, (unsigned long long)port, strerror(errno));
	if (why[0]) {
		if (fd >= 0)
			close(fd);
		free(frame);
		return lg_skip_test(b, "udp", params, why);
	}
	if (!lg_test_begin(&t, b, "udp", params)) {
		close(fd);
		free(frame);
		return 0;
	}
	n = frames / batch;
	s = lg_samples(&t, &n);
	lg_phase_begin(&t);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();

		for (uint64_t k = 0; k < batch; k++) {
			frame[0] = (uint8_t)k; /* not constant: the compiler must send each */
			if (sendto(fd, frame, size, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)size)
				sent++;
			else
				errors++;
		}
		s[i] = tsc_end() - t0;
	}
	lg_phase_end(&t, n * batch, n, batch);
	close(fd);
	free(frame);
	lg_kv_add(metrics, sizeof(metrics), "frames_sent", "%llu", (unsigned long long)sent);
	lg_kv_add(metrics, sizeof(metrics), "send_errors", "%llu", (unsigned long long)errors);
	lg_kv_add(metrics, sizeof(metrics), "bytes", "%llu", (unsigned long long)(sent * size));
	lg_kv_add(metrics, sizeof(metrics), "frames_per_s", "%.0f", t.wall_s > 0 ? (double)sent / t.wall_s : 0.0);
	return lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
}
