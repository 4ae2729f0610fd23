/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.x, 5.2) over a struct virtio_dev and a struct
 * blk_backend: one request queue, served by a worker thread named
 * "virtio-blk" that wakes on the queue's kick eventfd.  Requests IN, OUT,
 * FLUSH and GET_ID; anything else is UNSUPP, anything malformed IOERR.
 */
#ifndef EXITLAB_VIRTIO_BLK_H
#define EXITLAB_VIRTIO_BLK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/blk/blk_backend.h"
#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq_worker.h"

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR   512

/* What a request starts with (5.2.6). */
struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* The configuration area up to num_queues (5.2.4), little-endian. */
#define VIRTIO_BLK_CFG_CAPACITY  0
#define VIRTIO_BLK_CFG_SIZE_MAX  8
#define VIRTIO_BLK_CFG_SEG_MAX   12
#define VIRTIO_BLK_CFG_BLK_SIZE  20
#define VIRTIO_BLK_CFG_NUM_QUEUES 34
#define VIRTIO_BLK_CONFIG_LEN    36

#define VIRTIO_BLK_SEG_MAX  (VIRTQ_MAX_SEGS - 2) /* data segments besides header and status */
#define VIRTIO_BLK_SIZE_MAX (1u << 20)

enum virtio_blk_metric {
	VBLK_READS, VBLK_WRITES, VBLK_FLUSHES, VBLK_READ_BYTES, VBLK_WRITE_BYTES, VBLK_ERRORS,
	VBLK_KICKS, VBLK_INTERRUPTS, VBLK_INTERRUPTS_SUPPRESSED,
	VBLK_NMETRICS
};

struct virtio_blk {
	struct virtio_dev vdev;       /* what the transport drives */
	const struct guest_mem *mem;
	struct blk_backend *be;
	uint8_t config[VIRTIO_BLK_CONFIG_LEN];
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtq_worker w;        /* w.serve_inline set before start: no thread, the owner calls virtio_blk_serve() */
	uint64_t counters[VBLK_NMETRICS];
	struct dev_metrics metrics;
};

/* Fill b (b->vdev for the transport) over mem and be: 0, or -1 with err. */
int virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem, struct blk_backend *be, char *err,
		    size_t errlen);
const struct dev_metrics *virtio_blk_metrics(struct virtio_blk *b);
/*
 * With w.serve_inline set, DRIVER_OK starts no thread: each call does on the
 * caller's thread what the worker does when it wakes (serve every request
 * available), so a test or the fuzz harness drives the same code
 * deterministically.  0, or -1: not started inline, or the ring broke.
 */
int virtio_blk_serve(struct virtio_blk *b);
/* Stop the worker and free what init took; the backend stays the caller's. */
void virtio_blk_destroy(struct virtio_blk *b);

#endif
