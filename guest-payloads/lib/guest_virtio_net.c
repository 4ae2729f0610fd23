// SPDX-License-Identifier: MIT
/* virtio-net driver (virtio_net.h), from the virtio 1.x specification 5.1. */
#include "alloc.h"
#include "net_frame.h"
#include "string.h"
#include "guest_virtio_net.h"

/* overlap: re-posted RX buffers published in groups of this many (one cache line's worth of avail ring). */
#define RX_PUBLISH_EVERY 32

static void rx_post(struct virtio_net *n, uint16_t i)
{
	struct vq_buf b = { (uint64_t)(n->rx_bufs + (uint64_t)i * VIRTIO_NET_BUF), VIRTIO_NET_BUF, true };

	vq_add(&n->rx, &b, 1, (void *)(uint64_t)(i + 1));
}

int virtio_net_init(struct virtio_net *n, const struct pci_dev *d, bool event_idx, bool mrg_rxbuf,
		    enum pci_intr irq, unsigned irq_idx, char *err, unsigned errlen)
{
	uint64_t want = 1ull << VIRTIO_NET_F_MAC;

	memset(n, 0, sizeof(*n));
	if (event_idx)
		want |= 1ull << VIRTIO_F_EVENT_IDX;
	if (mrg_rxbuf)
		want |= 1ull << VIRTIO_NET_F_MRG_RXBUF;
	if (virtio_pci_init(&n->vp, d, err, errlen) || virtio_pci_negotiate(&n->vp, want, err, errlen) ||
	    virtio_pci_irq_setup(&n->vp, irq, irq_idx, 2) ||
	    virtio_pci_queue_setup(&n->vp, &n->rx, 0, 256, err, errlen) ||
	    virtio_pci_queue_setup(&n->vp, &n->tx, 1, 256, err, errlen))
		return -1;
	if (virtio_has(&n->vp, VIRTIO_NET_F_MAC))
		for (int i = 0; i < 6; i++)
			n->mac[i] = virtio_pci_cfg8(&n->vp, (unsigned)i);
	else
		memcpy(n->mac, "\x02\x00\x00\x00\x00\x01", 6);
	n->rx_bufs = alloc_zeroed((uint64_t)n->rx.size * VIRTIO_NET_BUF, 4096);
	n->tx_bufs = alloc_zeroed((uint64_t)n->tx.size * VIRTIO_NET_BUF, 4096);
	if (!n->rx_bufs || !n->tx_bufs)
		return -1;
	virtio_pci_driver_ok(&n->vp);
	for (uint16_t i = 0; i < n->rx.size; i++)
		rx_post(n, i);
	vq_kick(&n->rx);
	return 0;
}

unsigned virtio_net_tx_free(struct virtio_net *n)
{
	while (vq_get_used(&n->tx, NULL))
		;
	return n->tx.num_free;
}

int virtio_net_tx_add(struct virtio_net *n, uint32_t len, uint32_t seq)
{
	/* One buffer per descriptor: the free head names it, and stays put until it is used. */
	uint16_t slot = n->tx.free_head;
	uint8_t *b = n->tx_bufs + (uint64_t)slot * VIRTIO_NET_BUF;
	struct vq_buf vb = { (uint64_t)b, VIRTIO_NET_HDR_LEN + len, false };

	if (!n->tx.num_free || slot >= n->tx.size || len > VIRTIO_NET_BUF - VIRTIO_NET_HDR_LEN)
		return -1;
	memset(b, 0, VIRTIO_NET_HDR_LEN);
	net_frame_fill(b + VIRTIO_NET_HDR_LEN, len, seq, n->mac);
	if (vq_add(&n->tx, &vb, 1, b))
		return -1;
	n->tx_frames++;
	n->tx_bytes += len;
	return 0;
}

void virtio_net_tx_publish(struct virtio_net *n)
{
	vq_publish(&n->tx);
}

int virtio_net_tx_kick(struct virtio_net *n)
{
	return vq_kick(&n->tx);
}

unsigned virtio_net_rx_poll(struct virtio_net *n, unsigned max,
			    void (*check)(const uint8_t *f, uint32_t len, void *arg), void *arg)
{
	unsigned got = 0, taken = 0, unpublished = 0;
	uint32_t len;
	void *c;

	while (taken < max && (c = vq_get_used(&n->rx, &len))) {
		taken++;
		uint16_t i = (uint16_t)((uint64_t)c - 1);
		const uint8_t *b = n->rx_bufs + (uint64_t)i * VIRTIO_NET_BUF;

		if (i >= n->rx.size)
			continue;
		/*
		 * With MRG_RXBUF, num_buffers (bytes 10..11) is 1 since each buffer holds a
		 * whole frame; a device that spreads one anyway gets it counted as bad (len 0).
		 */
		if (virtio_has(&n->vp, VIRTIO_NET_F_MRG_RXBUF) && (b[10] | b[11] << 8) != 1) {
			check(b, 0, arg);
		} else if (len > VIRTIO_NET_HDR_LEN && len <= VIRTIO_NET_BUF) {
			check(b + VIRTIO_NET_HDR_LEN, len - VIRTIO_NET_HDR_LEN, arg);
			n->rx_frames++;
			n->rx_bytes += len - VIRTIO_NET_HDR_LEN;
			got++;
		}
		rx_post(n, i);
		/*
		 * overlap: a device still filling buffers gets these back without
		 * waiting for the whole harvest; still one notification decision.
		 */
		if (n->overlap && ++unpublished == RX_PUBLISH_EVERY) {
			vq_publish(&n->rx);
			unpublished = 0;
		}
	}
	if (got)
		vq_kick(&n->rx);
	return got;
}
