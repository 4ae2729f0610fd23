/* SPDX-License-Identifier: MIT */
/*
 * A PCI function as a device model sees it: a 4 KiB configuration space
 * with per-byte write masks, up to six BARs, a capability list, and an
 * interrupt (INTx, MSI or MSI-X, whichever the guest enabled).  The host
 * bridge (pci_host.h) places BARs and routes accesses; this file knows
 * nothing about KVM, so device models and their config-space logic can be
 * unit-tested without a VM.
 */
#ifndef EXITLAB_PCI_H
#define EXITLAB_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"

#define PCI_CFG_SIZE    4096
#define PCI_NUM_BARS    6

/* Standard header offsets (type 0) */
#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define PCI_STATUS           0x06
#define PCI_REVISION_ID      0x08
#define PCI_CLASS_PROG       0x09
#define PCI_CLASS_DEVICE     0x0a
#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_SUBSYSTEM_VENDOR 0x2c
#define PCI_SUBSYSTEM_ID     0x2e
#define PCI_CAP_PTR          0x34
#define PCI_INTERRUPT_LINE   0x3c
#define PCI_INTERRUPT_PIN    0x3d

#define PCI_CMD_IO           (1u << 0)
#define PCI_CMD_MEMORY       (1u << 1)
#define PCI_CMD_MASTER       (1u << 2)
#define PCI_CMD_INTX_DISABLE (1u << 10)
#define PCI_STATUS_INTX      (1u << 3)
#define PCI_STATUS_CAP_LIST  (1u << 4)

#define PCI_CAP_ID_MSI    0x05
#define PCI_CAP_ID_VNDR   0x09
#define PCI_CAP_ID_MSIX   0x11

/* MSI Message Control bits that set the capability's layout (pci_msi_init_at's `layout`) */
#define PCI_MSI_64BIT     (1u << 7)   /* a 64-bit address: the data 4 bytes further */
#define PCI_MSI_PVM       (1u << 8)   /* per-vector masking: mask and pending registers */

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_device;

struct pci_bar {
	enum pci_bar_kind kind;
	uint64_t size;            /* power of two, >= 16 (IO: >= 4) */
	uint64_t addr;            /* where the guest (or the VMM at boot) put it */
	const struct bus_ops *ops;/* accesses arrive as offsets into the BAR */
	void *opaque;
	const char *name;
};

/* What the device model does on top of the generic behaviour. All optional. */
struct pci_device_ops {
	/* After the generic write of config bytes [off, off + len). */
	void (*config_written)(struct pci_device *d, unsigned off, unsigned len);
	/* A BAR moved (or decoding was switched on/off: addr 0 = not decoded). */
	void (*bar_moved)(struct pci_device *d, int bar, uint64_t old_addr, uint64_t new_addr);
	/* The guest changed MSI/MSI-X/INTx enablement or an MSI-X entry. */
	void (*irq_config_changed)(struct pci_device *d);
	/* Before a config read of [off, off + len): a pass-through model refreshes cfg from its device. */
	void (*config_reading)(struct pci_device *d, unsigned off, unsigned len);
};

/* Who delivers the interrupts (the host bridge fills this in; tests stub it). */
struct pci_irq_sink {
	int (*line)(void *opaque, unsigned gsi, bool level);
	int (*msi)(void *opaque, uint64_t addr, uint32_t data);
	void *opaque;
};

struct pci_device {
	const char *name;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];  /* bits the guest may write */
	uint8_t w1c[PCI_CFG_SIZE];    /* bits a guest write of 1 clears */
	struct pci_bar bars[PCI_NUM_BARS];
	const struct pci_device_ops *ops;
	void *opaque;                 /* the device model */
	uint8_t next_cap;             /* where the next capability goes */
	unsigned devfn;               /* set by pci_host_add */

	/* Interrupts */
	unsigned intx_gsi;            /* routed GSI for INTA# */
	bool intx_level;
	uint8_t msi_cap, msix_cap;    /* capability offsets, 0 = none */
	uint16_t msi_layout;          /* PCI_MSI_64BIT | PCI_MSI_PVM: which registers the MSI capability has */
	unsigned msix_nvec;
	int msix_bar;
	uint32_t msix_table_off, msix_pba_off;
	uint8_t *msix_table;          /* nvec * 16 bytes, as the guest wrote it */
	uint64_t *msix_pba;           /* pending bits */
	struct pci_irq_sink sink;
	uint64_t irqs_sent;           /* interrupts delivered, any kind */
};

/* Header type 0, IDs and class (class << 8 | prog_if in `class_code`, 24 bits). */
void pci_device_init(struct pci_device *d, const char *name, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id);
void pci_device_destroy(struct pci_device *d);

/* A BAR of `size` bytes (power of two). 0 or -EINVAL (bad index, size, a 64-bit BAR at 5). */
int pci_bar_init(struct pci_device *d, int bar, enum pci_bar_kind kind, uint64_t size,
		 const struct bus_ops *ops, void *opaque, const char *name);

/* Append a capability of `len` bytes (id and next pointer filled in): its offset, or -ENOSPC. */
int pci_cap_add(struct pci_device *d, uint8_t id, unsigned len);

/* An MSI capability (64-bit address, per-vector masking, `nvec` a power of two up to 32). */
int pci_msi_init(struct pci_device *d, unsigned nvec);
/* An MSI-X capability: table and PBA in BAR `bar` at the given offsets (the BAR must be big enough). */
int pci_msix_init(struct pci_device *d, unsigned nvec, int bar, uint32_t table_off, uint32_t pba_off);
/*
 * The same for a capability already in cfg at `cap_off` (a pass-through device's own list):
 * its registers are (re)written, the list is left alone. 0x40 <= cap_off, the capability
 * within 256 bytes. MSI in the layout `layout` names (PCI_MSI_64BIT and/or PCI_MSI_PVM, as a
 * device's Message Control has them: 10, 14, 20 or 24 bytes; pci_msi_cap_len); MSI-X: 12.
 */
int pci_msi_init_at(struct pci_device *d, unsigned cap_off, unsigned nvec, uint16_t layout);
/* The length of an MSI capability of that layout (the bits of pci_msi_init_at's `layout`). */
unsigned pci_msi_cap_len(uint16_t layout);
int pci_msix_init_at(struct pci_device *d, unsigned cap_off, unsigned nvec, int bar, uint32_t table_off,
		     uint32_t pba_off);
/* The MSI-X table and PBA accessors, for the BAR that holds them (the device's bus ops call these). */
int pci_msix_table_read(struct pci_device *d, uint64_t off, void *data, unsigned size);
int pci_msix_table_write(struct pci_device *d, uint64_t off, const void *data, unsigned size);
bool pci_msix_enabled(const struct pci_device *d);
bool pci_msi_enabled(const struct pci_device *d);
/* Entry `vec` of the MSI-X table (or MSI vector `vec`): address, data, masked. -EINVAL if out of range. */
int pci_msi_message(const struct pci_device *d, unsigned vec, uint64_t *addr, uint32_t *data, bool *masked);

/*
 * Raise interrupt vector `vec`: MSI-X if enabled (a masked vector sets its
 * pending bit and fires when unmasked), else MSI, else INTx (level, until
 * pci_intx_lower).  0 or -errno.
 */
int pci_irq_raise(struct pci_device *d, unsigned vec);
void pci_intx_lower(struct pci_device *d);

/* Configuration access as the guest does it; off + len within 4 KiB, len 1, 2 or 4. */
uint32_t pci_config_read(struct pci_device *d, unsigned off, unsigned len);
void pci_config_write(struct pci_device *d, unsigned off, unsigned len, uint32_t val);

/* The BAR's decoded address (0 if decoding of its kind is off in COMMAND or the BAR is unset). */
uint64_t pci_bar_decoded(const struct pci_device *d, int bar);

#endif
