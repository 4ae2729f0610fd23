/* SPDX-License-Identifier: MIT */
/* The net payload's view of a NIC: the same TX/RX loop drives virtio-net and e1000. */
#ifndef NET_NIC_H
#define NET_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_pci.h"

typedef void (*nic_rx_fn)(const uint8_t *f, uint32_t len, void *arg);

#define NIC_RX_ALL (~0u)

struct nic {
	const char *name;        /* "virtio" or "e1000" */
	void *dev;
	unsigned tx_size;        /* frames the TX ring holds at once */
	/* Harvest TX completions; free TX slots. */
	unsigned (*tx_free)(void *dev);
	int (*tx_add)(void *dev, uint32_t len, uint32_t seq);
	/* 1 if a notification (doorbell write) was needed. */
	int (*tx_kick)(void *dev);
	/* Harvest at most max received buffers (NIC_RX_ALL: every one there is). */
	unsigned (*rx_poll)(void *dev, unsigned max, nic_rx_fn fn, void *arg);
	/* Notifications written so far (TX and RX doorbells), interrupts counted so far. */
	uint64_t (*kicks)(void *dev, bool tx);
	uint64_t (*interrupts)(void *dev);
	/* Interrupts the handler found no cause for (INTx: ICR or ISR read 0). */
	uint64_t (*spurious)(void *dev);
	bool event_idx;          /* negotiated (virtio only) */
	unsigned irq_idx;        /* lib/irq.h index to wait on */
	enum pci_intr intr;      /* interrupts: NONE (polling), MSIX or INTX (lib/pci.h) */
	/*
	 * overlap=1 (virtio): publish the frames added so far without a
	 * notification decision; NULL: the batch waits for room, then fills.
	 */
	void (*tx_publish)(void *dev);
};

/* Interrupts on (else polling). */
static inline bool nic_irq(const struct nic *n) { return n->intr != PCI_INTR_NONE; }

#endif
