/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge: bus 0, configuration access by 0xCF8/0xCFC and by
 * ECAM (PCI_ECAM_BASE, one 4 KiB page per function), a window for memory
 * BARs and one for I/O BARs.  The VMM places every BAR at boot, as firmware
 * would, and enables decoding; a guest may move BARs later.  The host owns
 * the whole windows on the VM's buses and dispatches by the BARs' current
 * addresses, so the buses themselves never change after the vCPUs start.
 */
#ifndef EXITLAB_PCI_HOST_H
#define EXITLAB_PCI_HOST_H

#include <pthread.h>

#include "devices/pci/pci.h"

struct vm;
struct irq_chip;

/* Guest-physical layout (inside the MMIO hole, see boot_abi.h) */
#define PCI_ECAM_BASE     0xE0000000ULL   /* bus 0 only: 256 KiB used of 1 MiB reserved */
#define PCI_ECAM_SIZE     (1ULL << 20)
#define PCI_MMIO_WINDOW   0xD0000000ULL
#define PCI_MMIO_SIZE     0x10000000ULL
#define PCI_IO_WINDOW     0xC000
#define PCI_IO_SIZE       0x4000
#define PCI_CONFIG_ADDR   0xCF8
#define PCI_CONFIG_DATA   0xCFC
#define PCI_MAX_DEVICES   32
/* INTx: slot s, pin INTA..INTD -> GSI PCI_INTX_GSI_BASE + ((s + pin) % 4) */
#define PCI_INTX_GSI_BASE 16

struct pci_host {
	struct vm *vm;
	struct irq_chip *irq;
	pthread_rwlock_t lock;          /* BAR moves vs dispatch */
	struct pci_device *devs[PCI_MAX_DEVICES]; /* by slot */
	uint32_t config_addr;           /* the 0xCF8 latch */
	uint64_t next_mmio, next_io;    /* boot-time placement cursors */
	uint64_t cfg_accesses, bar_accesses, unhandled;
};

/* Registers CF8..CFF, the ECAM page range and both BAR windows. 0 or -1 with err. */
int pci_host_init(struct pci_host *h, struct vm *vm, struct irq_chip *irq, char *err, size_t errlen);
void pci_host_destroy(struct pci_host *h);
/* Put d in the next free slot (or `slot` >= 0), place its BARs, enable decoding, wire its interrupts. */
int pci_host_add(struct pci_host *h, struct pci_device *d, int slot, char *err, size_t errlen);

#endif
