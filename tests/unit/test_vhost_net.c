// SPDX-License-Identifier: MIT
/*
 * devices/vhost/vhost_net.c without /dev/vhost-net: a fake vhost device
 * that records every ioctl and its arguments, a fake transport (kick and
 * irqfd eventfds the test owns, interrupts counted) and, once, the real
 * virtio-pci transport driven through its BAR.  Checked: the missing-device
 * and permission messages, the tap requirements, the feature offer (what
 * the kernel offers ∩ what we support, plus MAC and STATUS), the memory
 * table, the exact setup sequence with ring addresses translated from the
 * guest's GPAs, the interrupt relay without irqfds, ring errors, the reset
 * sequence and a restart, and hostile rings: refused with NEEDS_RESET and
 * no ioctl ever sees their addresses.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/vq_driver.h"
#include "devices/vhost/vhost_net.h"
#include "devices/virtio/virtio_pci.h"

#define QSIZE    64
#define RX_BASE  0x10000ULL               /* rx rings in low RAM */
#define TX_BASE  BOOT_HIGH_MEM_GPA        /* tx rings in high RAM: the second region */
#define FAKE_FD  1000                     /* what the fake "opens" */
#define VHOST_ALL (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF |                 \
		   1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC |          \
		   1ULL << 24 /* NOTIFY_ON_EMPTY */ | 1ULL << VHOST_F_LOG_ALL |                      \
		   1ULL << VHOST_NET_F_VIRTIO_NET_HDR | 1ULL << VIRTIO_F_ACCESS_PLATFORM)
#define OFFERED  (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF |                  \
		  1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC |           \
		  1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS)

/* ---- the fake vhost device ---- */
struct rec {
	unsigned long req;
	int fd;
	uint64_t u64;
	struct vhost_vring_state s;
	struct vhost_vring_file f;
	struct vhost_vring_addr a;
	unsigned nregions;
	struct vhost_memory_region r[4];
};

struct fake {
	int open_rc;                 /* returned by open */
	uint64_t features;           /* VHOST_GET_FEATURES */
	unsigned long fail_req;      /* this request fails with fail_err ... */
	int fail_err, fail_skip;     /* ... after fail_skip of them succeeded */
	unsigned base[2];            /* what VHOST_GET_VRING_BASE answers */
	unsigned n;
	struct rec r[256];
	int opens, closes;
	unsigned hdr_len, offload;
	int hdr_calls, offload_calls;
};

static int f_open(void *ctx, const char *path)
{
	struct fake *f = ctx;

	assert_string_equal(path, "/dev/vhost-net");
	f->opens++;
	return f->open_rc;
}

static int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake *f = ctx;
	struct rec *r;

	assert_int_equal(fd, FAKE_FD);
	assert_true(f->n < 256);
	r = &f->r[f->n++];
	memset(r, 0, sizeof(*r));
	r->req = req;
	r->fd = fd;
	switch (req) {
	case VHOST_SET_OWNER:
		assert_null(arg);
		break;
	case VHOST_GET_FEATURES:
		memcpy(arg, &f->features, 8);
		break;
	case VHOST_SET_FEATURES:
		memcpy(&r->u64, arg, 8);
		break;
	case VHOST_SET_MEM_TABLE: {
		const struct vhost_memory *m = arg;

		assert_true(m->nregions <= 4);
		r->nregions = m->nregions;
		memcpy(r->r, m->regions, m->nregions * sizeof(m->regions[0]));
		break;
	}
	case VHOST_SET_VRING_NUM:
	case VHOST_SET_VRING_BASE:
		memcpy(&r->s, arg, sizeof(r->s));
		break;
	case VHOST_GET_VRING_BASE:
		memcpy(&r->s, arg, sizeof(r->s));
		assert_true(r->s.index < 2);
		((struct vhost_vring_state *)arg)->num = f->base[r->s.index];
		break;
	case VHOST_SET_VRING_ADDR:
		memcpy(&r->a, arg, sizeof(r->a));
		break;
	case VHOST_SET_VRING_KICK:
	case VHOST_SET_VRING_CALL:
	case VHOST_SET_VRING_ERR:
	case VHOST_NET_SET_BACKEND:
		memcpy(&r->f, arg, sizeof(r->f));
		break;
	default:
		fail_msg("unexpected ioctl 0x%lx", req);
	}
	if (req == f->fail_req && f->fail_skip-- <= 0)
		return -f->fail_err;
	return 0;
}

static void f_close(void *ctx, int fd)
{
	assert_int_equal(fd, FAKE_FD);
	((struct fake *)ctx)->closes++;
}

static int f_hdr(void *ctx, struct net_backend *tap, unsigned len)
{
	struct fake *f = ctx;

	(void)tap;
	f->hdr_calls++;
	f->hdr_len = len;
	return 0;
}

static int f_offload(void *ctx, struct net_backend *tap, unsigned flags)
{
	struct fake *f = ctx;

	(void)tap;
	f->offload_calls++;
	f->offload = flags;
	return 0;
}

static const struct vhost_net_ops fake_ops = {
	.open = f_open, .ioctl = f_ioctl, .close = f_close, .tap_vnet_hdr_len = f_hdr, .tap_offload = f_offload,
};

/* ---- a tap-looking backend (never read or written: the kernel would own it) ---- */
static int tb_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	(void)b, (void)iov, (void)n;
	fail_msg("the VMM must not send on vhost's tap");
	return -EIO;
}

static ssize_t tb_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	(void)b, (void)iov, (void)n;
	fail_msg("the VMM must not receive on vhost's tap");
	return -EIO;
}

static const struct net_backend_ops tap_ops = { .kind = "tap", .send = tb_send, .recv = tb_recv };
static const struct net_backend_ops sink_ops = { .kind = "sink", .send = tb_send, .recv = tb_recv };

/* ---- the fake transport ---- */
struct rig {
	struct guest_mem m;
	struct fake f;
	struct net_backend tap;
	struct vhost_net h;
	int kick[2], irqfd[2];
	bool msix;                   /* call_fd gives the irqfds; else -1 (relay) */
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
	struct rig *r = v->transport;

	return r->msix ? r->irqfd[q] : -1;
}

static const struct virtio_transport_ops ft_ops = {
	.interrupt = ft_interrupt, .kick_fd = ft_kick_fd, .call_fd = ft_call_fd,
};

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static void rig_base(struct rig *r)
{
	tmem_create(&r->m);
	r->f.open_rc = FAKE_FD;
	r->f.features = VHOST_ALL;
	r->tap.ops = &tap_ops;
	r->tap.fd = eventfd(0, EFD_NONBLOCK);
	r->tap.vnet_hdr_len = 12;
	for (int q = 0; q < 2; q++) {
		r->kick[q] = eventfd(0, EFD_NONBLOCK);
		r->irqfd[q] = eventfd(0, EFD_NONBLOCK);
	}
}

static struct rig *rig_new(bool msix)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";

	rig_base(r);
	r->msix = msix;
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)), OUTCOME_OK);
	r->h.vdev.tops = &ft_ops;
	r->h.vdev.transport = r;
	return r;
}

static void rig_free(struct rig *r)
{
	vhost_net_destroy(&r->h);
	close(r->tap.fd);
	for (int q = 0; q < 2; q++) {
		close(r->kick[q]);
		close(r->irqfd[q]);
	}
	tmem_destroy(&r->m);
	free(r);
}

static uint64_t metric(struct rig *r, const char *name)
{
	const struct dev_metrics *m = vhost_net_metrics(&r->h);

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return __atomic_load_n(&m->values[i], __ATOMIC_SEQ_CST);
	fail_msg("no metric %s", name);
	return 0;
}

/* Wait (at most 10 s: a guard against hangs, not a timing assertion) until *p reaches want. */
static void wait_int(const int *p, int want)
{
	for (int i = 0; i < 10000 && __atomic_load_n(p, __ATOMIC_SEQ_CST) < want; i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(p, __ATOMIC_SEQ_CST), want);
}

static uint8_t status(struct rig *r)
{
	return __atomic_load_n(&r->h.vdev.status, __ATOMIC_SEQ_CST);
}

/* The transport's part up to DRIVER_OK: features, rings (as virtq_init accepts them), start. */
static int rig_start(struct rig *r, uint64_t f)
{
	struct virtio_dev *v = &r->h.vdev;
	bool ev = (f >> VIRTIO_RING_F_EVENT_IDX) & 1, ind = (f >> VIRTIO_RING_F_INDIRECT_DESC) & 1;

	assert_int_equal(v->ops->set_features(v, f), 0);
	v->features = f;
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, RX_BASE, RX_BASE + 0x4000, RX_BASE + 0x5000, ev, ind), 0);
	assert_int_equal(virtq_init(&v->vq[1], &r->m, QSIZE, TX_BASE, TX_BASE + 0x4000, TX_BASE + 0x5000, ev, ind), 0);
	return v->ops->start(v);
}

/* The record of the i-th ioctl, which must be req. */
static const struct rec *nth(struct rig *r, unsigned i, unsigned long req)
{
	if (i >= r->f.n)
		fail_msg("only %u ioctls, wanted #%u (0x%lx)", r->f.n, i, req);
	if (r->f.r[i].req != req)
		fail_msg("ioctl #%u is 0x%lx, wanted 0x%lx", i, r->f.r[i].req, req);
	return &r->f.r[i];
}

static unsigned count_req(struct rig *r, unsigned long req)
{
	unsigned c = 0;

	for (unsigned i = 0; i < r->f.n; i++)
		c += r->f.r[i].req == req;
	return c;
}

/* ---- tests ---- */

static void try_open(int open_rc, enum outcome want, const char *want1, const char *want2)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";

	rig_base(r);
	r->f.open_rc = open_rc;
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)), want);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("message: %s", err);
	assert_int_equal(r->f.opens, 1);
	assert_int_equal(r->f.n, 0);      /* nothing else tried */
	assert_int_equal(r->f.closes, 0); /* nothing to close */
	rig_free(r);
}

static void test_missing_device(void **state)
{
	(void)state;
	try_open(-ENOENT, OUTCOME_NO_HOST, "/dev/vhost-net", "modprobe vhost_net");
	try_open(-ENODEV, OUTCOME_NO_HOST, "/dev/vhost-net", "modprobe vhost_net");
	try_open(-EACCES, OUTCOME_NO_HOST, "/dev/vhost-net: Permission denied", "run as root");
	try_open(-EPERM, OUTCOME_NO_HOST, "/dev/vhost-net", "run as root");
	try_open(-EMFILE, OUTCOME_FAILED, "/dev/vhost-net", NULL);
}

/* The real ops on this host: no /dev/vhost-net here means the missing-device message, nothing else. */
static void test_kernel_ops_here(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";
	int rc;

	(void)state;
	rig_base(r);
	rc = vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &vhost_net_kernel_ops, NULL, err, sizeof(err));
	if (access("/dev/vhost-net", F_OK) == 0) {
		/* a host with vhost-net: the fake tap is no tap to the kernel, but init gets that far or says why */
		if (rc == 0)
			vhost_net_destroy(&r->h);
	} else {
		assert_int_equal(rc, OUTCOME_NO_HOST);
		assert_non_null(strstr(err, "modprobe vhost_net"));
	}
	r->h.fd = -1;
	rig_free(r);
}

static void test_tap_required(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";

	(void)state;
	rig_base(r);
	r->tap.ops = &sink_ops;
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)),
			 OUTCOME_BAD_INPUT);
	assert_non_null(strstr(err, "the backend is sink"));
	assert_non_null(strstr(err, "tap,ifname=NAME,vnet_hdr=1"));
	r->tap.ops = &tap_ops;
	r->tap.vnet_hdr_len = 0;
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)),
			 OUTCOME_BAD_INPUT);
	assert_non_null(strstr(err, "without vnet_hdr=1"));
	assert_int_equal(r->f.opens, 0);   /* refused before the device was touched */
	rig_free(r);
}

static void test_init_sequence(void **state)
{
	struct rig *r = rig_new(true);
	const struct rec *m;
	uint8_t cfg[VIRTIO_NET_CONFIG_LEN];

	(void)state;
	assert_int_equal(r->f.n, 3);
	nth(r, 0, VHOST_SET_OWNER);
	nth(r, 1, VHOST_GET_FEATURES);
	m = nth(r, 2, VHOST_SET_MEM_TABLE);
	/* one region per RAM slot, at our mapping of it */
	assert_int_equal(m->nregions, 2);
	assert_int_equal(m->r[0].guest_phys_addr, 0);
	assert_int_equal(m->r[0].memory_size, TMEM_LOW);
	assert_true(m->r[0].userspace_addr == (uintptr_t)r->m.host);
	assert_int_equal(m->r[1].guest_phys_addr, BOOT_HIGH_MEM_GPA);
	assert_int_equal(m->r[1].memory_size, TMEM_HIGH);
	assert_true(m->r[1].userspace_addr == (uintptr_t)(r->m.host + TMEM_LOW));
	assert_int_equal(m->r[0].flags_padding | m->r[1].flags_padding, 0);
	/* the offer: the kernel's ∩ ours, plus MAC and STATUS; never LOG_ALL, its own header, or an offload */
	assert_true(r->h.vdev.host_features == OFFERED);
	assert_int_equal(r->h.vdev.nqueues, 2);
	assert_int_equal(r->h.vdev.device_id, VIRTIO_ID_NET);
	/* the config space is ours */
	r->h.vdev.ops->config_read(&r->h.vdev, 0, cfg, sizeof(cfg));
	assert_memory_equal(cfg, MAC, 6);
	assert_int_equal(cfg[6], VIRTIO_NET_S_LINK_UP);
	assert_int_equal(cfg[8], 1);
	memset(cfg, 0xee, sizeof(cfg));
	r->h.vdev.ops->config_read(&r->h.vdev, 8, cfg, 4);   /* past the end: zeros */
	assert_int_equal(cfg[0] | cfg[1] | cfg[2] | cfg[3], 0);
	rig_free(r);
}

static void test_offer_follows_kernel(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";

	(void)state;
	rig_base(r);
	r->f.features = VHOST_ALL & ~(1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)), OUTCOME_OK);
	assert_true(r->h.vdev.host_features == (OFFERED & ~(1ULL << VIRTIO_RING_F_EVENT_IDX |
							     1ULL << VIRTIO_NET_F_MRG_RXBUF)));
	vhost_net_destroy(&r->h);
	assert_int_equal(r->f.closes, 1);
	/* a kernel without VERSION_1: a host lack, said so, the device closed */
	r->f.features = 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	r->f.n = 0;
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)),
			 OUTCOME_NO_HOST);
	assert_non_null(strstr(err, "VERSION_1"));
	assert_int_equal(r->f.closes, 2);
	assert_int_equal(count_req(r, VHOST_SET_MEM_TABLE), 0);
	rig_free(r);
}

static void test_features(void **state)
{
	struct rig *r = rig_new(true);
	struct virtio_dev *v = &r->h.vdev;
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_RING_F_EVENT_IDX |
		     1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS;

	(void)state;
	/* refused before anything reaches the kernel: no VERSION_1, or a bit we never offered */
	assert_int_equal(v->ops->set_features(v, f & ~(1ULL << VIRTIO_F_VERSION_1)), -1);
	assert_int_equal(v->ops->set_features(v, f | 1ULL << VIRTIO_NET_F_GUEST_CSUM), -1);
	assert_int_equal(v->ops->set_features(v, f | 1ULL << VHOST_F_LOG_ALL), -1);
	assert_int_equal(count_req(r, VHOST_SET_FEATURES), 0);
	assert_int_equal(r->f.hdr_calls, 0);
	assert_int_equal(v->ops->set_features(v, f), 0);
	/* the kernel gets the ring features only: MAC and STATUS are served by us */
	assert_true(nth(r, 3, VHOST_SET_FEATURES)->u64 ==
		    (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_RING_F_EVENT_IDX));
	assert_int_equal(r->f.hdr_len, 12);     /* virtio_net_hdr_mrg_rxbuf: VERSION_1 */
	assert_int_equal(r->f.offload_calls, 1);
	assert_int_equal(r->f.offload, 0);      /* no GUEST_CSUM: the tap may hand over nothing partial */
	/* a failing kernel refuses FEATURES_OK */
	r->f.fail_req = VHOST_SET_FEATURES;
	r->f.fail_err = EOPNOTSUPP;
	assert_int_equal(v->ops->set_features(v, f), -1);
	rig_free(r);
}

/* The setup of queue q from ioctl #i on; call is the fd the kernel must signal. */
static unsigned check_ring_setup(struct rig *r, unsigned i, unsigned q, uint64_t base, int call)
{
	const struct rec *x;

	x = nth(r, i++, VHOST_SET_VRING_NUM);
	assert_int_equal(x->s.index, q);
	assert_int_equal(x->s.num, QSIZE);
	x = nth(r, i++, VHOST_SET_VRING_BASE);
	assert_int_equal(x->s.index, q);
	assert_int_equal(x->s.num, 0);
	x = nth(r, i++, VHOST_SET_VRING_ADDR);
	assert_int_equal(x->a.index, q);
	assert_int_equal(x->a.flags, 0);
	assert_int_equal(x->a.log_guest_addr, 0);
	/* our addresses, translated from the guest's GPAs */
	assert_true(x->a.desc_user_addr == (uintptr_t)guest_mem_ptr(&r->m, base, 1));
	assert_true(x->a.avail_user_addr == (uintptr_t)guest_mem_ptr(&r->m, base + 0x4000, 1));
	assert_true(x->a.used_user_addr == (uintptr_t)guest_mem_ptr(&r->m, base + 0x5000, 1));
	x = nth(r, i++, VHOST_SET_VRING_KICK);
	assert_int_equal(x->f.index, q);
	assert_int_equal(x->f.fd, r->kick[q]);
	x = nth(r, i++, VHOST_SET_VRING_CALL);
	assert_int_equal(x->f.index, q);
	if (call >= 0)
		assert_int_equal(x->f.fd, call);
	else
		assert_true(x->f.fd >= 0 && x->f.fd != r->irqfd[q] && x->f.fd != r->kick[q]);
	x = nth(r, i++, VHOST_SET_VRING_ERR);
	assert_int_equal(x->f.index, q);
	assert_true(x->f.fd >= 0);
	return i;
}

static uint64_t FEAT = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF |
		       1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_NET_F_MAC;

static void test_start_sequence(void **state)
{
	struct rig *r = rig_new(true);
	unsigned i = 4;   /* OWNER, GET_FEATURES, MEM_TABLE, SET_FEATURES */
	const struct rec *x;

	(void)state;
	assert_int_equal(rig_start(r, FEAT), 0);
	i = check_ring_setup(r, i, 0, RX_BASE, r->irqfd[0]);
	i = check_ring_setup(r, i, 1, TX_BASE, r->irqfd[1]);
	/* the tap last, once both rings are complete */
	x = nth(r, i++, VHOST_NET_SET_BACKEND);
	assert_int_equal(x->f.index, 0);
	assert_int_equal(x->f.fd, r->tap.fd);
	x = nth(r, i++, VHOST_NET_SET_BACKEND);
	assert_int_equal(x->f.index, 1);
	assert_int_equal(x->f.fd, r->tap.fd);
	assert_int_equal(r->f.n, i);
	assert_int_equal(metric(r, "starts"), 1);
	assert_int_equal(metric(r, "setup_errors"), 0);
	assert_false(status(r) & VIRTIO_STATUS_NEEDS_RESET);
	/* with irqfds the VMM relays nothing */
	assert_false(r->h.call_running);
	rig_free(r);
}

static void test_relay_without_irqfd(void **state)
{
	struct rig *r = rig_new(false);
	uint64_t one = 1;
	int call[2];

	(void)state;
	assert_int_equal(rig_start(r, FEAT), 0);
	check_ring_setup(r, 4, 0, RX_BASE, -1);
	call[0] = r->f.r[4 + 4].f.fd;
	call[1] = r->f.r[10 + 4].f.fd;
	assert_true(call[0] != call[1]);
	/* the kernel signals: the relay interrupts for that queue */
	assert_int_equal(write(call[1], &one, 8), 8);
	wait_int(&r->irqs[1], 1);
	assert_int_equal(write(call[0], &one, 8), 8);
	wait_int(&r->irqs[0], 1);
	assert_int_equal(metric(r, "interrupts_relayed"), 2);
	assert_int_equal(r->cfg_irqs, 0);
	rig_free(r);
}

static void test_ring_error(void **state)
{
	struct rig *r = rig_new(true);
	uint64_t one = 1;
	int errfd;

	(void)state;
	assert_int_equal(rig_start(r, FEAT), 0);
	errfd = r->f.r[10 + 5].f.fd;   /* the tx queue's VHOST_SET_VRING_ERR */
	assert_int_equal(r->f.r[10 + 5].req, VHOST_SET_VRING_ERR);
	assert_int_equal(write(errfd, &one, 8), 8);
	wait_int(&r->cfg_irqs, 1);
	assert_true(status(r) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(metric(r, "ring_errors"), 1);
	rig_free(r);
}

/* Reset after a start: tap detached on both, then each ring's base read back and its eventfds unbound. */
static unsigned check_teardown(struct rig *r, unsigned i)
{
	const struct rec *x;

	for (unsigned q = 0; q < 2; q++) {
		x = nth(r, i++, VHOST_NET_SET_BACKEND);
		assert_int_equal(x->f.index, q);
		assert_int_equal(x->f.fd, -1);
	}
	for (unsigned q = 0; q < 2; q++) {
		static const unsigned long unbind[] = { VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL,
							VHOST_SET_VRING_ERR };

		x = nth(r, i++, VHOST_GET_VRING_BASE);
		assert_int_equal(x->s.index, q);
		for (unsigned k = 0; k < 3; k++) {
			x = nth(r, i++, unbind[k]);
			assert_int_equal(x->f.index, q);
			assert_int_equal(x->f.fd, -1);
		}
	}
	return i;
}

static void test_reset_and_restart(void **state)
{
	struct rig *r = rig_new(false);
	struct virtio_dev *v = &r->h.vdev;
	unsigned i, n0;

	(void)state;
	assert_int_equal(rig_start(r, FEAT), 0);
	assert_true(r->h.call_running && r->h.err_running);
	r->f.base[0] = 17;
	r->f.base[1] = 300;
	n0 = r->f.n;
	v->ops->stop(v);
	i = check_teardown(r, n0);
	assert_int_equal(r->f.n, i);
	assert_int_equal(r->h.last_avail[0], 17);
	assert_int_equal(r->h.last_avail[1], 300);
	assert_false(r->h.call_running || r->h.err_running);
	assert_false(v->vq[0].ready || v->vq[1].ready);
	assert_int_equal(metric(r, "resets"), 1);
	/* a second stop has nothing to undo */
	v->ops->stop(v);
	assert_int_equal(r->f.n, i);
	assert_int_equal(metric(r, "resets"), 1);
	/* the driver starts again: the same sequence, from base 0 */
	assert_int_equal(rig_start(r, FEAT), 0);
	nth(r, i++, VHOST_SET_FEATURES);
	i = check_ring_setup(r, i, 0, RX_BASE, -1);
	i = check_ring_setup(r, i, 1, TX_BASE, -1);
	assert_int_equal(nth(r, i++, VHOST_NET_SET_BACKEND)->f.fd, r->tap.fd);
	assert_int_equal(nth(r, i++, VHOST_NET_SET_BACKEND)->f.fd, r->tap.fd);
	assert_int_equal(metric(r, "starts"), 2);
	/* teardown at VMM exit: the tap detached, the device closed once */
	n0 = r->f.n;
	vhost_net_destroy(&r->h);
	check_teardown(r, n0);
	assert_int_equal(r->f.closes, 1);
	assert_int_equal(metric(r, "resets"), 1);   /* destroy is not a driver reset */
	vhost_net_destroy(&r->h);                    /* twice is harmless */
	assert_int_equal(r->f.closes, 1);
	rig_free(r);
}

/* One hostile queue 1 (queue 0 fine): refused, NEEDS_RESET, not one ioctl during the start. */
static void hostile(uint16_t num, uint64_t desc, uint64_t avail, uint64_t used, const char *want)
{
	struct rig *r = rig_new(true);
	struct virtio_dev *v = &r->h.vdev;
	struct virtq *q = &v->vq[1];
	unsigned n0;

	assert_int_equal(v->ops->set_features(v, FEAT), 0);
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, RX_BASE, RX_BASE + 0x4000, RX_BASE + 0x5000, 1, 0), 0);
	/* as if the transport had let it through: the model checks for itself */
	q->mem = &r->m;
	q->num = num;
	q->desc_gpa = desc;
	q->avail_gpa = avail;
	q->used_gpa = used;
	q->ready = true;
	n0 = r->f.n;
	assert_int_equal(v->ops->start(v), -1);
	assert_int_equal(r->f.n, n0);
	assert_true(status(r) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(r->cfg_irqs, 1);
	assert_int_equal(metric(r, "setup_errors"), 1);
	assert_int_equal(metric(r, "starts"), 0);
	if (!strstr(r->h.why, want) || !strstr(r->h.why, "tx queue"))
		fail_msg("diagnostic: %s", r->h.why);
	/* the driver resets and sets up sane rings: it works */
	v->ops->stop(v);
	assert_int_equal(r->f.n, n0);
	__atomic_store_n(&v->status, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(rig_start(r, FEAT), 0);
	assert_int_equal(count_req(r, VHOST_NET_SET_BACKEND), 2);
	rig_free(r);
}

static void test_hostile_rings(void **state)
{
	const uint64_t lo_end = TMEM_LOW, hi_end = BOOT_HIGH_MEM_GPA + TMEM_HIGH;

	(void)state;
	/* rings outside RAM: in the MMIO hole, past high RAM, at the top of the address space */
	hostile(QSIZE, lo_end + 0x1000, RX_BASE + 0x8000, RX_BASE + 0x9000, "descriptor");
	hostile(QSIZE, RX_BASE + 0x8000, hi_end, RX_BASE + 0x9000, "avail");
	hostile(QSIZE, RX_BASE + 0x8000, RX_BASE + 0x9000, 0xfffffffffffff000ULL, "used");
	/* straddling the end of a slot */
	hostile(QSIZE, lo_end - 16 * QSIZE / 2, RX_BASE + 0x8000, RX_BASE + 0x9000, "descriptor");
	hostile(QSIZE, RX_BASE + 0x8000, RX_BASE + 0x9000, hi_end - 8, "used");
	/* misaligned, and sizes the kernel must never see */
	hostile(QSIZE, RX_BASE + 0x8008, RX_BASE + 0x9000, RX_BASE + 0xa000, "misaligned");
	hostile(QSIZE, RX_BASE + 0x8000, RX_BASE + 0x9001, RX_BASE + 0xa000, "misaligned");
	hostile(QSIZE, RX_BASE + 0x8000, RX_BASE + 0x9000, RX_BASE + 0xa002, "misaligned");
	hostile(0, RX_BASE + 0x8000, RX_BASE + 0x9000, RX_BASE + 0xa000, "size");
	hostile(48, RX_BASE + 0x8000, RX_BASE + 0x9000, RX_BASE + 0xa000, "size");
	hostile(512, RX_BASE + 0x8000, RX_BASE + 0x9000, RX_BASE + 0xa000, "size");
}

/* A failing ioctl at start: NEEDS_RESET with its name, and what was set up is undone. */
static void test_ioctl_failure(void **state)
{
	struct rig *r = rig_new(true);
	struct virtio_dev *v = &r->h.vdev;
	unsigned n0;

	(void)state;
	r->f.fail_req = VHOST_NET_SET_BACKEND;
	r->f.fail_err = EFAULT;
	r->f.fail_skip = 1;   /* rx attaches, tx fails */
	assert_int_equal(rig_start(r, FEAT), -1);
	assert_true(status(r) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(metric(r, "setup_errors"), 1);
	assert_int_equal(metric(r, "starts"), 0);
	assert_false(r->h.err_running || r->h.call_running);
	/* after the two SET_BACKENDs: rx detached, both rings taken back */
	n0 = 4 + 12 + 2;
	assert_int_equal(nth(r, n0, VHOST_NET_SET_BACKEND)->f.fd, -1);
	assert_int_equal(nth(r, n0, VHOST_NET_SET_BACKEND)->f.index, 0);
	assert_int_equal(count_req(r, VHOST_GET_VRING_BASE), 2);
	assert_int_equal(r->f.n, n0 + 1 + 2 * 4);
	/* a failure part-way through a ring's setup also unbinds it */
	r->f.fail_req = VHOST_SET_VRING_CALL;
	r->f.fail_skip = 0;
	r->f.n = 0;
	__atomic_store_n(&v->status, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(rig_start(r, FEAT), -1);
	assert_int_equal(count_req(r, VHOST_NET_SET_BACKEND), 0);
	assert_int_equal(count_req(r, VHOST_GET_VRING_BASE), 1);
	assert_int_equal(metric(r, "setup_errors"), 2);
	rig_free(r);
}

/* ---- through the real virtio-pci transport (no VM: notifications by exit, INTx) ---- */
static unsigned lines;

static int stub_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque, (void)gsi;
	if (level)
		__atomic_fetch_add(&lines, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int stub_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)addr, (void)data;
	return 0;
}

static void bar_wr(struct virtio_pci *t, uint64_t off, unsigned size, uint64_t val)
{
	const struct pci_bar *b = &t->pci.bars[VIRTIO_PCI_BAR];

	assert_int_equal(b->ops->write(b->opaque, off, &val, size), 0);
}

static uint64_t bar_rd(struct virtio_pci *t, uint64_t off, unsigned size)
{
	const struct pci_bar *b = &t->pci.bars[VIRTIO_PCI_BAR];
	uint64_t val = 0;

	assert_int_equal(b->ops->read(b->opaque, off, &val, size), 0);
	return val;
}

static void pci_queue(struct virtio_pci *t, unsigned q, uint64_t base)
{
	bar_wr(t, VIRTIO_PCI_Q_SELECT, 2, q);
	bar_wr(t, VIRTIO_PCI_Q_SIZE, 2, QSIZE);
	bar_wr(t, VIRTIO_PCI_Q_DESC, 8, base);
	bar_wr(t, VIRTIO_PCI_Q_DRIVER, 8, base + 0x4000);
	bar_wr(t, VIRTIO_PCI_Q_DEVICE, 8, base + 0x5000);
	bar_wr(t, VIRTIO_PCI_Q_ENABLE, 2, 1);
}

static void pci_bringup(struct virtio_pci *t, uint64_t f)
{
	bar_wr(t, VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	bar_wr(t, VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	bar_wr(t, VIRTIO_PCI_GFSELECT, 4, 0);
	bar_wr(t, VIRTIO_PCI_GF, 4, (uint32_t)f);
	bar_wr(t, VIRTIO_PCI_GFSELECT, 4, 1);
	bar_wr(t, VIRTIO_PCI_GF, 4, f >> 32);
	bar_wr(t, VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(bar_rd(t, VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
	pci_queue(t, 0, RX_BASE);
	pci_queue(t, 1, TX_BASE);
	bar_wr(t, VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void test_through_virtio_pci(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct virtio_pci *t = calloc(1, sizeof(*t));
	char err[256] = "";
	uint64_t one = 1;
	int call_tx;

	(void)state;
	rig_base(r);
	assert_int_equal(vhost_net_init_ops(&r->h, &r->m, &r->tap, MAC, &fake_ops, &r->f, err, sizeof(err)), OUTCOME_OK);
	assert_int_equal(virtio_pci_init(t, &r->h.vdev, NULL, NULL, NULL, false, err, sizeof(err)), 0);
	t->pci.sink = (struct pci_irq_sink){ .line = stub_line, .msi = stub_msi };
	t->pci.intx_gsi = 18;
	/* the driver sees our offer */
	bar_wr(t, VIRTIO_PCI_DFSELECT, 4, 1);
	assert_int_equal(bar_rd(t, VIRTIO_PCI_DF, 4), 1);   /* VERSION_1, nothing else above bit 31 */
	pci_bringup(t, FEAT);
	assert_true(bar_rd(t, VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK);
	assert_false(bar_rd(t, VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	/* the kernel got the transport's own kick eventfds, and our relay's call eventfds */
	assert_int_equal(nth(r, 7, VHOST_SET_VRING_KICK)->f.fd, t->q[0].kick_fd);
	assert_int_equal(nth(r, 13, VHOST_SET_VRING_KICK)->f.fd, t->q[1].kick_fd);
	assert_true(nth(r, 14, VHOST_SET_VRING_CALL)->f.fd >= 0);
	/* no MSI-X, no irqfd: the relay raises INTx with the ISR's queue bit */
	call_tx = r->f.r[10 + 4].f.fd;
	assert_int_equal(write(call_tx, &one, 8), 8);
	for (int k = 0; k < 10000 && !__atomic_load_n(&lines, __ATOMIC_SEQ_CST); k++)
		usleep(1000);
	assert_true(lines >= 1);
	assert_int_equal(bar_rd(t, VIRTIO_PCI_ISR_OFF, 1) & VIRTIO_PCI_ISR_QUEUE, VIRTIO_PCI_ISR_QUEUE);
	/* a driver reset through the status register: the reset sequence, then a full restart */
	bar_wr(t, VIRTIO_PCI_STATUS, 1, 0);
	assert_int_equal(metric(r, "resets"), 1);
	assert_int_equal(count_req(r, VHOST_NET_SET_BACKEND), 4);   /* 2 attached, 2 detached */
	pci_bringup(t, FEAT);
	assert_true(bar_rd(t, VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(metric(r, "starts"), 2);
	virtio_pci_destroy(t);
	vhost_net_destroy(&r->h);
	assert_int_equal(r->f.closes, 1);
	free(t);
	r->h.fd = -1;
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_kernel_ops_here),
		cmocka_unit_test(test_tap_required),
		cmocka_unit_test(test_init_sequence),
		cmocka_unit_test(test_offer_follows_kernel),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_start_sequence),
		cmocka_unit_test(test_relay_without_irqfd),
		cmocka_unit_test(test_ring_error),
		cmocka_unit_test(test_reset_and_restart),
		cmocka_unit_test(test_hostile_rings),
		cmocka_unit_test(test_ioctl_failure),
		cmocka_unit_test(test_through_virtio_pci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
