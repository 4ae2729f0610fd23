/* SPDX-License-Identifier: MIT */
/*
 * Checking a lab hand-in (a directory of results files and answers.md)
 * against its spec (lab_spec.h): one feedback line per item that passes,
 * one per failure (naming the file, the test and what was expected), and a
 * summary.  Results are read with results_read_json, nothing else.
 */
#ifndef EXITLAB_LAB_CHECK_H
#define EXITLAB_LAB_CHECK_H

#include <stdio.h>

#include "analysis/lab_spec.h"
#include "analysis/results.h"

/*
 * Check the hand-in in dir, feedback to out.  The number of items that
 * failed (0: the hand-in passes), or -1 when dir cannot be read (err says
 * why: bad usage, not a failed hand-in).
 */
int lab_check(const struct lab_spec *s, const char *dir, FILE *out, char *err, size_t errlen);

/* The value of a spec field (lab_field_known) in test row t: 0, or -1 when the row lacks it. */
int lab_row_value(const struct test_result *t, const char *field, double *v);

/* context.kvm.backend of a run, or "" when the file does not say. */
void lab_run_backend(const struct run_result *r, char *buf, size_t len);

/* The ranges that apply on backend: its own entry if the test has one, else "any", else NULL. */
const struct lab_ranges *lab_ranges_for(const struct lab_test *t, const char *backend);

#endif
