// SPDX-License-Identifier: MIT
/*
 * Guest PCI (pci.h): configuration mechanism #1 (0xCF8/0xCFC), bus 0
 * enumeration, BAR sizing and placement, capabilities, MSI-X and INTx.
 * Written from the PCI Local Bus 3.0 and PCI Express base specifications.
 */
#include "apic.h"
#include "guest_pci.h"
#include "string.h"
#include "x86.h"

#define PCI_CFG_ADDR 0xcf8
#define PCI_CFG_DATA 0xcfc

#define PCI_COMMAND    0x04
#define PCI_STATUS     0x06
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_CAP_PTR    0x34
#define PCI_INT_LINE   0x3c
#define PCI_INT_PIN    0x3d
#define PCI_CMD_IO     (1u << 0)
#define PCI_CMD_MEM    (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_CMD_INTX_OFF (1u << 10)
#define PCI_STATUS_CAPS (1u << 4)

#define PCI_CAP_MSIX   0x11
#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_CTRL_FMASK  (1u << 14)

#define IOAPIC_GPA     0xfec00000ull
#define IOAPIC_REDTBL  0x10
#define IOAPIC_LEVEL   (1u << 15)

/* Where unassigned BARs go (firmware-less boot): above the VMM's MMIO base, below the IOAPIC. */
static uint64_t mem_window = 0xe8000000ull; /* clear of exitlab's ECAM at 0xe0000000 */
static uint32_t io_window = 0xc000;

static uint32_t cfg_addr(const struct pci_dev *d, unsigned off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 | (uint32_t)d->fn << 8 |
	       (off & 0xfc);
}

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned off)
{
	outl(PCI_CFG_ADDR, cfg_addr(d, off));
	return inl(PCI_CFG_DATA);
}

uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_cfg_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_cfg_read32(d, off) >> ((off & 3) * 8));
}

void pci_cfg_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	outl(PCI_CFG_ADDR, cfg_addr(d, off));
	outl(PCI_CFG_DATA, v);
}

/* Narrow writes as read-modify-write of the dword: one access width for every VMM. */
void pci_cfg_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	unsigned sh = (off & 2) * 8;
	uint32_t old = pci_cfg_read32(d, off);

	pci_cfg_write32(d, off, (old & ~(0xffffu << sh)) | (uint32_t)v << sh);
}

void pci_cfg_write8(const struct pci_dev *d, unsigned off, uint8_t v)
{
	unsigned sh = (off & 3) * 8;
	uint32_t old = pci_cfg_read32(d, off);

	pci_cfg_write32(d, off, (old & ~(0xffu << sh)) | (uint32_t)v << sh);
}

/* COMMAND with STATUS written as 0: its bits are write-1-to-clear, a 0 clears nothing. */
static void cmd_write(const struct pci_dev *d, uint16_t cmd)
{
	pci_cfg_write32(d, PCI_COMMAND, cmd);
}

static void dev_fill(struct pci_dev *d)
{
	uint32_t id = pci_cfg_read32(d, 0);

	d->vendor = id & 0xffff;
	d->device = id >> 16;
	d->class_code = pci_cfg_read32(d, 0x08) >> 8;
	d->irq_pin = pci_cfg_read8(d, PCI_INT_PIN);
	memset(d->bar, 0, sizeof(d->bar));
	memset(d->bar_size, 0, sizeof(d->bar_size));
	memset(d->bar_io, 0, sizeof(d->bar_io));
}

int pci_find(uint16_t vendor, uint16_t device, unsigned idx, struct pci_dev *out)
{
	for (unsigned slot = 0; slot < 32; slot++) {
		unsigned nfn = 1;

		for (unsigned fn = 0; fn < nfn; fn++) {
			struct pci_dev d = { .bus = 0, .slot = slot, .fn = fn };
			uint32_t id = pci_cfg_read32(&d, 0);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
				continue;
			if (fn == 0 && (pci_cfg_read8(&d, PCI_HEADER) & 0x80))
				nfn = 8;
			if ((vendor != 0xffff && (id & 0xffff) != vendor) ||
			    (device != 0xffff && (id >> 16) != device))
				continue;
			if (idx--)
				continue;
			dev_fill(&d);
			*out = d;
			return 0;
		}
	}
	return -1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int pci_dev_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	if ((pci_cfg_read8(d, PCI_HEADER) & 0x7f) != 0)
		return -1; /* bridges are not ours to enable */
	/* Decoding off while the BARs are sized (an all-ones BAR must not claim addresses). */
	cmd_write(d, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < 6; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		uint32_t lo = pci_cfg_read32(d, off), hi = 0, szlo, szhi = 0xffffffff;
		bool io = lo & 1, is64 = !io && ((lo >> 1) & 3) == 2;
		uint64_t addr, mask, size;

		pci_cfg_write32(d, off, 0xffffffff);
		szlo = pci_cfg_read32(d, off);
		pci_cfg_write32(d, off, lo);
		if (is64 && i < 5) {
			hi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, 0xffffffff);
			szhi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, hi);
		}
		if (io) {
			mask = szlo & ~3u & 0xffff;
			size = mask ? (~mask & 0xffff) + 1 : 0;
			addr = lo & ~3u;
		} else {
			mask = (uint64_t)(is64 ? szhi : 0xffffffff) << 32 | (szlo & ~0xfu);
			size = (szlo & ~0xfu) ? ~mask + 1 : 0;
			addr = ((uint64_t)hi << 32 | lo) & ~0xfull;
		}
		if (size) {
			if (!addr) {
				/* Unassigned: place it, naturally aligned. */
				if (io) {
					addr = align_up(io_window, size);
					io_window = (uint32_t)(addr + size);
					pci_cfg_write32(d, off, (uint32_t)addr | 1);
				} else {
					addr = align_up(mem_window, size < 4096 ? 4096 : size);
					mem_window = addr + size;
					pci_cfg_write32(d, off, (uint32_t)addr | (lo & 0xf));
					if (is64)
						pci_cfg_write32(d, off + 4, (uint32_t)(addr >> 32));
				}
			}
			d->bar[i] = addr;
			d->bar_size[i] = size;
			d->bar_io[i] = io;
		}
		if (is64)
			i++; /* bar[i + 1] stays 0 */
	}
	cmd_write(d, cmd | PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	return 0;
}

uint8_t pci_cap_find(const struct pci_dev *d, uint8_t id, uint8_t start)
{
	uint8_t p;

	if (!(pci_cfg_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	p = start ? pci_cfg_read8(d, start + 1) : pci_cfg_read8(d, PCI_CAP_PTR);
	/* At most 48 capabilities fit in 192 bytes: a longer list is a loop. */
	for (int n = 0; n < 48 && p >= 0x40; n++) {
		p &= 0xfc;
		if (pci_cfg_read8(d, p) == id)
			return p;
		p = pci_cfg_read8(d, p + 1);
	}
	return 0;
}

/* The MSI-X table's address in its BAR, or 0. */
static uint64_t msix_table(const struct pci_dev *d, uint8_t cap, unsigned *nent)
{
	uint32_t t = pci_cfg_read32(d, cap + 4);
	unsigned bir = t & 7;

	*nent = (pci_cfg_read16(d, cap + 2) & 0x7ff) + 1;
	if (bir > 5 || !d->bar[bir] || d->bar_io[bir] || (t & ~7u) + *nent * 16ull > d->bar_size[bir])
		return 0;
	return d->bar[bir] + (t & ~7u);
}

const char *pci_intr_name(enum pci_intr m)
{
	static const char *const names[] = { "none", "auto", "msix", "intx" };

	return (unsigned)m < 4 ? names[m] : "?";
}

int pci_msix_enable(struct pci_dev *d, unsigned nentries)
{
	uint8_t cap = pci_cap_find(d, PCI_CAP_MSIX, 0);
	unsigned n;
	uint64_t tbl;
	uint16_t ctrl;

	if (!cap || !(tbl = msix_table(d, cap, &n)) || nentries > n)
		return -1;
	apic_enable();
	ctrl = pci_cfg_read16(d, cap + 2);
	/* Function-masked while the entries are still garbage; every entry masked. */
	pci_cfg_write16(d, cap + 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	for (unsigned e = 0; e < n; e++)
		mmio_write32(tbl + e * 16 + 12, 1);
	pci_cfg_write16(d, cap + 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FMASK);
	/* MSI-X replaces INTx: keep the pin quiet. */
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) | PCI_CMD_INTX_OFF);
	return 0;
}

void pci_msix_set(struct pci_dev *d, unsigned entry, uint8_t vector, bool masked)
{
	uint8_t cap = pci_cap_find(d, PCI_CAP_MSIX, 0);
	unsigned n;
	uint64_t tbl, e;

	if (!cap || !(tbl = msix_table(d, cap, &n)) || entry >= n)
		return;
	e = tbl + entry * 16ull;
	mmio_write32(e + 12, 1);
	mmio_write32(e + 0, 0xfee00000u | (apic_id() & 0xff) << 12); /* fixed, physical destination */
	mmio_write32(e + 4, 0);
	mmio_write32(e + 8, vector); /* edge, fixed delivery */
	mmio_write32(e + 12, masked ? 1 : 0);
}

static void ioapic_write(unsigned reg, uint32_t v)
{
	mmio_write32(IOAPIC_GPA, reg);
	mmio_write32(IOAPIC_GPA + 0x10, v);
}

/*
 * The IOAPIC input of a bus-0 device's pin:
 * - INTERRUPT_LINE 16..23: exitlab's VMM wrote the GSI (16 + (slot + pin - 1) % 4);
 * - a q35 host bridge (8086:29c0): the ICH9's default routing of ordinary
 *   slots, INTA..D -> PIRQ E..H = GSI 20 + (slot + pin - 1) % 4;
 * - INTERRUPT_LINE 1..15 (i440FX/PIIX with firmware): the ISA IRQ the PIRQ was
 *   steered to, which is also the IOAPIC pin;
 * - else exitlab's swizzle.
 */
static unsigned intx_gsi(const struct pci_dev *d)
{
	struct pci_dev host = { 0, 0, 0, 0, 0, 0, 0, { 0 }, { 0 }, { 0 } };
	uint8_t line = pci_cfg_read8(d, PCI_INT_LINE);
	unsigned swz = (d->slot + d->irq_pin - 1u) % 4;

	if (line >= 16 && line < 24)
		return line;
	if (pci_cfg_read32(&host, 0) == (0x29c0u << 16 | 0x8086))
		return 20 + swz;
	if (line >= 1 && line < 16)
		return line;
	return 16 + swz;
}

int pci_intx_route(struct pci_dev *d, uint8_t vector)
{
	unsigned gsi;

	if (d->irq_pin < 1 || d->irq_pin > 4)
		return -1;
	gsi = intx_gsi(d);
	apic_enable();
	ioapic_write(IOAPIC_REDTBL + 2 * gsi + 1, (apic_id() & 0xff) << 24);
	/*
	 * Level, active high: the VMM raises the line with KVM_IRQ_LINE level 1,
	 * and KVM's IOAPIC honours the polarity bit (QEMU's ACPI tables say the
	 * same of GSIs 16..23), so active low would invert every interrupt.
	 */
	ioapic_write(IOAPIC_REDTBL + 2 * gsi, vector | IOAPIC_LEVEL);
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) & ~PCI_CMD_INTX_OFF);
	return 0;
}
