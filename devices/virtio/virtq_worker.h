/* SPDX-License-Identifier: MIT */
/*
 * The worker of a virtio device with one request queue (virtio-blk,
 * virtio-rng): a thread named after the device that wakes on the queue's
 * kick eventfd, pops every available chain, hands each to the model's
 * request function, pushes it used, and decides once per batch whether the
 * driver gets an interrupt (EVENT_IDX). A broken ring (a loop, a buffer
 * outside RAM) stops it and asks the driver for a reset. With serve_inline,
 * no thread: the owner calls virtq_worker_serve() where the thread would wake.
 */
#ifndef EXITLAB_VIRTQ_WORKER_H
#define EXITLAB_VIRTQ_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtio.h"

#define VIRTQ_WORKER_BUDGET 256 /* requests between two interrupt decisions */

struct virtq_worker {
	struct virtio_dev *v;          /* queue 0 is served */
	const char *name;              /* the thread's name and the messages' prefix */
	/* One chain: the bytes written into its device-writable buffers. */
	uint32_t (*request)(void *ctx, struct virtq_elem *e);
	void *ctx;
	uint64_t *kicks, *interrupts, *interrupts_suppressed; /* the model's counters */
	int stop_fd;
	pthread_t thread;
	bool running;
	bool serve_inline;             /* set before start: no thread, the owner calls virtq_worker_serve() */
	bool inline_started;           /* started in that mode, not stopped since */
};

/* Set w up (stop_fd made): 0, or -1 with err. */
int virtq_worker_init(struct virtq_worker *w, struct virtio_dev *v, const char *name,
		      uint32_t (*request)(void *ctx, struct virtq_elem *e), void *ctx, char *err,
		      size_t errlen);
/* At DRIVER_OK: the thread, or inline serving. 0, or -1 (no transport, the queue not ready). */
int virtq_worker_start(struct virtq_worker *w);
/* Stop and join the thread; the queue stays as it is. */
void virtq_worker_stop(struct virtq_worker *w);
/*
 * Inline: a kick left in the eventfd taken, then every request available.
 * 0, or -1: not started inline, or the ring broke.
 */
int virtq_worker_serve(struct virtq_worker *w);
/* Stop, and close what init made. */
void virtq_worker_destroy(struct virtq_worker *w);

#endif
