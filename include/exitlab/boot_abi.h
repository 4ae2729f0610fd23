/* SPDX-License-Identifier: MIT */
/*
 * The boot contract between the VMM and a guest payload.
 *
 * The VMM loads the payload's ELF image, builds identity page tables for
 * the low 4 GiB, and starts the vCPU directly in 64-bit long mode at the
 * ELF entry point with:
 *   RDI = BOOT_INFO_GPA (a struct boot_info), RSP = BOOT_STACK_TOP,
 *   CS = 0x08 (64-bit code), DS/ES/SS/FS/GS = 0x10, interrupts off.
 * The payload's runtime then installs its own GDT/IDT/TSS (same selectors).
 *
 * This header is shared by host and guest: fixed-width types only.
 */
#ifndef EXITLAB_BOOT_ABI_H
#define EXITLAB_BOOT_ABI_H

#include <stdint.h>

/* Guest-physical layout (low memory, below the payload's 1 MiB link address). */
#define BOOT_INFO_GPA      0x1000ULL  /* struct boot_info, one page */
#define BOOT_PARAMS_GPA    0x1800ULL  /* the --param text, in the same page */
#define BOOT_PARAMS_MAX    0x800      /* bytes, NUL included */
#define BOOT_PGTABLE_GPA   0x8000ULL  /* PML4, PDPT, 4 PDs, 1 PT: 7 pages */
#define BOOT_PGTABLE_SIZE  0x7000ULL
#define BOOT_MAILBOX_GPA   0x10000ULL /* bench mailbox, one page, see bench_proto.h */
#define BOOT_STACK_BOTTOM  0x20000ULL /* initial CPL0 stack */
#define BOOT_STACK_TOP     0x80000ULL
/* The application processors' real-mode start page (SIPI vector 0x07): the payload copies its trampoline here. */
#define BOOT_AP_TRAMPOLINE_GPA 0x7000ULL
#define BOOT_PAYLOAD_MIN   0x100000ULL /* lowest address a payload segment may use */
/* Page 0 is left unmapped so that a NULL dereference faults. */

/*
 * Identity-mapped window; low RAM lives below MMIO_BASE, devices above it.
 * RAM beyond BOOT_RAM_MAX continues at BOOT_HIGH_MEM_GPA (4 GiB), outside the
 * identity map: a payload that wants it maps it itself (boot_info.high_mem_*).
 */
#define BOOT_IDENTITY_LIMIT 0x100000000ULL /* 4 GiB */
#define BOOT_MMIO_BASE      0xC0000000ULL
#define BOOT_RAM_MAX        BOOT_MMIO_BASE
#define BOOT_HIGH_MEM_GPA   0x100000000ULL

/* GDT selectors (the runtime's GDT must use these; syscall/sysret need this order). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b /* 0x18 | RPL3 */
#define SEL_UCODE 0x23 /* 0x20 | RPL3 */
#define SEL_TSS   0x28

#define BOOT_INFO_MAGIC   0x54424c58u /* "XLBT" */
#define BOOT_INFO_VERSION 4

/* boot_info.flags */
#define BOOT_F_QUICK      (1u << 0) /* quick mode: small time goals */
#define BOOT_F_X2APIC     (1u << 1) /* in-kernel LAPIC present, x2APIC in CPUID */
#define BOOT_F_VENDOR_AMD (1u << 2) /* use vmmcall, not vmcall */
#define BOOT_F_PVM        (1u << 3) /* backend is PVM: CPL0 is instruction-emulated */
/*
 * Not booted by exitlab's VMM but by another one through PVH (guest-payloads/lib/pvh.S):
 * the payload wrote this boot_info itself; no bench device (bench_port = 0), no test ports.
 */
#define BOOT_F_NO_VMM     (1u << 4)
/*
 * With BOOT_F_NO_VMM: exitlab runs the other VMM and reads guest RAM (shared
 * with it): bench_port is a serial port whose bytes wake exitlab, and the
 * guest waits in guest memory for the mailbox reply (bench_proto.h,
 * BENCH_REPLY_PENDING) instead of an exit that returns with it.
 */
#define BOOT_F_BENCH_POLL (1u << 5)
/*
 * The ioeventfd targets match 1-byte writes only (a peer VMM's test device,
 * guest-payloads/lib/testdev.h), the datamatch one the value ioevent_dm_value.
 */
#define BOOT_F_IOEVENT_BYTE (1u << 6)
/*
 * A datamatch ioeventfd at ioevent_mmio_gpa + BOOT_IOEVENT_MMIO_DM_OFFSET
 * (4 bytes, BOOT_IOEVENT_DATAMATCH); without the flag there is none.
 */
#define BOOT_F_IOEVENT_MMIO_DM (1u << 7)
#define BOOT_IOEVENT_MMIO_DM_OFFSET 8
/*
 * An interrupt source in the VMM (exit-costs' irq_device tests): a 4-byte
 * write at BOOT_IRQSRC_PORT (an ioeventfd) asks it to fire; a VMM thread then
 * waits the delay last written at BOOT_IRQSRC_PORT + 4 (microseconds), writes
 * the guest TSC of that moment to the 8 bytes at the guest-physical address
 * last written at BOOT_IRQSRC_PORT + 8, and writes an eventfd bound by an
 * irqfd to IOAPIC pin BOOT_IRQSRC_GSI.  Without the flag there is none.
 */
#define BOOT_F_IRQ_SOURCE (1u << 8)
#define BOOT_IRQSRC_PORT  0x0540
#define BOOT_IRQSRC_GSI   23

/* boot_info.ring_mask: which rings the user asked for */
#define BOOT_RING0 (1u << 0)
#define BOOT_RING3 (1u << 3)

struct boot_info {
	uint32_t magic;
	uint32_t version;
	uint64_t mem_size;        /* bytes of RAM from GPA 0 */
	uint64_t free_start;      /* first free byte after the payload image (page aligned) */
	uint64_t free_end;        /* end of RAM usable by the payload */
	uint64_t mailbox_gpa;     /* = BOOT_MAILBOX_GPA */
	uint64_t tsc_khz;         /* guest TSC frequency, 0 if unknown */
	uint32_t flags;           /* BOOT_F_* */
	uint32_t ring_mask;       /* BOOT_RING* */
	uint64_t iterations;      /* fixed sample count per test, 0 = grow to time goal */
	uint64_t time_goal_cycles;/* target TSC cycles per test's timed phase */
	uint16_t bench_port;      /* bench doorbell port */
	uint16_t test_pio_port;   /* VMM-handled test port (reads return a value) */
	uint16_t ioevent_port;    /* ioeventfd, wildcard */
	uint16_t ioevent_dm_port; /* ioeventfd, datamatch BOOT_IOEVENT_DATAMATCH */
	uint64_t test_mmio_gpa;   /* VMM-handled MMIO test register */
	uint64_t ioevent_mmio_gpa;/* ioeventfd-handled MMIO */
	uint64_t coalesced_mmio_gpa; /* coalesced MMIO zone */
	/* version 2 */
	uint64_t params_gpa;      /* "key=value key=value" text (--param), NUL-terminated; 0 = none */
	uint32_t params_len;      /* bytes before the NUL */
	uint32_t host_page_size;  /* bytes per page backing guest RAM on the host (4096, 2 MiB, 1 GiB) */
	uint64_t high_mem_start;  /* RAM above 4 GiB: [start, start + size), 0 size = none */
	uint64_t high_mem_size;
	uint64_t pci_ecam_gpa;    /* PCI configuration space (ECAM, bus 0), 0 = no PCI devices */
	/* version 3 (formerly reserved; 0 keeps the version-2 behaviour) */
	uint32_t repeat;          /* run the test list this many times, interleaved; 0 = 1 */
	uint32_t order;           /* BOOT_ORDER_*: test order within a ring */
	uint64_t order_seed;      /* BOOT_ORDER_RANDOM: the seed; repetition r, ring index k (0: CPL0, 1: CPL3) shuffle with seed + 2r + k */
	uint32_t ioevent_dm_value; /* with BOOT_F_IOEVENT_BYTE; else BOOT_IOEVENT_DATAMATCH */
	/* formerly reserved (0: absent) */
	uint16_t pmtimer_port;    /* ACPI PM timer emulated by the VMM: 32-bit reads, 3.579545 MHz, 24 bits */
	uint16_t kernel_pio_port; /* a port answered inside KVM (the in-kernel PIT's counter 0), 8-bit */
	/* version 4 (0 keeps the version-3 behaviour: one vCPU) */
	uint32_t nvcpus;          /* vCPUs: the boot CPU (APIC ID 0) and APs 1..nvcpus-1, held in INIT until woken */
};

/* boot_info.order */
#define BOOT_ORDER_TABLE  0 /* the payload's table order */
#define BOOT_ORDER_RANDOM 1 /* a seeded shuffle per ring and repetition; the ring's empty test stays first */

#define BOOT_IOEVENT_DATAMATCH 0x1234u

#endif
