// SPDX-License-Identifier: MIT
#include "guest_bench.h"
#include "desc.h"
#include "ring.h"
#include "runtime.h"
#include "x86.h"

const struct boot_info *boot_info;

void runtime_init(const struct boot_info *bi)
{
	bench_init(bi);
	desc_init();
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION) {
		bench_log("runtime: boot_info magic 0x%x version %u, expected 0x%x version %u",
			  bi->magic, bi->version, BOOT_INFO_MAGIC, BOOT_INFO_VERSION);
		runtime_exit(1);
	}
	boot_info = bi;
	ring3_init();
}

void runtime_exit(int status)
{
	bench_done(status);
	halt_forever();
}
