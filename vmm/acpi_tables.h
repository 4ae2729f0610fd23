/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables exitlab's VMM gives a Linux guest, built into one buffer
 * that the machine copies to guest RAM at a fixed address: RSDP (first, 16-byte
 * aligned, so a scan of 0xe0000..0xfffff finds it too), XSDT, FADT, DSDT,
 * MADT, MCFG and FACS, checksums computed. Pure (unit-tested without KVM).
 *
 * The FADT is not hardware-reduced: PM1a event and control blocks are ports
 * the VMM handles (ACPI_PM1A_EVT_PORT, ACPI_PM1A_CNT_PORT) so that the
 * guest's S5 (SLP_TYP ACPI_S5_SLP_TYP with SLP_EN) powers it off, its reset
 * register a port that resets it, its PM timer exitlab's at 0x608. SMI_CMD
 * is 0: the guest finds itself in ACPI mode already (SCI_EN reads as 1). The
 * DSDT holds \_S5, the sleep type Linux needs to power off by ACPI, and with
 * a PCI host the root bridge \_SB.PCI0 (vmm/acpi_dsdt.h). The
 * boot flags say there is no i8042, no VGA and no CMOS RTC, so Linux probes
 * none of them.
 */
#ifndef EXITLAB_ACPI_TABLES_H
#define EXITLAB_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/acpi_dsdt.h"

#define ACPI_PM_BASE_PORT    0x0600
#define ACPI_PM1A_EVT_PORT   0x0600   /* PM1 status (2 bytes) and enable (2 bytes) */
#define ACPI_PM1A_CNT_PORT   0x0604   /* PM1 control, 2 bytes */
#define ACPI_RESET_PORT      0x0606   /* the FADT's reset register, 1 byte */
#define ACPI_RESET_VALUE     0x01
#define ACPI_PM_PORTS        8        /* 0x600..0x607; the PM timer follows at 0x608 */
#define ACPI_PM_TMR_PORT     0x0608
#define ACPI_SCI_IRQ         9
#define ACPI_S5_SLP_TYP      5
#define ACPI_PM1_SCI_EN      0x0001
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN      0x2000

#define ACPI_IOAPIC_GPA      0xfec00000u
#define ACPI_LAPIC_GPA       0xfee00000u
#define ACPI_IOAPIC_PINS     24       /* KVM's in-kernel IOAPIC */

/* Table lengths (unit tests check them). */
#define ACPI_RSDP_LEN        36
#define ACPI_HDR_LEN         36
#define ACPI_FADT_LEN        276      /* FADT revision 6 */
#define ACPI_MADT_LAPIC_LEN  8
#define ACPI_MADT_IOAPIC_LEN 12
#define ACPI_MADT_ISO_LEN    10
#define ACPI_MADT_NMI_LEN    6
#define ACPI_FACS_LEN        64       /* 64-byte aligned */
#define ACPI_MCFG_LEN        (ACPI_HDR_LEN + 8 + 16)

struct acpi_config {
	unsigned nvcpus;          /* 1..255: one local APIC each, APIC ID = vCPU index */
	uint64_t ecam_gpa;        /* 0: no MCFG */
	uint8_t ecam_last_bus;
	struct acpi_pci pci;      /* the DSDT's PCI root bridge (pci.on), its windows and _PRT */
};

/*
 * Build the tables into buf[0..cap) as they will sit at gpa, 64-byte
 * aligned (the tables point at each other by guest-physical address). Their total length, or 0
 * if cap is too small or the config impossible.
 */
size_t acpi_tables_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct acpi_config *c);
/* The byte sum of b[0..len) (0 for a table whose checksum is right). */
uint8_t acpi_sum(const uint8_t *b, size_t len);

#endif
