/* SPDX-License-Identifier: MIT */
/* mem-walk's summary: virtualized ÷ native per working set and guest page size. */
#ifndef EXITLAB_REPORT_MEMORY_H
#define EXITLAB_REPORT_MEMORY_H

#include <stdio.h>

#include "results.h"

/* Prints nothing unless the run has mem-walk's chase and native_chase tests. */
void report_memory_print(FILE *f, const struct run_result *r);

#endif
