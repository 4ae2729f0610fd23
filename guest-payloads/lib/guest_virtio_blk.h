/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk driver (virtio 1.x, 5.2) on the modern PCI transport: one
 * request queue, up to `qd` requests in flight, each a three-descriptor
 * chain (header, data, status); read, write, flush and get-id.
 */
#ifndef GUEST_VIRTIO_BLK_H
#define GUEST_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_virtio_pci.h"

#define VIRTIO_BLK_F_RO     5
#define VIRTIO_BLK_F_FLUSH  9
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_QD_MAX   64
#define VIRTIO_BLK_ID_LEN   20

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;
	bool busy;
};

struct virtio_blk {
	struct virtio_pci vp;
	struct vq q;
	uint64_t capacity;        /* 512-byte sectors */
	unsigned qd;
	struct virtio_blk_req *reqs; /* qd slots */
};

int virtio_blk_init(struct virtio_blk *b, const struct pci_dev *d, bool event_idx, bool irq, unsigned irq_idx,
		    unsigned qd, char *err, unsigned errlen);
/* Queue a request in slot (free, < qd) without kicking: 0 or -1. */
int virtio_blk_submit(struct virtio_blk *b, unsigned slot, uint32_t type, uint64_t sector, void *buf,
		      uint32_t len);
int virtio_blk_kick(struct virtio_blk *b);
/* One completed request: its slot and status; -1 if none yet. */
int virtio_blk_reap(struct virtio_blk *b, uint8_t *status);
/* Submit, kick and wait (polling, up to `spins` polls): the status, or -1 on timeout. */
int virtio_blk_sync(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf, uint32_t len, uint64_t spins);

#endif
