/* SPDX-License-Identifier: MIT */
/* The report's sections (analysis/report.c, analysis/report_entry.c) as they call each other. */
#ifndef EXITLAB_REPORT_SECTIONS_H
#define EXITLAB_REPORT_SECTIONS_H

#include <stdbool.h>

#include "analysis/charts.h"
#include "analysis/report_out.h"
#include "analysis/results_store.h"

/* One entry of a run, or a loose results file (idx numbers its charts in o->tmp). */
void report_entry(struct report_out *o, const struct store_run *run, const struct store_entry *e, int idx);
/*
 * The charts of a loose results file, drawn into o->tmp as NNN.png (tlb:
 * also NNN-ops.png) and, when cdf, NNN-cdf.png: added to wrote.
 */
void report_draw_file(struct report_out *o, int idx, const char *file, bool cdf, struct chart_list *wrote);

/* A fleet run directory's hosts and its test x host table (analysis/report_fleet.c). */
void report_fleet(struct report_out *o, const struct store_list *l, const char *dir);

#endif
