/* SPDX-License-Identifier: MIT */
/*
 * Intel 82540EM (e1000) driver, from the PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual (8254x): reset, the MAC
 * from the EEPROM through EERD, legacy TX and RX descriptor rings, TDT/RDT
 * doorbells, interrupts through INTx (ICR read acknowledges), MSI-X (the
 * 82574 only: its IVAR maps RX and TX queue 0 to vector 0) or polling.
 */
#ifndef GUEST_E1000_H
#define GUEST_E1000_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_pci.h"

#define E1000_RING 256
#define E1000_BUF  2048

struct e1000_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso_or_csum_lo;
	uint8_t cmd_or_csum_hi;
	uint8_t status;
	uint8_t css_or_errors;
	uint16_t special;
};

struct e1000 {
	struct pci_dev pci;
	uint64_t mmio;
	uint8_t mac[6];
	volatile struct e1000_desc *tx, *rx;
	uint8_t *tx_bufs, *rx_bufs;
	uint16_t tx_tail, tx_clean, rx_next;
	uint16_t tx_kicked;
	enum pci_intr intr;      /* in use: NONE (polling), INTX or MSIX */
	unsigned irq_idx;
	uint64_t tx_kicks, rx_kicks;
	uint64_t icr_empty;      /* interrupts whose ICR read found no cause (spurious, e.g. re-delivered) */
};

/* The first 82540EM (8086:100e) on bus 0, else the first 82574 (8086:10d3): 0 or -1. */
int e1000_find(struct pci_dev *d);
/* intr NONE polls; AUTO takes MSI-X where the function has it (the 82574), else INTx. */
int e1000_init(struct e1000 *e, const struct pci_dev *d, enum pci_intr intr, unsigned irq_idx,
	       char *err, unsigned errlen);
unsigned e1000_tx_free(struct e1000 *e);
int e1000_tx_add(struct e1000 *e, uint32_t len, uint32_t seq);
/* Write TDT if frames were added since the last kick: 1 if written. */
int e1000_tx_kick(struct e1000 *e);
/* Harvest received frames, at most max descriptors: fn(frame, len) per frame. Returns descriptors. */
unsigned e1000_rx_poll(struct e1000 *e, unsigned max, void (*fn)(const uint8_t *f, uint32_t len, void *arg),
		       void *arg);

#endif
