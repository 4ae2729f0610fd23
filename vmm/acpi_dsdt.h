/* SPDX-License-Identifier: MIT */
/*
 * The DSDT's AML, assembled by hand (there is no AML interpreter or iasl at
 * build time): \_S5 for ACPI power-off, and, when the machine has a PCI host,
 * the root bridge \_SB.PCI0 (PNP0A03) that Linux needs before it scans PCI at
 * all when it runs with ACPI: its _CRS (bus 0, the config ports, the I/O and
 * memory BAR windows) and a _PRT giving every slot's INTA..D a GSI directly
 * (no link devices), by the same swizzle the host wires (devices/pci/pci_host.h).
 * Pure: unit-tested in tests/unit/test_acpi_tables.c.
 */
#ifndef EXITLAB_ACPI_DSDT_H
#define EXITLAB_ACPI_DSDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_PCI_SLOTS 32

/* The PCI root bridge as the DSDT describes it; on = false: no \_SB.PCI0. */
struct acpi_pci {
	bool on;
	uint64_t mmio_base, mmio_size;  /* the memory BAR window, below 4 GiB */
	uint16_t io_base;
	uint32_t io_size;               /* io_base + io_size <= 0x10000 */
	uint8_t intx_gsi_base;          /* slot s, pin p (0 = INTA): GSI base + (s + p) % 4 */
};

/* The DSDT's AML (what follows its header) into aml[0..cap): its length, or 0 if cap is too small or the config bad. */
size_t acpi_dsdt_aml(uint8_t *aml, size_t cap, const struct acpi_pci *pci);
/* The GSI the _PRT gives slot's pin (0 = INTA .. 3 = INTD). */
unsigned acpi_pci_intx_gsi(const struct acpi_pci *pci, unsigned slot, unsigned pin);

#endif
