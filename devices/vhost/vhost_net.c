// SPDX-License-Identifier: MIT
/*
 * virtio-net over the kernel's vhost-net (see vhost_net.h), written from the
 * kernel's vhost UAPI (<linux/vhost.h>) and the virtio 1.x specification.
 * Init: open, VHOST_SET_OWNER, VHOST_GET_FEATURES, VHOST_SET_MEM_TABLE (one
 * region per guest RAM slot).  FEATURES_OK: VHOST_SET_FEATURES with the
 * ring features the driver took, the tap's vnet header size and offloads.
 * DRIVER_OK: every enabled ring checked against guest RAM first (nothing
 * the guest wrote reaches an ioctl unchecked), then per ring
 * VHOST_SET_VRING_NUM/BASE/ADDR/KICK/CALL/ERR, and VHOST_NET_SET_BACKEND
 * with the tap.  Reset: the tap detached, VHOST_GET_VRING_BASE, the
 * eventfds unbound, so that a restart finds the kernel's rings idle.
 * Two small threads: "vhost-net-call" relays interrupts when the transport
 * has no irqfd, "vhost-net-err" turns a ring error the kernel reports into
 * NEEDS_RESET.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/net/net_tap.h"
#include "vmm/thread_cpu.h"
#include "devices/vhost/vhost_net.h"

#define RING_FEATURES (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MRG_RXBUF | \
		       1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define OWN_FEATURES  (1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS)

/* Guest offloads (virtio-net feature bits) and what the tap must then be allowed to hand over. */
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN  9
#define VIRTIO_NET_F_GUEST_UFO  10

static const char *const vhn_metric_names[VHN_NMETRICS] = {
	[VHN_INTERRUPTS_RELAYED] = "interrupts_relayed",
	[VHN_RING_ERRORS] = "ring_errors",
	[VHN_STARTS] = "starts",
	[VHN_RESETS] = "resets",
	[VHN_SETUP_ERRORS] = "setup_errors",
};

static const char *const queue_name[VHOST_NET_NQUEUES] = { "rx", "tx" };

/* ---- the kernel's vhost device ---- */

static int k_open(void *ctx, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	(void)ctx;
	return fd < 0 ? -errno : fd;
}

static int k_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	(void)ctx;
	return r < 0 ? -errno : r;
}

static void k_close(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

static int k_tap_vnet_hdr_len(void *ctx, struct net_backend *tap, unsigned len)
{
	(void)ctx;
	return net_tap_set_vnet_hdr_len(tap, len);
}

static int k_tap_offload(void *ctx, struct net_backend *tap, unsigned tun_flags)
{
	(void)ctx;
	return net_tap_set_offload(tap, tun_flags);
}

const struct vhost_net_ops vhost_net_kernel_ops = {
	.open = k_open, .ioctl = k_ioctl, .close = k_close,
	.tap_vnet_hdr_len = k_tap_vnet_hdr_len, .tap_offload = k_tap_offload,
};

/* ---- helpers ---- */

static void count(struct vhost_net *h, enum vhost_net_metric m)
{
	DEV_METRIC_ADD(&h->counters[m], 1);
}

static int vioctl(struct vhost_net *h, unsigned long req, void *arg)
{
	return h->ops->ioctl(h->ctx, h->fd, req, arg);
}

static void drain_eventfd(int fd)
{
	uint64_t c;

	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return; /* nonblocking: nothing there */
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The TUN_F_* offloads the tap may use for frames to a driver that negotiated features f. */
static unsigned tun_offloads(uint64_t f)
{
	unsigned t = 0;

	if (!((f >> VIRTIO_NET_F_GUEST_CSUM) & 1))
		return 0;   /* no segmentation without checksum offload */
	t |= TUN_F_CSUM;
	if ((f >> VIRTIO_NET_F_GUEST_TSO4) & 1)
		t |= TUN_F_TSO4;
	if ((f >> VIRTIO_NET_F_GUEST_TSO6) & 1)
		t |= TUN_F_TSO6;
	if ((f >> VIRTIO_NET_F_GUEST_ECN) & 1)
		t |= TUN_F_TSO_ECN;
	if ((f >> VIRTIO_NET_F_GUEST_UFO) & 1)
		t |= TUN_F_UFO;
	return t;
}

/*
 * Queue q's rings as the kernel will see them: our addresses for the
 * driver's GPAs, every byte of each ring inside one guest RAM slot.
 * 0, or -1 with why (and nothing handed to the kernel).
 */
static int ring_addr(struct vhost_net *h, unsigned q, struct vhost_vring_addr *a, char *why, size_t n)
{
	const struct virtq *vq = &h->vdev.vq[q];
	uint64_t num = vq->num;
	void *d, *av, *u;

	if (!num || (num & (num - 1)) || num > h->vdev.queue_max[q]) {
		snprintf(why, n, "%s queue: size %llu is not a power of two in 1..%u", queue_name[q],
			 (unsigned long long)num, h->vdev.queue_max[q]);
		return -1;
	}
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3)) {
		snprintf(why, n, "%s queue: misaligned rings: desc 0x%llx, avail 0x%llx, used 0x%llx",
			 queue_name[q], (unsigned long long)vq->desc_gpa, (unsigned long long)vq->avail_gpa,
			 (unsigned long long)vq->used_gpa);
		return -1;
	}
	d = guest_mem_ptr(h->mem, vq->desc_gpa, 16 * num);
	av = guest_mem_ptr(h->mem, vq->avail_gpa, 6 + 2 * num);   /* flags, idx, ring, used_event */
	u = guest_mem_ptr(h->mem, vq->used_gpa, 6 + 8 * num);     /* flags, idx, ring, avail_event */
	if (!d || !av || !u) {
		snprintf(why, n, "%s queue: %s ring at 0x%llx is not wholly inside guest RAM", queue_name[q],
			 !d ? "descriptor" : !av ? "avail" : "used",
			 (unsigned long long)(!d ? vq->desc_gpa : !av ? vq->avail_gpa : vq->used_gpa));
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->index = q;
	a->flags = 0;                      /* no dirty logging */
	a->desc_user_addr = (uintptr_t)d;
	a->avail_user_addr = (uintptr_t)av;
	a->used_user_addr = (uintptr_t)u;
	a->log_guest_addr = 0;
	return 0;
}

/* ---- the two threads ---- */

static void *call_main(void *arg)
{
	struct vhost_net *h = arg;
	struct virtio_dev *v = &h->vdev;
	struct pollfd p[1 + VHOST_NET_NQUEUES];
	unsigned qof[1 + VHOST_NET_NQUEUES], np = 1;

	pthread_setname_np(pthread_self(), "vhost-net-call");
	p[0] = (struct pollfd){ .fd = h->stop_fd, .events = POLLIN };
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++)
		if (h->relay[q]) {
			qof[np] = q;
			p[np++] = (struct pollfd){ .fd = h->call_fd[q], .events = POLLIN };
		}
	for (;;) {
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vhost-net-call: poll");
			break;
		}
		if (p[0].revents)
			break;
		for (unsigned i = 1; i < np; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			drain_eventfd(p[i].fd);
			v->tops->interrupt(v, (int)qof[i]);
			count(h, VHN_INTERRUPTS_RELAYED);
		}
	}
	return NULL;
}

static void *err_main(void *arg)
{
	struct vhost_net *h = arg;
	struct pollfd p[1 + VHOST_NET_NQUEUES];

	pthread_setname_np(pthread_self(), "vhost-net-err");
	p[0] = (struct pollfd){ .fd = h->stop_fd, .events = POLLIN };
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++)
		p[1 + q] = (struct pollfd){ .fd = h->err_fd[q], .events = POLLIN };
	for (;;) {
		if (poll(p, 1 + VHOST_NET_NQUEUES, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vhost-net-err: poll");
			break;
		}
		if (p[0].revents)
			break;
		for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
			char why[160];

			if (!(p[1 + q].revents & POLLIN))
				continue;
			drain_eventfd(p[1 + q].fd);
			count(h, VHN_RING_ERRORS);
			snprintf(why, sizeof(why), "the kernel's vhost-net stopped the %s queue on an error (a bad "
				 "descriptor, buffer address or ring index; dmesg may say more)", queue_name[q]);
			virtio_dev_needs_reset(&h->vdev, why);
		}
	}
	return NULL;
}

static void stop_threads(struct vhost_net *h)
{
	uint64_t one = 1;

	if (!h->call_running && !h->err_running)
		return;
	if (write(h->stop_fd, &one, sizeof(one)) != sizeof(one))
		perror("vhost-net: stop eventfd");
	if (h->call_running)
		pthread_join(h->call_thread, NULL);
	if (h->err_running)
		pthread_join(h->err_thread, NULL);
	h->call_running = h->err_running = false;
	drain_eventfd(h->stop_fd);
}

/* ---- start and stop ---- */

/*
 * Give the kernel's rings back to us: the tap detached first (the kernel
 * stops moving frames), then each ring's base read back and its eventfds
 * unbound, then our threads stopped.  Errors are reported and passed over:
 * this must always leave the device restartable or closable.
 */
static void teardown(struct vhost_net *h, bool is_reset)
{
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
		struct vhost_vring_file f = { .index = q, .fd = VHOST_FILE_UNBIND };
		int r;

		if (!h->attached[q])
			continue;
		r = vioctl(h, VHOST_NET_SET_BACKEND, &f);
		if (r < 0)
			fprintf(stderr, "vhost-net: %s queue: VHOST_NET_SET_BACKEND -1: %s\n", queue_name[q],
				strerror(-r));
		h->attached[q] = false;
	}
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
		struct vhost_vring_state s = { .index = q };
		struct vhost_vring_file f = { .index = q, .fd = VHOST_FILE_UNBIND };
		static const unsigned long unbind[] = { VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL,
							VHOST_SET_VRING_ERR };
		int r;

		if (!h->configured[q])
			continue;
		r = vioctl(h, VHOST_GET_VRING_BASE, &s);
		if (r < 0)
			fprintf(stderr, "vhost-net: %s queue: VHOST_GET_VRING_BASE: %s\n", queue_name[q], strerror(-r));
		else
			h->last_avail[q] = (uint16_t)s.num;
		for (unsigned i = 0; i < sizeof(unbind) / sizeof(unbind[0]); i++) {
			r = vioctl(h, unbind[i], &f);
			if (r < 0)
				fprintf(stderr, "vhost-net: %s queue: unbinding an eventfd: %s\n", queue_name[q],
					strerror(-r));
		}
		h->configured[q] = false;
		h->relay[q] = false;
	}
	stop_threads(h);
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
		if (h->call_fd[q] >= 0)
			drain_eventfd(h->call_fd[q]);
		if (h->err_fd[q] >= 0)
			drain_eventfd(h->err_fd[q]);
	}
	if (h->started && is_reset)
		count(h, VHN_RESETS);
	h->started = false;
}

/* Set up queue q in the kernel (its rings already checked): 0, or -errno with the ioctl's name in *what. */
static int ring_setup(struct vhost_net *h, unsigned q, struct vhost_vring_addr *a, int kick, int call,
		      const char **what)
{
	struct vhost_vring_state s = { .index = q, .num = h->vdev.vq[q].num };
	struct vhost_vring_file f = { .index = q };
	int r;

	h->configured[q] = true;   /* from here on teardown unbinds it, whatever succeeded */
	*what = "VHOST_SET_VRING_NUM";
	if ((r = vioctl(h, VHOST_SET_VRING_NUM, &s)) < 0)
		return r;
	/* A driver (re)starts its rings at index 0 (virtio 1.x, 2.7.13). */
	s.num = 0;
	*what = "VHOST_SET_VRING_BASE";
	if ((r = vioctl(h, VHOST_SET_VRING_BASE, &s)) < 0)
		return r;
	*what = "VHOST_SET_VRING_ADDR";
	if ((r = vioctl(h, VHOST_SET_VRING_ADDR, a)) < 0)
		return r;
	f.fd = kick;
	*what = "VHOST_SET_VRING_KICK";
	if ((r = vioctl(h, VHOST_SET_VRING_KICK, &f)) < 0)
		return r;
	f.fd = call;
	*what = "VHOST_SET_VRING_CALL";
	if ((r = vioctl(h, VHOST_SET_VRING_CALL, &f)) < 0)
		return r;
	f.fd = h->err_fd[q];
	*what = "VHOST_SET_VRING_ERR";
	return vioctl(h, VHOST_SET_VRING_ERR, &f);
}

static int refuse(struct vhost_net *h, const char *why)
{
	teardown(h, false);
	count(h, VHN_SETUP_ERRORS);
	snprintf(h->why, sizeof(h->why), "%s", why);
	virtio_dev_needs_reset(&h->vdev, why);
	return -1;
}

static int vhn_start(struct virtio_dev *v)
{
	struct vhost_net *h = v->opaque;
	struct vhost_vring_addr addr[VHOST_NET_NQUEUES];
	int kick[VHOST_NET_NQUEUES];
	bool use[VHOST_NET_NQUEUES], any_relay = false;
	const char *what = "";
	char why[256];
	unsigned q;
	int r;

	teardown(h, true);
	if (!v->tops || !v->tops->kick_fd || !v->tops->interrupt)
		return refuse(h, "no transport to take kicks and interrupts from");
	/* Everything the guest wrote is checked before the kernel sees any of it. */
	for (q = 0; q < VHOST_NET_NQUEUES; q++) {
		use[q] = v->vq[q].ready;
		if (!use[q])
			continue;
		if (ring_addr(h, q, &addr[q], why, sizeof(why)))
			return refuse(h, why);
		kick[q] = v->tops->kick_fd(v, q);
		if (kick[q] < 0) {
			snprintf(why, sizeof(why), "%s queue: the transport has no kick eventfd for it", queue_name[q]);
			return refuse(h, why);
		}
	}
	for (q = 0; q < VHOST_NET_NQUEUES; q++) {
		int call;

		if (!use[q])
			continue;
		/* The transport's irqfd, or ours to relay when it has none (MSI-X off, no irqchip). */
		call = v->tops->call_fd ? v->tops->call_fd(v, q) : -1;
		h->relay[q] = call < 0;
		if (h->relay[q]) {
			call = h->call_fd[q];
			any_relay = true;
		}
		r = ring_setup(h, q, &addr[q], kick[q], call, &what);
		if (r < 0)
			goto ioctl_failed;
	}
	if (thread_cpu_create(&h->err_thread, err_main, h))
		return refuse(h, "cannot start the vhost-net-err thread");
	h->err_running = true;
	if (any_relay) {
		if (thread_cpu_create(&h->call_thread, call_main, h))
			return refuse(h, "cannot start the vhost-net-call thread");
		h->call_running = true;
	}
	h->started = true;   /* from here a teardown is a reset */
	for (q = 0; q < VHOST_NET_NQUEUES; q++) {
		struct vhost_vring_file f = { .index = q, .fd = h->tap->fd };

		if (!use[q])
			continue;
		what = "VHOST_NET_SET_BACKEND";
		r = vioctl(h, VHOST_NET_SET_BACKEND, &f);
		if (r < 0) {
			h->started = false;
			goto ioctl_failed;
		}
		h->attached[q] = true;
	}
	count(h, VHN_STARTS);
	return 0;
ioctl_failed:
	snprintf(why, sizeof(why), "%s queue: %s: %s", queue_name[q], what, strerror(-r));
	return refuse(h, why);
}

static void vhn_stop(struct virtio_dev *v)
{
	struct vhost_net *h = v->opaque;

	teardown(h, true);
	for (unsigned q = 0; q < v->nqueues; q++)
		virtq_reset(&v->vq[q]);
}

static int vhn_set_features(struct virtio_dev *v, uint64_t f)
{
	struct vhost_net *h = v->opaque;
	uint64_t kf = f & RING_FEATURES & h->vhost_features;
	unsigned hdr = (f >> VIRTIO_F_VERSION_1) & 1 || (f >> VIRTIO_NET_F_MRG_RXBUF) & 1 ? 12 : 10;
	int r;

	if (!virtio_features_acceptable(v, f))
		return -1;   /* modern only, and nothing we did not offer */
	/* MAC and STATUS are ours (the config space); the kernel gets the ring features only. */
	r = vioctl(h, VHOST_SET_FEATURES, &kf);
	if (r < 0) {
		fprintf(stderr, "vhost-net: VHOST_SET_FEATURES 0x%llx: %s\n", (unsigned long long)kf, strerror(-r));
		return -1;
	}
	/* The kernel adds no header of its own (no VHOST_NET_F_VIRTIO_NET_HDR): the tap's is the guest's. */
	r = h->ops->tap_vnet_hdr_len(h->ctx, h->tap, hdr);
	if (r < 0) {
		fprintf(stderr, "vhost-net: the tap's vnet header size %u (TUNSETVNETHDRSZ): %s\n", hdr, strerror(-r));
		return -1;
	}
	r = h->ops->tap_offload(h->ctx, h->tap, tun_offloads(f));
	if (r < 0) {
		fprintf(stderr, "vhost-net: the tap's offloads 0x%x (TUNSETOFFLOAD): %s\n", tun_offloads(f),
			strerror(-r));
		return -1;
	}
	h->features = f;
	return 0;
}

static void vhn_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	struct vhost_net *h = v->opaque;

	virtio_config_copy(h->config, sizeof(h->config), off, data, len);
}

static void vhn_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	/* Under VERSION_1 the MAC is read-only and nothing else is writable. */
	(void)v, (void)off, (void)data, (void)len;
}

static const struct virtio_dev_ops vhn_ops = {
	.set_features = vhn_set_features,
	.config_read = vhn_config_read,
	.config_write = vhn_config_write,
	.start = vhn_start,
	.stop = vhn_stop,
};

/* ---- init ---- */

/* What opening the vhost device said (errno e), in err; which outcome it is. */
static enum outcome open_error(int e, char *err, size_t errlen)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		snprintf(err, errlen, "vhost-net: %s: %s: this host's kernel offers no vhost-net "
			 "(modprobe vhost_net; in a container, pass %s through)", VHOST_NET_DEV_PATH, strerror(e),
			 VHOST_NET_DEV_PATH);
		return OUTCOME_NO_HOST;
	case EACCES:
	case EPERM:
		snprintf(err, errlen, "vhost-net: %s: %s: run as root, or give this user read-write access to "
			 "%s (e.g. the kvm group)", VHOST_NET_DEV_PATH, strerror(e), VHOST_NET_DEV_PATH);
		return OUTCOME_NO_HOST;
	default:
		snprintf(err, errlen, "vhost-net: %s: %s", VHOST_NET_DEV_PATH, strerror(e));
		return OUTCOME_FAILED;
	}
}

/* One vhost memory region per guest RAM slot, at our mapping of it. */
static int set_mem_table(struct vhost_net *h, char *err, size_t errlen)
{
	const struct guest_mem *m = h->mem;
	struct vhost_memory *t = calloc(1, sizeof(*t) + GUEST_MEM_NSLOTS * sizeof(t->regions[0]));
	int r;

	if (!t) {
		snprintf(err, errlen, "vhost-net: out of memory");
		return -1;
	}
	t->regions[t->nregions++] = (struct vhost_memory_region){
		.guest_phys_addr = 0, .memory_size = m->size, .userspace_addr = (uintptr_t)m->host,
	};
	if (m->high_size)
		t->regions[t->nregions++] = (struct vhost_memory_region){
			.guest_phys_addr = BOOT_HIGH_MEM_GPA, .memory_size = m->high_size,
			.userspace_addr = (uintptr_t)(m->host + m->size),
		};
	r = vioctl(h, VHOST_SET_MEM_TABLE, t);
	free(t);
	if (r < 0) {
		snprintf(err, errlen, "vhost-net: VHOST_SET_MEM_TABLE (%s of guest RAM): %s",
			 m->high_size ? "2 regions" : "1 region", strerror(-r));
		return -1;
	}
	return 0;
}

static int check_tap(const struct net_backend *tap, char *err, size_t errlen)
{
	if (!tap || !tap->ops || !tap->ops->kind || strcmp(tap->ops->kind, "tap")) {
		snprintf(err, errlen, "vhost-net: the backend is %s, but the kernel's vhost-net needs a tap: "
			 "--netdev tap,ifname=NAME,vnet_hdr=1", tap && tap->ops && tap->ops->kind ? tap->ops->kind :
			 "missing");
		return -1;
	}
	if (!tap->vnet_hdr_len) {
		snprintf(err, errlen, "vhost-net: the tap was opened without vnet_hdr=1, but the kernel's vhost-net "
			 "exchanges the virtio-net header with it: --netdev tap,ifname=NAME,vnet_hdr=1");
		return -1;
	}
	if (tap->fd < 0) {
		snprintf(err, errlen, "vhost-net: the tap has no file descriptor");
		return -1;
	}
	return 0;
}

enum outcome vhost_net_init_ops(struct vhost_net *h, const struct guest_mem *mem, struct net_backend *tap,
				const uint8_t mac[6], const struct vhost_net_ops *ops, void *ctx, char *err,
				size_t errlen)
{
	struct virtio_dev *v = &h->vdev;
	enum outcome o = OUTCOME_FAILED;
	int r;

	memset(h, 0, sizeof(*h));
	h->fd = h->stop_fd = -1;
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++)
		h->call_fd[q] = h->err_fd[q] = -1;
	h->ops = ops;
	h->ctx = ctx;
	if (check_tap(tap, err, errlen))
		return OUTCOME_BAD_INPUT;
	if (!mem || !mem->host || !mem->size) {
		snprintf(err, errlen, "vhost-net: no guest memory");
		return OUTCOME_FAILED;
	}
	h->mem = mem;
	h->tap = tap;
	r = ops->open(ctx, VHOST_NET_DEV_PATH);
	if (r < 0)
		return open_error(-r, err, errlen);
	h->fd = r;
	r = vioctl(h, VHOST_SET_OWNER, NULL);
	if (r < 0) {
		snprintf(err, errlen, "vhost-net: VHOST_SET_OWNER: %s", strerror(-r));
		goto fail;
	}
	r = vioctl(h, VHOST_GET_FEATURES, &h->vhost_features);
	if (r < 0) {
		snprintf(err, errlen, "vhost-net: VHOST_GET_FEATURES: %s", strerror(-r));
		goto fail;
	}
	if (!((h->vhost_features >> VIRTIO_F_VERSION_1) & 1)) {
		o = OUTCOME_NO_HOST;
		snprintf(err, errlen, "vhost-net: this kernel's vhost-net does not offer VIRTIO_F_VERSION_1 "
			 "(features 0x%llx): a newer kernel is needed", (unsigned long long)h->vhost_features);
		goto fail;
	}
	if (set_mem_table(h, err, errlen))
		goto fail;
	r = (h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0;
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
		r |= (h->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0;
		r |= (h->err_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0;
	}
	if (r) {
		snprintf(err, errlen, "vhost-net: eventfd: %s", strerror(errno));
		goto fail;
	}
	memcpy(h->config, mac, 6);
	h->config[6] = VIRTIO_NET_S_LINK_UP; /* status, little-endian */
	h->config[8] = 1;                    /* max_virtqueue_pairs */

	v->name = "vhost-net";
	v->device_id = VIRTIO_ID_NET;
	/* What the kernel moves and we support, plus what our config space serves; never an offload. */
	v->host_features = (h->vhost_features & RING_FEATURES) | OWN_FEATURES;
	v->nqueues = VHOST_NET_NQUEUES;
	v->queue_max[VIRTIO_NET_RXQ] = VHOST_NET_QUEUE_MAX;
	v->queue_max[VIRTIO_NET_TXQ] = VHOST_NET_QUEUE_MAX;
	v->config_len = VIRTIO_NET_CONFIG_LEN;
	v->ops = &vhn_ops;
	v->opaque = h;
	v->mem = mem;
	for (unsigned q = 0; q < v->nqueues; q++)
		v->vq[q].mem = mem;

	h->metrics.device = "vhost-net";
	h->metrics.n = VHN_NMETRICS;
	h->metrics.names = vhn_metric_names;
	h->metrics.values = h->counters;
	return OUTCOME_OK;
fail:
	vhost_net_destroy(h);
	return o;
}

enum outcome vhost_net_init(struct vhost_net *h, const struct guest_mem *mem, struct net_backend *tap,
			    const uint8_t mac[6], char *err, size_t errlen)
{
	return vhost_net_init_ops(h, mem, tap, mac, &vhost_net_kernel_ops, NULL, err, errlen);
}

const struct dev_metrics *vhost_net_metrics(struct vhost_net *h)
{
	return &h->metrics;
}

void vhost_net_destroy(struct vhost_net *h)
{
	if (h->fd >= 0)
		teardown(h, false);
	stop_threads(h);
	for (unsigned q = 0; q < VHOST_NET_NQUEUES; q++) {
		close_fd(&h->call_fd[q]);
		close_fd(&h->err_fd[q]);
	}
	close_fd(&h->stop_fd);
	if (h->fd >= 0 && h->ops)
		h->ops->close(h->ctx, h->fd);
	h->fd = -1;
}
