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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "devices/virtio/virtio_rng.h"

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

/* The worker's request function: the model's own. */
static uint32_t rng_request_cb(void *ctx, struct virtq_elem *e)
{
	return rng_request(ctx, e);
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

static void vrng_stop(struct virtio_dev *v)
{
	virtq_worker_stop(&to_rng(v)->w);
	virtq_reset(&v->vq[0]);
}

static int vrng_start(struct virtio_dev *v)
{
	return virtq_worker_start(&to_rng(v)->w);
}

int virtio_rng_serve(struct virtio_rng *r)
{
	return virtq_worker_serve(&r->w);
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
	if (virtq_worker_init(&r->w, v, "virtio-rng", rng_request_cb, r, err, errlen))
		return -1;
	r->w.kicks = &r->counters[VRNG_KICKS];
	r->w.interrupts = &r->counters[VRNG_INTERRUPTS];
	r->w.interrupts_suppressed = &r->counters[VRNG_INTERRUPTS_SUPPRESSED];
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
	virtq_worker_destroy(&r->w);
}
