// SPDX-License-Identifier: MIT
/*
 * virtio-rng device model (virtio 1.x, 5.4; see virtio_rng.h).  The worker
 * pops each chain and fills its device-writable buffers with getrandom(2),
 * up to VIRTIO_RNG_FILL_MAX bytes, straight into guest memory.  A chain the
 * driver may not send (a device-readable buffer, 5.4.6.1, or no writable
 * byte) is returned used with length 0 and counted as an error, its buffers
 * untouched; only a broken ring (a loop, a buffer outside RAM) stops the
 * worker and asks the driver for a reset.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "vmm/thread_cpu.h"
#include "devices/virtio/virtio_rng.h"

#define BUDGET 256 /* requests between two interrupt decisions */

static const char *const vrng_metric_names[VRNG_NMETRICS] = {
	[VRNG_REQUESTS] = "requests",
	[VRNG_BYTES] = "bytes",
	[VRNG_ERRORS] = "errors",
	[VRNG_KICKS] = "kicks",
	[VRNG_INTERRUPTS] = "interrupts",
	[VRNG_INTERRUPTS_SUPPRESSED] = "interrupts_suppressed",
};

static void count(struct virtio_rng *r, enum virtio_rng_metric m, uint64_t v)
{
	DEV_METRIC_ADD(&r->counters[m], v);
}

static void drain_eventfd(int fd)
{
	uint64_t c;

	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return; /* nonblocking: nothing there */
}

/* len random bytes at p: 0, or -1 if the kernel would not give them. */
static int fill(uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One request: the bytes written into its device-writable buffers. */
static uint32_t rng_request(struct virtio_rng *r, const struct virtq_elem *e)
{
	uint32_t done = 0;

	if (e->nout || !e->in_bytes) {
		count(r, VRNG_ERRORS, 1);
		return 0;
	}
	for (unsigned i = 0; i < e->nin && done < VIRTIO_RNG_FILL_MAX; i++) {
		size_t len = e->in[i].iov_len;

		if (len > VIRTIO_RNG_FILL_MAX - done)
			len = VIRTIO_RNG_FILL_MAX - done;
		if (fill(e->in[i].iov_base, len)) {
			count(r, VRNG_ERRORS, 1);
			break;
		}
		done += (uint32_t)len;
	}
	count(r, VRNG_REQUESTS, 1);
	count(r, VRNG_BYTES, done);
	return done;
}

static void notify(struct virtio_rng *r)
{
	struct virtio_dev *v = &r->vdev;

	if (virtq_should_notify(&v->vq[0])) {
		v->tops->interrupt(v, 0);
		count(r, VRNG_INTERRUPTS, 1);
	} else {
		count(r, VRNG_INTERRUPTS_SUPPRESSED, 1);
	}
}

/* Everything available, in batches: 0 idle, -1 the ring broke. */
static int rng_drain(struct virtio_rng *r, struct virtq_elem *e)
{
	struct virtio_dev *v = &r->vdev;
	struct virtq *q = &v->vq[0];

	for (;;) {
		unsigned done = 0;
		int rc = 0;

		virtq_set_kick_wanted(q, false);
		while (done < BUDGET && (rc = virtq_pop(q, e)) == 1) {
			virtq_push(q, e->head, rng_request(r, e));
			done++;
		}
		if (done)
			notify(r);
		if (rc < 0) {
			virtio_dev_needs_reset(v, q->why);
			return -1;
		}
		if (done == BUDGET)
			continue;
		virtq_set_kick_wanted(q, true);
		if (!virtq_has_avail(q))
			return 0;
	}
}

static void *rng_main(void *arg)
{
	struct virtio_rng *r = arg;
	struct virtio_dev *v = &r->vdev;
	struct virtq_elem *e = malloc(sizeof(*e));
	struct pollfd p[2] = {
		{ .fd = r->stop_fd, .events = POLLIN },
		{ .fd = v->tops->kick_fd(v, 0), .events = POLLIN },
	};

	pthread_setname_np(pthread_self(), "virtio-rng");
	if (!e || rng_drain(r, e) < 0)
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
			count(r, VRNG_KICKS, 1);
		}
		if (rng_drain(r, e) < 0)
			break;
	}
out:
	free(e);
	return NULL;
}

static struct virtio_rng *to_rng(struct virtio_dev *v)
{
	return v->opaque;
}

static int vrng_set_features(struct virtio_dev *v, uint64_t f)
{
	return virtio_features_acceptable(v, f) ? 0 : -1;
}

static void vrng_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	(void)v, (void)off;
	memset(data, 0, len); /* no configuration space (5.4.4) */
}

static void vrng_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	(void)v, (void)off, (void)data, (void)len;
}

/* Stop and join the worker; the queue stays as it is. */
static void vrng_stop_worker(struct virtio_rng *r)
{
	uint64_t one = 1;

	r->inline_started = false;
	if (!r->running)
		return;
	if (write(r->stop_fd, &one, sizeof(one)) != sizeof(one))
		perror("virtio-rng: stop eventfd");
	pthread_join(r->thread, NULL);
	r->running = false;
	drain_eventfd(r->stop_fd);
}

static void vrng_stop(struct virtio_dev *v)
{
	vrng_stop_worker(to_rng(v));
	virtq_reset(&v->vq[0]);
}

static int vrng_start(struct virtio_dev *v)
{
	struct virtio_rng *r = to_rng(v);

	vrng_stop_worker(r);
	if (!v->tops || !v->tops->kick_fd || !v->tops->interrupt || !v->vq[0].ready)
		return -1;
	if (r->serve_inline) {
		r->inline_started = true;   /* virtio_rng_serve() does the worker's job */
		return 0;
	}
	if (thread_cpu_create(&r->thread, rng_main, r))
		return -1;
	r->running = true;
	return 0;
}

int virtio_rng_serve(struct virtio_rng *r)
{
	struct virtio_dev *v = &r->vdev;
	struct virtq_elem *e;
	int kfd, rc;

	if (!r->inline_started)
		return -1;
	/* A kick the transport left in the eventfd, taken as the worker would. */
	kfd = v->tops->kick_fd(v, 0);
	if (kfd >= 0) {
		uint64_t c;

		if (read(kfd, &c, sizeof(c)) == sizeof(c))
			count(r, VRNG_KICKS, 1);
	}
	e = malloc(sizeof(*e));
	if (!e)
		return -1;
	rc = rng_drain(r, e);
	free(e);
	return rc;
}

static const struct virtio_dev_ops vrng_ops = {
	.set_features = vrng_set_features,
	.config_read = vrng_config_read,
	.config_write = vrng_config_write,
	.start = vrng_start,
	.stop = vrng_stop,
};

int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem, char *err, size_t errlen)
{
	struct virtio_dev *v = &r->vdev;

	memset(r, 0, sizeof(*r));
	r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->stop_fd < 0) {
		snprintf(err, errlen, "virtio-rng: eventfd: %s", strerror(errno));
		return -1;
	}
	r->mem = mem;
	v->name = "virtio-rng";
	v->device_id = VIRTIO_ID_RNG;
	v->host_features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_EVENT_IDX |
			   1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	v->nqueues = 1;
	v->queue_max[0] = 256;
	v->config_len = 0;
	v->ops = &vrng_ops;
	v->opaque = r;
	v->mem = mem;
	v->vq[0].mem = mem;

	r->metrics.device = "virtio-rng";
	r->metrics.n = VRNG_NMETRICS;
	r->metrics.names = vrng_metric_names;
	r->metrics.values = r->counters;
	return 0;
}

const struct dev_metrics *virtio_rng_metrics(struct virtio_rng *r)
{
	return &r->metrics;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	if (r->stop_fd >= 0) {
		vrng_stop_worker(r);
		close(r->stop_fd);
		r->stop_fd = -1;
	}
}
