/* SPDX-License-Identifier: MIT */
/*
 * Host-native baselines, measured exactly as a payload measures in the guest
 * (fenced TSC around one operation per sample, warm-up, iterations grown to
 * a time goal, empty-loop median subtracted), so they sit beside the exit
 * costs as the "no virtualization" reference: an empty sample ("empty"), a
 * system call ("host_syscall": getppid) and an rdtsc ("host_rdtsc").
 */
#ifndef EXITLAB_HOST_BASELINE_H
#define EXITLAB_HOST_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/results.h"

struct host_baseline_cfg {
	uint64_t time_goal_cycles;  /* keep sampling until this much TSC time has passed */
	uint64_t iterations;        /* 0 = grow to the time goal; else exactly this many */
	uint64_t max_samples;       /* cap on samples per test; 0 = HOST_BASELINE_MAX_SAMPLES */
	bool keep_samples;          /* keep each test's samples in it (--raw), as the guest's are */
};

#define HOST_BASELINE_MAX_SAMPLES (1u << 20)

/*
 * Appends one test per operation to r (where="host", ring=-1) with cycle
 * stats after subtracting the host empty-loop median ("empty" itself is
 * reported unsubtracted, like the guest's), and ns stats from tsc_khz
 * (tsc_khz <= 0 leaves ns zeroed; has_timing still holds for cycles).
 * Returns the number of tests added, or -1 when out of memory.
 */
int host_baseline_run(const struct host_baseline_cfg *cfg, double tsc_khz, struct run_result *r);

#endif
