// SPDX-License-Identifier: MIT
/* Split virtqueue, driver side (virtqueue.h), from the virtio 1.x specification 2.7. */
#include "alloc.h"
#include "guest_virtqueue.h"

#define RD16(p) (*(volatile uint16_t *)(p))
#define WR16(p, v) (*(volatile uint16_t *)(p) = (v))

static inline void mb(void) { asm volatile("mfence" : : : "memory"); }
static inline void wmb(void) { asm volatile("" : : : "memory"); } /* x86: stores are ordered */
static inline void rmb(void) { asm volatile("" : : : "memory"); } /* x86: loads are ordered */

int vq_init(struct vq *vq, uint16_t index, uint16_t size, bool event_idx, bool want_irq)
{
	if (!size || (size & (size - 1)))
		return -1;
	vq->desc = alloc_zeroed(VQ_DESC_BYTES(size), 4096);
	vq->avail = alloc_zeroed(VQ_AVAIL_BYTES(size), 4096);
	vq->used = alloc_zeroed(VQ_USED_BYTES(size), 4096);
	vq->cookie = alloc_zeroed(sizeof(void *) * size, 8);
	if (!vq->desc || !vq->avail || !vq->used || !vq->cookie)
		return -1;
	vq->size = size;
	vq->index = index;
	for (uint16_t i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->avail_idx = vq->kicked_idx = vq->last_used = 0;
	vq->event_idx = event_idx;
	vq->want_irq = want_irq;
	vq->kicks = 0;
	/*
	 * No interrupts wanted (polling): the flag, and with EVENT_IDX a used_event
	 * kept half the index space ahead of what we harvested (vq_get_used): the
	 * device's used index, at most `size` ahead of us, never crosses it, so
	 * there is no interrupt at all, not even the first.
	 */
	WR16(&vq->avail[0], want_irq ? 0 : VQ_AVAIL_F_NO_INTERRUPT);
	WR16(&vq->avail[2 + size], want_irq ? 0 : 0x8000);
	return 0;
}

int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned n, void *cookie)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (!n || n > vq->num_free)
		return -1;
	for (unsigned k = 0; k < n; k++) {
		struct vq_desc *d = &vq->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].write ? VQ_DESC_F_WRITE : 0) | (k + 1 < n ? VQ_DESC_F_NEXT : 0));
		last = i;
		i = d->next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->cookie[head] = cookie;
	vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = head;
	vq->avail_idx++;
	return 0;
}

void vq_publish(struct vq *vq)
{
	wmb(); /* the ring entries before the index */
	WR16(&vq->avail[1], vq->avail_idx);
}

int vq_kick(struct vq *vq)
{
	uint16_t old = vq->kicked_idx, new = vq->avail_idx;
	bool need;

	if (old == new)
		return 0;
	wmb(); /* the ring entries before the index */
	WR16(&vq->avail[1], new);
	vq->kicked_idx = new;
	mb(); /* the index before reading the device's suppression state */
	if (vq->event_idx) {
		uint16_t ev = RD16(&vq->used[2 + 4 * vq->size]);

		need = (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
	} else {
		need = !(RD16(&vq->used[0]) & VQ_USED_F_NO_NOTIFY);
	}
	if (need) {
		vq->notify(vq);
		vq->kicks++;
	}
	return need;
}

uint16_t vq_pending_used(const struct vq *vq)
{
	return (uint16_t)(RD16(&vq->used[1]) - vq->last_used);
}

void *vq_get_used(struct vq *vq, uint32_t *len)
{
	const volatile struct vq_used_elem *ring = (const volatile void *)&vq->used[2];
	uint32_t id;
	uint16_t i, n = 1;
	void *cookie;

	if (RD16(&vq->used[1]) == vq->last_used)
		return NULL;
	rmb();
	id = ring[vq->last_used & (vq->size - 1)].id;
	if (len)
		*len = ring[vq->last_used & (vq->size - 1)].len;
	if (id >= vq->size)
		return NULL; /* a device that names a descriptor we never gave: leave the ring alone */
	vq->last_used++;
	cookie = vq->cookie[id];
	/* Back on the free list, chain and all. */
	for (i = (uint16_t)id; vq->desc[i].flags & VQ_DESC_F_NEXT && n < vq->size; n++)
		i = vq->desc[i].next;
	vq->desc[i].next = vq->free_head;
	vq->free_head = (uint16_t)id;
	vq->num_free = (uint16_t)(vq->num_free + n);
	/* EVENT_IDX: interrupt on the next used entry if interrupts are wanted, else never (see vq_init). */
	if (vq->event_idx)
		WR16(&vq->avail[2 + vq->size], vq->want_irq ? vq->last_used : (uint16_t)(vq->last_used + 0x8000));
	return cookie;
}
