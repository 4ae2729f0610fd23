// SPDX-License-Identifier: MIT
/*
 * Writes the seed inputs of the pci harness (fuzz/pci/seeds/): firmware-style
 * BAR sizing over 0xCF8/0xCFC, BARs moved onto each other, out of the
 * windows, above 4 GiB and with decoding off, MSI-X and MSI set up, masked
 * with an interrupt pending and unmasked, and the hostile accesses of
 * tests/unit/test_pci.c (odd widths, offsets past 4 KiB, unaligned MSI-X
 * table accesses), in the harness's input format (see harness.c).  Slots:
 * 0 host bridge, 1 virtio-net (BAR 1 MSI-X, BAR 4 MEM64, MSI-X cap at 0x84),
 * 2 e1000 (BAR 0 MEM32, BAR 1 I/O), 3 the MSI function (BAR 0 I/O, 1 MEM32,
 * 2 MEM64, MSI cap at 0x40).  Run once by hand:
 *   cc -o /tmp/gen fuzz/pci/gen_seeds.c && /tmp/gen fuzz/pci/seeds
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { OP_PIO, OP_ECAM, OP_WINDOW, OP_CFG, OP_BAR_ONTO, OP_BAR_SIZE, OP_MSIX, OP_IRQ };

static uint8_t buf[4096];
static size_t n;

static void u8(unsigned v) { buf[n++] = (uint8_t)v; }
static void u16(unsigned v) { u8(v & 0xff), u8(v >> 8); }
static void u32(uint32_t v) { u16(v & 0xffff), u16(v >> 16); }
static unsigned code(unsigned sz) { return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : 3; }
static void val(uint64_t v, unsigned sz)
{
	for (unsigned i = 0; i < sz; i++)
		u8((unsigned)(v >> (8 * i)));
}

static void cf8(unsigned slot, unsigned reg) { u8(OP_PIO), u8(2 | 4), u32(0x80000000u | slot << 11 | reg); }
static void cfc_rd(unsigned sz, unsigned k) { u8(OP_PIO), u8(code(sz) | k << 3); }
static void cfc_wr(unsigned sz, unsigned k, uint32_t v) { u8(OP_PIO), u8(code(sz) | 4 | k << 3), val(v, sz); }
static void ecam(unsigned slot, unsigned reg, unsigned sz, bool wr, uint32_t v)
{
	u8(OP_ECAM), u8(code(sz) | (wr ? 4 : 0)), u32(slot << 15 | reg);
	if (wr)
		val(v, sz);
}
static void cfg(unsigned slot, unsigned reg, unsigned sz, uint32_t v) { u8(OP_CFG), u8(code(sz) | slot << 3), u8(reg), u32(v); }
static void onto(unsigned s, unsigned b, unsigned s2, unsigned b2) { u8(OP_BAR_ONTO), u8(0), u8(s | b << 2), u8(s2 | b2 << 2); }
static void size_bar(unsigned s, unsigned b, bool restore) { u8(OP_BAR_SIZE), u8(restore ? 8 : 0), u8(s | b << 2); }
static void msix(unsigned slot, unsigned off, unsigned sz, bool wr, uint64_t v)
{
	u8(OP_MSIX), u8(code(sz) | (wr ? 4 : 0) | slot << 3), u16(off);
	if (wr)
		val(v, sz);
}
static void irq(unsigned slot, unsigned vec) { u8(OP_IRQ), u8(slot << 3), u8(vec); }
static void window(uint32_t off, unsigned sz, bool wr, uint64_t v)
{
	u8(OP_WINDOW), u8(code(sz) | (wr ? 4 : 0)), u32(off);
	if (wr)
		val(v, sz);
}

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
		perror(path);
	n = 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fuzz/pci/seeds";

	/* firmware: every BAR of every slot sized over 0xCF8/0xCFC and put back */
	for (unsigned s = 0; s < 4; s++) {
		cf8(s, 0);
		cfc_rd(4, 0);
		for (unsigned b = 0; b < 6; b++) {
			cf8(s, 0x10 + 4 * b);
			cfc_rd(4, 0);
			cfc_wr(4, 0, 0xffffffff);
			cfc_rd(4, 0);
		}
	}
	save(dir, "firmware-sizing");

	/* decoding off, BARs moved, decoding on again; a BAR sized and left so */
	cf8(2, 4);
	cfc_wr(2, 0, 0);
	cf8(2, 0x10);
	cfc_wr(4, 0, 0xd8000000);
	cf8(2, 0x14);
	cfc_wr(4, 0, 0xc800);
	cf8(2, 4);
	cfc_wr(2, 0, 7);
	size_bar(3, 1, false);
	size_bar(3, 0, true);
	window(0x08000000, 4, false, 0);
	save(dir, "move-with-decode-off");

	/* BARs on each other: virtio's on the e1000's, the MSI function's I/O BAR on the e1000's */
	onto(1, 4, 2, 0);
	onto(3, 0, 2, 1);
	onto(2, 1, 3, 0);
	onto(3, 2, 1, 1);
	window(0, 4, false, 0);
	save(dir, "bars-overlap");

	/* out of the windows: a MEM64 BAR above 4 GiB, one on RAM, one on 0xCF8, ECAM */
	ecam(3, 0x18, 4, true, 0);
	ecam(3, 0x1c, 4, true, 1);
	ecam(2, 0x10, 4, true, 0x1000);
	ecam(2, 0x14, 4, true, 0xcf8);
	ecam(1, 0x20, 4, true, 0xe0000000);
	ecam(1, 0x24, 4, true, 0);
	save(dir, "bars-outside");

	/* MSI-X on virtio: enable, program the table through the BAR, mask, raise (pending), unmask */
	cfg(1, 0x86, 2, 0x8000);
	msix(1, 0, 8, true, 0xfee00000);
	msix(1, 8, 4, true, 0x41);
	msix(1, 12, 4, true, 1);
	irq(1, 0);
	msix(1, 0x800, 8, false, 0);
	msix(1, 12, 4, true, 0);
	cfg(1, 0x86, 2, 0xc000);
	irq(1, 1);
	cfg(1, 0x86, 2, 0x8000);
	irq(1, 7);
	save(dir, "msix");

	/* MSI on the MSI function: 64-bit address, 4 vectors enabled, one masked and raised, then unmasked */
	cfg(3, 0x44, 4, 0xfee00000);
	cfg(3, 0x48, 4, 0);
	cfg(3, 0x4c, 2, 0x4160);
	cfg(3, 0x42, 2, 0x21);
	cfg(3, 0x50, 4, 2);
	irq(3, 1);
	irq(3, 2);
	cfg(3, 0x50, 4, 0);
	irq(3, 6);
	cfg(3, 0x42, 2, 0);
	irq(3, 0);
	u8(OP_IRQ), u8(3 << 3 | 4), u8(0);
	cfg(3, 4, 2, 0x407);
	save(dir, "msi");

	/* hostile (test_pci.c): odd widths and offsets, past 4 KiB, unaligned MSI-X, bytes at 0xCF9 */
	ecam(1, 0xffd, 4, true, 0xffffffff);
	ecam(1, 0x3, 2, false, 0);
	ecam(1, 0xfff, 1, true, 0xff);
	u8(OP_ECAM | 0x80), u8(2 | 4), u32(0x12345678), u32(0);
	msix(1, 2, 4, true, 0xffffffff);
	msix(1, 0x2c, 8, true, ~0ULL);
	u8(OP_PIO), u8(0 | 4 | 1 << 3), u8(0x06);
	cf8(1, 0xfc);
	cfc_rd(2, 3);
	cfc_rd(4, 2);
	cfg(0, 0x10, 4, 0xffffffff);
	cfg(2, 0x06, 2, 0xffff);
	save(dir, "hostile-widths");
	return 0;
}
