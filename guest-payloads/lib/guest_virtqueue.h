/* SPDX-License-Identifier: MIT */
/*
 * Driver side of a split virtqueue (virtio 1.x, 2.7): descriptor table,
 * available and used rings in guest RAM; chains added, published and kicked
 * with EVENT_IDX or the NO_NOTIFY flag deciding whether a kick is needed;
 * used entries harvested.  Transport-independent: the kick is a callback.
 */
#ifndef GUEST_VIRTQUEUE_H
#define GUEST_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define VQ_DESC_F_NEXT  1
#define VQ_DESC_F_WRITE 2
#define VQ_AVAIL_F_NO_INTERRUPT 1
#define VQ_USED_F_NO_NOTIFY 1

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq_buf {
	uint64_t addr;
	uint32_t len;
	bool write;      /* device-writable */
};

struct vq {
	uint16_t size;
	uint16_t index;          /* queue number */
	struct vq_desc *desc;
	uint16_t *avail;         /* flags, idx, ring[size], used_event */
	uint16_t *used;          /* flags, idx, then elems, then avail_event */
	uint16_t free_head, num_free;
	uint16_t avail_idx;      /* shadow: entries added (published by vq_publish or vq_kick) */
	uint16_t kicked_idx;     /* avail idx at the last notification decision (vq_kick) */
	uint16_t last_used;
	bool event_idx;
	bool want_irq;
	void **cookie;           /* per head descriptor */
	void (*notify)(struct vq *vq);
	void *priv;
	uint64_t notify_addr;    /* the transport's doorbell for this queue, fixed at setup */
	uint64_t kicks;          /* notifications written */
};

/* Bytes of the three parts for `size` entries. */
#define VQ_DESC_BYTES(n)  (16ull * (n))
#define VQ_AVAIL_BYTES(n) (6ull + 2ull * (n))
#define VQ_USED_BYTES(n)  (6ull + 8ull * (n))

/* Allocate the rings (alloc.h); 0 or -1. */
int vq_init(struct vq *vq, uint16_t index, uint16_t size, bool event_idx, bool want_irq);
/* Add a chain; its head's cookie comes back from vq_get_used. 0, or -1 if it does not fit. */
int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned n, void *cookie);
/*
 * Publish what was added, without deciding on a notification: a device still
 * draining finds it; one that went idle hears of it at the next vq_kick.
 */
void vq_publish(struct vq *vq);
/*
 * Publish what was added and notify the device if it asked for it anywhere
 * since the last vq_kick (the whole window, whatever vq_publish showed it
 * meanwhile). 1 if notified.
 */
int vq_kick(struct vq *vq);
/* The next used chain's cookie (and bytes written), or NULL if none. */
void *vq_get_used(struct vq *vq, uint32_t *len);
/* Used entries not yet harvested. */
uint16_t vq_pending_used(const struct vq *vq);

#endif
