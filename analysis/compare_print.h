/* SPDX-License-Identifier: MIT */
/* A comparison as `exitlab compare` prints it: the timing table, or with --counts the counts table. */
#ifndef EXITLAB_COMPARE_PRINT_H
#define EXITLAB_COMPARE_PRINT_H

#include <stdio.h>

#include "analysis/compare.h"

/* Per test: medians, change, its interval, p, verdict; then the verdict counts. */
void cmp_print_table(FILE *f, const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
		     const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS]);
/* Per test: exits and exits to the VMM per op on each side, the verdict; every count that moved. */
void cmp_print_counts(FILE *f, const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
		      const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS]);

#endif
