/* SPDX-License-Identifier: MIT */
/* hostile-dev: the virtio driver side the virtio attacks stand on (virtio_dev.c). */
#ifndef HOSTILE_VIRTIO_DEV_H
#define HOSTILE_VIRTIO_DEV_H

#include "hostile.h"
#include "guest_virtio_pci.h"
#include "guest_virtqueue.h"

#define VIRTIO_RING_F_INDIRECT 28
#define VIRTIO_NET_F_MAC       5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VQ_DESC_F_INDIRECT     4
#define HV_S_NEEDS_RESET       0x40
#define VIRTIO_BLK_T_IN        0
#define VIRTIO_BLK_T_OUT       1
#define VIRTIO_BLK_S_IOERR     1
#define HV_BUF                 8192

/* struct virtio_pci_common_cfg offsets (virtio 1.x, 4.1.4.3) */
#define CC_MSIX     0x10
#define CC_GFSELECT 0x08
#define CC_GF       0x0c
#define CC_STATUS   0x14
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE   0x18
#define CC_Q_MSIX   0x1a
#define CC_Q_ENABLE 0x1c
#define CC_Q_DESC   0x20
#define CC_Q_AVAIL  0x28
#define CC_Q_USED   0x30

struct hv_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct hv {
	struct virtio_pci vp;
	struct vq qs[2];
	struct vq *q;            /* the attacked queue: virtio-net TX, virtio-blk's only queue */
	uint8_t mac[6];
	uint64_t capacity;       /* virtio-blk, sectors */
	uint8_t *buf;            /* HV_BUF bytes: frames, request headers, data, status */
	struct vq_desc *tbl;     /* 4 KiB for indirect tables */
};

extern struct hv hv;
/* Features hv_start also asks for (an attack sets and clears it). */
extern uint64_t hv_extra_features;

/* Reset, then up to `stage`: ACK|DRIVER; negotiated (EVENT_IDX, INDIRECT_DESC, MAC); queues, DRIVER_OK. */
enum { HV_STAGE_DRIVER, HV_STAGE_FEATURES, HV_STAGE_RUNNING };
int hv_start(struct hctx *c, int stage);
/* The attacked queue's index. */
static inline uint16_t hv_qindex(const struct hctx *c)
{
	return c->kind == HDEV_VNET ? 1 : 0;
}
/* Descriptor i of the attacked queue, written raw. */
void hv_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
/* Put head in the next avail slot, publish, kick. */
void hv_publish(uint16_t head);
void hv_publish_on(struct vq *q, uint16_t head);
/* Wait up to ms for a status bit (metrics: status, wait_us): 0, or -1 if it never came. */
int hv_wait_status(struct hctx *c, uint8_t bit, uint64_t ms);
/* NEEDS_RESET must come; then reset and one good operation. */
void hv_expect_reset(struct hctx *c);
/* A used entry within ms: its length, or -1. */
long hv_wait_used(struct hctx *c, uint64_t ms);
/* A virtio-blk request of len (> 0) data bytes, completed: 0 with its status byte, or -1 (hx_fail). */
int hv_blk_rw(struct hctx *c, uint32_t type, uint64_t sector, uint32_t len, uint8_t *status);

#endif
