// SPDX-License-Identifier: MIT
/*
 * Kernel files of `exitlab run linux --kernel`: the bzImage setup header
 * parser (vmm/linux_bzimage.c) and, for an image it accepts, the load plan
 * and the zero page built from it (vmm/linux_boot_params.c), as the machine
 * does with the RAM `exitlab run linux` gives by default.  The input is the
 * file; its last byte picks the initrd's size, so plans with and without
 * one are both reached.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmm/linux_boot_params.h"
#include "vmm/linux_bzimage.h"

#define RAM_END (240ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t zp[BP_SIZE];
	struct bzimage k;
	struct linux_plan p;
	struct e820_entry e[16];
	struct linux_mem m = { .low_size = 256 << 20, .mailbox_gpa = 0x10000, .buf_gpa = RAM_END,
			       .buf_len = 16 << 20 };
	char err[256];
	uint64_t initrd = size ? (uint64_t)data[size - 1] << 20 : 0;

	if (bzimage_parse(data, size, &k, err, sizeof(err)))
		return 0;
	if (linux_plan(&k, RAM_END, initrd, 40, &p, err, sizeof(err)) == 0) {
		struct linux_params lp = { .cmdline_gpa = LINUX_CMDLINE_GPA, .load_addr = p.load_addr,
					   .initrd_addr = p.initrd_addr, .initrd_size = p.initrd_size };

		if (p.load_addr + k.kernel_len > RAM_END || p.initrd_addr + p.initrd_size > RAM_END)
			abort(); /* the plan left RAM */
		linux_zero_page(zp, data, &k, &lp, e, linux_e820_build(&m, e, 16));
	}
	return 0;
}
