/* SPDX-License-Identifier: MIT */
/*
 * QEMU's PCI test device (-device pci-testdev, 1b36:0005) as exitlab's test
 * targets when a peer VMM boots the payload (exitlab run --vmm qemu).
 * BAR0 (MMIO, 4 KiB) and BAR1 (port I/O, 256 ports) each have two halves:
 * a write of N to offset 0 selects test N of that space (0 no eventfd,
 * 1 wildcard ioeventfd, 2 datamatch ioeventfd; one test at a time, for the
 * whole device), whose target is byte `half + space * 3 + N` (space 0 MMIO,
 * 1 port I/O); the datamatch test matches the byte TESTDEV_DATAMATCH.
 * Writes anywhere else in a BAR are handled in QEMU's userspace.
 */
#ifndef GUEST_TESTDEV_H
#define GUEST_TESTDEV_H

#include <stdint.h>

#include "exitlab/boot_abi.h"

#define TESTDEV_VENDOR    0x1b36
#define TESTDEV_DEVICE    0x0005
#define TESTDEV_DATAMATCH 0xfa
#define TESTDEV_MMIO_HALF 0x800
#define TESTDEV_IO_HALF   0x80

enum testdev_test { TESTDEV_NO_EVENTFD = 0, TESTDEV_WILDCARD = 1, TESTDEV_DATAMATCH_TEST = 2 };

/*
 * Find the device on bus 0, enable it, and point bi's targets at it:
 * test_mmio_gpa (no eventfd), ioevent_port, ioevent_dm_port, ioevent_mmio_gpa,
 * with BOOT_F_IOEVENT_BYTE.  0, or -1 if there is none (bi unchanged).
 */
int testdev_probe(struct boot_info *bi);

/*
 * Select the test whose target bi holds (an ioeventfd exists only while
 * its test is selected).  No-op without BOOT_F_IOEVENT_BYTE.
 */
void testdev_select_pio(const struct boot_info *bi, enum testdev_test t);
void testdev_select_mmio(const struct boot_info *bi, enum testdev_test t);

#endif
