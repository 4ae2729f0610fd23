/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio 1.x, 5.1) over a struct virtio_dev and a struct
 * net_backend: queue 0 receives, queue 1 transmits (no multiqueue, no
 * control queue).  Two named worker threads move frames between the rings
 * and the backend; neither knows how kicks arrive nor where frames go.
 */
#ifndef EXITLAB_VIRTIO_NET_H
#define EXITLAB_VIRTIO_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/net/net_backend.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_NET_F_CSUM       0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_MRG_RXBUF  15
#define VIRTIO_NET_F_STATUS     16

#define VIRTIO_NET_S_LINK_UP    1

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_F_RSC_INFO   4
#define VIRTIO_NET_HDR_GSO_NONE     0
#define VIRTIO_NET_HDR_GSO_ECN      0x80

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* The header before every frame (5.1.6); 12 bytes with VERSION_1. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_CONFIG_LEN 10 /* mac[6], status, max_virtqueue_pairs */

enum virtio_net_metric {
	VNET_TX_FRAMES, VNET_TX_BYTES, VNET_TX_KICKS, VNET_TX_DROPPED,
	VNET_RX_FRAMES, VNET_RX_BYTES, VNET_RX_KICKS, VNET_RX_NO_BUFFERS, VNET_RX_DROPPED,
	VNET_INTERRUPTS, VNET_INTERRUPTS_SUPPRESSED,
	VNET_NMETRICS
};

/* RX state the worker keeps between wake-ups: a mergeable frame waiting for more guest buffers. */
struct virtio_net_rx {
	uint8_t *buf;                 /* header + frame, NET_FRAME_MAX + 12 bytes */
	size_t len, done;             /* bytes in buf, bytes placed in guest buffers */
	bool pending;                 /* a frame is (partly) placed */
	bool have_chain;              /* `first` popped, no frame in it yet */
	struct virtq_elem first;      /* the chain holding the header */
	struct virtq_elem cur;
	unsigned nused;
	uint16_t heads[VIRTQ_MAX_SIZE];
	uint32_t lens[VIRTQ_MAX_SIZE];
};

struct virtio_net {
	struct virtio_dev vdev;       /* what the transport drives */
	const struct guest_mem *mem;
	struct net_backend *be;
	uint64_t features;            /* as accepted */
	uint8_t config[VIRTIO_NET_CONFIG_LEN];
	int stop_fd;                  /* eventfd: the workers exit when it is readable */
	pthread_t tx_thread, rx_thread;
	bool tx_running, rx_running;
	bool serve_inline;            /* set before start: no workers, the owner calls virtio_net_serve() */
	bool inline_started;          /* started in that mode, not stopped since */
	struct virtio_net_rx rx;
	uint64_t counters[VNET_NMETRICS];
	struct dev_metrics metrics;
};

/* Fill n (n->vdev for the transport) over mem and be: 0, or -1 with err. */
int virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, struct net_backend *be,
		    const uint8_t mac[6], char *err, size_t errlen);
const struct dev_metrics *virtio_net_metrics(struct virtio_net *n);
/*
 * With serve_inline set, DRIVER_OK starts no threads: each call does on the
 * caller's thread what queue q's worker does when it wakes (drain TX, or one
 * burst of frames into RX buffers), so a test or the fuzz harness drives the
 * same code deterministically.  0, or -1: not started inline, or the queue
 * broke (NEEDS_RESET was asked for).
 */
int virtio_net_serve(struct virtio_net *n, unsigned q);
/* Stop the workers and free what init took; the backend stays the caller's. */
void virtio_net_destroy(struct virtio_net *n);

#endif
