/* SPDX-License-Identifier: MIT */
/*
 * Where a test's time went (docs/results-schema.md, "cpu"): the device
 * side's and the vCPU thread's CPU time and the guest's busy time over the
 * timed phases, and the same per operation beside the wall time per
 * operation, so that a reader sees which side bounds the rate.
 */
#ifndef EXITLAB_RESULTS_CPU_H
#define EXITLAB_RESULTS_CPU_H

#include <jansson.h>
#include <stddef.h>

#include "analysis/results.h"

/* Per operation (t->iterations); NAN for what t does not know. */
void test_cpu_per_op(const struct test_result *t, struct test_cpu_per_op *o);

/*
 * The guest's phase and wait time from its metrics (key=value text with
 * phase_cycles and wait_cycles, as the net and blk payloads write them),
 * added to c; tsc_khz converts. false (c unchanged) if either key is
 * missing or malformed, or tsc_khz is not positive.
 */
bool test_cpu_add_guest(struct test_cpu *c, const char *metrics_kv, double tsc_khz);

/* Add "cpu" to test object o. 0, or -1 out of memory. */
int results_cpu_to_json(json_t *o, const struct test_result *t);
/* Read "cpu" (optional: files before it have none) into t->cpu. 0, or -1 with err. */
int results_cpu_from_json(json_t *o, struct test_result *t, char *err, size_t errlen);

#endif
