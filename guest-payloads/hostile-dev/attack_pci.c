// SPDX-License-Identifier: MIT
/*
 * hostile-dev: attacks on the PCI functions (PCI Local Bus 3.0, PCIe base
 * for ECAM, MSI-X): writes to read-only configuration fields and
 * capabilities, BARs moved to overlap other BARs, the configuration ports or
 * ECAM, or outside the host's windows (into RAM, above 4 GiB), MSI-X table
 * and PBA accesses of bad sizes.  Afterwards the BARs go back and the device
 * must work without a reset: nothing here may break it.  A passed-through
 * function (HD_PASS) takes the same attacks through the VMM's configuration
 * space virtualization: its mmapped BAR slots must follow, or stay away
 * from RAM, and its emulated MSI-X table must stay where the guest put it.
 */
#include "hostile.h"
#include "virtio_dev.h"
#include "x86.h"

#define PCI_COMMAND   0x04
#define PCI_BAR0      0x10
#define PCI_ROM       0x30
#define PCI_CAP_PTR   0x34
#define PCI_STATUS_CAPS (1u << 20) /* in the COMMAND/STATUS dword */
#define CAP_MSIX      0x11
#define CAP_VENDOR    0x09
#define MSIX_ENABLE   (1u << 15)
#define MSIX_FMASK    (1u << 14)
#define OUTSIDE_GPA   0xf0000000ull /* past ECAM and the windows, below the IOAPIC: nothing decodes it */
#define RAM_GPA       0x00400000ull /* guest RAM */
#define HIGH_GPA      0x1000000000ull /* 64 GiB: above 4 GiB and RAM */

static const struct pci_dev *fn(const struct hctx *c)
{
	return &c->pci;
}

static bool bar_is64(const struct hctx *c, int b)
{
	uint32_t lo = pci_cfg_read32(fn(c), PCI_BAR0 + 4 * b);

	return !(lo & 1) && ((lo >> 1) & 3) == 2;
}

static uint64_t bar_get(const struct hctx *c, int b)
{
	uint32_t lo = pci_cfg_read32(fn(c), PCI_BAR0 + 4 * b);

	if (lo & 1)
		return lo & ~3u;
	if (!bar_is64(c, b))
		return lo & ~15u;
	return (lo & ~15u) | (uint64_t)pci_cfg_read32(fn(c), PCI_BAR0 + 4 * b + 4) << 32;
}

/* Write a BAR as a hostile guest would: with decoding left on. */
static void bar_set(const struct hctx *c, int b, uint64_t a)
{
	uint32_t lo = pci_cfg_read32(fn(c), PCI_BAR0 + 4 * b);
	bool is64 = bar_is64(c, b);

	pci_cfg_write32(fn(c), PCI_BAR0 + 4 * b, (uint32_t)a | (lo & (lo & 1 ? 3u : 15u)));
	if (is64)
		pci_cfg_write32(fn(c), PCI_BAR0 + 4 * b + 4, (uint32_t)(a >> 32));
}

static uint64_t ecam_fn(const struct hctx *c)
{
	if (!c->bi->pci_ecam_gpa)
		return 0;
	return c->bi->pci_ecam_gpa + ((uint64_t)c->pci.slot << 15 | (uint64_t)c->pci.fn << 12);
}

/* Both configuration mechanisms still reach the function. */
static void cfg_reachable(struct hctx *c, uint32_t id, const char *after)
{
	uint32_t v = pci_cfg_read32(fn(c), 0);

	if (v != id)
		hx_fail(c, "after %s: ID via 0xCF8 reads 0x%x, not 0x%x", after, v, id);
	if (ecam_fn(c) && (v = hx_r32(ecam_fn(c))) != id)
		hx_fail(c, "after %s: ID via ECAM reads 0x%x, not 0x%x", after, v, id);
}

/* ---- read-only configuration fields ---- */

static unsigned ro_dword(struct hctx *c, unsigned off, uint32_t keep_mask)
{
	uint32_t before = pci_cfg_read32(fn(c), off), after;

	pci_cfg_write32(fn(c), off, ~0u);
	after = pci_cfg_read32(fn(c), off);
	if ((after & keep_mask) != (before & keep_mask))
		hx_fail(c, "config 0x%x: read-only bits 0x%x changed: 0x%x -> 0x%x", off, keep_mask, before,
			after);
	pci_cfg_write32(fn(c), off, before); /* the writable bits back as they were */
	return 1;
}

static void pci_ro_fields(struct hctx *c)
{
	uint32_t cmd, rom;
	unsigned n = 0;
	uint8_t cap;

	if (c->ops->up(c))
		return;
	n += ro_dword(c, 0x00, ~0u);          /* vendor, device */
	n += ro_dword(c, 0x08, ~0u);          /* revision, class */
	n += ro_dword(c, 0x0c, 0x00ff0000u);  /* header type */
	n += ro_dword(c, 0x2c, ~0u);          /* subsystem */
	n += ro_dword(c, PCI_CAP_PTR, ~0u);   /* capability pointer and reserved bytes */
	n += ro_dword(c, 0x3c, 0xffffff00u);  /* interrupt pin, min_gnt, max_lat (the line is the driver's) */
	/* STATUS: all-ones clears the write-1-to-clear bits, the capability-list bit stays. */
	cmd = pci_cfg_read32(fn(c), PCI_COMMAND);
	pci_cfg_write32(fn(c), PCI_COMMAND, (cmd & 0xffff) | 0xffff0000u);
	if ((pci_cfg_read32(fn(c), PCI_COMMAND) ^ cmd) & (PCI_STATUS_CAPS | 0xffff))
		hx_fail(c, "STATUS write changed COMMAND or the capability-list bit: 0x%x -> 0x%x", cmd,
			pci_cfg_read32(fn(c), PCI_COMMAND));
	n++;
	/* No expansion ROM: the register is hardwired to 0. */
	pci_cfg_write32(fn(c), PCI_ROM, ~0u);
	rom = pci_cfg_read32(fn(c), PCI_ROM);
	if (rom)
		hx_fail(c, "expansion ROM BAR reads 0x%x, the function has none", rom);
	n++;
	/* Capabilities: vendor (virtio) ones are read-only throughout, MSI-X's table and PBA offsets too. */
	cap = (uint8_t)(pci_cfg_read32(fn(c), PCI_CAP_PTR) & 0xfc);
	for (unsigned k = 0; cap >= 0x40 && k < 48; k++) {
		uint8_t id = pci_cfg_read8(fn(c), cap), len = pci_cfg_read8(fn(c), cap + 2);

		if (id == CAP_VENDOR) {
			for (unsigned o = 0; o < len && o < 20; o += 4)
				n += ro_dword(c, cap + o, ~0u);
		} else if (id == CAP_MSIX) {
			n += ro_dword(c, cap, 0x07ff00ffu); /* ID, table size (next pointer: below) */
			n += ro_dword(c, cap + 4, ~0u);
			n += ro_dword(c, cap + 8, ~0u);
		}
		n += ro_dword(c, cap, 0xff00); /* the next pointer */
		cap = pci_cfg_read8(fn(c), cap + 1) & 0xfc;
	}
	/* ECAM: the ID again, and the extended space (nothing there). */
	if (ecam_fn(c)) {
		uint64_t e = ecam_fn(c);
		uint32_t id = hx_r32(e), x = hx_r32(e + 0xffc);

		hx_w32(e, ~0u);
		hx_w32(e + 0x100, ~0u);
		hx_w32(e + 0xffc, ~0u);
		if (hx_r32(e) != id || hx_r32(e + 0xffc) != x)
			hx_fail(c, "ECAM writes changed the ID or the extended space");
		n++;
	}
	hx_metric(c, "dwords_checked=%u", n);
	hx_still_works(c);
}

/* ---- BARs moved where they must not be ---- */

/* The BAR moved against the register BAR: the e1000's I/O BAR, else the MSI-X table's BAR. */
static int other_bar(const struct hctx *c)
{
	uint8_t cap;

	if (c->kind == HDEV_E1000)
		return 1;
	cap = pci_cap_find(fn(c), CAP_MSIX, 0);
	return cap ? (int)(pci_cfg_read32(fn(c), cap + 4) & 7) : 1;
}

/* The function's first I/O BAR, or -1. */
static int io_bar(const struct hctx *c)
{
	for (int b = 0; b < 6; b++)
		if (pci_cfg_read32(fn(c), PCI_BAR0 + 4 * b) & 1)
			return b;
	return -1;
}

static void pci_bar_overlap(struct hctx *c)
{
	int mb = c->ops->main_bar;
	uint32_t id;
	uint64_t a_main, a_other;
	int other = other_bar(c);

	if (c->ops->up(c))
		return;
	id = pci_cfg_read32(fn(c), 0);
	a_main = bar_get(c, mb);
	a_other = bar_get(c, other);
	hx_metric(c, "bar%d=0x%lx bar%d=0x%lx", mb, a_main, other, a_other);
	if (c->kind == HDEV_E1000) {
		/* The I/O BAR over 0xCF8..0xCFF: the host's own configuration ports must win. */
		bar_set(c, other, 0xcc0);
		cfg_reachable(c, id, "the I/O BAR moved over 0xCF8");
	} else {
		/* The register BAR onto the MSI-X BAR, then the MSI-X BAR onto the register BAR's place. */
		bar_set(c, mb, a_other);
		(void)hx_r32(a_other);
		bar_set(c, other, a_main);
		(void)hx_r32(a_main);
		cfg_reachable(c, id, "two BARs overlapped");
	}
	/* The register BAR over the ECAM page of bus 0. */
	if (c->bi->pci_ecam_gpa) {
		bar_set(c, mb, c->bi->pci_ecam_gpa);
		cfg_reachable(c, id, "a BAR moved over ECAM");
	}
	bar_set(c, other, a_other);
	bar_set(c, mb, a_main);
	cfg_reachable(c, id, "the BARs went back");
	hx_still_works(c);
}

static void pci_bar_outside(struct hctx *c)
{
	int mb = c->ops->main_bar;
	uint32_t id, v_new, v_old;
	uint64_t a;

	if (c->ops->up(c))
		return;
	id = pci_cfg_read32(fn(c), 0);
	a = bar_get(c, mb);
	/* Outside the MMIO window: nothing answers there, nor at the old place. */
	bar_set(c, mb, OUTSIDE_GPA);
	v_new = hx_r32(OUTSIDE_GPA);
	v_old = hx_r32(a);
	hx_metric(c, "bar=0x%lx read_outside=0x%x read_old=0x%x", a, v_new, v_old);
	if (v_new != 0xffffffffu || v_old != 0xffffffffu)
		hx_fail(c, "a BAR outside the window still decodes (0x%x there, 0x%x at the old place)",
			v_new, v_old);
	/* Into guest RAM and, for a 64-bit BAR, above it all: never touched, only survived. */
	bar_set(c, mb, RAM_GPA);
	if (bar_is64(c, mb))
		bar_set(c, mb, HIGH_GPA);
	/* Sized with decoding on: the BAR decodes at its size mask for a moment. */
	pci_cfg_write32(fn(c), PCI_BAR0 + 4 * mb, ~0u);
	if (io_bar(c) >= 0) {
		int ib = io_bar(c);
		uint64_t io = bar_get(c, ib);
		uint32_t pv;

		bar_set(c, ib, 0x100); /* an I/O BAR outside the I/O window */
		pv = inl(0x100);
		hx_metric(c, "io_read_outside=0x%x", pv);
		if (pv != 0xffffffffu)
			hx_fail(c, "an I/O BAR outside the window still decodes (0x%x)", pv);
		bar_set(c, ib, io);
	}
	bar_set(c, mb, a);
	cfg_reachable(c, id, "the BAR went back");
	hx_still_works(c);
}

/* ---- MSI-X table and PBA: bad sizes and places ---- */

static void msix_bad_size(struct hctx *c)
{
	const struct pci_dev *d;
	uint32_t t, p, before[4], pba, ctrl;
	uint64_t tbl, pb;
	uint8_t cap;
	unsigned n;

	if (c->ops->up(c))
		return;
	d = &hv.vp.pci; /* enabled: BARs known */
	cap = pci_cap_find(d, CAP_MSIX, 0);
	if (!cap) {
		hx_fail(c, "no MSI-X capability");
		return;
	}
	t = pci_cfg_read32(d, cap + 4);
	p = pci_cfg_read32(d, cap + 8);
	n = (pci_cfg_read16(d, cap + 2) & 0x7ff) + 1;
	tbl = d->bar[t & 7] + (t & ~7u);
	pb = d->bar[p & 7] + (p & ~7u);
	for (unsigned w = 0; w < 4; w++)
		before[w] = hx_r32(tbl + 4 * w);
	pba = hx_r32(pb);
	ctrl = pci_cfg_read16(d, cap + 2);
	for (int pass = 0; pass < 2; pass++) {
		/* Once with MSI-X off, once on but function-masked (so nothing is ever sent). */
		pci_cfg_write16(d, cap + 2, (uint16_t)(pass ? ctrl | MSIX_ENABLE | MSIX_FMASK : ctrl));
		hx_w8(tbl, 0xaa);
		hx_w8(tbl + 12, 0);                 /* unmask by a byte write */
		hx_w16(tbl + 4, 0xbbbb);
		hx_w16(tbl + 12, 0);
		hx_w32(tbl + 2, 0xcccccccc);        /* misaligned dword */
		hx_w64(tbl + 4, ~0ull);             /* misaligned qword */
		hx_w64(tbl + 16ull * n - 4, ~0ull); /* straddles the table's end */
		hx_w32(pb, ~0u);                    /* the PBA is read-only */
		hx_w64(pb, ~0ull);
		(void)hx_r8(tbl);
		(void)hx_r16(tbl + 2);
		(void)hx_r32(tbl + 2);
	}
	pci_cfg_write16(d, cap + 2, (uint16_t)ctrl);
	for (unsigned w = 0; w < 4; w++) {
		uint32_t now = hx_r32(tbl + 4 * w);

		if (now != before[w])
			hx_fail(c, "MSI-X entry 0 word %u changed: 0x%x -> 0x%x", w, before[w], now);
	}
	if (hx_r32(pb) != pba)
		hx_fail(c, "the PBA changed: 0x%x -> 0x%x", pba, hx_r32(pb));
	hx_metric(c, "entries=%u vector_ctrl=0x%x pba=0x%x", n, before[3], pba);
	hx_still_works(c);
}

const struct attack hp_attacks[] = {
	{ "pci-ro-fields", HD_ALL, pci_ro_fields },
	{ "pci-bar-overlap", HD_ALL, pci_bar_overlap },
	{ "pci-bar-outside", HD_ALL, pci_bar_outside },
	{ "msix-bad-size", HD_VIRTIO, msix_bad_size },
};
const unsigned hp_nattacks = sizeof(hp_attacks) / sizeof(hp_attacks[0]);
