/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (virtio 1.x, 2.7): pop a descriptor
 * chain the driver made available, push it back as used, and decide whether
 * to notify (VIRTQ_USED_F_NO_NOTIFY / VIRTIO_RING_F_EVENT_IDX).  Pure code
 * over guest memory: every ring and buffer address and length is checked
 * with guest_mem_ptr(); a loop, an out-of-range index or a chain longer
 * than the queue marks the queue broken with a diagnostic instead of being
 * followed.  No locking: one thread owns a queue.
 */
#ifndef EXITLAB_VIRTQUEUE_H
#define EXITLAB_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/guest_mem.h"

#define VIRTQ_MAX_SIZE      1024
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29

struct virtq {
	const struct guest_mem *mem;
	uint16_t num;               /* queue size, power of two, <= VIRTQ_MAX_SIZE */
	bool ready;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx, indirect;   /* negotiated features */
	uint16_t last_avail;        /* next avail ring slot to consume */
	uint16_t used_idx;          /* our copy of used->idx */
	uint16_t signalled_used;    /* used_idx at the last notification (EVENT_IDX) */
	bool signalled_valid;
	bool broken;
	char why[160];              /* the diagnostic, once broken */
	/* counters (Firecracker style: unit in the name) */
	uint64_t chains_popped, chains_pushed, notifies_sent, notifies_suppressed;
};

/* One chain: the device-readable buffers first (out), then the device-writable ones (in). */
#define VIRTQ_MAX_SEGS 64
struct virtq_elem {
	uint16_t head;
	unsigned nout, nin;
	struct iovec out[VIRTQ_MAX_SEGS], in[VIRTQ_MAX_SEGS];
	uint64_t out_bytes, in_bytes;
};

/* Ring addresses and size as the driver set them; checks sizes and alignment. 0 or -EINVAL (q->why). */
int virtq_init(struct virtq *q, const struct guest_mem *mem, uint16_t num, uint64_t desc, uint64_t avail,
	       uint64_t used, bool event_idx, bool indirect);
void virtq_reset(struct virtq *q);

/* 1 a chain in *e, 0 nothing available, -EIO the queue is (now) broken: see q->why. */
int virtq_pop(struct virtq *q, struct virtq_elem *e);
/* Return `head` with `len` bytes written into its device-writable buffers. */
int virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* Return n chains with one used idx update, so the driver sees them all at once (a mergeable RX frame). */
int virtq_push_n(struct virtq *q, const uint16_t *heads, const uint32_t *lens, unsigned n);
/* Whether the driver wants an interrupt for what was pushed since the last one (and record it). */
bool virtq_should_notify(struct virtq *q);
/*
 * Ask the driver to kick (enable) or not (disable) for new buffers: the
 * used flags, or with EVENT_IDX avail_event = last_avail.  After enabling,
 * re-check for buffers: the driver may have added one in between.
 */
void virtq_set_kick_wanted(struct virtq *q, bool wanted);
/* Whether chains are available without consuming them. */
bool virtq_has_avail(struct virtq *q);

/* virtio 1.x vring_need_event(): whether new_idx passing event_idx since old_idx needs a notification. */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/* Copy helpers over an iovec array: bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t skip, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t skip, const void *buf, size_t len);

#endif
