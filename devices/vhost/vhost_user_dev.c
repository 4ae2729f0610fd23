// SPDX-License-Identifier: MIT
/*
 * vhost-user-net and vhost-user-blk device models (vhost_user_dev.h): the
 * features and configuration the guest sees, the hand-over of the rings to
 * the back-end at DRIVER_OK and their return at reset, the call relay for
 * a transport without irqfds, and the monitor that notices a back-end
 * going away and reconnects.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "exitlab/boot_abi.h"
#include "vmm/thread_cpu.h"
#include "devices/vhost/vhost_user_dev.h"
#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtio_net.h"

static const char *const vhud_metric_names[VHUD_NMETRICS] = {
	[VHUD_MESSAGES_SENT] = "messages_sent", [VHUD_REPLIES] = "replies", [VHUD_FDS_SENT] = "fds_sent",
	[VHUD_BACKEND_ERRORS] = "backend_errors", [VHUD_DISCONNECTS] = "disconnects",
	[VHUD_RECONNECTS] = "reconnects", [VHUD_RING_SETUPS] = "ring_setups",
	[VHUD_CALLS_RELAYED] = "calls_relayed", [VHUD_ERR_SIGNALS] = "err_signals",
};

_Static_assert((int)VHUD_MESSAGES_SENT == (int)VHU_MESSAGES_SENT && (int)VHUD_RECONNECTS == (int)VHU_RECONNECTS,
	       "the connection counts into the device's first VHU_NCOUNTERS counters");

/* What we let through of the back-end's offer: features our transport and a guest driver can live with. */
#define RING_FEATURES (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_RING_F_EVENT_IDX | \
		       1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define NET_FEATURES  (RING_FEATURES | 1ull << VIRTIO_NET_F_MRG_RXBUF)
#define NET_LOCAL     (1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS) /* we serve their config */
#define BLK_FEATURES  (RING_FEATURES | 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | \
		       1ull << 4 /* GEOMETRY */ | 1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE | \
		       1ull << VIRTIO_BLK_F_FLUSH | 1ull << 10 /* TOPOLOGY */)
#define BLK_CONFIG_LEN 60 /* struct virtio_blk_config up to write_zeroes_may_unmap and its padding */

static struct vhost_user_dev *to_dev(struct virtio_dev *v)
{
	return v->opaque;
}

static void count(struct vhost_user_dev *d, enum vhu_dev_metric m)
{
	DEV_METRIC_ADD(&d->counters[m], 1);
}

static int set_fd(struct vhost_user_dev *d, uint32_t req, unsigned q, int fd, char *err, size_t errlen)
{
	struct vhu_msg m;

	vhu_msg_u64(&m, req, q | (fd < 0 ? VHU_VRING_NOFD : 0));
	return vhost_user_call(&d->u, &m, fd < 0 ? NULL : &fd, fd < 0 ? 0 : 1, NULL, err, errlen);
}

static int set_state(struct vhost_user_dev *d, uint32_t req, unsigned q, uint32_t num, char *err, size_t errlen)
{
	struct vhu_msg m;

	vhu_msg_state(&m, req, q, num);
	return vhost_user_call(&d->u, &m, NULL, 0, NULL, err, errlen);
}

static int set_u64(struct vhost_user_dev *d, uint32_t req, uint64_t v, char *err, size_t errlen)
{
	struct vhu_msg m;

	vhu_msg_u64(&m, req, v);
	return vhost_user_call(&d->u, &m, NULL, 0, NULL, err, errlen);
}

/* Guest RAM as the back-end maps it: one region per KVM slot, all in our one memfd. */
static int send_mem_table(struct vhost_user_dev *d, char *err, size_t errlen)
{
	const struct guest_mem *gm = d->mem;
	struct vhu_region r[2] = {
		{ .guest_addr = 0, .size = gm->size, .user_addr = (uintptr_t)gm->host, .mmap_offset = 0 },
		{ .guest_addr = BOOT_HIGH_MEM_GPA, .size = gm->high_size, .user_addr = (uintptr_t)(gm->host + gm->size),
		  .mmap_offset = gm->size },
	};
	int fds[2] = { gm->memfd, gm->memfd };
	unsigned n = gm->high_size ? 2 : 1;
	struct vhu_msg m;

	if (gm->memfd < 0) {
		snprintf(err, errlen, "vhost-user: guest RAM has no memfd to share");
		return -1;
	}
	vhu_msg_mem(&m, r, n);
	return vhost_user_call(&d->u, &m, fds, n, NULL, err, errlen);
}

/* Our userspace address of a ring part, checked against guest RAM. */
static int ring_va(struct vhost_user_dev *d, uint64_t gpa, uint64_t len, uint64_t *va)
{
	void *p = guest_mem_ptr(d->mem, gpa, len);

	if (!p)
		return -1;
	*va = (uintptr_t)p;
	return 0;
}

/* The used index the driver has seen: where a restarted back-end resumes. */
static uint16_t used_idx(struct vhost_user_dev *d, const struct virtq *q)
{
	const volatile uint16_t *p = guest_mem_ptr(d->mem, q->used_gpa + 2, 2);

	return p ? *p : 0;
}

static int call_fd_of(struct vhost_user_dev *d, unsigned q)
{
	struct virtio_dev *v = &d->vdev;
	int fd = v->tops && v->tops->call_fd ? v->tops->call_fd(v, q) : -1;

	if (fd >= 0)
		return fd;
	if (d->relay_fd[q] < 0)
		d->relay_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return d->relay_fd[q];
}

/* Hand every ready queue to the back-end (resume: at the used index, after a reconnect). Under d->lock. */
static int hand_over(struct vhost_user_dev *d, bool resume, char *err, size_t errlen)
{
	struct virtio_dev *v = &d->vdev;
	uint64_t proto = d->u.features & (1ull << VHU_F_PROTOCOL_FEATURES);
	unsigned handed = 0;

	if (set_u64(d, VHU_SET_FEATURES, (v->features & d->u.features) | proto, err, errlen) ||
	    send_mem_table(d, err, errlen))
		return -1;
	for (unsigned q = 0; q < v->nqueues; q++) {
		struct virtq *vq = &v->vq[q];
		uint64_t desc, avail, used;
		struct vhu_msg m;
		int kick = v->tops->kick_fd(v, q), call;

		if (!vq->ready)
			continue;
		if (ring_va(d, vq->desc_gpa, 16ull * vq->num, &desc) ||
		    ring_va(d, vq->avail_gpa, 6 + 2ull * vq->num, &avail) ||
		    ring_va(d, vq->used_gpa, 6 + 8ull * vq->num, &used)) {
			snprintf(err, errlen, "vhost-user: queue %u: ring outside guest RAM", q);
			return -1;
		}
		if (kick < 0) {
			snprintf(err, errlen, "vhost-user: queue %u has no kick eventfd", q);
			return -1;
		}
		call = call_fd_of(d, q);
		if (call < 0) {
			snprintf(err, errlen, "vhost-user: queue %u: call eventfd: %s", q, strerror(errno));
			return -1;
		}
		vhu_msg_addr(&m, q, desc, used, avail);
		if (set_state(d, VHU_SET_VRING_NUM, q, vq->num, err, errlen) ||
		    set_state(d, VHU_SET_VRING_BASE, q, resume ? used_idx(d, vq) : 0, err, errlen) ||
		    vhost_user_call(&d->u, &m, NULL, 0, NULL, err, errlen) ||
		    set_fd(d, VHU_SET_VRING_KICK, q, kick, err, errlen) ||
		    set_fd(d, VHU_SET_VRING_CALL, q, call, err, errlen) ||
		    set_fd(d, VHU_SET_VRING_ERR, q, d->err_fd[q], err, errlen))
			return -1;
		d->handed[q] = true;
		handed++;
	}
	if (proto)
		for (unsigned q = 0; q < v->nqueues; q++)
			if (d->handed[q] && set_state(d, VHU_SET_VRING_ENABLE, q, 1, err, errlen))
				return -1;
	/* With STATUS a back-end (dpdk) starts only once it has seen DRIVER_OK. */
	if (vhost_user_has_protocol(&d->u, VHU_PROTOCOL_F_STATUS) &&
	    set_u64(d, VHU_SET_STATUS, __atomic_load_n(&v->status, __ATOMIC_SEQ_CST), err, errlen))
		return -1;
	if (!handed) {
		snprintf(err, errlen, "vhost-user: the driver enabled no queue");
		return -1;
	}
	count(d, VHUD_RING_SETUPS);
	return 0;
}

/* Take the rings back (GET_VRING_BASE stops each) and reset the back-end. Under d->lock. */
static void take_back(struct vhost_user_dev *d)
{
	struct virtio_dev *v = &d->vdev;
	char err[256];
	bool ok = vhost_user_connected(&d->u);

	for (unsigned q = 0; q < v->nqueues && ok; q++) {
		struct vhu_msg m, r;

		if (!d->handed[q])
			continue;
		vhu_msg_state(&m, VHU_GET_VRING_BASE, q, 0);
		if (vhost_user_call(&d->u, &m, NULL, 0, &r, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			ok = false;
		}
	}
	if (ok) {
		struct vhu_msg m;

		vhu_msg_none(&m, vhost_user_has_protocol(&d->u, VHU_PROTOCOL_F_RESET_DEVICE) ? VHU_RESET_DEVICE :
			     VHU_RESET_OWNER);
		if (vhost_user_call(&d->u, &m, NULL, 0, NULL, err, sizeof(err)))
			fprintf(stderr, "%s\n", err);
		/* a reset back-end wants an owner again before the next hand-over */
		vhu_msg_none(&m, VHU_SET_OWNER);
		if (vhost_user_connected(&d->u) && vhost_user_call(&d->u, &m, NULL, 0, NULL, err, sizeof(err)))
			fprintf(stderr, "%s\n", err);
	}
	memset(d->handed, 0, sizeof(d->handed));
}

/* ---- the call relay: interrupts for a transport without irqfds (MSI-X off) ---- */
static void *relay_main(void *arg)
{
	struct vhost_user_dev *d = arg;
	struct virtio_dev *v = &d->vdev;

	pthread_setname_np(pthread_self(), "vhost-user-call");
	for (;;) {
		struct pollfd p[VIRTIO_MAX_QUEUES + 1];
		unsigned qs[VIRTIO_MAX_QUEUES], n = 1;
		uint64_t val;

		p[0] = (struct pollfd){ .fd = d->relay_stop_fd, .events = POLLIN };
		for (unsigned q = 0; q < v->nqueues; q++)
			if (d->relay_fd[q] >= 0) {
				qs[n - 1] = q;
				p[n++] = (struct pollfd){ .fd = d->relay_fd[q], .events = POLLIN };
			}
		if (poll(p, n, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		for (unsigned i = 1; i < n; i++)
			if ((p[i].revents & POLLIN) && read(p[i].fd, &val, sizeof(val)) == sizeof(val)) {
				count(d, VHUD_CALLS_RELAYED);
				v->tops->interrupt(v, (int)qs[i - 1]);
			}
	}
	return NULL;
}

static void relay_stop(struct vhost_user_dev *d)
{
	uint64_t one = 1, val;

	if (!d->relay_running)
		return;
	if (write(d->relay_stop_fd, &one, sizeof(one)) != sizeof(one))
		perror("vhost-user: relay stop");
	pthread_join(d->relay, NULL);
	d->relay_running = false;
	if (read(d->relay_stop_fd, &val, sizeof(val)) < 0 && errno != EAGAIN)
		perror("vhost-user: relay stop");
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (d->relay_fd[q] >= 0) {
			close(d->relay_fd[q]);
			d->relay_fd[q] = -1;
		}
}

/* ---- virtio_dev ops ---- */
static int vud_set_features(struct virtio_dev *v, uint64_t f)
{
	(void)v;
	(void)f; /* the transport checked f against what we offered; the back-end hears it at start */
	return 0;
}

static void vud_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	virtio_config_copy(to_dev(v)->config, sizeof(to_dev(v)->config), off, data, len);
}

static void vud_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	(void)v; (void)off; (void)data; (void)len; /* read-only here: no SET_CONFIG */
}

static int vud_start(struct virtio_dev *v)
{
	struct vhost_user_dev *d = to_dev(v);
	char err[256];
	int rc = -1;

	pthread_mutex_lock(&d->lock);
	if (!vhost_user_connected(&d->u)) {
		fprintf(stderr, "vhost-user: %s: no back-end connected at %s\n", v->name, d->path);
		goto out;
	}
	if (hand_over(d, false, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", v->name, err);
		goto out;
	}
	d->started = true;
	rc = 0;
	for (unsigned q = 0; q < v->nqueues; q++)
		if (d->relay_fd[q] >= 0 && !d->relay_running) {
			if (thread_cpu_create(&d->relay, relay_main, d))
				rc = -1;
			else
				d->relay_running = true;
		}
out:
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static void vud_stop(struct virtio_dev *v)
{
	struct vhost_user_dev *d = to_dev(v);

	pthread_mutex_lock(&d->lock);
	if (d->started || d->handed[0] || d->handed[1])
		take_back(d);
	d->started = false;
	relay_stop(d);
	pthread_mutex_unlock(&d->lock);
}

static const struct virtio_dev_ops vud_ops = {
	.set_features = vud_set_features,
	.config_read = vud_config_read,
	.config_write = vud_config_write,
	.start = vud_start,
	.stop = vud_stop,
};

/* ---- the monitor: a back-end that goes away ---- */
static bool mon_stopping(struct vhost_user_dev *d)
{
	struct pollfd p = { .fd = d->mon_stop_fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static void on_disconnect(struct vhost_user_dev *d)
{
	struct virtio_dev *v = &d->vdev;
	char why[600], err[256] = "";
	bool ok = false;

	if (d->u.broken && d->u.last_error[0])
		snprintf(why, sizeof(why), "vhost-user: the back-end at %s broke the protocol: %s", d->path,
			 d->u.last_error);
	else
		snprintf(why, sizeof(why), "vhost-user: the back-end at %s disconnected", d->path);
	pthread_mutex_lock(&d->lock);
	vhost_user_disconnect(&d->u);
	count(d, VHUD_DISCONNECTS);
	if (d->o.on_disconnect == VHU_DISC_STOP) {
		char msg[700];

		d->gave_up = true;
		snprintf(msg, sizeof(msg), "%s (on-disconnect=stop)", why);
		fprintf(stderr, "%s: %s\n", v->name, msg);
		if (d->o.stop_vm)
			d->o.stop_vm(d->o.stop_arg, 1, msg);
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_unlock(&d->lock);
	virtio_dev_needs_reset(v, why);
	/* Try to get a back-end again: bounded, a slice at a time so that teardown is not held up. */
	for (int t = 0; t < VHU_RECONNECT_MS / VHU_RECONNECT_STEP_MS && !mon_stopping(d); t++)
		if (!vhost_user_reconnect(&d->u, d->u.server ? VHU_RECONNECT_STEP_MS : 0, err, sizeof(err))) {
			ok = true;
			break;
		} else if (!d->u.server) {
			usleep(VHU_RECONNECT_STEP_MS * 1000);
		}
	if (!ok) {
		d->gave_up = true;
		fprintf(stderr, "%s: vhost-user: no back-end at %s again within %d ms: giving up (%s)\n", v->name,
			d->path, VHU_RECONNECT_MS, err);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (vhost_user_handshake(&d->u, err, sizeof(err)) || (d->started && hand_over(d, true, err, sizeof(err)))) {
		fprintf(stderr, "%s: vhost-user: replaying the setup to the new back-end at %s failed: %s\n",
			v->name, d->path, err);
	} else {
		fprintf(stderr, "%s: vhost-user: reconnected to %s%s\n", v->name, d->path,
			d->started ? ", rings resumed at their used index" : "");
	}
	pthread_mutex_unlock(&d->lock);
}

static void *mon_main(void *arg)
{
	struct vhost_user_dev *d = arg;
	struct virtio_dev *v = &d->vdev;

	pthread_setname_np(pthread_self(), "vhost-user-mon");
	for (;;) {
		struct pollfd p[2 + VIRTIO_MAX_QUEUES];
		unsigned n = 2;
		int fd = d->u.fd;   /* only this thread changes it after init */
		uint64_t val;

		p[0] = (struct pollfd){ .fd = d->mon_stop_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = d->gave_up ? -1 : fd, .events = POLLRDHUP };
		for (unsigned q = 0; q < v->nqueues; q++)
			p[n++] = (struct pollfd){ .fd = d->err_fd[q], .events = POLLIN };
		if (poll(p, n, 200) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		for (unsigned q = 0; q < v->nqueues; q++)
			if ((p[2 + q].revents & POLLIN) && read(d->err_fd[q], &val, sizeof(val)) == sizeof(val)) {
				char why[200];

				count(d, VHUD_ERR_SIGNALS);
				snprintf(why, sizeof(why), "vhost-user: the back-end signalled an error on queue %u", q);
				virtio_dev_needs_reset(v, why);
			}
		if (!d->gave_up && (fd < 0 || (p[1].revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))))
			on_disconnect(d);
	}
	return NULL;
}

int vhost_user_dev_start_monitor(struct vhost_user_dev *d)
{
	if (thread_cpu_create(&d->mon, mon_main, d))
		return -1;
	d->mon_running = true;
	return 0;
}

/* ---- setup ---- */
static int fetch_blk_config(struct vhost_user_dev *d, char *err, size_t errlen)
{
	struct vhu_msg m, r;

	if (!vhost_user_has_protocol(&d->u, VHU_PROTOCOL_F_CONFIG)) {
		snprintf(err, errlen, "vhost-user-blk: the back-end at %s does not offer the CONFIG protocol "
			 "feature: the disk's capacity is unknown", d->path);
		return -1;
	}
	vhu_msg_get_config(&m, 0, BLK_CONFIG_LEN);
	if (vhost_user_call(&d->u, &m, NULL, 0, &r, err, errlen))
		return -1;
	memcpy(d->config, r.p.cfg.data, BLK_CONFIG_LEN);
	return 0;
}

enum outcome vhost_user_dev_init(struct vhost_user_dev *d, const struct guest_mem *mem,
				 const struct vhost_user_dev_opts *o, char *err, size_t errlen)
{
	enum outcome why;
	struct virtio_dev *v = &d->vdev;
	bool net = o->kind == VHU_DEV_NET;

	memset(d, 0, sizeof(*d));
	d->mon_stop_fd = d->relay_stop_fd = -1;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		d->relay_fd[q] = d->err_fd[q] = -1;
	pthread_mutex_init(&d->lock, NULL);
	vhost_user_init(&d->u);
	d->u.counters = d->counters;
	d->o = *o;
	snprintf(d->path, sizeof(d->path), "%s", o->path);
	d->o.path = d->path;
	d->mem = mem;

	d->mon_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->relay_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (unsigned q = 0; q < (net ? 2u : 1u); q++)
		d->err_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->mon_stop_fd < 0 || d->relay_stop_fd < 0 || d->err_fd[0] < 0 || (net && d->err_fd[1] < 0)) {
		snprintf(err, errlen, "vhost-user: eventfd: %s", strerror(errno));
		return OUTCOME_FAILED;
	}
	why = vhost_user_open(&d->u, o->path, o->server, err, errlen);
	if (why != OUTCOME_OK)
		return why;
	if (vhost_user_handshake(&d->u, err, errlen))
		return OUTCOME_FAILED;
	if (!((d->u.features >> VIRTIO_F_VERSION_1) & 1)) {
		snprintf(err, errlen, "vhost-user: the back-end at %s does not offer VIRTIO_F_VERSION_1 "
			 "(features 0x%llx)", d->path, (unsigned long long)d->u.features);
		return OUTCOME_FAILED;
	}
	if (net) {
		memcpy(d->config, o->mac, 6);
		d->config[6] = VIRTIO_NET_S_LINK_UP;
		d->config[8] = 1; /* max_virtqueue_pairs: one pair, whatever GET_QUEUE_NUM said */
		v->name = "vhost-user-net";
		v->device_id = VIRTIO_ID_NET;
		v->host_features = (d->u.features & NET_FEATURES) | NET_LOCAL;
		v->nqueues = 2;
		v->config_len = VIRTIO_NET_CONFIG_LEN;
	} else {
		if (fetch_blk_config(d, err, errlen))
			return OUTCOME_FAILED;
		v->name = "vhost-user-blk";
		v->device_id = VIRTIO_ID_BLK;
		v->host_features = d->u.features & BLK_FEATURES;
		v->nqueues = 1;
		v->config_len = BLK_CONFIG_LEN;
		/* num_queues as the driver may read it: one */
		d->config[VIRTIO_BLK_CFG_NUM_QUEUES] = 1;
		d->config[VIRTIO_BLK_CFG_NUM_QUEUES + 1] = 0;
	}
	for (unsigned q = 0; q < v->nqueues; q++) {
		v->queue_max[q] = 256;
		v->vq[q].mem = mem;
	}
	v->ops = &vud_ops;
	v->opaque = d;
	v->mem = mem;
	d->metrics.device = net ? "vhost-user-net" : "vhost-user-blk";
	d->metrics.n = VHUD_NMETRICS;
	d->metrics.names = vhud_metric_names;
	d->metrics.values = d->counters;
	return OUTCOME_OK;
}

const struct dev_metrics *vhost_user_dev_metrics(struct vhost_user_dev *d)
{
	return &d->metrics;
}

void vhost_user_dev_stop_monitor(struct vhost_user_dev *d)
{
	uint64_t one = 1;

	if (d->mon_running) {
		if (write(d->mon_stop_fd, &one, sizeof(one)) != sizeof(one))
			perror("vhost-user: monitor stop");
		pthread_join(d->mon, NULL);
		d->mon_running = false;
	}
}

void vhost_user_dev_destroy(struct vhost_user_dev *d)
{
	vhost_user_dev_stop_monitor(d);
	pthread_mutex_lock(&d->lock);
	relay_stop(d);
	pthread_mutex_unlock(&d->lock);
	vhost_user_close(&d->u);
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (d->err_fd[q] >= 0) {
			close(d->err_fd[q]);
			d->err_fd[q] = -1;
		}
	if (d->mon_stop_fd >= 0)
		close(d->mon_stop_fd);
	if (d->relay_stop_fd >= 0)
		close(d->relay_stop_fd);
	d->mon_stop_fd = d->relay_stop_fd = -1;
	pthread_mutex_destroy(&d->lock);
}
