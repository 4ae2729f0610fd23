/* SPDX-License-Identifier: MIT */
/*
 * Filling struct boot_info (include/exitlab/boot_abi.h), everything the
 * payload may not guess, from what the machine knows (its RAM, the image,
 * the CPU) and what the run asks of the payload. Pure: it writes a plain
 * struct, so it is tested without KVM; the machine copies it into guest RAM.
 */
#ifndef EXITLAB_BOOT_INFO_H
#define EXITLAB_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitlab/boot_abi.h"

/* What the machine knows. */
struct boot_layout {
	uint64_t low_size;        /* RAM from GPA 0 */
	uint64_t high_size;       /* RAM from BOOT_HIGH_MEM_GPA, 0 = none */
	uint32_t host_page_size;
	uint64_t image_end;       /* the payload image's highest byte + 1 */
	bool amd;                 /* vmmcall, not vmcall */
	bool irqchip;             /* in-kernel LAPIC: x2APIC */
	uint32_t nvcpus;          /* 1.. */
};

/* What the run asks of the payload. */
struct boot_args {
	uint64_t iterations;      /* 0 = grow to the time goal */
	const char *params;       /* "key=value ..." or NULL/"" */
	uint32_t ring_mask;       /* BOOT_RING0 | BOOT_RING3 */
	uint32_t repeat;
	uint32_t order;           /* BOOT_ORDER_* */
	uint64_t order_seed;
	uint32_t flags;           /* BOOT_F_QUICK, BOOT_F_PVM: the rest is the machine's */
	double goal_ms;           /* time goal per test, turned into cycles once the TSC is known */
};

/*
 * Set the fields the layout and args decide (the device addresses, the PCI
 * window and the TSC are left as they are: a zeroed struct means "none").
 * The params text goes to BOOT_PARAMS_GPA, which the caller copies. 0, or -1
 * with err (params too long, no ring, RAM too small for the image).
 */
int boot_info_fill(struct boot_info *bi, const struct boot_layout *l, const struct boot_args *a,
		   char *err, size_t errlen);
/* The guest TSC frequency (0 = unknown) and the time goal in cycles it gives. */
void boot_info_set_tsc(struct boot_info *bi, uint64_t tsc_khz, double goal_ms);

#endif
