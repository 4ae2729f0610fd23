// SPDX-License-Identifier: MIT
/*
 * Unit tests for devices/e1000/e1000_pci.c: the 82540EM's PCI identity,
 * BAR sizing (128 KiB memory, 64-byte I/O), no capabilities (no MSI), and
 * the INTx line following (ICR & IMS) through pci_irq_raise/pci_intx_lower.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/e1000_fixture.h"

static unsigned lines;
static bool line_level;

static int stub_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	(void)gsi;
	lines++;
	line_level = level;
	return 0;
}

static void test_pci_identity_and_bars(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct pci_device *d;
	char err[128];
	(void)state;

	x->mem.memfd = -1;
	x->mem.host = calloc(1, FX_RAM);
	x->mem.size = FX_RAM;
	x->be = calloc(1, sizeof(*x->be));
	x->be->nb.ops = &fx_ops;
	x->be->nb.fd = -1;
	assert_int_equal(e1000_init(&x->e, &x->mem, &x->be->nb, fx_mac, err, sizeof(err)), 0);
	d = e1000_pci_device(&x->e);
	assert_int_equal(pci_config_read(d, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(pci_config_read(d, PCI_DEVICE_ID, 2), 0x100E);
	assert_int_equal(pci_config_read(d, 0x08, 4) >> 8, 0x020000);
	assert_int_equal(pci_config_read(d, PCI_SUBSYSTEM_VENDOR, 2), 0x8086);
	assert_int_equal(pci_config_read(d, PCI_SUBSYSTEM_ID, 2), 0x001E);
	assert_int_equal(pci_config_read(d, PCI_INTERRUPT_PIN, 1), 1);
	assert_false(pci_config_read(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);

	/* BAR sizing: all-ones reads back the size mask */
	pci_config_write(d, PCI_BAR0, 4, 0xFFFFFFFF);
	assert_int_equal(pci_config_read(d, PCI_BAR0, 4) & ~0xFu, ~(E1000_MMIO_SIZE - 1));
	assert_int_equal(pci_config_read(d, PCI_BAR0, 4) & 0x1, 0);     /* memory */
	pci_config_write(d, PCI_BAR0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(pci_config_read(d, PCI_BAR0 + 4, 4) & ~0x3u, ~(E1000_IO_SIZE - 1));
	assert_int_equal(pci_config_read(d, PCI_BAR0 + 4, 4) & 0x1, 1); /* I/O */
	assert_int_equal(d->bars[0].ops, &e1000_mmio_ops);
	assert_int_equal(d->bars[1].ops, &e1000_io_ops);
	assert_ptr_equal(d->bars[0].opaque, &x->e);

	/* INTx: asserted while ICR & IMS, deasserted by the ICR read */
	d->sink.line = stub_line;
	d->intx_gsi = 11;
	wr(x, E1000_IMS, E1000_ICR_LSC);
	wr(x, E1000_ICS, E1000_ICR_LSC);
	assert_true(line_level);
	assert_true(pci_config_read(d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	assert_int_equal(rd(x, E1000_ICR), E1000_ICR_LSC);
	assert_false(line_level);
	assert_false(pci_config_read(d, PCI_STATUS, 2) & PCI_STATUS_INTX);
	wr(x, E1000_ICS, E1000_ICR_LSC);
	wr(x, E1000_IMC, E1000_ICR_LSC);
	assert_false(line_level);
	assert_int_equal(lines, 4);

	e1000_destroy(&x->e);
	free(x->mem.host);
	free(x->be);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_identity_and_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
