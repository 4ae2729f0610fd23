/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng, the entropy device (virtio 1.x, 5.4) over a struct
 * virtio_dev: one request queue whose device-writable buffers the device
 * fills with random bytes from getrandom(2), served by a worker thread
 * named "virtio-rng" that wakes on the queue's kick eventfd.  No features
 * of its own, no configuration space.
 */
#ifndef EXITLAB_VIRTIO_RNG_H
#define EXITLAB_VIRTIO_RNG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq_worker.h"

#define VIRTIO_ID_RNG 4

/* Bytes one request gets at most (5.4.6.1: the device may use less than the whole buffer). */
#define VIRTIO_RNG_FILL_MAX (1u << 20)

enum virtio_rng_metric {
	VRNG_REQUESTS, VRNG_BYTES, VRNG_ERRORS, VRNG_KICKS, VRNG_INTERRUPTS, VRNG_INTERRUPTS_SUPPRESSED,
	VRNG_NMETRICS
};

struct virtio_rng {
	struct virtio_dev vdev;       /* what the transport drives */
	const struct guest_mem *mem;
	struct virtq_worker w;        /* w.serve_inline set before start: no thread, the owner calls virtio_rng_serve() */
	uint64_t counters[VRNG_NMETRICS];
	struct dev_metrics metrics;
};

/* Fill r (r->vdev for the transport) over mem: 0, or -1 with err. */
int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem, char *err, size_t errlen);
const struct dev_metrics *virtio_rng_metrics(struct virtio_rng *r);
/*
 * With w.serve_inline set, DRIVER_OK starts no thread: each call does on the
 * caller's thread what the worker does when it wakes (serve every request
 * available).  0, or -1: not started inline, or the ring broke.
 */
int virtio_rng_serve(struct virtio_rng *r);
/* Stop the worker and free what init took. */
void virtio_rng_destroy(struct virtio_rng *r);

#endif
