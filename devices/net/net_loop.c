// SPDX-License-Identifier: MIT
/*
 * The loopback backend, `loop`: every frame sent is copied into a bounded
 * ring (LOOP_SLOTS frames; a frame sent to a full ring is dropped and counted
 * in rx_dropped) and received back in order.
 *
 * One sender and one receiver thread may use it at once: a single-producer
 * single-consumer ring whose head only the sender writes and whose tail only
 * the receiver writes.  b->fd is an eventfd readable while the ring holds a
 * frame: the sender signals it when its push makes the ring non-empty; the
 * receiver, when its pop empties the ring, drains it and then looks again
 * (re-signalling if a frame slipped in), so no wake-up is lost.  The head
 * store / tail load on one side and the tail store / head load on the other
 * are sequentially consistent for exactly that reasoning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/net/net_backend_impl.h"

#define LOOP_SLOTS     256u     /* a power of two */
#define LOOP_SLOT_INIT 2048u    /* bytes a slot starts with; it grows for bigger frames */

struct loop_slot {
	uint8_t *buf;
	size_t cap, len;
};

struct net_loop {
	uint64_t head;            /* frames pushed: written by the sender */
	uint64_t tail;            /* frames popped: written by the receiver */
	struct loop_slot slot[LOOP_SLOTS];
};

static void signal_fd(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, which is all we need */
	}
}

static void drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: it was not signalled */
	}
}

static int loop_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct net_loop *l = b->priv;
	uint64_t head = l->head, tail = __atomic_load_n(&l->tail, __ATOMIC_ACQUIRE);
	size_t len = net_iov_len(iov, n);
	struct loop_slot *s;

	if (len == 0 || len > NET_FRAME_MAX) {
		net_stat_add(&b->stats.tx_errors, 1);
		return len ? -EMSGSIZE : -EINVAL;
	}
	net_stat_add(&b->stats.tx_frames, 1);
	net_stat_add(&b->stats.tx_bytes, len);
	if (head - tail >= LOOP_SLOTS) {
		net_stat_add(&b->stats.rx_dropped, 1); /* the wire is full: lost, like on a real link */
		return 0;
	}
	s = &l->slot[head % LOOP_SLOTS];
	if (s->cap < len) {
		size_t cap = len > LOOP_SLOT_INIT ? len : LOOP_SLOT_INIT;
		uint8_t *p = realloc(s->buf, cap);

		if (!p) {
			net_stat_add(&b->stats.rx_dropped, 1);
			return 0;
		}
		s->buf = p;
		s->cap = cap;
	}
	s->len = net_iov_gather(s->buf, len, iov, n);
	__atomic_store_n(&l->head, head + 1, __ATOMIC_SEQ_CST);
	if (head + 1 - __atomic_load_n(&l->tail, __ATOMIC_SEQ_CST) == 1)
		signal_fd(b->fd);
	return 0;
}

static ssize_t loop_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct net_loop *l = b->priv;
	uint64_t tail = l->tail, head = __atomic_load_n(&l->head, __ATOMIC_ACQUIRE);
	struct loop_slot *s;
	ssize_t ret;

	if (head == tail) {
		/* A stale wake-up (the frame it announced was taken already): clear it, look again. */
		drain_fd(b->fd);
		if (__atomic_load_n(&l->head, __ATOMIC_SEQ_CST) != tail)
			signal_fd(b->fd);
		return -EAGAIN;
	}
	s = &l->slot[tail % LOOP_SLOTS];
	if (net_iov_len(iov, n) < s->len) {
		net_stat_add(&b->stats.rx_dropped, 1);
		ret = -EMSGSIZE;
	} else {
		net_iov_scatter(iov, n, s->buf, s->len);
		net_stat_add(&b->stats.rx_frames, 1);
		net_stat_add(&b->stats.rx_bytes, s->len);
		ret = (ssize_t)s->len;
	}
	__atomic_store_n(&l->tail, tail + 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&l->head, __ATOMIC_SEQ_CST) == tail + 1) {
		drain_fd(b->fd);
		if (__atomic_load_n(&l->head, __ATOMIC_SEQ_CST) != tail + 1)
			signal_fd(b->fd);
	}
	return ret;
}

static void loop_close(struct net_backend *b)
{
	struct net_loop *l = b->priv;

	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (l)
		for (unsigned i = 0; i < LOOP_SLOTS; i++)
			free(l->slot[i].buf);
	free(l);
	b->priv = NULL;
}

static const struct net_backend_ops loop_ops = {
	.kind = "loop",
	.send = loop_send,
	.recv = loop_recv,
	.close = loop_close,
};

enum outcome net_loop_open(struct net_backend *b, const struct net_backend_args *a, char *err,
		  size_t errlen)
{
	struct net_loop *l = calloc(1, sizeof(*l));

	(void)a;
	if (!l) {
		snprintf(err, errlen, "net backend loop: out of memory");
		return OUTCOME_FAILED;
	}
	b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "net backend loop: eventfd: %s", strerror(errno));
		free(l);
		return OUTCOME_FAILED;
	}
	b->ops = &loop_ops;
	b->priv = l;
	return OUTCOME_OK;
}
