/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "vmm/acpi_dsdt.h"
#include "vmm/acpi_tables.h"

/* An AML byte stream; an overflow is remembered, and the result then refused. */
struct aml {
	uint8_t *b;
	size_t n, cap;
	bool over;
};

static void put(struct aml *a, const void *p, size_t n)
{
	if (a->over || n > a->cap - a->n) {
		a->over = true;
		return;
	}
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void byte(struct aml *a, uint8_t v)
{
	put(a, &v, 1);
}

static void le(struct aml *a, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		byte(a, (uint8_t)(v >> (8 * i)));
}

/* An integer as the shortest AML data object: ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix. */
static void integer(struct aml *a, uint64_t v)
{
	if (v <= 1)
		byte(a, (uint8_t)v);
	else if (v <= 0xff)
		byte(a, 0x0a), le(a, v, 1);
	else if (v <= 0xffff)
		byte(a, 0x0b), le(a, v, 2);
	else if (v <= 0xffffffffu)
		byte(a, 0x0c), le(a, v, 4);
	else
		byte(a, 0x0e), le(a, v, 8);
}

/* A PkgLength is written once its contents are: 4 bytes are kept for it, then closed up. */
static size_t pkg_open(struct aml *a)
{
	size_t at = a->n;

	le(a, 0, 4);
	return at;
}

static void pkg_close(struct aml *a, size_t at)
{
	size_t body, total;
	unsigned k;

	if (a->over)
		return;
	body = a->n - at - 4;
	/* the length counts its own encoding: 1 byte up to 63, then 2..4 bytes (28 bits) */
	for (k = 1; k <= 4; k++) {
		total = body + k;
		if (k == 1 ? total <= 0x3f : total < (1ULL << (4 + 8 * (k - 1))))
			break;
	}
	if (k > 4) {
		a->over = true;
		return;
	}
	memmove(a->b + at + k, a->b + at + 4, body);
	if (k == 1) {
		a->b[at] = (uint8_t)total;
	} else {
		a->b[at] = (uint8_t)(((k - 1) << 6) | (total & 0xf));
		for (unsigned i = 1; i < k; i++)
			a->b[at + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	a->n = at + k + body;
}

static void name(struct aml *a, const char seg[4])
{
	byte(a, 0x08);                       /* NameOp */
	put(a, seg, 4);
}

/* Name (_S5, Package (4) { 5, 5, 0, 0 }) */
static void s5(struct aml *a)
{
	size_t p;

	name(a, "_S5_");
	byte(a, 0x12);                       /* PackageOp */
	p = pkg_open(a);
	byte(a, 4);
	integer(a, ACPI_S5_SLP_TYP);
	integer(a, ACPI_S5_SLP_TYP);
	integer(a, 0);
	integer(a, 0);
	pkg_close(a, p);
}

/* A Word Address Space descriptor (ACPI 6.4.3.5.3): a producer with fixed min and max. */
static void word_space(struct aml *a, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max, uint16_t len)
{
	byte(a, 0x88);
	le(a, 13, 2);
	byte(a, type);                       /* 1 I/O, 2 bus number */
	byte(a, 0x0c);                       /* producer, positive decode, MinFixed, MaxFixed */
	byte(a, tflags);
	le(a, 0, 2);                         /* granularity */
	le(a, min, 2);
	le(a, max, 2);
	le(a, 0, 2);                         /* translation */
	le(a, len, 2);
}

/* ResourceTemplate: bus 0, ports 0xcf8..0xcff, the I/O window, the memory window. */
static void crs(struct aml *a, const struct acpi_pci *pci)
{
	static const uint8_t cf8[] = { 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08 }; /* IO (Decode16) */
	struct aml r;
	uint8_t tmp[128];
	size_t p;

	r = (struct aml){ .b = tmp, .cap = sizeof(tmp) };
	word_space(&r, 2, 0, 0, 0, 1);
	put(&r, cf8, sizeof(cf8));
	word_space(&r, 1, 0x03, pci->io_base, (uint16_t)(pci->io_base + pci->io_size - 1), (uint16_t)pci->io_size);
	byte(&r, 0x87);                      /* DWord Address Space: memory */
	le(&r, 23, 2);
	byte(&r, 0);
	byte(&r, 0x0c);
	byte(&r, 0x01);                      /* read-write, non-cacheable */
	le(&r, 0, 4);
	le(&r, pci->mmio_base, 4);
	le(&r, pci->mmio_base + pci->mmio_size - 1, 4);
	le(&r, 0, 4);
	le(&r, pci->mmio_size, 4);
	byte(&r, 0x79);                      /* End Tag, checksum 0: "treat as correct" */
	byte(&r, 0);
	if (r.over) {
		a->over = true;
		return;
	}
	name(a, "_CRS");
	byte(a, 0x11);                       /* BufferOp */
	p = pkg_open(a);
	integer(a, r.n);
	put(a, tmp, r.n);
	pkg_close(a, p);
}

unsigned acpi_pci_intx_gsi(const struct acpi_pci *pci, unsigned slot, unsigned pin)
{
	return pci->intx_gsi_base + (slot + pin) % 4;
}

/* Package { Package { 0xSSSSFFFF, pin, 0, GSI }, ... } for every slot and pin. */
static void prt(struct aml *a, const struct acpi_pci *pci)
{
	size_t outer, inner;

	name(a, "_PRT");
	byte(a, 0x12);
	outer = pkg_open(a);
	byte(a, ACPI_PCI_SLOTS * 4);
	for (unsigned s = 0; s < ACPI_PCI_SLOTS; s++)
		for (unsigned pin = 0; pin < 4; pin++) {
			byte(a, 0x12);
			inner = pkg_open(a);
			byte(a, 4);
			integer(a, (uint64_t)s << 16 | 0xffff);
			integer(a, pin);
			integer(a, 0);       /* no link device: the last element is the GSI */
			integer(a, acpi_pci_intx_gsi(pci, s, pin));
			pkg_close(a, inner);
		}
	pkg_close(a, outer);
}

/* Scope (\_SB) { Device (PCI0) { _HID, _UID, _BBN, _SEG, _CRS, _PRT } } */
static void pci0(struct aml *a, const struct acpi_pci *pci)
{
	size_t scope, dev;

	byte(a, 0x10);                       /* ScopeOp */
	scope = pkg_open(a);
	put(a, "\\_SB_", 5);
	byte(a, 0x5b);                       /* DeviceOp */
	byte(a, 0x82);
	dev = pkg_open(a);
	put(a, "PCI0", 4);
	name(a, "_HID");
	byte(a, 0x0c);
	le(a, 0x030ad041, 4);                /* EisaId ("PNP0A03") */
	name(a, "_UID");
	integer(a, 0);
	name(a, "_BBN");
	integer(a, 0);
	name(a, "_SEG");
	integer(a, 0);
	crs(a, pci);
	prt(a, pci);
	pkg_close(a, dev);
	pkg_close(a, scope);
}

size_t acpi_dsdt_aml(uint8_t *aml, size_t cap, const struct acpi_pci *pci)
{
	struct aml a = { .b = aml, .cap = cap };

	if (pci && pci->on &&
	    (!pci->mmio_size || pci->mmio_base + pci->mmio_size > (1ULL << 32) || !pci->io_size || pci->io_size > 0xffff ||
	     pci->io_base + pci->io_size > 0x10000 || pci->intx_gsi_base + 4 > ACPI_IOAPIC_PINS))
		return 0;
	s5(&a);
	if (pci && pci->on)
		pci0(&a, pci);
	return a.over ? 0 : a.n;
}
