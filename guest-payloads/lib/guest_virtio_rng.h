/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng driver (virtio 1.x, 5.4) on the modern PCI transport: one
 * request queue, up to `qd` requests in flight, each one device-writable
 * buffer that the device fills with random bytes.
 */
#ifndef GUEST_VIRTIO_RNG_H
#define GUEST_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_virtio_pci.h"

#define VIRTIO_RNG_PCI_DEVICE 0x1044
#define VIRTIO_RNG_QD_MAX     64

struct virtio_rng {
	struct virtio_pci vp;
	struct vq q;
	unsigned qd;
	bool busy[VIRTIO_RNG_QD_MAX];
};

int virtio_rng_init(struct virtio_rng *r, const struct pci_dev *d, bool event_idx, unsigned qd, char *err,
		    unsigned errlen);
/* Queue a request for len bytes into buf in slot (free, < qd) without kicking: 0 or -1. */
int virtio_rng_submit(struct virtio_rng *r, unsigned slot, void *buf, uint32_t len);
int virtio_rng_kick(struct virtio_rng *r);
/* One completed request: its slot and the bytes the device wrote; -1 if none yet. */
int virtio_rng_reap(struct virtio_rng *r, uint32_t *len);
/* Submit, kick and wait (polling, up to `spins` polls): the bytes written, or -1 on timeout. */
int64_t virtio_rng_sync(struct virtio_rng *r, void *buf, uint32_t len, uint64_t spins);

#endif
