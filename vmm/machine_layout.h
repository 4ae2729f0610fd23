/* SPDX-License-Identifier: MIT */
/*
 * Where exitlab's machine puts its platform devices: fixed guest-physical
 * addresses and ports, handed to the payload in boot_info (the RAM layout
 * itself, boot_info, page tables, mailbox, MMIO window, is the ABI's:
 * include/exitlab/boot_abi.h). PCI devices live elsewhere (PCI_ECAM_BASE
 * and the BAR window, devices/pci/pci_host.h).
 */
#ifndef EXITLAB_MACHINE_LAYOUT_H
#define EXITLAB_MACHINE_LAYOUT_H

#include "exitlab/boot_abi.h"
#include "exitlab/bench_proto.h"

#define MACHINE_UART_PORT          0x03f8                     /* 16550, 8 ports */
#define MACHINE_UART_IRQ           4                          /* its ISA IRQ = IOAPIC pin (Linux guests) */
#define MACHINE_BENCH_PORT         BENCH_DEFAULT_PORT         /* bench doorbell, 4 ports */
#define MACHINE_TEST_PIO_PORT      0x0520                     /* test registers, 4 ports */
#define MACHINE_IOEVENT_PORT       0x0530                     /* ioeventfd, any value */
#define MACHINE_IOEVENT_DM_PORT    0x0534                     /* ioeventfd, BOOT_IOEVENT_DATAMATCH */
#define MACHINE_TEST_MMIO_GPA      (BOOT_MMIO_BASE + 0x1000)  /* test registers, one page */
#define MACHINE_IOEVENT_MMIO_GPA   (BOOT_MMIO_BASE + 0x2000)  /* ioeventfd, 4 bytes */
#define MACHINE_COALESCED_MMIO_GPA (BOOT_MMIO_BASE + 0x3000)  /* coalesced zone and its sink, one page */
#define MACHINE_IOEVENT_MMIO_DM_GPA (MACHINE_IOEVENT_MMIO_GPA + BOOT_IOEVENT_MMIO_DM_OFFSET) /* 4 bytes */
#define MACHINE_IRQSRC_PORT        BOOT_IRQSRC_PORT           /* interrupt source, 12 ports (boot_abi.h) */
#define MACHINE_PMTIMER_PORT       0x0608                     /* ACPI PM timer, 4 ports (QEMU's q35 place) */
/* KVM_CREATE_PIT2 puts the i8254 at 0x40..0x43 and its speaker port at 0x61: fixed by KVM. */
#define MACHINE_PIT_PORT           0x0040
#define MACHINE_PIT_SPEAKER_PORT   0x0061
#define MACHINE_MMIO_PAGE          0x1000

#endif
