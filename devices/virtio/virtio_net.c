// SPDX-License-Identifier: MIT
/*
 * virtio-net device model (virtio 1.x, 5.1; see virtio_net.h).  Feature
 * negotiation, the configuration area, and two worker threads:
 * "virtio-net-tx" drains the TX queue on kicks and hands frames to the
 * backend; "virtio-net-rx" waits for frames from the backend and places
 * them in guest RX buffers (spread over several with MRG_RXBUF).  Both batch
 * their work, interrupt only when virtq_should_notify() says the driver
 * wants it, and keep kicks off while they are busy.  A broken ring stops
 * that worker and asks the driver for a reset; the VMM carries on.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/thread_cpu.h"
#include "devices/virtio/virtio_net.h"

#define HDR_LEN   sizeof(struct virtio_net_hdr)  /* 12 under VERSION_1 */
#define ETH_HLEN  14
#define BUDGET    256   /* chains handled between two interrupt decisions */

static const char *const vnet_metric_names[VNET_NMETRICS] = {
	[VNET_TX_FRAMES] = "tx_frames",
	[VNET_TX_BYTES] = "tx_bytes",
	[VNET_TX_KICKS] = "tx_kicks",
	[VNET_TX_DROPPED] = "tx_dropped",
	[VNET_RX_FRAMES] = "rx_frames",
	[VNET_RX_BYTES] = "rx_bytes",
	[VNET_RX_KICKS] = "rx_kicks",
	[VNET_RX_NO_BUFFERS] = "rx_no_buffers",
	[VNET_RX_DROPPED] = "rx_dropped",
	[VNET_INTERRUPTS] = "interrupts",
	[VNET_INTERRUPTS_SUPPRESSED] = "interrupts_suppressed",
};

static void count(struct virtio_net *n, enum virtio_net_metric m, uint64_t v)
{
	DEV_METRIC_ADD(&n->counters[m], v);
}

static bool has(const struct virtio_net *n, unsigned bit)
{
	return (n->features >> bit) & 1;
}

/* dst = src without its first `skip` bytes; the number of entries. */
static unsigned iov_skip(struct iovec *dst, const struct iovec *src, unsigned n, size_t skip)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (skip >= src[i].iov_len) {
			skip -= src[i].iov_len;
			continue;
		}
		dst[k].iov_base = (uint8_t *)src[i].iov_base + skip;
		dst[k++].iov_len = src[i].iov_len - skip;
		skip = 0;
	}
	return k;
}

/* Interrupt for queue qi if the driver wants one for what was just pushed. */
static void notify(struct virtio_net *n, unsigned qi)
{
	struct virtio_dev *v = &n->vdev;

	if (virtq_should_notify(&v->vq[qi])) {
		v->tops->interrupt(v, (int)qi);
		count(n, VNET_INTERRUPTS, 1);
	} else {
		count(n, VNET_INTERRUPTS_SUPPRESSED, 1);
	}
}

static void drain_eventfd(int fd)
{
	uint64_t c;

	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return; /* nonblocking: nothing there */
}

/* ---- TX ---- */

/* Whether the driver's header is one we accept for this frame (5.1.6.2). */
static bool tx_hdr_ok(const struct virtio_net *n, const struct virtio_net_hdr *h, size_t flen)
{
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false; /* no HOST_TSO/UFO offered: the backend cannot segment */
	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false; /* DATA_VALID and RSC_INFO are the device's to set */
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!has(n, VIRTIO_NET_F_CSUM))
			return false;
		if ((size_t)h->csum_start + h->csum_offset + 2 > flen)
			return false;
	}
	return true;
}

/* Send one chain's frame: 0 done (sent or dropped), -1 asked to stop while the backend was full. */
static int tx_one(struct virtio_net *n, const struct virtq_elem *e)
{
	struct net_backend *be = n->be;
	struct virtio_net_hdr h;
	struct iovec iov[VIRTQ_MAX_SEGS + 1];
	unsigned k = 0;
	size_t flen;
	int r;

	if (e->out_bytes < HDR_LEN) {
		count(n, VNET_TX_DROPPED, 1);
		return 0;
	}
	iov_to_buf(e->out, e->nout, 0, &h, HDR_LEN);
	flen = e->out_bytes - HDR_LEN;
	if (flen < ETH_HLEN || flen > NET_FRAME_MAX || !tx_hdr_ok(n, &h, flen)) {
		count(n, VNET_TX_DROPPED, 1);
		return 0;
	}
	if (be->vnet_hdr_len) {
		h.num_buffers = 0;
		iov[k].iov_base = &h;
		iov[k++].iov_len = be->vnet_hdr_len;
	}
	k += iov_skip(iov + k, e->out, e->nout, HDR_LEN);
	while ((r = be->ops->send(be, iov, k)) == -EAGAIN) {
		struct pollfd p[2] = { { .fd = n->stop_fd, .events = POLLIN }, { .fd = be->fd, .events = POLLOUT } };

		/* The backend is full: wait until it drains (or poll it every millisecond if it has no fd). */
		if (poll(p, be->fd >= 0 ? 2 : 1, be->fd >= 0 ? -1 : 1) > 0 && p[0].revents)
			return -1;
	}
	if (r < 0) {
		count(n, VNET_TX_DROPPED, 1);
		return 0;
	}
	count(n, VNET_TX_FRAMES, 1);
	count(n, VNET_TX_BYTES, flen);
	return 0;
}

/* Everything the driver made available, in batches: 0 idle again, -1 stop (broken or asked to). */
static int tx_drain(struct virtio_net *n, struct virtq_elem *e)
{
	struct virtio_dev *v = &n->vdev;
	struct virtq *q = &v->vq[VIRTIO_NET_TXQ];

	for (;;) {
		unsigned done = 0;
		int r = 0;

		virtq_set_kick_wanted(q, false);
		while (done < BUDGET && (r = virtq_pop(q, e)) == 1) {
			if (tx_one(n, e) < 0)
				return -1;
			virtq_push(q, e->head, 0);
			done++;
		}
		if (done)
			notify(n, VIRTIO_NET_TXQ);
		if (r < 0) {
			virtio_dev_needs_reset(v, q->why);
			return -1;
		}
		if (done == BUDGET)
			continue;
		/* Kicks back on, then look again: the driver may have added a chain in between. */
		virtq_set_kick_wanted(q, true);
		if (!virtq_has_avail(q))
			return 0;
	}
}

static void *tx_main(void *arg)
{
	struct virtio_net *n = arg;
	struct virtio_dev *v = &n->vdev;
	struct virtq_elem *e = malloc(sizeof(*e));
	struct pollfd p[2] = {
		{ .fd = n->stop_fd, .events = POLLIN },
		{ .fd = v->tops->kick_fd(v, VIRTIO_NET_TXQ), .events = POLLIN },
	};

	pthread_setname_np(pthread_self(), "virtio-net-tx");
	if (!e)
		return NULL;
	if (tx_drain(n, e) < 0)
		goto out;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			drain_eventfd(p[1].fd);
			count(n, VNET_TX_KICKS, 1);
		}
		if (tx_drain(n, e) < 0)
			break;
	}
out:
	free(e);
	return NULL;
}

/* ---- RX ---- */

/* The Internet checksum of f[start, len) stored at start + off (the field holds the pseudo-header sum). */
static void csum_fill(uint8_t *f, size_t len, size_t start, size_t off)
{
	uint32_t sum = 0;
	uint16_t c;
	size_t i;

	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	if (i < len)
		sum += (uint32_t)f[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	f[start + off] = (uint8_t)(c >> 8);
	f[start + off + 1] = (uint8_t)c;
}

/*
 * Make the backend's header (or none) one this driver may see (5.1.6.4):
 * without GUEST_CSUM, a partial checksum is completed here and flags are 0.
 * `frame` is a flat copy of the frame; false: drop it.
 */
static bool rx_fix_hdr(struct virtio_net *n, struct virtio_net_hdr *h, uint8_t *frame, size_t flen,
		       bool *changed)
{
	*changed = false;
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false; /* no GUEST_TSO/UFO offered */
	if (has(n, VIRTIO_NET_F_GUEST_CSUM)) {
		h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
		return true;
	}
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if ((size_t)h->csum_start + h->csum_offset + 2 > flen)
			return false;
		csum_fill(frame, flen, h->csum_start, h->csum_offset);
		*changed = true;
	}
	h->flags = 0;
	h->csum_start = h->csum_offset = 0;
	return true;
}

/* A chain for RX: 1 in *e, 0 none even after re-enabling kicks, -1 broken. */
static int rx_get_chain(struct virtio_net *n, struct virtq_elem *e)
{
	struct virtio_dev *v = &n->vdev;
	struct virtq *q = &v->vq[VIRTIO_NET_RXQ];
	int r = virtq_pop(q, e);

	if (r == 0) {
		virtq_set_kick_wanted(q, true);
		r = virtq_pop(q, e);
		if (r == 1)
			virtq_set_kick_wanted(q, false);
	}
	if (r < 0) {
		virtio_dev_needs_reset(v, q->why);
		return -1;
	}
	if (r == 1 && e->in_bytes < HDR_LEN) {
		char why[160];

		snprintf(why, sizeof(why), "rx chain %u has %llu device-writable bytes, less than the %zu-byte header",
			 e->head, (unsigned long long)e->in_bytes, HDR_LEN);
		q->broken = true;
		virtio_dev_needs_reset(v, why);
		return -1;
	}
	return r;
}

enum { RX_IDLE, RX_PROGRESS, RX_STARVED, RX_BROKEN };

/* Receive one frame from the backend into `iov` (after its own header, if any): frame length or -errno. */
static ssize_t rx_recv(struct virtio_net *n, struct virtio_net_hdr *h, const struct iovec *frame_iov,
		       unsigned nf)
{
	struct net_backend *be = n->be;
	struct iovec iov[VIRTQ_MAX_SEGS + 1];
	unsigned k = 0;
	ssize_t len;

	memset(h, 0, sizeof(*h));
	if (be->vnet_hdr_len) {
		iov[k].iov_base = h;
		iov[k++].iov_len = be->vnet_hdr_len;
	}
	memcpy(iov + k, frame_iov, nf * sizeof(*iov));
	len = be->ops->recv(be, iov, k + nf);
	if (len < 0)
		return len;
	if ((size_t)len < be->vnet_hdr_len)
		return -EINVAL;
	return len - be->vnet_hdr_len;
}

/* One frame straight into one chain (no MRG_RXBUF): RX_*. */
static int rx_one_single(struct virtio_net *n)
{
	struct virtio_net_rx *rx = &n->rx;
	struct virtq *q = &n->vdev.vq[VIRTIO_NET_RXQ];
	struct virtio_net_hdr h;
	struct iovec fiov[VIRTQ_MAX_SEGS];
	unsigned nf;
	ssize_t flen;
	bool changed;

	if (!rx->have_chain) {
		int r = rx_get_chain(n, &rx->first);

		if (r <= 0)
			return r < 0 ? RX_BROKEN : RX_STARVED;
		rx->have_chain = true;
	}
	nf = iov_skip(fiov, rx->first.in, rx->first.nin, HDR_LEN);
	flen = rx_recv(n, &h, fiov, nf);
	if (flen == -EAGAIN)
		return RX_IDLE;
	if (flen < 0) {
		count(n, VNET_RX_DROPPED, 1);
		return flen == -EMSGSIZE ? RX_PROGRESS : RX_IDLE;
	}
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE || (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		/* rare: fix it on a flat copy */
		iov_to_buf(fiov, nf, 0, rx->buf, (size_t)flen);
		if (!rx_fix_hdr(n, &h, rx->buf, (size_t)flen, &changed)) {
			count(n, VNET_RX_DROPPED, 1);
			return RX_PROGRESS; /* the chain stays ours for the next frame */
		}
		if (changed)
			iov_from_buf(fiov, nf, 0, rx->buf, (size_t)flen);
	} else {
		rx_fix_hdr(n, &h, NULL, (size_t)flen, &changed);
	}
	h.num_buffers = 1;
	iov_from_buf(rx->first.in, rx->first.nin, 0, &h, HDR_LEN);
	virtq_push(q, rx->first.head, (uint32_t)(HDR_LEN + flen));
	rx->have_chain = false;
	count(n, VNET_RX_FRAMES, 1);
	count(n, VNET_RX_BYTES, (uint64_t)flen);
	return RX_PROGRESS;
}

/* One frame over as many chains as it takes (MRG_RXBUF), through the bounce buffer: RX_*. */
static int rx_one_mrg(struct virtio_net *n)
{
	struct virtio_net_rx *rx = &n->rx;
	struct virtio_dev *v = &n->vdev;
	struct virtq *q = &v->vq[VIRTIO_NET_RXQ];
	uint16_t nb;
	int r;

	if (!rx->pending) {
		struct iovec fiov = { rx->buf + HDR_LEN, NET_FRAME_MAX };
		struct virtio_net_hdr h;
		ssize_t flen;
		bool changed;

		if (!rx->have_chain) {
			r = rx_get_chain(n, &rx->first);
			if (r <= 0)
				return r < 0 ? RX_BROKEN : RX_STARVED;
			rx->have_chain = true;
		}
		flen = rx_recv(n, &h, &fiov, 1);
		if (flen == -EAGAIN)
			return RX_IDLE;
		if (flen < 0) {
			count(n, VNET_RX_DROPPED, 1);
			return flen == -EMSGSIZE ? RX_PROGRESS : RX_IDLE;
		}
		if (!rx_fix_hdr(n, &h, rx->buf + HDR_LEN, (size_t)flen, &changed)) {
			count(n, VNET_RX_DROPPED, 1);
			return RX_PROGRESS;
		}
		memcpy(rx->buf, &h, HDR_LEN);
		rx->len = HDR_LEN + (size_t)flen;
		rx->done = iov_from_buf(rx->first.in, rx->first.nin, 0, rx->buf, rx->len);
		rx->heads[0] = rx->first.head;
		rx->lens[0] = (uint32_t)rx->done;
		rx->nused = 1;
		rx->have_chain = false;
		rx->pending = true;
	}
	while (rx->done < rx->len) {
		size_t c;

		if (rx->nused >= q->num) {
			char why[160];

			snprintf(why, sizeof(why), "rx: a %zu-byte frame needs more than the %u buffers of the queue",
				 rx->len, q->num);
			q->broken = true;
			virtio_dev_needs_reset(v, why);
			return RX_BROKEN;
		}
		r = rx_get_chain(n, &rx->cur);
		if (r <= 0)
			return r < 0 ? RX_BROKEN : RX_STARVED; /* the frame waits for more buffers */
		c = iov_from_buf(rx->cur.in, rx->cur.nin, 0, rx->buf + rx->done, rx->len - rx->done);
		rx->heads[rx->nused] = rx->cur.head;
		rx->lens[rx->nused++] = (uint32_t)c;
		rx->done += c;
	}
	nb = (uint16_t)rx->nused;
	iov_from_buf(rx->first.in, rx->first.nin, offsetof(struct virtio_net_hdr, num_buffers), &nb, sizeof(nb));
	virtq_push_n(q, rx->heads, rx->lens, rx->nused);
	rx->pending = false;
	count(n, VNET_RX_FRAMES, 1);
	count(n, VNET_RX_BYTES, rx->len - HDR_LEN);
	return RX_PROGRESS;
}

/* Whether the backend may have a frame for us right now. */
static bool backend_ready(const struct net_backend *be)
{
	struct pollfd p = { .fd = be->fd, .events = POLLIN };

	return be->fd < 0 || poll(&p, 1, 0) > 0;
}

/* Up to BUDGET frames, then one interrupt decision: RX_IDLE, RX_PROGRESS (more may come), RX_STARVED, RX_BROKEN. */
static int rx_burst(struct virtio_net *n)
{
	unsigned done = 0;
	int r = RX_PROGRESS;

	while (done < BUDGET) {
		r = has(n, VIRTIO_NET_F_MRG_RXBUF) ? rx_one_mrg(n) : rx_one_single(n);
		if (r != RX_PROGRESS)
			break;
		done++;
	}
	if (done)
		notify(n, VIRTIO_NET_RXQ);
	if (r == RX_STARVED && (n->rx.pending || backend_ready(n->be)))
		count(n, VNET_RX_NO_BUFFERS, 1);
	return r;
}

static void *rx_main(void *arg)
{
	struct virtio_net *n = arg;
	struct virtio_dev *v = &n->vdev;
	struct net_backend *be = n->be;
	int kfd = v->tops->kick_fd(v, VIRTIO_NET_RXQ), r = RX_PROGRESS;

	pthread_setname_np(pthread_self(), "virtio-net-rx");
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = n->stop_fd, .events = POLLIN },
			{ .fd = kfd, .events = POLLIN },
			{ .fd = be->fd, .events = POLLIN },
		};
		bool starved = r == RX_STARVED;
		int np = starved || be->fd < 0 ? 2 : 3, timeout = -1;

		if (!starved && be->fd < 0)
			timeout = r == RX_IDLE ? 1 : 0; /* always-ready backend: spin, or nap when it had nothing */
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			drain_eventfd(kfd);
			count(n, VNET_RX_KICKS, 1);
			if (starved)
				virtq_set_kick_wanted(&v->vq[VIRTIO_NET_RXQ], false); /* busy again */
			starved = false;
		}
		if (starved)
			continue;
		r = rx_burst(n);
		if (r == RX_BROKEN)
			break;
	}
	return NULL;
}

/* ---- the device ---- */

static struct virtio_net *to_net(struct virtio_dev *v)
{
	return v->opaque;
}

static int vnet_set_features(struct virtio_dev *v, uint64_t f)
{
	struct virtio_net *n = to_net(v);

	if (!virtio_features_acceptable(v, f))
		return -1; /* modern only, and nothing we did not offer */
	/*
	 * A vnet-header backend (tap) may hand over partially checksummed
	 * frames only if the driver takes them (GUEST_CSUM); we offer no
	 * GUEST_TSO*, so never GSO frames.
	 */
	if (n->be->vnet_hdr_len &&
	    net_backend_set_offload(n->be, (f >> VIRTIO_NET_F_GUEST_CSUM) & 1 ? NET_OFFLOAD_CSUM : 0))
		return -1;
	n->features = f;
	return 0;
}

static void vnet_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	struct virtio_net *n = to_net(v);

	virtio_config_copy(n->config, sizeof(n->config), off, data, len);
}

static void vnet_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	/* Under VERSION_1 the MAC is read-only and nothing else is writable. */
	(void)v, (void)off, (void)data, (void)len;
}

/* Stop and join the workers (they exit at the stop eventfd); the queues stay as they are. */
static void vnet_stop_workers(struct virtio_net *n)
{
	uint64_t one = 1;

	if (n->tx_running || n->rx_running) {
		if (write(n->stop_fd, &one, sizeof(one)) != sizeof(one))
			perror("virtio-net: stop eventfd");
		if (n->tx_running)
			pthread_join(n->tx_thread, NULL);
		if (n->rx_running)
			pthread_join(n->rx_thread, NULL);
		n->tx_running = n->rx_running = false;
		drain_eventfd(n->stop_fd);
	}
	n->inline_started = false;
	n->rx.pending = n->rx.have_chain = false;
}

static void vnet_stop(struct virtio_dev *v)
{
	vnet_stop_workers(to_net(v));
	for (unsigned i = 0; i < v->nqueues; i++)
		virtq_reset(&v->vq[i]);
}

static int vnet_start(struct virtio_dev *v)
{
	struct virtio_net *n = to_net(v);

	vnet_stop_workers(n);
	n->features = n->features ? n->features : v->features;
	if (!v->tops || !v->tops->kick_fd || !v->tops->interrupt)
		return -1;
	if (n->serve_inline) {
		n->inline_started = true;   /* virtio_net_serve() does the workers' job */
		return 0;
	}
	if (v->vq[VIRTIO_NET_TXQ].ready) {
		if (thread_cpu_create(&n->tx_thread, tx_main, n))
			return -1;
		n->tx_running = true;
	}
	if (v->vq[VIRTIO_NET_RXQ].ready) {
		if (thread_cpu_create(&n->rx_thread, rx_main, n)) {
			vnet_stop_workers(n);
			return -1;
		}
		n->rx_running = true;
	}
	return 0;
}

int virtio_net_serve(struct virtio_net *n, unsigned q)
{
	struct virtio_dev *v = &n->vdev;
	struct virtq_elem e;
	int kfd;

	if (!n->inline_started || q >= v->nqueues)
		return -1;
	/* A kick the transport left in the eventfd, taken as the worker would. */
	kfd = v->tops->kick_fd(v, q);
	if (kfd >= 0) {
		uint64_t c;

		if (read(kfd, &c, sizeof(c)) == sizeof(c))
			count(n, q == VIRTIO_NET_TXQ ? VNET_TX_KICKS : VNET_RX_KICKS, 1);
	}
	if (q == VIRTIO_NET_TXQ)
		return tx_drain(n, &e);
	return rx_burst(n) == RX_BROKEN ? -1 : 0;
}

static const struct virtio_dev_ops vnet_ops = {
	.set_features = vnet_set_features,
	.config_read = vnet_config_read,
	.config_write = vnet_config_write,
	.start = vnet_start,
	.stop = vnet_stop,
};

int virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, struct net_backend *be,
		    const uint8_t mac[6], char *err, size_t errlen)
{
	struct virtio_dev *v = &n->vdev;

	memset(n, 0, sizeof(*n));
	n->stop_fd = -1;
	if (!be || !be->ops || !be->ops->send || !be->ops->recv) {
		snprintf(err, errlen, "virtio-net: no usable backend");
		return -1;
	}
	if (be->vnet_hdr_len && be->vnet_hdr_len != 10 && be->vnet_hdr_len != 12) {
		snprintf(err, errlen, "virtio-net: backend vnet header of %u bytes (10 or 12 expected)",
			 be->vnet_hdr_len);
		return -1;
	}
	n->rx.buf = malloc(HDR_LEN + NET_FRAME_MAX);
	n->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!n->rx.buf || n->stop_fd < 0) {
		snprintf(err, errlen, "virtio-net: %s", strerror(errno));
		virtio_net_destroy(n);
		return -1;
	}
	n->mem = mem;
	n->be = be;
	memcpy(n->config, mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP; /* status, little-endian */
	n->config[8] = 1;                    /* max_virtqueue_pairs */

	v->name = "virtio-net";
	v->device_id = VIRTIO_ID_NET;
	v->host_features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
			   1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_RING_F_EVENT_IDX |
			   1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (be->vnet_hdr_len)
		v->host_features |= 1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	v->nqueues = 2;
	v->queue_max[VIRTIO_NET_RXQ] = 256;
	v->queue_max[VIRTIO_NET_TXQ] = 256;
	v->config_len = VIRTIO_NET_CONFIG_LEN;
	v->ops = &vnet_ops;
	v->opaque = n;
	v->mem = mem;
	for (unsigned i = 0; i < v->nqueues; i++)
		v->vq[i].mem = mem;

	n->metrics.device = "virtio-net";
	n->metrics.n = VNET_NMETRICS;
	n->metrics.names = vnet_metric_names;
	n->metrics.values = n->counters;
	return 0;
}

const struct dev_metrics *virtio_net_metrics(struct virtio_net *n)
{
	return &n->metrics;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (n->stop_fd >= 0) {
		vnet_stop_workers(n);
		close(n->stop_fd);
		n->stop_fd = -1;
	}
	free(n->rx.buf);
	n->rx.buf = NULL;
}
