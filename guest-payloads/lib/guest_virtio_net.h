/* SPDX-License-Identifier: MIT */
/*
 * virtio-net driver (virtio 1.x, 5.1) on the modern PCI transport: queue 0
 * receive, queue 1 transmit, the 12-byte virtio_net_hdr (VERSION_1) before
 * every frame, mergeable RX buffers and EVENT_IDX as negotiated.  TX copies
 * frames into per-descriptor buffers; RX keeps every descriptor posted.
 */
#ifndef GUEST_VIRTIO_NET_H
#define GUEST_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_virtio_pci.h"

#define VIRTIO_NET_F_MAC       5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_HDR_LEN     12
#define VIRTIO_NET_BUF         2048 /* per descriptor: header + a 1514-byte frame fit */

struct virtio_net {
	struct virtio_pci vp;
	struct vq rx, tx;
	uint8_t mac[6];
	uint8_t *rx_bufs, *tx_bufs;
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	bool overlap;            /* rx_poll publishes re-posted buffers as it goes (see there) */
};

/* Bring the device up; event_idx/mrg_rxbuf are offered, irq picks MSI-X/INTx or polling. 0 or -1. */
int virtio_net_init(struct virtio_net *n, const struct pci_dev *d, bool event_idx, bool mrg_rxbuf,
		    enum pci_intr irq, unsigned irq_idx, char *err, unsigned errlen);
/* Free TX descriptors after harvesting completions. */
unsigned virtio_net_tx_free(struct virtio_net *n);
/* Queue one frame (filled by fill(buf, arg)) without kicking; 0 or -1 if the ring is full. */
int virtio_net_tx_add(struct virtio_net *n, uint32_t len, uint32_t seq);
/* Publish the frames queued so far without a notification decision (vq_publish). */
void virtio_net_tx_publish(struct virtio_net *n);
/* Publish and notify if needed; 1 if a notification was written. */
int virtio_net_tx_kick(struct virtio_net *n);
/*
 * Harvest received frames, at most max buffers: check(frame, len) per frame,
 * buffers re-posted (and with n->overlap published every few), one
 * notification decision at the end.  Returns frames.
 */
unsigned virtio_net_rx_poll(struct virtio_net *n, unsigned max,
			    void (*check)(const uint8_t *f, uint32_t len, void *arg), void *arg);

#endif
