/* SPDX-License-Identifier: MIT */
/*
 * PVH boot (pvh.S): the start-of-day structure a PVH loader such as QEMU
 * passes in EBX (the public Xen/PVH ABI, "hvm_start_info" version 1), and
 * the translation of it into our struct boot_info.
 */
#ifndef GUEST_PVH_H
#define GUEST_PVH_H

/* boot_abi.h's numbers for pvh.S (gas reads no C); pvh.c asserts they agree. */
#define PVH_PGTABLE_GPA  0x8000
#define PVH_PGTABLE_SIZE 0x7000
#define PVH_STACK_TOP    0x80000
#define PVH_SEL_KCODE    0x08
#define PVH_SEL_KDATA    0x10

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "exitlab/boot_abi.h"

#define PVH_START_MAGIC 0x336ec578u
#define PVH_MEMMAP_RAM  1

struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;   /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* Called by pvh.S in long mode: fill the boot_info at BOOT_INFO_GPA from `si`, return it. */
struct boot_info *pvh_boot_info(uint32_t si);

#endif /* !__ASSEMBLER__ */
#endif
