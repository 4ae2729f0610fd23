// SPDX-License-Identifier: MIT
/* virtio-blk driver (virtio_blk.h), from the virtio 1.x specification 5.2. */
#include "alloc.h"
#include "string.h"
#include "guest_virtio_blk.h"

int virtio_blk_init(struct virtio_blk *b, const struct pci_dev *d, bool event_idx, bool irq, unsigned irq_idx,
		    unsigned qd, char *err, unsigned errlen)
{
	uint64_t want = 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_RO;

	memset(b, 0, sizeof(*b));
	if (event_idx)
		want |= 1ull << VIRTIO_F_EVENT_IDX;
	if (!qd || qd > VIRTIO_BLK_QD_MAX)
		return -1;
	if (virtio_pci_init(&b->vp, d, err, errlen) || virtio_pci_negotiate(&b->vp, want, err, errlen) ||
	    virtio_pci_irq_setup(&b->vp, irq ? PCI_INTR_AUTO : PCI_INTR_NONE, irq_idx, 1) ||
	    virtio_pci_queue_setup(&b->vp, &b->q, 0, 256, err, errlen))
		return -1;
	if (b->q.size < 3 * qd)
		qd = b->q.size / 3;
	b->qd = qd;
	b->capacity = virtio_pci_cfg32(&b->vp, 0) | (uint64_t)virtio_pci_cfg32(&b->vp, 4) << 32;
	b->reqs = alloc_zeroed(sizeof(*b->reqs) * qd, 64);
	if (!b->reqs)
		return -1;
	virtio_pci_driver_ok(&b->vp);
	return 0;
}

int virtio_blk_submit(struct virtio_blk *b, unsigned slot, uint32_t type, uint64_t sector, void *buf,
		      uint32_t len)
{
	struct virtio_blk_req *r;
	struct vq_buf v[3];
	unsigned n = 0;

	if (slot >= b->qd || b->reqs[slot].busy)
		return -1;
	r = &b->reqs[slot];
	r->type = type;
	r->reserved = 0;
	r->sector = sector;
	r->status = 0xff;
	v[n++] = (struct vq_buf){ (uint64_t)r, 16, false };
	if (len)
		v[n++] = (struct vq_buf){ (uint64_t)buf, len, type != VIRTIO_BLK_T_OUT };
	v[n++] = (struct vq_buf){ (uint64_t)&r->status, 1, true };
	if (vq_add(&b->q, v, n, (void *)(uint64_t)(slot + 1)))
		return -1;
	r->busy = true;
	return 0;
}

int virtio_blk_kick(struct virtio_blk *b)
{
	return vq_kick(&b->q);
}

int virtio_blk_reap(struct virtio_blk *b, uint8_t *status)
{
	void *c = vq_get_used(&b->q, NULL);
	unsigned slot;

	if (!c)
		return -1;
	slot = (unsigned)((uint64_t)c - 1);
	if (slot >= b->qd)
		return -1;
	b->reqs[slot].busy = false;
	*status = *(volatile uint8_t *)&b->reqs[slot].status;
	return (int)slot;
}

int virtio_blk_sync(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf, uint32_t len, uint64_t spins)
{
	uint8_t st;
	int slot;

	if (virtio_blk_submit(b, 0, type, sector, buf, len))
		return -1;
	virtio_blk_kick(b);
	while (spins--) {
		slot = virtio_blk_reap(b, &st);
		if (slot == 0)
			return st;
		asm volatile("pause");
	}
	return -1;
}
