// SPDX-License-Identifier: MIT
/* virtio-rng driver (guest_virtio_rng.h), from the virtio 1.x specification 5.4. */
#include "string.h"
#include "guest_virtio_rng.h"

int virtio_rng_init(struct virtio_rng *r, const struct pci_dev *d, bool event_idx, unsigned qd, char *err,
		    unsigned errlen)
{
	memset(r, 0, sizeof(*r));
	if (!qd || qd > VIRTIO_RNG_QD_MAX)
		return -1;
	if (virtio_pci_init(&r->vp, d, err, errlen) ||
	    virtio_pci_negotiate(&r->vp, event_idx ? 1ull << VIRTIO_F_EVENT_IDX : 0, err, errlen) ||
	    virtio_pci_irq_setup(&r->vp, PCI_INTR_NONE, 0, 1) ||
	    virtio_pci_queue_setup(&r->vp, &r->q, 0, 256, err, errlen))
		return -1;
	r->qd = qd < r->q.size ? qd : r->q.size;
	virtio_pci_driver_ok(&r->vp);
	return 0;
}

int virtio_rng_submit(struct virtio_rng *r, unsigned slot, void *buf, uint32_t len)
{
	struct vq_buf v = { (uint64_t)buf, len, true };

	if (slot >= r->qd || r->busy[slot] || vq_add(&r->q, &v, 1, (void *)(uint64_t)(slot + 1)))
		return -1;
	r->busy[slot] = true;
	return 0;
}

int virtio_rng_kick(struct virtio_rng *r)
{
	return vq_kick(&r->q);
}

int virtio_rng_reap(struct virtio_rng *r, uint32_t *len)
{
	void *c = vq_get_used(&r->q, len);
	unsigned slot;

	if (!c)
		return -1;
	slot = (unsigned)((uint64_t)c - 1);
	if (slot >= r->qd)
		return -1;
	r->busy[slot] = false;
	return (int)slot;
}

int64_t virtio_rng_sync(struct virtio_rng *r, void *buf, uint32_t len, uint64_t spins)
{
	uint32_t got;

	if (virtio_rng_submit(r, 0, buf, len))
		return -1;
	virtio_rng_kick(r);
	while (spins--) {
		if (virtio_rng_reap(r, &got) == 0)
			return got;
		asm volatile("pause");
	}
	return -1;
}
