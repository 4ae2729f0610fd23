/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "vmm/acpi_tables.h"

static void wr(uint8_t *b, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

uint8_t acpi_sum(const uint8_t *b, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s;
}

/* A table's header; the length and checksum are set by finish(). */
static void header(uint8_t *t, const char sig[4], uint8_t rev)
{
	memcpy(t, sig, 4);
	t[8] = rev;
	memcpy(t + 10, "EXITLB", 6);          /* OEM ID */
	memcpy(t + 16, "EXITLAB ", 8);        /* OEM table ID */
	wr(t, 24, 1, 4);                      /* OEM revision */
	memcpy(t + 28, "XLAB", 4);            /* creator ID */
	wr(t, 32, 1, 4);                      /* creator revision */
}

static size_t finish(uint8_t *t, size_t len)
{
	wr(t, 4, len, 4);
	t[9] = 0;
	t[9] = (uint8_t)-acpi_sum(t, len);
	return len;
}

/* A Generic Address Structure for an I/O port block. */
static void gas_io(uint8_t *g, uint16_t port, uint8_t bytes)
{
	g[0] = 1;                /* system I/O */
	g[1] = (uint8_t)(bytes * 8);
	g[2] = 0;
	g[3] = bytes == 4 ? 3 : bytes == 2 ? 2 : 1; /* access size: dword, word, byte */
	wr(g, 4, port, 8);
}

/* DefinitionBlock: \_S5 and, with a PCI host, \_SB.PCI0 (vmm/acpi_dsdt.c); 0 if it does not fit. */
static size_t build_dsdt(uint8_t *t, size_t cap, const struct acpi_pci *pci)
{
	size_t n = cap > ACPI_HDR_LEN ? acpi_dsdt_aml(t + ACPI_HDR_LEN, cap - ACPI_HDR_LEN, pci) : 0;

	if (!n)
		return 0;
	header(t, "DSDT", 2);
	return finish(t, ACPI_HDR_LEN + n);
}

/* The FACS: no waking vector (no S3), the global lock word that a FADT that is not hardware-reduced implies. */
static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	wr(t, 4, ACPI_FACS_LEN, 4);
	t[32] = 2;                           /* version */
}

static size_t build_fadt(uint8_t *t, uint64_t dsdt, uint64_t facs)
{
	header(t, "FACP", 6);
	wr(t, 36, facs, 4);                  /* FIRMWARE_CTRL */
	wr(t, 40, dsdt, 4);                  /* DSDT */
	t[45] = 0;                           /* preferred PM profile: unspecified */
	wr(t, 46, ACPI_SCI_IRQ, 2);          /* SCI_INT */
	wr(t, 48, 0, 4);                     /* SMI_CMD 0: no SMM, already in ACPI mode */
	wr(t, 56, ACPI_PM1A_EVT_PORT, 4);    /* PM1a_EVT_BLK */
	wr(t, 64, ACPI_PM1A_CNT_PORT, 4);    /* PM1a_CNT_BLK */
	wr(t, 76, ACPI_PM_TMR_PORT, 4);      /* PM_TMR_BLK */
	t[88] = 4;                           /* PM1_EVT_LEN */
	t[89] = 2;                           /* PM1_CNT_LEN */
	t[91] = 4;                           /* PM_TMR_LEN */
	wr(t, 96, 0xffff, 2);                /* P_LVL2_LAT > 100: no C2 */
	wr(t, 98, 0xffff, 2);                /* P_LVL3_LAT > 1000: no C3 */
	/* IAPC_BOOT_ARCH: bit 2 no VGA, bit 5 no CMOS RTC; no 8042 (bit 1 clear), no legacy devices. */
	wr(t, 109, (1u << 2) | (1u << 5), 2);
	/* Flags: WBINVD (0), PROC_C1 (2), PWR_BUTTON (4: none fixed), SLP_BUTTON (5), RESET_REG_SUP (10). */
	wr(t, 112, (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 10), 4);
	gas_io(t + 116, ACPI_RESET_PORT, 1); /* RESET_REG */
	t[128] = ACPI_RESET_VALUE;           /* RESET_VALUE */
	t[131] = 0;                          /* FADT minor version */
	wr(t, 132, facs, 8);                 /* X_FIRMWARE_CTRL */
	wr(t, 140, dsdt, 8);                 /* X_DSDT */
	gas_io(t + 148, ACPI_PM1A_EVT_PORT, 4); /* X_PM1a_EVT_BLK */
	gas_io(t + 172, ACPI_PM1A_CNT_PORT, 2); /* X_PM1a_CNT_BLK */
	gas_io(t + 208, ACPI_PM_TMR_PORT, 4);   /* X_PM_TMR_BLK */
	/* the 32-bit bit widths are what ACPICA compares the X_ blocks with: both agree */
	t[148 + 1] = 32;
	t[172 + 1] = 16;
	t[208 + 1] = 32;
	return finish(t, ACPI_FADT_LEN);
}

static size_t iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = 2;
	e[1] = ACPI_MADT_ISO_LEN;
	e[2] = 0;                            /* ISA */
	e[3] = irq;
	wr(e, 4, gsi, 4);
	wr(e, 8, flags, 2);
	return ACPI_MADT_ISO_LEN;
}

static size_t build_madt(uint8_t *t, unsigned nvcpus)
{
	size_t at = ACPI_HDR_LEN + 8;

	header(t, "APIC", 4);
	wr(t, 36, ACPI_LAPIC_GPA, 4);
	wr(t, 40, 1, 4);                     /* PCAT_COMPAT: the 8259s exist (KVM's in-kernel PIC) */
	for (unsigned i = 0; i < nvcpus; i++, at += ACPI_MADT_LAPIC_LEN) {
		t[at] = 0;
		t[at + 1] = ACPI_MADT_LAPIC_LEN;
		t[at + 2] = (uint8_t)i;      /* ACPI processor UID */
		t[at + 3] = (uint8_t)i;      /* APIC ID: the vCPU's (boot_setup_cpuid) */
		wr(t, at + 4, 1, 4);         /* enabled */
	}
	t[at] = 1;
	t[at + 1] = ACPI_MADT_IOAPIC_LEN;
	t[at + 2] = 0;                       /* IOAPIC ID */
	wr(t, at + 4, ACPI_IOAPIC_GPA, 4);
	wr(t, at + 8, 0, 4);                 /* GSI base */
	at += ACPI_MADT_IOAPIC_LEN;
	/* The PIT's IRQ 0 is the IOAPIC's pin 2, as on every PC; the SCI is level, active high. */
	at += iso(t + at, 0, 2, 0);
	at += iso(t + at, ACPI_SCI_IRQ, ACPI_SCI_IRQ, 0x000d);
	/* LINT1 of every local APIC is the NMI. */
	t[at] = 4;
	t[at + 1] = ACPI_MADT_NMI_LEN;
	t[at + 2] = 0xff;
	wr(t, at + 3, 0, 2);
	t[at + 5] = 1;
	at += ACPI_MADT_NMI_LEN;
	return finish(t, at);
}

static size_t build_mcfg(uint8_t *t, uint64_t ecam, uint8_t last_bus)
{
	header(t, "MCFG", 1);
	wr(t, 44, ecam, 8);
	wr(t, 52, 0, 2);                     /* segment 0 */
	t[54] = 0;
	t[55] = last_bus;
	return finish(t, ACPI_MCFG_LEN);
}

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

size_t acpi_tables_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct acpi_config *c)
{
	size_t madt_len = ACPI_HDR_LEN + 8 + (size_t)c->nvcpus * ACPI_MADT_LAPIC_LEN + ACPI_MADT_IOAPIC_LEN +
			  2 * ACPI_MADT_ISO_LEN + ACPI_MADT_NMI_LEN;
	size_t xsdt_n = c->ecam_gpa ? 3 : 2;
	size_t rsdp = 0, xsdt = align16(ACPI_RSDP_LEN);
	size_t fadt = align16(xsdt + ACPI_HDR_LEN + 8 * xsdt_n);
	size_t dsdt = align16(fadt + ACPI_FADT_LEN), dsdt_len, madt, mcfg, facs, end;

	if (c->nvcpus < 1 || c->nvcpus > 255 || dsdt >= cap || (gpa & 63))
		return 0;
	memset(buf, 0, cap);
	/* The DSDT's length is known once it is built: the tables after it follow it. */
	dsdt_len = build_dsdt(buf + dsdt, cap - dsdt, &c->pci);
	if (!dsdt_len)
		return 0;
	madt = align16(dsdt + dsdt_len);
	mcfg = align16(madt + madt_len);
	facs = (mcfg + (c->ecam_gpa ? ACPI_MCFG_LEN : 0) + 63) & ~(size_t)63;
	end = facs + ACPI_FACS_LEN;
	if (end > cap)
		return 0;
	build_facs(buf + facs);
	build_fadt(buf + fadt, gpa + dsdt, gpa + facs);
	build_madt(buf + madt, c->nvcpus);
	if (c->ecam_gpa)
		build_mcfg(buf + mcfg, c->ecam_gpa, c->ecam_last_bus);

	header(buf + xsdt, "XSDT", 1);
	wr(buf, xsdt + ACPI_HDR_LEN, gpa + fadt, 8);
	wr(buf, xsdt + ACPI_HDR_LEN + 8, gpa + madt, 8);
	if (c->ecam_gpa)
		wr(buf, xsdt + ACPI_HDR_LEN + 16, gpa + mcfg, 8);
	finish(buf + xsdt, ACPI_HDR_LEN + 8 * xsdt_n);

	memcpy(buf + rsdp, "RSD PTR ", 8);
	memcpy(buf + rsdp + 9, "EXITLB", 6);
	buf[rsdp + 15] = 2;                  /* revision 2: the XSDT */
	wr(buf, rsdp + 20, ACPI_RSDP_LEN, 4);
	wr(buf, rsdp + 24, gpa + xsdt, 8);
	buf[rsdp + 8] = (uint8_t)-acpi_sum(buf + rsdp, 20);
	buf[rsdp + 32] = (uint8_t)-acpi_sum(buf + rsdp, ACPI_RSDP_LEN);
	return end;
}
