/* SPDX-License-Identifier: MIT */
/* A comparison as JSON, `exitlab compare --json` (docs/compare.md). */
#ifndef EXITLAB_COMPARE_JSON_H
#define EXITLAB_COMPARE_JSON_H

#include <jansson.h>

#include "analysis/compare.h"

/* The document of rows[0..n) with their verdict counts, timing or counts mode as o says; NULL out of memory. */
json_t *cmp_rows_json(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
		      const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS]);

#endif
