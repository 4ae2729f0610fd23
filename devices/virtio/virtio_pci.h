/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x modern PCI transport (virtio spec 4.1) for a struct
 * virtio_dev: vendor capabilities for the common, notify, ISR and device
 * configuration structures in one 64-bit memory BAR, MSI-X in a second BAR,
 * INTx with the ISR as the fallback.  Queue notifications land in one
 * eventfd per queue, signalled by KVM (ioeventfd, no userspace exit) or by
 * the BAR handler after an exit (notify_by_exit, to show the difference).
 * Queue interrupts leave through one irqfd per queue bound to an MSI route
 * that follows the guest's MSI-X table.
 */
#ifndef EXITLAB_VIRTIO_PCI_H
#define EXITLAB_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/ioeventfd.h"
#include "devices/pci/pci.h"
#include "devices/virtio/virtio.h"

struct vm;
struct pci_host;
struct irq_chip;

/* BAR layout */
#define VIRTIO_PCI_BAR          4            /* MEM64: the virtio structures */
#define VIRTIO_PCI_BAR_SIZE     0x4000
#define VIRTIO_PCI_COMMON_OFF   0x0000
#define VIRTIO_PCI_COMMON_LEN   0x38
#define VIRTIO_PCI_ISR_OFF      0x1000
#define VIRTIO_PCI_ISR_LEN      4
#define VIRTIO_PCI_DEVICE_OFF   0x2000
#define VIRTIO_PCI_DEVICE_MAX   0x1000
#define VIRTIO_PCI_NOTIFY_OFF   0x3000
#define VIRTIO_PCI_NOTIFY_MULT  4
#define VIRTIO_PCI_MSIX_BAR     1            /* MEM32: MSI-X table and PBA */
#define VIRTIO_PCI_MSIX_SIZE    0x1000
#define VIRTIO_PCI_MSIX_TABLE   0x000
#define VIRTIO_PCI_MSIX_PBA     0x800

/* virtio_pci_cap cfg_type */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* Common configuration offsets (struct virtio_pci_common_cfg) */
#define VIRTIO_PCI_DFSELECT      0x00
#define VIRTIO_PCI_DF            0x04
#define VIRTIO_PCI_GFSELECT      0x08
#define VIRTIO_PCI_GF            0x0c
#define VIRTIO_PCI_MSIX_CONFIG   0x10
#define VIRTIO_PCI_NUM_QUEUES    0x12
#define VIRTIO_PCI_STATUS        0x14
#define VIRTIO_PCI_CFG_GEN       0x15
#define VIRTIO_PCI_Q_SELECT      0x16
#define VIRTIO_PCI_Q_SIZE        0x18
#define VIRTIO_PCI_Q_MSIX        0x1a
#define VIRTIO_PCI_Q_ENABLE      0x1c
#define VIRTIO_PCI_Q_NOFF        0x1e
#define VIRTIO_PCI_Q_DESC        0x20
#define VIRTIO_PCI_Q_DRIVER      0x28
#define VIRTIO_PCI_Q_DEVICE      0x30

#define VIRTIO_PCI_ISR_QUEUE     1
#define VIRTIO_PCI_ISR_CONFIG    2

struct virtio_pci_queue {
	uint16_t size, msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
	int kick_fd;               /* eventfd, -1 until the queue is enabled */
	struct ioeventfd ev;       /* KVM's registration of kick_fd; ev.fd -1 when none */
	int call_fd, gsi;          /* irqfd eventfd and its MSI route; -1 without an irqchip */
	bool route_live;           /* the route is unmasked in KVM's table */
	uint64_t notifies_by_exit; /* counters (relaxed atomics) */
};

struct virtio_pci {
	struct pci_device pci;
	struct virtio_dev *dev;
	struct vm *vm;             /* NULL in unit tests: no ioeventfd, exit mode */
	struct pci_host *host;
	struct irq_chip *irq;      /* NULL: no irqfds, interrupts through pci_irq_raise only */
	bool notify_by_exit;
	pthread_mutex_t lock;      /* recursive: ISR, interrupt state, routes vs worker threads */

	uint32_t dfselect, gfselect;
	uint64_t driver_features;  /* as the driver writes them, before FEATURES_OK */
	uint16_t msix_config, queue_select;
	uint8_t isr;
	struct virtio_pci_queue q[VIRTIO_MAX_QUEUES];

	/* counters (relaxed atomics) */
	uint64_t notifies_by_exit, irqs_by_vector[VIRTIO_MAX_QUEUES + 1], config_irqs, intx_irqs;
	uint64_t bad_accesses;     /* hostile or malformed register accesses, ignored */
};

/*
 * Build the PCI function for `dev` and add it to `h` (unless h is NULL):
 * sets dev->tops and dev->transport.  0, or -1 with err.
 */
int virtio_pci_init(struct virtio_pci *t, struct virtio_dev *dev, struct vm *vm, struct pci_host *h,
		    struct irq_chip *irq, bool notify_by_exit, char *err, size_t errlen);
/* Stop the device, drop ioeventfds, irqfds and routes, close the eventfds. */
void virtio_pci_destroy(struct virtio_pci *t);

#endif
