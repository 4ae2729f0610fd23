// SPDX-License-Identifier: MIT
/*
 * pci-testdev as test targets (testdev.h).  A BAR is aligned to its size
 * (PCI), so a target's BAR base is the target with the low bits cleared:
 * nothing but boot_info has to survive from the probe to a test's setup.
 */
#include "guest_pci.h"
#include "testdev.h"
#include "x86.h"

#define TESTDEV_MMIO_SIZE 0x1000
#define TESTDEV_IO_SIZE   0x100
#define SPACE_MMIO 0
#define SPACE_IO   1

int testdev_probe(struct boot_info *bi)
{
	struct pci_dev d;
	uint64_t mmio = 0;
	uint16_t io = 0;

	if (pci_find(TESTDEV_VENDOR, TESTDEV_DEVICE, 0, &d) || pci_dev_enable(&d))
		return -1;
	for (int i = 0; i < 6; i++) {
		if (d.bar_io[i] && d.bar[i] && d.bar_size[i] >= TESTDEV_IO_SIZE && !io)
			io = (uint16_t)d.bar[i];
		else if (!d.bar_io[i] && d.bar[i] && d.bar_size[i] >= TESTDEV_MMIO_SIZE && !mmio)
			mmio = d.bar[i];
	}
	if (!io || !mmio || mmio + TESTDEV_MMIO_SIZE > BOOT_IDENTITY_LIMIT)
		return -1;
	bi->test_mmio_gpa = mmio + TESTDEV_MMIO_HALF + SPACE_MMIO * 3 + TESTDEV_NO_EVENTFD;
	bi->ioevent_mmio_gpa = mmio + TESTDEV_MMIO_HALF + SPACE_MMIO * 3 + TESTDEV_WILDCARD;
	bi->ioevent_port = io + TESTDEV_IO_HALF + SPACE_IO * 3 + TESTDEV_WILDCARD;
	bi->ioevent_dm_port = io + TESTDEV_IO_HALF + SPACE_IO * 3 + TESTDEV_DATAMATCH_TEST;
	bi->ioevent_dm_value = TESTDEV_DATAMATCH;
	bi->flags |= BOOT_F_IOEVENT_BYTE;
	return 0;
}

void testdev_select_pio(const struct boot_info *bi, enum testdev_test t)
{
	if (bi->flags & BOOT_F_IOEVENT_BYTE)
		outb(bi->ioevent_port & ~(TESTDEV_IO_SIZE - 1), (uint8_t)t);
}

void testdev_select_mmio(const struct boot_info *bi, enum testdev_test t)
{
	if (bi->flags & BOOT_F_IOEVENT_BYTE)
		*(volatile uint8_t *)(bi->ioevent_mmio_gpa & ~(uint64_t)(TESTDEV_MMIO_SIZE - 1)) = (uint8_t)t;
}
