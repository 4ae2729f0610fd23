/* SPDX-License-Identifier: MIT */
/*
 * The zero page (struct boot_params of the x86 boot protocol) exitlab hands a
 * Linux kernel, and the e820 map in it. Pure: both are written into plain
 * buffers from the layout below, so the unit tests check them without KVM.
 *
 * Linux guest layout (all below 1 MiB except the kernel, initrd and buffer):
 *   0x6000 GDT, 0x7000 zero page, 0x8000 identity page tables (boot_abi.h),
 *   0x10000 bench mailbox (reserved), 0x20000 command line,
 *   0x9fc00..1 MiB reserved (EBDA, VGA, BIOS area; the ACPI tables at 0xe0000),
 *   the kernel at pref_address, the initrd as high as it fits, and the bench
 *   sample buffer: the top LINUX_BENCH_BUF_LEN bytes of low RAM (reserved).
 */
#ifndef EXITLAB_LINUX_BOOT_PARAMS_H
#define EXITLAB_LINUX_BOOT_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/linux_bzimage.h"

#define LINUX_GDT_GPA        0x6000ULL
#define LINUX_ZERO_PAGE_GPA  0x7000ULL
#define LINUX_CMDLINE_GPA    0x20000ULL
#define LINUX_CMDLINE_MAX    0x10000ULL   /* bytes reserved for it, NUL included */
#define LINUX_EBDA_START     0x9fc00ULL
#define LINUX_ACPI_GPA       0xe0000ULL   /* RSDP first: inside the area Linux scans */
#define LINUX_ACPI_MAX       0x10000ULL
#define LINUX_IOAPIC_GPA     0xfec00000ULL
#define LINUX_LAPIC_GPA      0xfee00000ULL
/* GDT selectors of the 64-bit boot protocol: __BOOT_CS and __BOOT_DS. */
#define LINUX_BOOT_CS        0x10
#define LINUX_BOOT_DS        0x18

/* boot_params offsets outside the setup header. */
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_E820_ENTRIES      0x1e8
#define BP_E820_TABLE        0x2d0
#define BP_E820_MAX          128
#define BP_SIZE              0x1000

enum { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3 };

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

/* What the machine gives the guest. */
struct linux_mem {
	uint64_t low_size;        /* RAM from 0 (at most BOOT_RAM_MAX) */
	uint64_t high_size;       /* RAM from 4 GiB */
	uint64_t mailbox_gpa;     /* one reserved page */
	uint64_t buf_gpa, buf_len;/* reserved sample buffer, 0 len = none */
	uint64_t ecam_gpa, ecam_len; /* PCI ECAM, reserved (0 len = none) */
};

/*
 * The e820 map, sorted, into e[0..max): RAM with the mailbox page, the
 * sample buffer and [EBDA, 1 MiB) cut out as reserved, the ECAM, IOAPIC and
 * LAPIC pages reserved, RAM above 4 GiB. The number of entries.
 */
size_t linux_e820_build(const struct linux_mem *m, struct e820_entry *e, size_t max);

/* What goes into the zero page besides the header the image brings. */
struct linux_params {
	uint64_t cmdline_gpa;
	uint64_t load_addr;
	uint64_t initrd_addr, initrd_size;
	uint64_t rsdp_gpa;        /* 0: none (Linux scans 0xe0000 then) */
};

/*
 * Fill zp[0..BP_SIZE): zeroed, the image's setup header copied
 * (0x1f1..hdr_end), then type_of_loader 0xff, vid_mode 0xffff ("normal"),
 * CAN_USE_HEAP off, code32_start, cmd_line_ptr, ramdisk_image/size,
 * acpi_rsdp_addr (protocol 2.14 and later) and the e820 map.
 */
void linux_zero_page(uint8_t *zp, const void *image, const struct bzimage *k, const struct linux_params *p,
		     const struct e820_entry *e, size_t ne);

#endif
