/* SPDX-License-Identifier: MIT */
/*
 * mem-walk's host-native twin: the same chain (include/exitlab/chase.h),
 * timed the same way (lfence; rdtsc; lfence around 256 dependent loads, the
 * empty sample's median subtracted), in this host process, over memory
 * backed by 4 KiB pages or transparent huge pages.
 */
#ifndef EXITLAB_NATIVE_CHASE_H
#define EXITLAB_NATIVE_CHASE_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/results.h"

#define NATIVE_CHASE_STEPS 256  /* loads per sample: as the guest */

enum native_page { NATIVE_PAGE_4K, NATIVE_PAGE_THP };

struct native_chase_cfg {
	uint64_t working_set;      /* bytes, a multiple of 4 KiB */
	enum native_page page;
	uint64_t time_goal_cycles;
	uint64_t iterations;       /* samples; 0 = grow to the time goal */
	double tsc_khz;
	bool keep_samples;         /* keep the per-load cycle samples in the test (--raw) */
};

/* Append one where="host" test "native_chase" (ok, skipped or failed with a reason). -1: out of memory. */
int native_chase_run(const struct native_chase_cfg *cfg, struct run_result *r);

#endif
