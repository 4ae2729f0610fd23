// SPDX-License-Identifier: MIT
/*
 * Unit tests for vmm/acpi_tables.c and vmm/acpi_dsdt.c: checksums, lengths, the MADT for N vCPUs,
 * the FADT's ports, the DSDT's PCI root bridge (its _CRS windows and _PRT, read back by a small
 * AML reader).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci/pci_host.h"
#include "vmm/acpi_tables.h"

#define GPA 0xe0000ULL

static uint8_t buf[0x4000];

static uint64_t r(const uint8_t *b, size_t off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

/* A table by its guest-physical address, its signature and checksum checked. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;

	assert_true(gpa >= GPA && gpa < GPA + sizeof(buf));
	t = buf + (gpa - GPA);
	assert_memory_equal(t, sig, 4);
	if (strcmp(sig, "FACS"))
		assert_int_equal(acpi_sum(t, r(t, 4, 4)), 0);
	return t;
}

static const uint8_t *xsdt_entry(const char *sig)
{
	const uint8_t *x = table(r(buf, 24, 8), "XSDT");
	size_t n = (r(x, 4, 4) - ACPI_HDR_LEN) / 8;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *t = buf + (r(x, ACPI_HDR_LEN + 8 * i, 8) - GPA);

		if (!memcmp(t, sig, 4))
			return table(r(x, ACPI_HDR_LEN + 8 * i, 8), sig);
	}
	return NULL;
}

static void test_rsdp_and_checksums(void **state)
{
	struct acpi_config c = { .nvcpus = 1, .ecam_gpa = 0xe0000000, .ecam_last_bus = 0 };
	size_t len;

	(void)state;
	len = acpi_tables_build(buf, sizeof(buf), GPA, &c);
	assert_true(len > 0 && len < sizeof(buf));
	assert_memory_equal(buf, "RSD PTR ", 8);
	assert_int_equal(acpi_sum(buf, 20), 0);
	assert_int_equal(acpi_sum(buf, ACPI_RSDP_LEN), 0);
	assert_int_equal(buf[15], 2);
	assert_int_equal(r(buf, 20, 4), ACPI_RSDP_LEN);
	assert_non_null(xsdt_entry("FACP"));
	assert_non_null(xsdt_entry("APIC"));
	assert_non_null(xsdt_entry("MCFG"));
}

static void test_fadt(void **state)
{
	struct acpi_config c = { .nvcpus = 2 };
	const uint8_t *f, *d;

	(void)state;
	assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
	assert_null(xsdt_entry("MCFG"));
	f = xsdt_entry("FACP");
	assert_non_null(f);
	assert_int_equal(r(f, 4, 4), ACPI_FADT_LEN);
	assert_int_equal(r(f, 46, 2), ACPI_SCI_IRQ);
	assert_int_equal(r(f, 48, 4), 0);
	assert_int_equal(r(f, 56, 4), ACPI_PM1A_EVT_PORT);
	assert_int_equal(r(f, 64, 4), ACPI_PM1A_CNT_PORT);
	assert_int_equal(r(f, 76, 4), ACPI_PM_TMR_PORT);
	assert_int_equal(f[88], 4);
	assert_int_equal(f[89], 2);
	assert_int_equal(f[91], 4);
	assert_int_equal(r(f, 112, 4) & (1u << 20), 0);   /* not hardware-reduced */
	assert_int_equal(r(f, 116 + 4, 8), ACPI_RESET_PORT);
	assert_int_equal(f[128], ACPI_RESET_VALUE);
	assert_int_equal(r(f, 148 + 4, 8), ACPI_PM1A_EVT_PORT);
	assert_int_equal(r(f, 172 + 4, 8), ACPI_PM1A_CNT_PORT);
	assert_int_equal(r(f, 40, 4), r(f, 140, 8));
	d = table(r(f, 140, 8), "DSDT");
	/* the AML names \_S5 with our sleep type */
	assert_non_null(memmem(d + ACPI_HDR_LEN, r(d, 4, 4) - ACPI_HDR_LEN, "_S5_", 4));
	table(r(f, 132, 8), "FACS");
	assert_int_equal(r(f, 132, 8) % 64, 0);
}

static void test_madt(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		struct acpi_config c = { .nvcpus = n };
		const uint8_t *m;
		size_t len, at;
		unsigned lapics = 0, ioapics = 0, isos = 0;

		assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
		m = xsdt_entry("APIC");
		assert_non_null(m);
		len = r(m, 4, 4);
		assert_int_equal(len, ACPI_HDR_LEN + 8 + n * ACPI_MADT_LAPIC_LEN + ACPI_MADT_IOAPIC_LEN +
				 2 * ACPI_MADT_ISO_LEN + ACPI_MADT_NMI_LEN);
		assert_int_equal(r(m, 36, 4), ACPI_LAPIC_GPA);
		for (at = ACPI_HDR_LEN + 8; at < len; at += m[at + 1]) {
			assert_true(m[at + 1] > 0);
			if (m[at] == 0) {
				assert_int_equal(m[at + 3], lapics); /* APIC ID = vCPU index */
				assert_int_equal(r(m, at + 4, 4), 1);
				lapics++;
			} else if (m[at] == 1) {
				assert_int_equal(r(m, at + 4, 4), ACPI_IOAPIC_GPA);
				ioapics++;
			} else if (m[at] == 2) {
				if (m[at + 3] == 0)
					assert_int_equal(r(m, at + 4, 4), 2); /* IRQ0 -> GSI2 */
				isos++;
			}
		}
		assert_int_equal(at, len);
		assert_int_equal(lapics, n);
		assert_int_equal(ioapics, 1);
		assert_int_equal(isos, 2);
	}
}

static void test_mcfg_and_limits(void **state)
{
	struct acpi_config c = { .nvcpus = 1, .ecam_gpa = 0xe0000000, .ecam_last_bus = 0 };
	const uint8_t *m;

	(void)state;
	assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
	m = xsdt_entry("MCFG");
	assert_int_equal(r(m, 4, 4), ACPI_MCFG_LEN);
	assert_int_equal(r(m, 44, 8), 0xe0000000);
	assert_int_equal(m[54], 0);
	assert_int_equal(m[55], 0);
	/* too small a buffer, no vCPU, too many, a misaligned base: 0 */
	assert_int_equal(acpi_tables_build(buf, 100, GPA, &c), 0);
	c.nvcpus = 0;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &c), 0);
	c.nvcpus = 256;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &c), 0);
	c.nvcpus = 1;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA + 16, &c), 0);
}

static const struct acpi_pci pci_on = {
	.on = true, .mmio_base = PCI_MMIO_WINDOW, .mmio_size = PCI_MMIO_SIZE, .io_base = PCI_IO_WINDOW,
	.io_size = PCI_IO_SIZE, .intx_gsi_base = PCI_INTX_GSI_BASE,
};

/* An AML PkgLength at p: the length it states, its own size in *k. */
static size_t pkglen(const uint8_t *p, unsigned *k)
{
	size_t v;

	*k = 1 + (p[0] >> 6);
	if (*k == 1)
		return p[0] & 0x3f;
	v = p[0] & 0xf;
	for (unsigned i = 1; i < *k; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

/* An AML integer at *p (Zero, One, Byte/Word/DWordPrefix), *p moved past it. */
static uint64_t aml_int(const uint8_t **p)
{
	const uint8_t *q = *p;

	switch (q[0]) {
	case 0x00: case 0x01: *p = q + 1; return q[0];
	case 0x0a: *p = q + 2; return q[1];
	case 0x0b: *p = q + 3; return r(q, 1, 2);
	case 0x0c: *p = q + 5; return r(q, 1, 4);
	}
	fail_msg("not an AML integer: 0x%02x", q[0]);
	return 0;
}

/* The DSDT of c, its AML and length. */
static const uint8_t *dsdt_of(const struct acpi_config *c, size_t *len)
{
	const uint8_t *f, *d;

	assert_true(acpi_tables_build(buf, sizeof(buf), GPA, c) > 0);
	f = xsdt_entry("FACP");
	d = table(r(f, 140, 8), "DSDT");
	*len = r(d, 4, 4);
	return d;
}

static void test_dsdt_pci_root(void **state)
{
	struct acpi_config c = { .nvcpus = 255, .ecam_gpa = PCI_ECAM_BASE, .pci = pci_on };
	const uint8_t *d, *p, *e, *end;
	size_t len, n;
	unsigned k, seen[ACPI_PCI_SLOTS][4] = { { 0 } };

	(void)state;
	d = dsdt_of(&c, &len);
	/* ACPI's own namespace layout: Device (PCI0) with the PCI host bridge's EISA ID */
	assert_non_null(memmem(d, len, "\x5b\x82", 2));
	p = memmem(d, len, "_HID\x0c\x41\xd0\x0a\x03", 9);
	assert_non_null(p);
	/* _PRT: 128 packages { slot << 16 | 0xffff, pin, 0, GSI }, the GSI the host wires */
	p = memmem(d, len, "\x08_PRT\x12", 6);
	assert_non_null(p);
	p += 6;
	n = pkglen(p, &k);
	assert_true(k >= 2);                  /* > 63 bytes: the multi-byte encoding */
	end = p + n;
	assert_true(end <= d + len);
	p += k;
	assert_int_equal(*p++, ACPI_PCI_SLOTS * 4);
	for (unsigned i = 0; i < ACPI_PCI_SLOTS * 4; i++) {
		uint64_t adr, pin, src, gsi;

		assert_int_equal(*p++, 0x12);
		n = pkglen(p, &k);
		e = p + n;
		p += k;
		assert_int_equal(*p++, 4);
		adr = aml_int(&p);
		pin = aml_int(&p);
		src = aml_int(&p);
		gsi = aml_int(&p);
		assert_ptr_equal(p, e);
		assert_int_equal(adr & 0xffff, 0xffff);
		assert_true((adr >> 16) < ACPI_PCI_SLOTS && pin < 4);
		assert_int_equal(src, 0);
		assert_int_equal(gsi, PCI_INTX_GSI_BASE + ((adr >> 16) + pin) % 4);
		assert_int_equal(gsi, acpi_pci_intx_gsi(&pci_on, (unsigned)(adr >> 16), (unsigned)pin));
		assert_true(gsi < ACPI_IOAPIC_PINS);
		seen[adr >> 16][pin]++;
	}
	assert_ptr_equal(p, end);
	for (unsigned s = 0; s < ACPI_PCI_SLOTS; s++)
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(seen[s][i], 1);
	/* _CRS: bus 0..0, the I/O window, the memory window, then the end tag */
	p = memmem(d, len, "\x08_CRS\x11", 6);
	assert_non_null(p);
	p += 6;
	n = pkglen(p, &k);
	e = p + n;
	p += k;
	n = aml_int(&p);
	assert_ptr_equal(p + n, e);
	assert_int_equal(p[0], 0x88);         /* WordBusNumber */
	assert_int_equal(p[3], 2);
	assert_int_equal(r(p, 8, 2), 0);
	assert_int_equal(r(p, 10, 2), 0);
	p += 16;
	assert_int_equal(p[0], 0x47);         /* IO 0xcf8, 8 ports */
	assert_int_equal(r(p, 2, 2), 0xcf8);
	p += 8;
	assert_int_equal(p[0], 0x88);         /* WordIO */
	assert_int_equal(p[3], 1);
	assert_int_equal(r(p, 8, 2), PCI_IO_WINDOW);
	assert_int_equal(r(p, 10, 2), PCI_IO_WINDOW + PCI_IO_SIZE - 1);
	assert_int_equal(r(p, 14, 2), PCI_IO_SIZE);
	p += 16;
	assert_int_equal(p[0], 0x87);         /* DWordMemory */
	assert_int_equal(r(p, 10, 4), PCI_MMIO_WINDOW);
	assert_int_equal(r(p, 14, 4), PCI_MMIO_WINDOW + PCI_MMIO_SIZE - 1);
	assert_int_equal(r(p, 22, 4), PCI_MMIO_SIZE);
	p += 26;
	assert_int_equal(p[0], 0x79);
	assert_ptr_equal(p + 2, e);
	/* \_S5 is still there */
	assert_non_null(memmem(d, len, "\x08_S5_\x12", 6));
}

static void test_dsdt_without_pci(void **state)
{
	struct acpi_config c = { .nvcpus = 1 }, bad = { .nvcpus = 1, .pci = pci_on };
	const uint8_t *d;
	size_t len;

	(void)state;
	d = dsdt_of(&c, &len);
	assert_null(memmem(d, len, "PCI0", 4));
	assert_null(memmem(d, len, "_PRT", 4));
	/* windows that do not fit their space: no tables rather than wrong ones */
	bad.pci.io_size = 0x10000;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &bad), 0);
	bad.pci = pci_on;
	bad.pci.mmio_base = 0xfff00000;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &bad), 0);
	bad.pci = pci_on;
	bad.pci.intx_gsi_base = ACPI_IOAPIC_PINS - 2;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &bad), 0);
	/* the DSDT with the root bridge does not fit in 1 KiB */
	bad.pci = pci_on;
	assert_int_equal(acpi_tables_build(buf, 1024, GPA, &bad), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_and_checksums),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_mcfg_and_limits),
		cmocka_unit_test(test_dsdt_pci_root),
		cmocka_unit_test(test_dsdt_without_pci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
