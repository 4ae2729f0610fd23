/* SPDX-License-Identifier: MIT */
/*
 * Shared by the e1000 unit tests: 1 MiB of fake guest RAM (malloc, laid out
 * as guest_mem_create would), a fake net backend that records what is sent
 * and serves queued frames, an injectable clock and an INTx recorder.
 */
#ifndef EXITLAB_TEST_E1000_FIXTURE_H
#define EXITLAB_TEST_E1000_FIXTURE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "devices/e1000/e1000.h"

#define FX_RAM     (1u << 20)
#define FX_FRAMES  64

struct fx_backend {
	struct net_backend nb;
	uint8_t sent[FX_FRAMES][E1000_TSO_MAX];
	size_t sent_len[FX_FRAMES];
	unsigned nsent;
	uint8_t rxq[FX_FRAMES][2048];
	size_t rxq_len[FX_FRAMES];
	unsigned rx_head, rx_tail;
};

struct fx {
	struct e1000 e;
	struct guest_mem mem;
	struct fx_backend *be;
	uint64_t now;
	bool level;
	unsigned raises;
};

static const uint8_t fx_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static inline int fx_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fx_backend *f = (struct fx_backend *)b;
	size_t len = 0;

	if (f->nsent >= FX_FRAMES)
		return -EAGAIN;
	for (unsigned i = 0; i < n; i++) {
		memcpy(f->sent[f->nsent] + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	f->sent_len[f->nsent++] = len;
	return 0;
}

static inline ssize_t fx_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fx_backend *f = (struct fx_backend *)b;
	size_t len, cap = 0;

	if (f->rx_head == f->rx_tail)
		return -EAGAIN;
	len = f->rxq_len[f->rx_head % FX_FRAMES];
	for (unsigned i = 0; i < n; i++)
		cap += iov[i].iov_len;
	if (n != 1 || len > cap || len > sizeof(f->rxq[0])) {
		f->rx_head++;
		return -EMSGSIZE;
	}
	memcpy(iov[0].iov_base, f->rxq[f->rx_head % FX_FRAMES], len);
	f->rx_head++;
	return (ssize_t)len;
}

static const struct net_backend_ops fx_ops = { .kind = "fake", .send = fx_send, .recv = fx_recv };

static inline void fx_queue(struct fx_backend *f, const void *frame, size_t len)
{
	memcpy(f->rxq[f->rx_tail % FX_FRAMES], frame, len);
	f->rxq_len[f->rx_tail % FX_FRAMES] = len;
	__atomic_store_n(&f->rx_tail, f->rx_tail + 1, __ATOMIC_RELEASE);
}

static inline uint64_t fx_clock(void *opaque)
{
	return ((struct fx *)opaque)->now;
}

static inline void fx_irq(void *opaque, bool level)
{
	struct fx *x = opaque;

	x->level = level;
	if (level)
		x->raises++;
}

/* A device whose EEPROM holds mac (what `--device e1000,mac=` gives e1000_init). */
static inline struct fx *fx_new_mac(const uint8_t mac[6])
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[128];

	x->mem.memfd = -1;
	x->mem.host = calloc(1, FX_RAM);
	x->mem.size = FX_RAM;
	x->mem.page_size = 4096;
	x->be = calloc(1, sizeof(*x->be));
	x->be->nb.ops = &fx_ops;
	x->be->nb.fd = -1;
	if (e1000_core_init(&x->e, &x->mem, &x->be->nb, mac, err, sizeof(err)))
		abort();
	e1000_set_clock(&x->e, fx_clock, x);
	e1000_set_irq(&x->e, fx_irq, x);
	return x;
}

static inline struct fx *fx_new(void)
{
	return fx_new_mac(fx_mac);
}

static inline void fx_free(struct fx *x)
{
	e1000_destroy(&x->e);
	free(x->mem.host);
	free(x->be);
	free(x);
}

static inline uint32_t rd(struct fx *x, uint32_t off)
{
	return e1000_reg_read(&x->e, off);
}

static inline void wr(struct fx *x, uint32_t off, uint32_t v)
{
	e1000_reg_write(&x->e, off, v);
}

static inline uint64_t metric(struct fx *x, const char *name)
{
	const struct dev_metrics *m = e1000_metrics(&x->e);

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return __atomic_load_n(&m->values[i], __ATOMIC_RELAXED);
	abort();
}

static inline uint8_t *gpa(struct fx *x, uint64_t a)
{
	return x->mem.host + a;
}

#endif
