// SPDX-License-Identifier: MIT
/*
 * hostile: a guest that lies to the VMM. It claims its samples live past the
 * end of guest RAM; the VMM must refuse to read them, stop the VM with a
 * "bench protocol" diagnostic and exit 1, and never touch host memory there.
 */
#include "bench.h"
#include "runtime.h"
#include "catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("hostile", "a guest that lies about its samples: the VMM must refuse them");
TEST("lie", R3, "a PHASE_END whose samples lie past the end of guest RAM");

int payload_main(const struct boot_info *bi)
{
	struct bench_phase_end pe = {
		.iterations = 16,
		.samples_gpa = bi->mem_size - 64, /* 16 samples = 128 bytes: straddles the end */
		.nsamples = 16,
		.ops_per_sample = 1,
	};

	bench_hello("hostile");
	if (!bench_test_begin("lie", 3, 0))
		return 0;
	bench_phase_begin();
	bench_send(BENCH_PHASE_END, &pe, sizeof(pe));
	bench_log("hostile: the VMM accepted a sample array outside RAM");
	return 1;
}
