/* SPDX-License-Identifier: MIT */
/*
 * How the charts and the report show each payload (analysis/payload_views.c):
 * one row per payload with a view of its own.  A payload without a row gets
 * the exit-cost bars and a generic line in the report.  A new payload's
 * chart is its file (plot_NAME.c), its row and its scripts/plot-NAME.gp.
 */
#ifndef EXITLAB_PAYLOAD_VIEWS_H
#define EXITLAB_PAYLOAD_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/charts.h"
#include "analysis/results.h"

struct payload_view {
	const char *name;           /* the payload, as results name it */
	const char *what;           /* the report's line on what its tables show */
	chart_fn chart;             /* its chart from a results file (NULL: the exit-cost bars) */
	const char *plot_help;      /* its lines in `exitlab plot --help` (NULL: none) */
	/* an extra section of the report after an entry's tables (NULL: none) */
	void (*section)(FILE *f, const struct run_result *r);
	/*
	 * A device payload (net, blk): several results files share one chart,
	 * and a campaign run gets its <name>-all chart of every such entry.
	 */
	bool device;
	/*
	 * Several results files of a payload that is not a device's (exit-costs
	 * run at several --vcpus): their one chart, its `exitlab plot --help`
	 * lines, and for a campaign run directory whether its entries get it
	 * (as <name>-<many_suffix>), silently none when they do not fit.
	 */
	chart_fn chart_many;
	const char *many_help;
	bool (*many_applies)(const struct run_result *runs, size_t n);
	const char *many_suffix;
};

extern const struct payload_view payload_views[];
extern const size_t npayload_views;

/* The row of payload, or NULL when it has none. */
const struct payload_view *payload_view_find(const char *payload);
/* Whether payload's view draws with chart (the net and blk data writers refuse other payloads). */
bool payload_view_draws(const char *payload, chart_fn chart);
/* The report's line for payload: its row's, else the generic one. */
const char *payload_view_what(const char *payload);

#endif
