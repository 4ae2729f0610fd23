/* SPDX-License-Identifier: MIT */
/*
 * Guest-side PCI: enumerate bus 0 through 0xCF8/0xCFC (or ECAM when the
 * boot info gives its base), read BARs, enable decoding and bus mastering,
 * walk capabilities, and set up interrupts: INTx through the IOAPIC, MSI and
 * MSI-X messages aimed at the boot CPU's LAPIC.  Works under exitlab's VMM
 * (BARs already placed) and under QEMU booted by PVH (BARs placed by
 * SeaBIOS-less QEMU are not: pci_dev_enable places unassigned BARs itself).
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev {
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint32_t class_code;     /* class << 16 | subclass << 8 | prog_if */
	uint8_t irq_pin;         /* 1..4 = INTA..INTD, 0 none */
	uint64_t bar[6];         /* decoded address (0 = none); a 64-bit BAR fills bar[i], bar[i+1] = 0 */
	uint64_t bar_size[6];
	bool bar_io[6];
};

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned off);
void pci_cfg_write32(const struct pci_dev *d, unsigned off, uint32_t v);
void pci_cfg_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_cfg_write8(const struct pci_dev *d, unsigned off, uint8_t v);

/* The idx-th function (0-based) on bus 0 with this vendor:device (0xffff = any): 0, or -1 if none. */
int pci_find(uint16_t vendor, uint16_t device, unsigned idx, struct pci_dev *out);
/* Size the BARs, place unassigned ones, enable memory/IO decoding and bus mastering. */
int pci_dev_enable(struct pci_dev *d);
/* Offset of the first capability with this ID at or after `start` (0 = from the list head), or 0. */
uint8_t pci_cap_find(const struct pci_dev *d, uint8_t id, uint8_t start);

/*
 * How a driver takes its device's interrupts.  AUTO: MSI-X where the device
 * has the capability, else INTx.  A driver records the mode it got (MSIX or
 * INTX; NONE when polling).
 */
enum pci_intr { PCI_INTR_NONE, PCI_INTR_AUTO, PCI_INTR_MSIX, PCI_INTR_INTX };
/* "none", "auto", "msix", "intx". */
const char *pci_intr_name(enum pci_intr m);

/* MSI-X: enable with the table in its BAR; entry e -> vector on the boot CPU. 0 or -1. */
int pci_msix_enable(struct pci_dev *d, unsigned nentries);
void pci_msix_set(struct pci_dev *d, unsigned entry, uint8_t vector, bool masked);
/* INTx: route the device's pin through the IOAPIC to `vector` (level, active high). 0 or -1. */
int pci_intx_route(struct pci_dev *d, uint8_t vector);

#endif
