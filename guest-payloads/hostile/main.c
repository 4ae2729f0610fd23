// SPDX-License-Identifier: MIT
/*
 * hostile: a guest that lies to the VMM. "huge" claims a phase of 2^63
 * iterations, more than the results can hold: the VMM must refuse that phase,
 * fail the test with a reason and go on ("after" then runs normally). "lie"
 * claims its samples live past the end of guest RAM; the VMM must refuse to
 * read them, stop the VM with a "bench protocol" diagnostic and exit 1, and
 * never touch host memory there.
 */
#include "guest_bench.h"
#include "runtime.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("hostile", "a guest that lies about its samples: the VMM must refuse them");
TEST("huge", R3, "a PHASE_END of 2^63 iterations: that test fails, the run goes on");
TEST("after", R3, "a plain one-sample phase after huge: kept");
TEST("lie", R3, "a PHASE_END whose samples lie past the end of guest RAM");

static uint64_t samples[1] = { 100 };

/* One phase of nsamples x ops iterations, as the guest claims it; TEST_END ok. */
static void claim(const char *name, uint64_t ops)
{
	if (!bench_test_begin(name, 3, 0))
		return;
	bench_phase_begin();
	bench_phase_end(ops, samples, 1, ops);
	bench_test_end(BENCH_STATUS_OK, "");
}

int payload_main(const struct boot_info *bi)
{
	struct bench_phase_end pe = {
		.iterations = 16,
		.samples_gpa = bi->mem_size - 64, /* 16 samples = 128 bytes: straddles the end */
		.nsamples = 16,
		.ops_per_sample = 1,
	};

	bench_hello("hostile");
	claim("huge", 1ULL << 63);
	claim("after", 1);
	if (!bench_test_begin("lie", 3, 0))
		return 0;
	bench_phase_begin();
	bench_send(BENCH_PHASE_END, &pe, sizeof(pe));
	bench_log("hostile: the VMM accepted a sample array outside RAM");
	return 1;
}
