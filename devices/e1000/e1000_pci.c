// SPDX-License-Identifier: MIT
/*
 * The e1000 as a PCI function: Intel 82540EM (8086:100E, class 020000,
 * subsystem 8086:001E), BAR0 the 128 KiB register space, BAR1 the 64-byte
 * IOADDR/IODATA window, INTA#.  The 82540EM has no MSI: the core's INTx
 * level goes to pci_irq_raise / pci_intx_lower.
 */
#include <stdio.h>

#include "devices/e1000/e1000_priv.h"

static void e1000_pci_irq(void *opaque, bool level)
{
	struct e1000 *e = opaque;

	if (level)
		pci_irq_raise(&e->pci, 0);
	else
		pci_intx_lower(&e->pci);
}

static void e1000_pci_destroy(struct e1000 *e)
{
	pci_device_destroy(&e->pci);
	e->pci_ready = false;
}

int e1000_init(struct e1000 *e, const struct guest_mem *mem, struct net_backend *be,
	       const uint8_t mac[6], char *err, size_t errlen)
{
	struct pci_device *d = &e->pci;
	int rc;

	if (e1000_core_init(e, mem, be, mac, err, errlen))
		return -1;
	pci_device_init(d, "e1000", E1000_VENDOR_INTEL, E1000_DEV_82540EM, E1000_CLASS_ETHERNET,
			E1000_VENDOR_INTEL, E1000_SUBSYS_ID);
	d->opaque = e;
	rc = pci_bar_init(d, 0, PCI_BAR_MEM32, E1000_MMIO_SIZE, &e1000_mmio_ops, e, "e1000-mmio");
	if (!rc)
		rc = pci_bar_init(d, 1, PCI_BAR_IO, E1000_IO_SIZE, &e1000_io_ops, e, "e1000-io");
	if (rc) {
		snprintf(err, errlen, "e1000: PCI BAR setup failed: %d", rc);
		pci_device_destroy(d);
		e1000_destroy(e);
		return -1;
	}
	e->pci_ready = true;
	e->pci_destroy = e1000_pci_destroy;
	e1000_set_irq(e, e1000_pci_irq, e);
	return 0;
}

struct pci_device *e1000_pci_device(struct e1000 *e)
{
	return &e->pci;
}
