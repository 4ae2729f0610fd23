// SPDX-License-Identifier: MIT
/*
 * Unit tests for devices/pci/pci.c: the config space with its read-only and
 * write-1-to-clear bits, BAR sizing and decoding, the capability chain, MSI
 * and MSI-X masking with pending bits, the interrupt choice, and hostile
 * accesses (odd sizes, offsets past 4 KiB, unaligned MSI-X table accesses).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci/pci.h"

/* A stub interrupt sink and device hooks that record what happened. */
struct rec {
	unsigned lines, line_gsi;
	bool line_level;
	unsigned msis;
	uint64_t msi_addr;
	uint32_t msi_data;
	unsigned moves, irq_changes;
	int moved_bar;
	uint64_t moved_old, moved_new;
};

static struct rec R;

static int stub_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	R.lines++;
	R.line_gsi = gsi;
	R.line_level = level;
	return 0;
}

static int stub_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	R.msis++;
	R.msi_addr = addr;
	R.msi_data = data;
	return 0;
}

static void hook_bar_moved(struct pci_device *d, int bar, uint64_t old_addr, uint64_t new_addr)
{
	(void)d;
	R.moves++;
	R.moved_bar = bar;
	R.moved_old = old_addr;
	R.moved_new = new_addr;
}

static void hook_irq_changed(struct pci_device *d)
{
	(void)d;
	R.irq_changes++;
}

static const struct pci_device_ops hooks = {
	.bar_moved = hook_bar_moved, .irq_config_changed = hook_irq_changed,
};
static const struct bus_ops no_ops = { 0 };

static void mkdev(struct pci_device *d)
{
	memset(&R, 0, sizeof(R));
	pci_device_init(d, "t", 0x1234, 0x5678, 0x020000, 0xabcd, 0x0042);
	d->ops = &hooks;
	d->sink = (struct pci_irq_sink){ .line = stub_line, .msi = stub_msi };
	d->intx_gsi = 17;
}

static void test_ids_read_only(void **state)
{
	struct pci_device d;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_config_read(&d, PCI_VENDOR_ID, 2), 0x1234);
	assert_int_equal(pci_config_read(&d, PCI_DEVICE_ID, 2), 0x5678);
	assert_int_equal(pci_config_read(&d, 0, 4), 0x56781234);
	assert_int_equal(pci_config_read(&d, PCI_CLASS_DEVICE, 2), 0x0200);
	assert_int_equal(pci_config_read(&d, PCI_SUBSYSTEM_VENDOR, 4), 0x0042abcd);
	assert_int_equal(pci_config_read(&d, PCI_HEADER_TYPE, 1), 0);
	/* IDs, class, header type, pin and the capability pointer do not move */
	pci_config_write(&d, 0, 4, 0xffffffff);
	pci_config_write(&d, 0x08, 4, 0xffffffff);
	pci_config_write(&d, PCI_HEADER_TYPE, 1, 0xff);
	pci_config_write(&d, PCI_CAP_PTR, 1, 0x80);
	pci_config_write(&d, PCI_INTERRUPT_PIN, 1, 4);
	assert_int_equal(pci_config_read(&d, 0, 4), 0x56781234);
	assert_int_equal(pci_config_read(&d, 0x08, 4), 0x02000000);
	assert_int_equal(pci_config_read(&d, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(pci_config_read(&d, PCI_CAP_PTR, 1), 0);
	assert_int_equal(pci_config_read(&d, PCI_INTERRUPT_PIN, 1), 1);
	/* INTERRUPT_LINE is the driver's scratch byte */
	pci_config_write(&d, PCI_INTERRUPT_LINE, 1, 0x0b);
	assert_int_equal(pci_config_read(&d, PCI_INTERRUPT_LINE, 1), 0x0b);
	/* COMMAND keeps only its defined bits; STATUS.INTx and CAP_LIST are read-only */
	pci_config_write(&d, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), 0x0547);
	pci_config_write(&d, PCI_STATUS, 2, 0xffff);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2), 0);
	pci_device_destroy(&d);
}

static void test_status_w1c(void **state)
{
	struct pci_device d;

	(void)state;
	mkdev(&d);
	/* the device model sets error bits (received master abort 13, detected parity 15) */
	d.cfg[PCI_STATUS + 1] = 0xa0;
	d.cfg[PCI_STATUS] = PCI_STATUS_INTX;
	/* writing 0 changes nothing; writing 1 clears only that bit */
	pci_config_write(&d, PCI_STATUS, 2, 0);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2), 0xa008);
	pci_config_write(&d, PCI_STATUS, 2, 0x2000 | PCI_STATUS_INTX);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2), 0x8008);
	/* a 4-byte write at COMMAND that also hits STATUS */
	pci_config_write(&d, PCI_COMMAND, 4, 0x80000000u | PCI_CMD_MEMORY);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 4), 0x00080000u | PCI_CMD_MEMORY);
	pci_device_destroy(&d);
}

static void test_bar_sizing(void **state)
{
	struct pci_device d;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_bar_init(&d, 0, PCI_BAR_MEM32, 0x20000, &no_ops, NULL, "m32"), 0);
	assert_int_equal(pci_bar_init(&d, 1, PCI_BAR_IO, 0x40, &no_ops, NULL, "io"), 0);
	assert_int_equal(pci_bar_init(&d, 2, PCI_BAR_MEM64, 0x4000, &no_ops, NULL, "m64"), 0);
	/* bar 3 is the upper half of bar 2 */
	assert_int_equal(pci_bar_init(&d, 3, PCI_BAR_MEM32, 0x1000, &no_ops, NULL, "x"), -EINVAL);

	/* type bits as reset */
	assert_int_equal(pci_config_read(&d, PCI_BAR0, 4), 0x0);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 4, 4), 0x1);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 8, 4), 0x4);

	/* the sizing protocol */
	pci_config_write(&d, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, PCI_BAR0, 4), 0xfffe0000u);
	pci_config_write(&d, PCI_BAR0 + 4, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 4, 4), 0xffffffc1u);
	pci_config_write(&d, PCI_BAR0 + 8, 4, 0xffffffff);
	pci_config_write(&d, PCI_BAR0 + 12, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 8, 4), 0xffffc004u);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 12, 4), 0xffffffffu);
	/* unused BARs read 0 and ignore writes */
	pci_config_write(&d, PCI_BAR0 + 16, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 16, 4), 0);
	/* the expansion ROM BAR is not implemented */
	pci_config_write(&d, 0x30, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, 0x30, 4), 0);

	/* placement: low bits (type, and below the size) stay */
	pci_config_write(&d, PCI_BAR0, 4, 0xd0000000u | 0xfff);
	assert_int_equal(pci_config_read(&d, PCI_BAR0, 4), 0xd0000000u);
	assert_int_equal(d.bars[0].addr, 0xd0000000u);
	pci_config_write(&d, PCI_BAR0 + 4, 4, 0xc040 | 0x2);
	assert_int_equal(pci_config_read(&d, PCI_BAR0 + 4, 4), 0xc041);
	assert_int_equal(d.bars[1].addr, 0xc040);
	pci_config_write(&d, PCI_BAR0 + 8, 4, 0xd0104000u);
	pci_config_write(&d, PCI_BAR0 + 12, 4, 0x1);
	assert_int_equal(d.bars[2].addr, 0x1d0104000ULL);
	/* byte-wise writes work too */
	pci_config_write(&d, PCI_BAR0 + 3, 1, 0xe0);
	assert_int_equal(d.bars[0].addr, 0xe0000000u);

	/* bad BAR definitions */
	assert_int_equal(pci_bar_init(&d, 5, PCI_BAR_MEM64, 0x1000, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 4, PCI_BAR_MEM32, 0x1800, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 4, PCI_BAR_MEM32, 8, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 4, PCI_BAR_IO, 2, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 6, PCI_BAR_IO, 4, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, -1, PCI_BAR_IO, 4, &no_ops, NULL, "x"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 0, PCI_BAR_IO, 4, &no_ops, NULL, "again"), -EINVAL);
	assert_int_equal(pci_bar_init(&d, 4, PCI_BAR_NONE, 16, &no_ops, NULL, "x"), -EINVAL);
	pci_device_destroy(&d);
}

static void test_decode_moves(void **state)
{
	struct pci_device d;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_bar_init(&d, 0, PCI_BAR_MEM32, 0x1000, &no_ops, NULL, "m"), 0);
	assert_int_equal(pci_bar_init(&d, 2, PCI_BAR_IO, 0x20, &no_ops, NULL, "io"), 0);
	pci_config_write(&d, PCI_BAR0, 4, 0xd0000000u);
	pci_config_write(&d, PCI_BAR0 + 8, 4, 0xc000);
	/* not decoded yet: no move reported, decoded address 0 */
	assert_int_equal(R.moves, 0);
	assert_int_equal(pci_bar_decoded(&d, 0), 0);
	assert_int_equal(pci_bar_decoded(&d, 2), 0);

	pci_config_write(&d, PCI_COMMAND, 2, PCI_CMD_MEMORY);
	assert_int_equal(R.moves, 1);
	assert_int_equal(R.moved_bar, 0);
	assert_int_equal(R.moved_old, 0);
	assert_int_equal(R.moved_new, 0xd0000000u);
	assert_int_equal(pci_bar_decoded(&d, 0), 0xd0000000u);
	assert_int_equal(pci_bar_decoded(&d, 2), 0);

	pci_config_write(&d, PCI_COMMAND, 2, PCI_CMD_MEMORY | PCI_CMD_IO);
	assert_int_equal(R.moves, 2);
	assert_int_equal(R.moved_bar, 2);
	assert_int_equal(R.moved_new, 0xc000);

	/* moving while decoded */
	pci_config_write(&d, PCI_BAR0, 4, 0xd0001000u);
	assert_int_equal(R.moves, 3);
	assert_int_equal(R.moved_bar, 0);
	assert_int_equal(R.moved_old, 0xd0000000u);
	assert_int_equal(R.moved_new, 0xd0001000u);
	/* rewriting the same address is no move */
	pci_config_write(&d, PCI_BAR0, 4, 0xd0001000u);
	assert_int_equal(R.moves, 3);

	/* decode off: both report a move to 0 */
	pci_config_write(&d, PCI_COMMAND, 2, 0);
	assert_int_equal(R.moves, 5);
	assert_int_equal(R.moved_new, 0);
	assert_int_equal(pci_bar_decoded(&d, 0), 0);
	/* moving while not decoded reports nothing */
	pci_config_write(&d, PCI_BAR0, 4, 0xd0002000u);
	assert_int_equal(R.moves, 5);
	assert_int_equal(pci_bar_decoded(&d, 7), 0);
	assert_int_equal(pci_bar_decoded(&d, -1), 0);
	pci_device_destroy(&d);
}

/* Walk the chain as a guest would, refusing loops. */
static int walk_caps(struct pci_device *d, uint8_t *ids, int max)
{
	unsigned p = pci_config_read(d, PCI_CAP_PTR, 1);
	int n = 0;

	while (p && n < max) {
		ids[n++] = pci_config_read(d, p, 1);
		p = pci_config_read(d, p + 1, 1);
	}
	return n;
}

static void test_cap_chain(void **state)
{
	struct pci_device d;
	uint8_t ids[8];
	int a, b, c;

	(void)state;
	mkdev(&d);
	assert_false(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(walk_caps(&d, ids, 8), 0);
	a = pci_cap_add(&d, PCI_CAP_ID_VNDR, 16);
	b = pci_cap_add(&d, PCI_CAP_ID_VNDR, 5);
	c = pci_msi_init(&d, 4);
	assert_int_equal(a, 0x40);
	assert_int_equal(b, 0x50);
	assert_int_equal(c, 0x58);   /* 4-byte aligned after a 5-byte one */
	assert_true(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(pci_config_read(&d, PCI_CAP_PTR, 1), 0x40);
	assert_int_equal(walk_caps(&d, ids, 8), 3);
	assert_int_equal(ids[0], PCI_CAP_ID_VNDR);
	assert_int_equal(ids[1], PCI_CAP_ID_VNDR);
	assert_int_equal(ids[2], PCI_CAP_ID_MSI);
	/* next pointers are read-only */
	pci_config_write(&d, a + 1, 1, 0x40);
	assert_int_equal(walk_caps(&d, ids, 8), 3);
	/* the standard space runs out */
	assert_int_equal(pci_cap_add(&d, PCI_CAP_ID_VNDR, 200), -ENOSPC);
	assert_true(pci_cap_add(&d, PCI_CAP_ID_VNDR, 256 - 0x70) == 0x70);
	assert_int_equal(pci_cap_add(&d, PCI_CAP_ID_VNDR, 4), -ENOSPC);
	assert_int_equal(walk_caps(&d, ids, 8), 4);
	pci_device_destroy(&d);
}

static void test_msi(void **state)
{
	struct pci_device d;
	uint64_t addr;
	uint32_t data;
	bool masked;
	int c;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_msi_init(&d, 3), -EINVAL);
	assert_int_equal(pci_msi_init(&d, 64), -EINVAL);
	c = pci_msi_init(&d, 4);
	assert_true(c > 0);
	assert_int_equal(pci_msi_init(&d, 4), -EINVAL);
	/* 64-bit, per-vector masking, 4 vectors capable */
	assert_int_equal(pci_config_read(&d, c + 2, 2), 0x0184);
	pci_config_write(&d, c + 2, 2, 0xffff);
	assert_int_equal(pci_config_read(&d, c + 2, 2), 0x01f5);   /* MME is driver's, MMC stays */
	pci_config_write(&d, c + 2, 2, 0);
	assert_false(pci_msi_enabled(&d));

	/* not enabled: INTx */
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.msis, 0);
	assert_int_equal(R.lines, 1);
	pci_intx_lower(&d);

	pci_config_write(&d, c + 4, 4, 0xfee00003u);   /* low 2 bits are reserved */
	pci_config_write(&d, c + 8, 4, 0);
	pci_config_write(&d, c + 12, 2, 0x4040);
	pci_config_write(&d, c + 2, 2, 0x0021);        /* enable, 4 vectors */
	assert_true(pci_msi_enabled(&d));
	assert_int_equal(pci_msi_message(&d, 2, &addr, &data, &masked), 0);
	assert_int_equal(addr, 0xfee00000u);
	assert_int_equal(data, 0x4042);
	assert_false(masked);
	assert_int_equal(pci_msi_message(&d, 4, &addr, &data, &masked), -EINVAL);
	assert_int_equal(pci_irq_raise(&d, 2), 0);
	assert_int_equal(R.msis, 1);
	assert_int_equal(R.msi_data, 0x4042);
	assert_int_equal(R.lines, 2);   /* no INTx while MSI is on */
	assert_int_equal(pci_irq_raise(&d, 9), -EINVAL);

	/* masked: the pending bit, read-only to the guest, fires on unmask */
	pci_config_write(&d, c + 16, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, c + 16, 4), 0xf);
	assert_int_equal(pci_irq_raise(&d, 1), 0);
	assert_int_equal(R.msis, 1);
	assert_int_equal(pci_config_read(&d, c + 20, 4), 0x2);
	pci_config_write(&d, c + 20, 4, 0);
	assert_int_equal(pci_config_read(&d, c + 20, 4), 0x2);
	pci_config_write(&d, c + 16, 4, 0xd);   /* unmask vector 1 only */
	assert_int_equal(R.msis, 2);
	assert_int_equal(R.msi_data, 0x4041);
	assert_int_equal(pci_config_read(&d, c + 20, 4), 0);
	assert_true(R.irq_changes > 0);
	assert_int_equal(d.irqs_sent, 3);   /* one INTx, two MSIs */
	pci_device_destroy(&d);
}

/*
 * MSI in a device's own layout at its offset (a passed-through function's): 32- or 64-bit,
 * without masking (10 or 14 bytes: the data right after the address, no mask or pending
 * register, nothing past the end written), and the lengths of all four.
 */
static void test_msi_layouts(void **state)
{
	struct pci_device d;
	uint64_t addr;
	uint32_t data;
	bool masked;

	(void)state;
	assert_int_equal(pci_msi_cap_len(0), 10);
	assert_int_equal(pci_msi_cap_len(PCI_MSI_64BIT), 14);
	assert_int_equal(pci_msi_cap_len(PCI_MSI_PVM), 20);
	assert_int_equal(pci_msi_cap_len(PCI_MSI_64BIT | PCI_MSI_PVM), 24);

	/* 32-bit, 1 vector, at 0x50, a byte of someone else's right after its 10 */
	mkdev(&d);
	d.cfg[0x5a] = 0x77;
	assert_int_equal(pci_msi_init_at(&d, 0x50, 1, 0), 0x50);
	assert_int_equal(pci_msi_init_at(&d, 0xf8, 1, 0), -EINVAL);   /* already has one */
	assert_int_equal(pci_config_read(&d, 0x52, 2), 0);
	pci_config_write(&d, 0x54, 4, 0xfee01000);
	pci_config_write(&d, 0x58, 2, 0x0031);
	pci_config_write(&d, 0x5a, 2, 0xffff);                       /* past the capability */
	assert_int_equal(d.cfg[0x5a], 0x77);
	pci_config_write(&d, 0x52, 2, 1);
	assert_true(pci_msi_enabled(&d));
	assert_int_equal(pci_msi_message(&d, 0, &addr, &data, &masked), 0);
	assert_int_equal(addr, 0xfee01000u);
	assert_int_equal(data, 0x31);
	assert_false(masked);
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.msis, 1);
	assert_int_equal(R.msi_data, 0x31);
	pci_device_destroy(&d);

	/* 64-bit without masking (QEMU's 82574): the data at +12, +14.. not ours */
	mkdev(&d);
	assert_int_equal(pci_msi_init_at(&d, 0xd0, 1, PCI_MSI_64BIT), 0xd0);
	assert_int_equal(pci_msi_init_at(&d, 0xf4, 1, PCI_MSI_64BIT), -EINVAL);
	assert_int_equal(pci_config_read(&d, 0xd2, 2), PCI_MSI_64BIT);
	pci_config_write(&d, 0xd4, 4, 0xfee00000);
	pci_config_write(&d, 0xd8, 4, 0x1);
	pci_config_write(&d, 0xdc, 2, 0x0041);
	pci_config_write(&d, 0xde, 2, 0xffff);
	assert_int_equal(pci_config_read(&d, 0xde, 2), 0);
	pci_config_write(&d, 0xd2, 2, PCI_MSI_64BIT | 1);
	assert_int_equal(pci_msi_message(&d, 0, &addr, &data, &masked), 0);
	assert_int_equal(addr, 0x1fee00000ull);
	assert_int_equal(data, 0x41);
	assert_false(masked);
	pci_config_write(&d, 0xd2, 2, PCI_MSI_64BIT);
	assert_int_equal(pci_msi_message(&d, 0, &addr, &data, &masked), 0);
	assert_true(masked);                                          /* off: masked, nothing pends */
	pci_device_destroy(&d);
}

static void msix_entry(struct pci_device *d, unsigned vec, uint64_t addr, uint32_t data, uint32_t ctrl)
{
	uint64_t base = d->msix_table_off + vec * 16;
	uint32_t lo = addr, hi = addr >> 32;

	assert_int_equal(pci_msix_table_write(d, base, &lo, 4), 0);
	assert_int_equal(pci_msix_table_write(d, base + 4, &hi, 4), 0);
	assert_int_equal(pci_msix_table_write(d, base + 8, &data, 4), 0);
	assert_int_equal(pci_msix_table_write(d, base + 12, &ctrl, 4), 0);
}

static void test_msix(void **state)
{
	struct pci_device d;
	uint64_t addr, q;
	uint32_t data, v;
	bool masked;
	int c;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_bar_init(&d, 1, PCI_BAR_MEM32, 0x1000, &no_ops, NULL, "msix"), 0);
	/* bad layouts */
	assert_int_equal(pci_msix_init(&d, 3, 0, 0, 0x800), -EINVAL);          /* no BAR 0 */
	assert_int_equal(pci_msix_init(&d, 3, 1, 0, 0x20), -EINVAL);           /* overlap */
	assert_int_equal(pci_msix_init(&d, 3, 1, 4, 0x800), -EINVAL);          /* unaligned */
	assert_int_equal(pci_msix_init(&d, 300, 1, 0, 0x800), -EINVAL);        /* table too big */
	assert_int_equal(pci_msix_init(&d, 0, 1, 0, 0x800), -EINVAL);
	c = pci_msix_init(&d, 3, 1, 0, 0x800);
	assert_true(c > 0);
	assert_int_equal(pci_config_read(&d, c + 2, 2), 2);      /* table size N-1 */
	assert_int_equal(pci_config_read(&d, c + 4, 4), 0x1);   /* offset 0, BIR 1 */
	assert_int_equal(pci_config_read(&d, c + 8, 4), 0x801);

	/* entries start masked */
	assert_int_equal(pci_msix_table_read(&d, 12, &v, 4), 0);
	assert_int_equal(v, 1);
	msix_entry(&d, 0, 0xfee00000u, 0x31, 0);
	msix_entry(&d, 2, 0xfee01000u, 0x33, 1);
	assert_int_equal(pci_msix_table_read(&d, 0, &q, 8), 0);
	assert_int_equal(q, 0xfee00000u);

	/* not enabled: INTx */
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.msis, 0);
	assert_int_equal(R.lines, 1);
	pci_intx_lower(&d);
	pci_config_write(&d, c + 3, 1, 0x80);   /* enable */
	assert_true(pci_msix_enabled(&d));
	assert_true(R.irq_changes > 0);

	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.msis, 1);
	assert_int_equal(R.msi_data, 0x31);
	assert_int_equal(pci_irq_raise(&d, 3), -EINVAL);

	/* vector 2 is masked: pending bit, fired on unmask */
	assert_int_equal(pci_irq_raise(&d, 2), 0);
	assert_int_equal(R.msis, 1);
	assert_int_equal(pci_msix_table_read(&d, 0x800, &q, 8), 0);
	assert_int_equal(q, 0x4);
	q = 0;
	assert_int_equal(pci_msix_table_write(&d, 0x800, &q, 8), 0);   /* PBA is read-only */
	assert_int_equal(pci_msix_table_read(&d, 0x800, &v, 4), 0);
	assert_int_equal(v, 0x4);
	assert_int_equal(pci_msi_message(&d, 2, &addr, &data, &masked), 0);
	assert_true(masked);
	v = 0;
	assert_int_equal(pci_msix_table_write(&d, 2 * 16 + 12, &v, 4), 0);
	assert_int_equal(R.msis, 2);
	assert_int_equal(R.msi_addr, 0xfee01000u);
	assert_int_equal(R.msi_data, 0x33);
	assert_int_equal(pci_msix_table_read(&d, 0x800, &v, 4), 0);
	assert_int_equal(v, 0);
	/* only the mask bit of vector control is writable */
	v = 0xfffffffe;
	assert_int_equal(pci_msix_table_write(&d, 2 * 16 + 12, &v, 4), 0);
	assert_int_equal(pci_msix_table_read(&d, 2 * 16 + 12, &v, 4), 0);
	assert_int_equal(v, 0);

	/* function mask: everything pends, fires when the function mask drops */
	pci_config_write(&d, c + 3, 1, 0xc0);
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(pci_irq_raise(&d, 2), 0);
	assert_int_equal(R.msis, 2);
	assert_int_equal(pci_msi_message(&d, 0, &addr, &data, &masked), 0);
	assert_true(masked);
	pci_config_write(&d, c + 3, 1, 0x80);
	assert_int_equal(R.msis, 4);
	assert_int_equal(d.irqs_sent, 5);   /* one INTx, four MSI-X */

	/* disabling MSI-X goes back to INTx */
	pci_config_write(&d, c + 3, 1, 0);
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.msis, 4);
	assert_int_equal(R.lines, 3);
	pci_device_destroy(&d);
}

static void test_irq_choice_intx(void **state)
{
	struct pci_device d;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.lines, 1);
	assert_int_equal(R.line_gsi, 17);
	assert_true(R.line_level);
	assert_true(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	/* INTX_DISABLE drops the line but the status bit stays; re-enabling raises it again */
	pci_config_write(&d, PCI_COMMAND, 2, PCI_CMD_INTX_DISABLE);
	assert_false(R.line_level);
	assert_true(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	pci_config_write(&d, PCI_COMMAND, 2, 0);
	assert_true(R.line_level);
	pci_intx_lower(&d);
	assert_false(R.line_level);
	assert_false(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	/* raised while disabled: status only, the line stays low */
	pci_config_write(&d, PCI_COMMAND, 2, PCI_CMD_INTX_DISABLE);
	R.lines = 0;
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	assert_int_equal(R.lines, 0);
	assert_true(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	pci_intx_lower(&d);
	/* no pin: no INTx */
	d.cfg[PCI_INTERRUPT_PIN] = 0;
	assert_int_equal(pci_irq_raise(&d, 0), -ENODEV);
	pci_device_destroy(&d);
}

static void test_hostile_config(void **state)
{
	struct pci_device d;
	uint8_t before[PCI_CFG_SIZE];

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_config_read(&d, 0, 3), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, 0, 0), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, 0, 8), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, PCI_CFG_SIZE, 1), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, PCI_CFG_SIZE - 2, 4), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, 0xffffffffu, 4), 0xffffffffu);
	assert_int_equal(pci_config_read(&d, PCI_CFG_SIZE - 4, 4), 0);   /* extended space exists */
	memcpy(before, d.cfg, sizeof(before));
	pci_config_write(&d, PCI_COMMAND, 3, 0xffffff);
	pci_config_write(&d, PCI_COMMAND, 0, 0xffffff);
	pci_config_write(&d, PCI_CFG_SIZE - 1, 2, 0xffff);
	pci_config_write(&d, 0xfffffffeu, 4, 0xffffffff);
	pci_config_write(&d, PCI_CFG_SIZE - 4, 4, 0xffffffff);   /* read-only extended space */
	assert_memory_equal(before, d.cfg, sizeof(before));
	assert_int_equal(R.moves, 0);
	pci_device_destroy(&d);
}

static void test_hostile_msix(void **state)
{
	struct pci_device d;
	uint8_t before[64];
	uint64_t q = ~0ULL;
	uint32_t v = 0x12345678;
	uint16_t h = 0;

	(void)state;
	mkdev(&d);
	assert_int_equal(pci_bar_init(&d, 0, PCI_BAR_MEM64, 0x2000, &no_ops, NULL, "msix"), 0);
	assert_true(pci_msix_init(&d, 4, 0, 0x1000, 0x1800) > 0);
	memcpy(before, d.msix_table, 64);
	/* not the table or the PBA: the model's registers */
	assert_int_equal(pci_msix_table_read(&d, 0x0, &v, 4), -ENOENT);
	assert_int_equal(pci_msix_table_write(&d, 0x1040, &v, 4), -ENOENT);
	assert_int_equal(pci_msix_table_read(&d, 0x1808, &v, 4), -ENOENT);
	/* odd sizes and unaligned offsets inside the table */
	assert_int_equal(pci_msix_table_write(&d, 0x1000, &h, 2), -EINVAL);
	assert_int_equal(pci_msix_table_write(&d, 0x1001, &v, 4), -EINVAL);
	assert_int_equal(pci_msix_table_write(&d, 0x1004, &q, 8), -EINVAL);
	assert_int_equal(pci_msix_table_write(&d, 0x100c, &v, 1), -EINVAL);
	/* straddling the end of the table */
	assert_int_equal(pci_msix_table_write(&d, 0x103c, &q, 8), -EINVAL);
	assert_memory_equal(before, d.msix_table, 64);
	v = 0;
	assert_int_equal(pci_msix_table_read(&d, 0x1002, &v, 4), -EINVAL);
	assert_int_equal(v, 0xffffffffu);
	h = 0;
	assert_int_equal(pci_msix_table_read(&d, 0x1000, &h, 2), -EINVAL);
	assert_int_equal(h, 0xffff);
	/* table and PBA config registers are read-only */
	pci_config_write(&d, d.msix_cap + 4, 4, 0x0);
	pci_config_write(&d, d.msix_cap + 2, 2, 0x07ff);
	assert_int_equal(pci_config_read(&d, d.msix_cap + 4, 4), 0x1000);
	assert_int_equal(pci_config_read(&d, d.msix_cap + 2, 2), 3);
	/* an 8-byte write of address lo/hi, the low two bits dropped */
	q = 0x00000001fee00003ULL;
	assert_int_equal(pci_msix_table_write(&d, 0x1010, &q, 8), 0);
	assert_int_equal(pci_msix_table_read(&d, 0x1010, &q, 8), 0);
	assert_int_equal(q, 0x00000001fee00000ULL);
	pci_device_destroy(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_read_only),
		cmocka_unit_test(test_status_w1c),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_decode_moves),
		cmocka_unit_test(test_cap_chain),
		cmocka_unit_test(test_msi),
		cmocka_unit_test(test_msi_layouts),
		cmocka_unit_test(test_msix),
		cmocka_unit_test(test_irq_choice_intx),
		cmocka_unit_test(test_hostile_config),
		cmocka_unit_test(test_hostile_msix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
