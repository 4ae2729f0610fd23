// SPDX-License-Identifier: MIT
/*
 * The generator backend, `gen[,size=N][,rate=PPS][,count=N][,dst=MAC][,check=1]`:
 * recv produces Ethernet frames for the guest with no network stack in the
 * way, so that RX can be measured as purely as TX into the sink.
 *
 * A frame: dst (dst=, default broadcast), src = b->mac, ethertype 0x88B5,
 * a big-endian seq counting up from 0 at bytes 14..17, then the exitlab
 * pattern (net_pattern_byte) to the end; N bytes in all (60..1514, default 64).
 *
 * Pacing (rate > 0) is a token bucket on CLOCK_MONOTONIC (or a test's clock):
 * rate tokens a second, at most `burst` saved up, one token per frame, one
 * in hand at the start; b->fd is a periodic timerfd that wakes the RX worker
 * about once per token (never more than 50000 times a second).  recv drains
 * the timerfd only when it runs out of tokens, then looks again, so a wake-up
 * cannot be lost.  rate = 0 gives frames as fast as they are asked for, with
 * fd -1 (always ready).  count=N stops after N frames: from then on recv says
 * -EAGAIN and fd (a disarmed timerfd, or an eventfd that was readable until
 * then when rate = 0) never polls readable again.
 *
 * Frames sent to a gen are counted and dropped as by the sink (check=1 too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/net/net_backend_impl.h"
#include "devices/net/net_gen.h"
#include "devices/net/net_pattern.h"

#define NS_PER_S        1000000000ull
#define GEN_WAKE_MIN_NS 20000ull   /* at most 50000 timer wake-ups a second */
#define GEN_BURST       32ull

struct net_gen {
	struct net_sink_state s;  /* first: net_sink_stats reads it */
	unsigned size;
	uint64_t rate, count;     /* count 0: no limit */
	uint8_t dst[6];
	bool timer;               /* fd is a timerfd (else an eventfd, or -1) */
	bool done;
	uint32_t seq;
	uint64_t produced;
	uint64_t credit, credit_max;  /* in token-nanoseconds: a frame costs NS_PER_S */
	uint64_t last_ns;
	net_gen_clock_fn *clock;
	void *clock_opaque;
	uint8_t frame[NET_GEN_SIZE_MAX];
};

static uint64_t mono_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void refill(struct net_gen *g)
{
	uint64_t now = g->clock(g->clock_opaque), dt;

	if (now <= g->last_ns)
		return;
	dt = now - g->last_ns;
	g->last_ns = now;
	/* dt * rate can overflow only past the point where the bucket is full anyway */
	if (dt >= g->credit_max / g->rate + 1 || g->credit + dt * g->rate >= g->credit_max)
		g->credit = g->credit_max;
	else
		g->credit += dt * g->rate;
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing was pending */
	}
}

/* The count is reached: make fd never readable again. */
static void finish(struct net_backend *b, struct net_gen *g)
{
	g->done = true;
	if (b->fd < 0)
		return;
	if (g->timer) {
		struct itimerspec off = { 0 };

		timerfd_settime(b->fd, 0, &off, NULL);
	}
	drain(b->fd);
}

static void build_frame(struct net_backend *b, struct net_gen *g)
{
	uint8_t *f = g->frame;
	uint32_t seq = g->seq;

	memcpy(f, g->dst, 6);
	memcpy(f + 6, b->mac, 6);
	f[12] = NET_ETHERTYPE_EXITLAB >> 8;
	f[13] = NET_ETHERTYPE_EXITLAB & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	net_pattern_fill(f + NET_PATTERN_START, seq, NET_PATTERN_START, g->size - NET_PATTERN_START);
}

static ssize_t gen_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct net_gen *g = b->priv;

	if (g->done)
		return -EAGAIN;
	if (g->rate) {
		refill(g);
		if (g->credit < NS_PER_S) {
			/* Out of tokens: clear the wake-up, then look once more (see the top). */
			if (g->timer)
				drain(b->fd);
			refill(g);
			if (g->credit < NS_PER_S)
				return -EAGAIN;
		}
		g->credit -= NS_PER_S;
	}
	build_frame(b, g);
	g->seq++;
	g->produced++;
	if (g->count && g->produced >= g->count)
		finish(b, g);
	if (net_iov_len(iov, n) < g->size) {
		net_stat_add(&b->stats.rx_dropped, 1);
		return -EMSGSIZE;
	}
	net_iov_scatter(iov, n, g->frame, g->size);
	net_stat_add(&b->stats.rx_frames, 1);
	net_stat_add(&b->stats.rx_bytes, g->size);
	return (ssize_t)g->size;
}

static int gen_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct net_gen *g = b->priv;

	return net_sink_account(b, &g->s, iov, n);
}

static void gen_close(struct net_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->priv);
	b->priv = NULL;
}

static const struct net_backend_ops gen_ops = {
	.kind = "gen",
	.send = gen_send,
	.recv = gen_recv,
	.close = gen_close,
};

static void bucket_reset(struct net_gen *g)
{
	g->last_ns = g->clock(g->clock_opaque);
	g->credit = g->rate ? NS_PER_S : 0;
}

enum outcome net_gen_open(struct net_backend *b, const struct net_backend_args *a, char *err,
		 size_t errlen)
{
	struct net_gen *g = calloc(1, sizeof(*g));

	if (!g) {
		snprintf(err, errlen, "net backend gen: out of memory");
		return OUTCOME_FAILED;
	}
	net_sink_state_init(&g->s, a->check);
	g->size = a->size;
	g->rate = a->rate;
	g->count = (a->set & NET_ARG_COUNT) ? a->count : 0;
	memcpy(g->dst, a->dst, sizeof(g->dst));
	g->clock = mono_ns;
	if (g->rate) {
		uint64_t interval = (NS_PER_S + g->rate - 1) / g->rate, per_wake, burst;
		struct itimerspec its;

		if (interval < GEN_WAKE_MIN_NS)
			interval = GEN_WAKE_MIN_NS;
		per_wake = (interval * g->rate + NS_PER_S - 1) / NS_PER_S;
		burst = g->rate < GEN_BURST ? g->rate : GEN_BURST;
		if (burst < 2 * per_wake)
			burst = 2 * per_wake;
		g->credit_max = burst * NS_PER_S;
		b->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (b->fd < 0) {
			snprintf(err, errlen, "net backend gen: timerfd_create: %s", strerror(errno));
			free(g);
			return OUTCOME_FAILED;
		}
		g->timer = true;
		its.it_interval.tv_sec = (time_t)(interval / NS_PER_S);
		its.it_interval.tv_nsec = (long)(interval % NS_PER_S);
		its.it_value = its.it_interval;
		if (timerfd_settime(b->fd, 0, &its, NULL)) {
			snprintf(err, errlen, "net backend gen: timerfd_settime: %s", strerror(errno));
			close(b->fd);
			b->fd = -1;
			free(g);
			return OUTCOME_FAILED;
		}
	} else if (g->count) {
		b->fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* readable until the count is reached */
		if (b->fd < 0) {
			snprintf(err, errlen, "net backend gen: eventfd: %s", strerror(errno));
			free(g);
			return OUTCOME_FAILED;
		}
	}
	bucket_reset(g);
	b->ops = &gen_ops;
	b->priv = g;
	return OUTCOME_OK;
}

bool net_gen_set_clock(struct net_backend *b, net_gen_clock_fn *now_ns, void *opaque)
{
	struct net_gen *g;

	if (!b || !b->ops || strcmp(b->ops->kind, "gen") || !b->priv)
		return false;
	g = b->priv;
	g->clock = now_ns ? now_ns : mono_ns;
	g->clock_opaque = now_ns ? opaque : NULL;
	bucket_reset(g);
	return true;
}
