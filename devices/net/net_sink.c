// SPDX-License-Identifier: MIT
/*
 * The sink backend, `sink[,check=1]`: every frame sent is counted and
 * dropped; with check=1 its payload is checked against the exitlab pattern
 * (net_pattern.h) and its seq followed, so an integration test can say
 * that what the guest sent arrived whole and in order.
 *
 * Nothing is ever received.  b->fd is an eventfd that is never written, so
 * it never polls readable: an RX worker that polls it sleeps instead of
 * spinning (fd -1 would mean "always ready" and make it spin on -EAGAIN).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/net/net_backend_impl.h"
#include "devices/net/net_pattern.h"
#include "devices/net/net_sink.h"

struct net_sink {
	struct net_sink_state s;
};

void net_sink_state_init(struct net_sink_state *s, bool check)
{
	memset(s, 0, sizeof(*s));
	s->check = check;
}

/*
 * Pattern check; the seq of a good frame in *seq. The 18 header and seq
 * bytes are gathered across segments; the rest of each segment is compared
 * whole against the pattern table (net_pattern.h), so the check runs at
 * memcmp speed whatever the segmentation.
 */
static bool frame_good(const struct iovec *iov, unsigned n, size_t len, uint32_t *seq)
{
	uint8_t head[NET_PATTERN_START];
	size_t pos = 0;
	uint32_t s = 0;

	if (len < NET_PATTERN_START)
		return false;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		if (pos < NET_PATTERN_START) {
			size_t k = NET_PATTERN_START - pos < left ? NET_PATTERN_START - pos : left;

			memcpy(head + pos, p, k);
			pos += k;
			p += k;
			left -= k;
			if (pos < NET_PATTERN_START)
				continue;
			s = (uint32_t)head[14] << 24 | (uint32_t)head[15] << 16 | (uint32_t)head[16] << 8 | head[17];
		}
		if (left && !net_pattern_matches(p, s, pos, left))
			return false;
		pos += left;
	}
	*seq = s;
	return true;
}

int net_sink_account(struct net_backend *b, struct net_sink_state *s, const struct iovec *iov, unsigned n)
{
	size_t len = net_iov_len(iov, n);
	uint32_t seq;

	if (len == SIZE_MAX) {
		net_stat_add(&b->stats.tx_errors, 1);
		return -EINVAL;
	}
	net_stat_add(&b->stats.tx_frames, 1);
	net_stat_add(&b->stats.tx_bytes, len);
	if (!s->check)
		return 0;
	net_stat_add(&s->checked, 1);
	if (!frame_good(iov, n, len, &seq)) {
		net_stat_add(&b->stats.tx_bad_payload, 1);
		if (len < NET_PATTERN_START)
			net_stat_add(&s->short_frames, 1);
		return 0;
	}
	/* Serial-number order, so that the 32-bit seq may wrap. */
	if (!__atomic_load_n(&s->have_seq, __ATOMIC_RELAXED)) {
		__atomic_store_n(&s->last_seq, seq, __ATOMIC_RELAXED);
		__atomic_store_n(&s->have_seq, true, __ATOMIC_RELEASE);
		return 0;
	}
	int32_t ahead = (int32_t)(seq - s->last_seq);

	if (ahead <= 0) {
		net_stat_add(&s->out_of_order, 1);
	} else {
		if (ahead > 1)
			net_stat_add(&s->lost, (uint64_t)ahead - 1);
		__atomic_store_n(&s->last_seq, seq, __ATOMIC_RELAXED);
	}
	return 0;
}

static int sink_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct net_sink *sk = b->priv;

	return net_sink_account(b, &sk->s, iov, n);
}

static ssize_t sink_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	(void)b;
	(void)iov;
	(void)n;
	return -EAGAIN;
}

static void sink_close(struct net_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->priv);
	b->priv = NULL;
}

static const struct net_backend_ops sink_ops = {
	.kind = "sink",
	.sends_nothing = true,
	.send = sink_send,
	.recv = sink_recv,
	.close = sink_close,
};

enum outcome net_sink_open(struct net_backend *b, const struct net_backend_args *a, char *err,
		  size_t errlen)
{
	struct net_sink *sk = calloc(1, sizeof(*sk));

	if (!sk) {
		snprintf(err, errlen, "net backend sink: out of memory");
		return OUTCOME_FAILED;
	}
	net_sink_state_init(&sk->s, a->check);
	b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "net backend sink: eventfd: %s", strerror(errno));
		free(sk);
		return OUTCOME_FAILED;
	}
	b->ops = &sink_ops;
	b->priv = sk;
	return OUTCOME_OK;
}

bool net_sink_stats(struct net_backend *b, struct net_sink_stats *out)
{
	const struct net_sink_state *s;

	if (!b || !b->ops || !b->priv || (strcmp(b->ops->kind, "sink") && strcmp(b->ops->kind, "gen")))
		return false;
	s = b->priv; /* both kinds' priv begin with their net_sink_state */
	memset(out, 0, sizeof(*out));
	out->check = s->check;
	out->checked = __atomic_load_n(&s->checked, __ATOMIC_RELAXED);
	out->bad_payload = __atomic_load_n(&b->stats.tx_bad_payload, __ATOMIC_RELAXED);
	out->short_frames = __atomic_load_n(&s->short_frames, __ATOMIC_RELAXED);
	out->have_seq = __atomic_load_n(&s->have_seq, __ATOMIC_ACQUIRE);
	out->last_seq = __atomic_load_n(&s->last_seq, __ATOMIC_RELAXED);
	out->out_of_order = __atomic_load_n(&s->out_of_order, __ATOMIC_RELAXED);
	out->lost = __atomic_load_n(&s->lost, __ATOMIC_RELAXED);
	return true;
}
