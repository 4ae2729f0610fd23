/* SPDX-License-Identifier: MIT */
/*
 * The calibration members of a test in the results JSON (docs/results-schema.md):
 * overhead, below_resolution, resolution_cycles, p1_small_sample,
 * p99_small_sample, noisy, noise, repeats. All optional on reading, so files
 * written before them still read (their flags are then derived from the stats).
 */
#ifndef EXITLAB_RESULTS_CALIB_H
#define EXITLAB_RESULTS_CALIB_H

#include <jansson.h>
#include <stddef.h>

#include "analysis/results.h"

/* Add the members to test object o. 0, or -1 out of memory. */
int results_calib_to_json(json_t *o, const struct test_result *t);

/*
 * Read them from test object o into t->calib (t's timing already read).
 * 0, or -1 with err naming the member and what is wrong with it.
 */
int results_calib_from_json(json_t *o, struct test_result *t, char *err, size_t errlen);

#endif
