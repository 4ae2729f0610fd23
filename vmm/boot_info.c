/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "vmm/boot_info.h"

int boot_info_fill(struct boot_info *bi, const struct boot_layout *l, const struct boot_args *a,
		   char *err, size_t errlen)
{
	size_t plen = a->params ? strlen(a->params) : 0;

	if (plen >= BOOT_PARAMS_MAX) {
		snprintf(err, errlen, "payload parameters of %zu bytes: at most %d", plen, BOOT_PARAMS_MAX - 1);
		return -1;
	}
	if (!(a->ring_mask & (BOOT_RING0 | BOOT_RING3)) || (a->ring_mask & ~(BOOT_RING0 | BOOT_RING3))) {
		snprintf(err, errlen, "ring mask 0x%x: CPL0, CPL3 or both", a->ring_mask);
		return -1;
	}
	if (l->image_end > l->low_size || l->low_size < BOOT_MAILBOX_GPA + 0x1000) {
		snprintf(err, errlen, "guest RAM of %llu bytes too small for boot_info and the image",
			 (unsigned long long)l->low_size);
		return -1;
	}
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->mem_size = l->low_size;
	bi->free_start = (l->image_end + 0xfff) & ~0xfffULL;
	bi->free_end = l->low_size;
	bi->host_page_size = l->host_page_size;
	bi->high_mem_start = l->high_size ? BOOT_HIGH_MEM_GPA : 0;
	bi->high_mem_size = l->high_size;
	bi->mailbox_gpa = BOOT_MAILBOX_GPA;
	bi->iterations = a->iterations;
	bi->params_gpa = plen ? BOOT_PARAMS_GPA : 0;
	bi->params_len = (uint32_t)plen;
	bi->repeat = a->repeat;
	bi->order = a->order;
	bi->order_seed = a->order_seed;
	bi->ring_mask = a->ring_mask;
	bi->nvcpus = l->nvcpus ? l->nvcpus : 1;
	bi->flags |= (a->flags & (BOOT_F_QUICK | BOOT_F_PVM)) | (l->amd ? BOOT_F_VENDOR_AMD : 0) |
		     (l->irqchip ? BOOT_F_X2APIC : 0);
	return 0;
}

void boot_info_set_tsc(struct boot_info *bi, uint64_t tsc_khz, double goal_ms)
{
	bi->tsc_khz = tsc_khz;
	bi->time_goal_cycles = (uint64_t)(goal_ms * (double)tsc_khz);
}
