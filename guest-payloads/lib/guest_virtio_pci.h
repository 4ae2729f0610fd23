/* SPDX-License-Identifier: MIT */
/*
 * Modern virtio-pci transport, driver side (virtio 1.x, 4.1): the vendor
 * capabilities (common, notify, ISR, device config), device reset and
 * status, feature negotiation, queue setup with split rings (virtqueue.h),
 * notifications, and interrupts by MSI-X (a vector per queue) or INTx.
 */
#ifndef GUEST_VIRTIO_PCI_H
#define GUEST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_pci.h"
#include "guest_virtqueue.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_S_ACK         1
#define VIRTIO_S_DRIVER      2
#define VIRTIO_S_DRIVER_OK   4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_FAILED      0x80

struct virtio_pci {
	struct pci_dev pci;
	uint64_t common, notify, isr, device; /* addresses of the structures */
	uint32_t notify_mult, notify_len;
	uint64_t features;        /* negotiated */
	enum pci_intr irq;        /* in use: NONE (polling), MSIX or INTX */
	unsigned irq_idx;         /* lib/irq.h index of the first vector */
	uint64_t isr_empty;       /* INTx interrupts whose ISR read found nothing (spurious) */
};

/* Find the capabilities, enable the function, reset it, say ACK and DRIVER. 0 or -1 (err says why). */
int virtio_pci_init(struct virtio_pci *v, const struct pci_dev *d, char *err, unsigned errlen);
/* Offer wanted & device's (VERSION_1 required), FEATURES_OK, check it stuck. 0 or -1. */
int virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted, char *err, unsigned errlen);
/*
 * Interrupts for nq queues: NONE = polling; MSI-X (queue q -> irq index
 * irq_idx + q) or INTx (irq index irq_idx, ISR acked) as `want` says (AUTO:
 * MSI-X if the function has it).  0, or -1 when the mode asked is not there.
 */
int virtio_pci_irq_setup(struct virtio_pci *v, enum pci_intr want, unsigned irq_idx, unsigned nq);
/* Queue `index` with at most max entries (0: the device's size); rings allocated here. 0 or -1. */
int virtio_pci_queue_setup(struct virtio_pci *v, struct vq *vq, uint16_t index, uint16_t max, char *err,
			   unsigned errlen);
void virtio_pci_driver_ok(struct virtio_pci *v);
uint8_t virtio_pci_status(const struct virtio_pci *v);
/* Device-specific configuration (little-endian fields). */
uint8_t virtio_pci_cfg8(const struct virtio_pci *v, unsigned off);
uint16_t virtio_pci_cfg16(const struct virtio_pci *v, unsigned off);
uint32_t virtio_pci_cfg32(const struct virtio_pci *v, unsigned off);
/* The irq index a queue's interrupts count into. */
unsigned virtio_pci_queue_irq(const struct virtio_pci *v, uint16_t index);

static inline bool virtio_has(const struct virtio_pci *v, unsigned bit)
{
	return (v->features >> bit) & 1;
}

#endif
