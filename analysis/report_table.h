/* SPDX-License-Identifier: MIT */
/* The human table of a run: one line per test, with exits and the host syscall ratio. */
#ifndef EXITLAB_REPORT_TABLE_H
#define EXITLAB_REPORT_TABLE_H

#include <stdio.h>

#include "analysis/results.h"

void report_table_print(FILE *f, const struct run_result *r, const char *backend);
/* A test's name followed by its params values, e.g. "refill 64/pio", "chase 16M/4k/4k". */
/* The footnotes for rows marked INVALID [k] (results.h: invalid), numbered in table order. */
void report_table_invalid_notes(FILE *f, const struct run_result *r);
void report_test_label(char *buf, size_t n, const struct test_result *t);

#endif
