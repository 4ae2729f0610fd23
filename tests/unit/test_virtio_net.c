// SPDX-License-Identifier: MIT
/*
 * devices/virtio/virtio_net.c end to end, without a VM: a fake transport
 * (kick eventfds the test owns, interrupts counted), a fake driver building
 * the rings in fake guest RAM, and a fake backend that records what it is
 * sent and hands out queued frames.  Frames must arrive byte-exact both
 * ways, with correct headers, num_buffers and used lengths; interrupts
 * follow EVENT_IDX; hostile chains are dropped or break the device
 * (NEEDS_RESET), never the test process.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/vq_driver.h"
#include "devices/virtio/virtio_net.h"

#define RXQ_BASE 0x10000ULL
#define TXQ_BASE 0x20000ULL
#define RXBUF    0x40000ULL  /* 64 KiB of RX buffers */
#define TXBUF    0x60000ULL  /* 64 KiB of TX frames */
#define QSIZE    64
#define FMAX     2048

/* ---- the fake backend ---- */
struct fake_be {
	struct net_backend be;
	pthread_mutex_t lock;
	unsigned ntx;
	uint8_t tx[QSIZE * 2][FMAX];
	size_t txlen[QSIZE * 2];
	unsigned nrx, rxhead;
	uint8_t rx[16][FMAX];
	size_t rxlen[16];
};

static size_t iov_total(const struct iovec *iov, unsigned n)
{
	size_t t = 0;

	for (unsigned i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

static int fb_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fake_be *f = (struct fake_be *)b;
	size_t len = iov_total(iov, n);

	pthread_mutex_lock(&f->lock);
	assert_true(len <= FMAX);
	assert_true(f->ntx < QSIZE * 2);
	f->txlen[f->ntx] = iov_to_buf(iov, n, 0, f->tx[f->ntx], len);
	f->ntx++;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static ssize_t fb_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fake_be *f = (struct fake_be *)b;
	ssize_t r;
	uint64_t c;

	pthread_mutex_lock(&f->lock);
	if (f->rxhead == f->nrx) {
		r = -EAGAIN;
	} else if (f->rxlen[f->rxhead] > iov_total(iov, n)) {
		r = -EMSGSIZE;
		f->rxhead++;
	} else {
		r = (ssize_t)iov_from_buf(iov, n, 0, f->rx[f->rxhead], f->rxlen[f->rxhead]);
		f->rxhead++;
	}
	if (f->rxhead == f->nrx && f->be.fd >= 0 && read(f->be.fd, &c, 8) != 8)
		c = 0; /* no longer readable */
	pthread_mutex_unlock(&f->lock);
	return r;
}

static const struct net_backend_ops fb_ops = { .kind = "fake", .send = fb_send, .recv = fb_recv };

/* Queue a frame for the guest (hdr: the backend's own vnet header, if it has one). */
static void fb_queue(struct fake_be *f, const void *hdr, const uint8_t *frame, size_t len)
{
	uint64_t one = 1;
	size_t h = f->be.vnet_hdr_len;

	pthread_mutex_lock(&f->lock);
	assert_true(f->nrx < 16);
	if (h)
		memcpy(f->rx[f->nrx], hdr, h);
	memcpy(f->rx[f->nrx] + h, frame, len);
	f->rxlen[f->nrx++] = h + len;
	if (f->be.fd >= 0)
		assert_int_equal(write(f->be.fd, &one, 8), 8);
	pthread_mutex_unlock(&f->lock);
}

/* ---- the fake transport ---- */
struct rig {
	struct guest_mem m;
	struct fake_be fb;
	struct virtio_net n;
	struct vqd rxd, txd;
	int kick[2];
	int irqs[2], cfg_irqs;
};

static int ft_interrupt(struct virtio_dev *v, int q)
{
	struct rig *r = v->transport;

	if (q < 0)
		__atomic_fetch_add(&r->cfg_irqs, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_add(&r->irqs[q], 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int ft_kick_fd(struct virtio_dev *v, unsigned q)
{
	return ((struct rig *)v->transport)->kick[q];
}

static int ft_call_fd(struct virtio_dev *v, unsigned q)
{
	(void)v, (void)q;
	return -1;
}

static const struct virtio_transport_ops ft_ops = {
	.interrupt = ft_interrupt, .kick_fd = ft_kick_fd, .call_fd = ft_call_fd,
};

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct rig *rig_new(unsigned vnet_hdr_len, bool be_fd)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256];

	tmem_create(&r->m);
	pthread_mutex_init(&r->fb.lock, NULL);
	r->fb.be.ops = &fb_ops;
	r->fb.be.fd = be_fd ? eventfd(0, EFD_NONBLOCK) : -1;
	r->fb.be.vnet_hdr_len = vnet_hdr_len;
	r->kick[0] = eventfd(0, EFD_NONBLOCK);
	r->kick[1] = eventfd(0, EFD_NONBLOCK);
	assert_int_equal(virtio_net_init(&r->n, &r->m, &r->fb.be, MAC, err, sizeof(err)), 0);
	r->n.vdev.tops = &ft_ops;
	r->n.vdev.transport = r;
	vqd_init(&r->rxd, &r->m, QSIZE, RXQ_BASE);
	vqd_init(&r->txd, &r->m, QSIZE, TXQ_BASE);
	return r;
}

/* Negotiate `extra` on top of VERSION_1 and start (the transport's part: queues, then DRIVER_OK). */
static void rig_start(struct rig *r, uint64_t extra)
{
	struct virtio_dev *v = &r->n.vdev;
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1 | extra;
	bool ev = (f >> VIRTIO_RING_F_EVENT_IDX) & 1, ind = (f >> VIRTIO_RING_F_INDIRECT_DESC) & 1;

	assert_int_equal(v->ops->set_features(v, f), 0);
	v->features = f;
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, r->rxd.desc, r->rxd.avail, r->rxd.used, ev, ind), 0);
	assert_int_equal(virtq_init(&v->vq[1], &r->m, QSIZE, r->txd.desc, r->txd.avail, r->txd.used, ev, ind), 0);
	assert_int_equal(v->ops->start(v), 0);
}

static void rig_free(struct rig *r)
{
	virtio_net_destroy(&r->n);
	close(r->kick[0]);
	close(r->kick[1]);
	if (r->fb.be.fd >= 0)
		close(r->fb.be.fd);
	tmem_destroy(&r->m);
	free(r);
}

static void kick(struct rig *r, unsigned q)
{
	uint64_t one = 1;

	assert_int_equal(write(r->kick[q], &one, 8), 8);
}

static uint64_t metric(struct rig *r, const char *name)
{
	const struct dev_metrics *m = virtio_net_metrics(&r->n);

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return __atomic_load_n(&m->values[i], __ATOMIC_SEQ_CST);
	fail_msg("no metric %s", name);
	return 0;
}

/* Wait (at most 10 s: a guard against hangs, not a timing assertion) until *p reaches want. */
static void wait_u16(const uint16_t *p, uint16_t want)
{
	for (int i = 0; i < 10000 && __atomic_load_n(p, __ATOMIC_ACQUIRE) != want; i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(p, __ATOMIC_ACQUIRE), want);
}

static void wait_metric(struct rig *r, const char *name, uint64_t want)
{
	for (int i = 0; i < 10000 && metric(r, name) < want; i++)
		usleep(1000);
	assert_int_equal(metric(r, name), want);
}

static void wait_metric_ge(struct rig *r, const char *name, uint64_t want)
{
	for (int i = 0; i < 10000 && metric(r, name) < want; i++)
		usleep(1000);
	assert_true(metric(r, name) >= want);
}

static void wait_int(const int *p, int want)
{
	for (int i = 0; i < 10000 && __atomic_load_n(p, __ATOMIC_SEQ_CST) < want; i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(p, __ATOMIC_SEQ_CST), want);
}

static void fill_frame(uint8_t *f, size_t len, uint32_t seq)
{
	memcpy(f, MAC, 6);
	memset(f + 6, 0xaa, 6);
	f[12] = 0x88, f[13] = 0xb5;
	for (size_t i = 14; i < len; i++)
		f[i] = net_pattern_byte(seq, i);
}

/* A TX chain: the 12-byte header in one descriptor, the frame in two (split at len / 3). */
static void tx_put(struct rig *r, unsigned slot, const struct virtio_net_hdr *h, size_t len, uint32_t seq)
{
	uint64_t base = TXBUF + (uint64_t)slot * FMAX % 0x10000, a[3] = { base, base + 16, 0 };
	uint32_t l[3] = { sizeof(*h), (uint32_t)(len / 3), (uint32_t)(len - len / 3) };

	memcpy(tmem_at(&r->m, base), h, sizeof(*h));
	fill_frame(tmem_at(&r->m, base + 16), len, seq);
	a[2] = base + 16 + len / 3;
	vqd_publish(&r->txd, vqd_chain(&r->txd, 3, 3, a, l));
}

static void test_features_and_config(void **state)
{
	struct rig *r = rig_new(0, true);
	struct virtio_dev *v = &r->n.vdev;
	uint8_t cfg[VIRTIO_NET_CONFIG_LEN];
	(void)state;

	assert_int_equal(v->device_id, VIRTIO_ID_NET);
	assert_int_equal(v->nqueues, 2);
	assert_true(v->host_features & 1ULL << VIRTIO_F_VERSION_1);
	assert_true(v->host_features & 1ULL << VIRTIO_NET_F_MAC);
	assert_true(v->host_features & 1ULL << VIRTIO_NET_F_STATUS);
	assert_true(v->host_features & 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	assert_true(v->host_features & 1ULL << VIRTIO_RING_F_EVENT_IDX);
	assert_true(v->host_features & 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	assert_false(v->host_features & 1ULL << VIRTIO_NET_F_CSUM);       /* no vnet header backend */
	assert_false(v->host_features & 1ULL << VIRTIO_NET_F_GUEST_CSUM);
	assert_int_equal(v->ops->set_features(v, 1ULL << VIRTIO_NET_F_MAC), -1);   /* no VERSION_1 */
	assert_int_equal(v->ops->set_features(v, 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_CSUM), -1);
	assert_int_equal(v->ops->set_features(v, 1ULL << VIRTIO_F_VERSION_1), 0);
	v->ops->config_read(v, 0, cfg, sizeof(cfg));
	assert_memory_equal(cfg, MAC, 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(cfg[8] | cfg[9] << 8, 1);
	v->ops->config_read(v, 8, cfg, 4); /* past the end: zeros, no overrun */
	assert_int_equal(cfg[0] | cfg[1] | cfg[2] | cfg[3], 0);
	v->ops->stop(v); /* never started: harmless */
	rig_free(r);

	r = rig_new(12, false);
	assert_true(r->n.vdev.host_features & 1ULL << VIRTIO_NET_F_CSUM);
	assert_true(r->n.vdev.host_features & 1ULL << VIRTIO_NET_F_GUEST_CSUM);
	rig_free(r);

	{
		struct virtio_net n;
		struct net_backend bad = { .ops = &fb_ops, .fd = -1, .vnet_hdr_len = 7 };
		char err[128];

		assert_int_equal(virtio_net_init(&n, NULL, &bad, MAC, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "7 bytes"));
		assert_int_equal(virtio_net_init(&n, NULL, NULL, MAC, err, sizeof(err)), -1);
	}
}

static void test_tx_byte_exact(void **state)
{
	struct rig *r = rig_new(0, true);
	struct virtio_net_hdr h = { 0 };
	size_t lens[3] = { 60, 1514, 333 };
	uint32_t id, len;
	uint8_t want[FMAX];
	(void)state;

	/* published before DRIVER_OK: one batch, one interrupt; the kick then finds nothing */
	for (unsigned i = 0; i < 3; i++)
		tx_put(r, i, &h, lens[i], i);
	rig_start(r, 0);
	kick(r, 1);
	wait_u16(vqd_used16(&r->txd, 1), 3);
	wait_metric(r, "interrupts", 1);
	wait_metric(r, "tx_kicks", 1);
	assert_int_equal(r->fb.ntx, 3);
	for (unsigned i = 0; i < 3; i++) {
		fill_frame(want, lens[i], i);
		assert_int_equal(r->fb.txlen[i], lens[i]);
		assert_memory_equal(r->fb.tx[i], want, lens[i]);
		assert_int_equal(vqd_used(&r->txd, &id, &len), 1);
		assert_int_equal(len, 0);
	}
	assert_int_equal(metric(r, "tx_frames"), 3);
	assert_int_equal(metric(r, "tx_bytes"), 60 + 1514 + 333);
	assert_int_equal(metric(r, "tx_kicks"), 1);
	assert_int_equal(metric(r, "tx_dropped"), 0);
	assert_int_equal(r->irqs[1], 1);
	/* kicks are wanted again once idle */
	assert_int_equal(*vqd_used16(&r->txd, 0) & VIRTQ_USED_F_NO_NOTIFY, 0);
	rig_free(r);
}

/* The header reaches a backend that takes one; 10-byte headers lose num_buffers. */
static void test_tx_vnet_hdr_backend(void **state)
{
	struct rig *r = rig_new(10, false);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6 };
	uint8_t want[FMAX];
	(void)state;

	rig_start(r, 1ULL << VIRTIO_NET_F_CSUM);
	tx_put(r, 0, &h, 100, 7);
	kick(r, 1);
	wait_u16(vqd_used16(&r->txd, 1), 1);
	wait_metric(r, "tx_frames", 1);
	assert_int_equal(r->fb.txlen[0], 10 + 100);
	assert_memory_equal(r->fb.tx[0], &h, 10);
	fill_frame(want, 100, 7);
	assert_memory_equal(r->fb.tx[0] + 10, want, 100);
	rig_free(r);
}

static void test_tx_event_idx_batching(void **state)
{
	struct rig *r = rig_new(0, true);
	struct virtio_net_hdr h = { 0 };
	uint16_t *used_event;
	(void)state;

	used_event = vqd_avail16(&r->txd, 2 + QSIZE);
	/* 20 frames (60 descriptors) published before DRIVER_OK, an interrupt wanted only after the last */
	*used_event = 19;
	for (unsigned i = 0; i < 20; i++)
		tx_put(r, i, &h, 64, i);
	rig_start(r, 1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	wait_u16(vqd_used16(&r->txd, 1), 20);
	wait_metric(r, "interrupts", 1);
	/* idle: avail_event asks for a kick at the next chain */
	wait_u16(vqd_used16(&r->txd, 2 + 4 * QSIZE), 20);

	/* 10 more, the driver wants no interrupt for them */
	*used_event = 100;
	for (unsigned i = 0; i < 10; i++)
		tx_put(r, i, &h, 64, i);
	kick(r, 1);
	wait_u16(vqd_used16(&r->txd, 1), 30);
	wait_metric(r, "interrupts_suppressed", 1);
	assert_int_equal(metric(r, "interrupts"), 1);
	assert_int_equal(r->irqs[1], 1);
	assert_int_equal(metric(r, "tx_frames"), 30);
	rig_free(r);
}

static void test_tx_hostile(void **state)
{
	struct rig *r = rig_new(0, true);
	struct virtio_net_hdr h = { 0 }, gso = { .gso_type = 1, .gso_size = 1448 };
	struct virtio_net_hdr csum = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34 };
	struct virtio_net_hdr dv = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	uint64_t a = TXBUF;
	uint32_t l = 5;
	(void)state;

	rig_start(r, 0);
	vqd_publish(&r->txd, vqd_chain(&r->txd, 1, 1, &a, &l)); /* shorter than the header */
	tx_put(r, 1, &gso, 1000, 1);   /* GSO without offloads */
	tx_put(r, 2, &csum, 100, 2);   /* NEEDS_CSUM without CSUM negotiated */
	tx_put(r, 3, &dv, 100, 3);     /* a device-only flag */
	tx_put(r, 4, &h, 10, 4);       /* shorter than an Ethernet header */
	tx_put(r, 5, &h, 200, 5);      /* fine */
	kick(r, 1);
	wait_u16(vqd_used16(&r->txd, 1), 6);
	wait_metric(r, "tx_frames", 1);
	assert_int_equal(metric(r, "tx_dropped"), 5);
	assert_int_equal(r->fb.ntx, 1);
	assert_int_equal(r->fb.txlen[0], 200);

	/* a descriptor loop: the device needs a reset, the worker stops, the process goes on */
	vqd_desc(&r->txd, r->txd.desc, 40, TXBUF, 64, VIRTQ_DESC_F_NEXT, 41);
	vqd_desc(&r->txd, r->txd.desc, 41, TXBUF, 64, VIRTQ_DESC_F_NEXT, 40);
	vqd_publish(&r->txd, 40);
	kick(r, 1);
	wait_int(&r->cfg_irqs, 1);
	assert_true(r->n.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(r->n.vdev.vq[1].broken);
	assert_non_null(strstr(r->n.vdev.vq[1].why, "loop"));
	tx_put(r, 6, &h, 200, 6);
	kick(r, 1);
	r->n.vdev.ops->stop(&r->n.vdev); /* joins the exited worker, forgets the queues */
	assert_int_equal(r->fb.ntx, 1);
	assert_false(r->n.vdev.vq[1].ready);
	assert_false(r->n.vdev.vq[1].broken);

	/* the driver resets and starts over: the device works again */
	r->n.vdev.status = 0;
	vqd_init(&r->rxd, &r->m, QSIZE, RXQ_BASE);
	vqd_init(&r->txd, &r->m, QSIZE, TXQ_BASE);
	rig_start(r, 0);
	tx_put(r, 0, &h, 80, 8);
	kick(r, 1);
	wait_u16(vqd_used16(&r->txd, 1), 1);
	wait_metric(r, "tx_frames", 2);
	assert_int_equal(r->fb.ntx, 2);
	assert_int_equal(r->fb.txlen[1], 80);
	rig_free(r);
}

/* RX buffers: `n` chains of `size` bytes each, one writable descriptor (or header + rest if split). */
static void rx_post(struct rig *r, unsigned first, unsigned n, uint32_t size, bool split)
{
	for (unsigned i = first; i < first + n; i++) {
		uint64_t base = RXBUF + (uint64_t)(i % 32) * 2048, a[2] = { base, base + 12 };
		uint32_t l[2] = { 12, size - 12 };

		if (split) {
			vqd_publish(&r->rxd, vqd_chain(&r->rxd, 2, 0, a, l));
		} else {
			l[0] = size;
			vqd_publish(&r->rxd, vqd_chain(&r->rxd, 1, 0, a, l));
		}
	}
}

static void test_rx_single(void **state)
{
	struct rig *r = rig_new(0, true);
	uint8_t f[FMAX];
	uint32_t id, len;
	struct virtio_net_hdr h;
	(void)state;

	rig_start(r, 0);
	rx_post(r, 0, 4, 12 + 1514, true);
	kick(r, 0);
	fill_frame(f, 1514, 1);
	fb_queue(&r->fb, NULL, f, 1514);
	fill_frame(f, 60, 2);
	fb_queue(&r->fb, NULL, f, 60);
	wait_u16(vqd_used16(&r->rxd, 1), 2);
	wait_metric_ge(r, "interrupts", 1);
	for (unsigned i = 0; i < 2; i++) {
		size_t fl = i ? 60 : 1514;
		uint8_t *buf;

		assert_int_equal(vqd_used(&r->rxd, &id, &len), 1);
		assert_int_equal(len, 12 + fl);
		buf = tmem_at(&r->m, RXBUF + (uint64_t)id / 2 * 2048);  /* two descriptors per chain */
		memcpy(&h, buf, 12);
		assert_int_equal(h.flags, 0);
		assert_int_equal(h.gso_type, 0);
		assert_int_equal(h.num_buffers, 1);
		fill_frame(f, fl, i + 1);
		assert_memory_equal(buf + 12, f, fl);
	}
	assert_int_equal(metric(r, "rx_frames"), 2);
	assert_int_equal(metric(r, "rx_bytes"), 1574);

	/* a frame too big for the chains is dropped by the backend; the next one still lands */
	fill_frame(f, 1600, 3);
	fb_queue(&r->fb, NULL, f, 1600);
	fill_frame(f, 100, 4);
	fb_queue(&r->fb, NULL, f, 100);
	wait_u16(vqd_used16(&r->rxd, 1), 3);
	assert_int_equal(vqd_used(&r->rxd, &id, &len), 1);
	assert_int_equal(len, 112);
	wait_metric(r, "rx_dropped", 1);
	rig_free(r);
}

static void test_rx_mergeable(void **state)
{
	struct rig *r = rig_new(0, false); /* fd -1: always ready */
	uint8_t f[FMAX], got[FMAX];
	uint32_t id, len, lens[8];
	uint32_t ids[8];
	struct virtio_net_hdr h;
	size_t off = 0;
	uint64_t nobuf;
	(void)state;

	rig_start(r, 1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_RING_F_EVENT_IDX);
	rx_post(r, 0, 8, 256, false);
	kick(r, 0);
	fill_frame(f, 1000, 9);
	fb_queue(&r->fb, NULL, f, 1000);
	wait_u16(vqd_used16(&r->rxd, 1), 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(vqd_used(&r->rxd, &ids[i], &lens[i]), 1);
		memcpy(got + off, tmem_at(&r->m, RXBUF + (uint64_t)ids[i] * 2048), lens[i]);
		off += lens[i];
	}
	assert_int_equal(lens[0], 256);
	assert_int_equal(lens[3], 1012 - 3 * 256);
	memcpy(&h, got, 12);
	assert_int_equal(h.num_buffers, 4);
	assert_int_equal(h.flags, 0);
	assert_memory_equal(got + 12, f, 1000);

	/* a 1500-byte frame needs 6 buffers, 4 are left: it waits, counted, until the driver adds more */
	nobuf = metric(r, "rx_no_buffers"); /* the worker may have found none before the first post */
	fill_frame(f, 1500, 10);
	fb_queue(&r->fb, NULL, f, 1500);
	wait_metric(r, "rx_no_buffers", nobuf + 1);
	assert_int_equal(*vqd_used16(&r->rxd, 1), 4); /* nothing of it published yet */
	/* the device asked for a kick when the next buffer comes (avail_event) */
	assert_int_equal(*vqd_used16(&r->rxd, 2 + 4 * QSIZE), 8);
	rx_post(r, 8, 4, 256, false);
	kick(r, 0);
	wait_u16(vqd_used16(&r->rxd, 1), 10);
	off = 0;
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(vqd_used(&r->rxd, &id, &len), 1);
		memcpy(got + off, tmem_at(&r->m, RXBUF + (uint64_t)(id % 32) * 2048), len);
		off += len;
	}
	assert_int_equal(off, 1512);
	memcpy(&h, got, 12);
	assert_int_equal(h.num_buffers, 6);
	assert_memory_equal(got + 12, f, 1500);
	assert_int_equal(metric(r, "rx_frames"), 2);
	assert_true(metric(r, "rx_kicks") >= 1);
	rig_free(r);
}

static uint16_t fold(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A partial checksum from the backend: completed for a driver without GUEST_CSUM, passed on with it. */
static void test_rx_csum(void **state)
{
	struct virtio_net_hdr bh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6 };
	struct virtio_net_hdr h;
	uint8_t f[FMAX], *buf;
	uint32_t id, len;
	(void)state;

	for (int guest_csum = 0; guest_csum < 2; guest_csum++) {
		struct rig *r = rig_new(12, true);

		rig_start(r, guest_csum ? 1ULL << VIRTIO_NET_F_GUEST_CSUM : 0);
		rx_post(r, 0, 2, 12 + 1514, false);
		kick(r, 0);
		fill_frame(f, 301, 5);
		f[40] = 0x12, f[41] = 0x34;    /* the pseudo-header sum */
		fb_queue(&r->fb, &bh, f, 301);
		wait_u16(vqd_used16(&r->rxd, 1), 1);
		assert_int_equal(vqd_used(&r->rxd, &id, &len), 1);
		assert_int_equal(len, 12 + 301);
		buf = tmem_at(&r->m, RXBUF + (uint64_t)id * 2048);
		memcpy(&h, buf, 12);
		assert_int_equal(h.num_buffers, 1);
		if (guest_csum) {
			assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
			assert_int_equal(h.csum_start, 34);
			assert_memory_equal(buf + 12, f, 301);
		} else {
			assert_int_equal(h.flags, 0);
			/* the segment's sum plus the pseudo-header's is all ones */
			uint32_t s = fold(buf + 12 + 34, 301 - 34) + 0x1234u;

			assert_int_equal((s & 0xffff) + (s >> 16), 0xffff);
			assert_memory_equal(buf + 12, f, 40);
			assert_memory_equal(buf + 12 + 42, f + 42, 301 - 42);
		}
		rig_free(r);
	}
}

static void test_rx_hostile(void **state)
{
	struct rig *r = rig_new(0, false);
	uint64_t a = RXBUF;
	uint32_t l = 4;
	(void)state;

	rig_start(r, 0);
	vqd_publish(&r->rxd, vqd_chain(&r->rxd, 1, 0, &a, &l)); /* too small for the header */
	kick(r, 0);
	wait_int(&r->cfg_irqs, 1);
	assert_true(r->n.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	rig_free(r);

	/* an avail ring naming a head past the table */
	r = rig_new(0, false);
	rig_start(r, 0);
	vqd_publish(&r->rxd, 200); /* head out of range */
	kick(r, 0);
	wait_int(&r->cfg_irqs, 1);
	assert_true(r->n.vdev.vq[0].broken);
	assert_non_null(strstr(r->n.vdev.vq[0].why, "head 200"));
	rig_free(r);
}

/* Inline mode (the fuzz harnesses'): no worker; each virtio_net_serve() does one wake-up's work on this thread. */
static void test_serve_inline(void **state)
{
	struct rig *r = rig_new(0, false);
	struct virtio_net_hdr h = { 0 };
	uint8_t f[FMAX];
	uint32_t id, len;
	(void)state;

	assert_int_equal(virtio_net_serve(&r->n, VIRTIO_NET_TXQ), -1); /* not started */
	r->n.serve_inline = true;
	rig_start(r, 0);
	assert_false(r->n.tx_running || r->n.rx_running);
	tx_put(r, 0, &h, 60, 1);
	kick(r, VIRTIO_NET_TXQ);
	assert_int_equal(vqd_used(&r->txd, &id, &len), 0); /* nobody serves it behind our back */
	assert_int_equal(virtio_net_serve(&r->n, VIRTIO_NET_TXQ), 0);
	assert_int_equal(vqd_used(&r->txd, &id, &len), 1);
	assert_int_equal(r->fb.ntx, 1);
	assert_int_equal(r->fb.txlen[0], 60);
	assert_int_equal(metric(r, "tx_kicks"), 1);

	rx_post(r, 0, 1, 12 + 1514, false);
	fill_frame(f, 100, 2);
	fb_queue(&r->fb, NULL, f, 100);
	assert_int_equal(virtio_net_serve(&r->n, VIRTIO_NET_RXQ), 0);
	assert_int_equal(vqd_used(&r->rxd, &id, &len), 1);
	assert_int_equal(len, 12 + 100);
	assert_memory_equal(tmem_at(&r->m, RXBUF + 12), f, 100);
	assert_int_equal(virtio_net_serve(&r->n, 2), -1);
	r->n.vdev.ops->stop(&r->n.vdev);
	assert_int_equal(virtio_net_serve(&r->n, VIRTIO_NET_RXQ), -1);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_and_config),
		cmocka_unit_test(test_tx_byte_exact),
		cmocka_unit_test(test_tx_vnet_hdr_backend),
		cmocka_unit_test(test_tx_event_idx_batching),
		cmocka_unit_test(test_tx_hostile),
		cmocka_unit_test(test_rx_single),
		cmocka_unit_test(test_rx_mergeable),
		cmocka_unit_test(test_rx_csum),
		cmocka_unit_test(test_rx_hostile),
		cmocka_unit_test(test_serve_inline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
