/* SPDX-License-Identifier: MIT */
/*
 * What the device payloads' charts (plot_net.c, plot_blk.c) share: the data
 * file written, one file without a test of the device's kind falling back to
 * the exit-cost bars, several files without any being bad input, the chart
 * drawn and listed.
 */
#ifndef EXITLAB_PLOT_DEVICE_H
#define EXITLAB_PLOT_DEVICE_H

#include <stddef.h>

#include "analysis/charts.h"

struct device_chart {
	const char *script;  /* "plot-net.gp" */
	const char *tests;   /* the tests it draws, for the messages: "tx or rx" */
	/* OUT.dat from the job's files: rows written, or -1 with errno. */
	int (*write_data)(const struct chart_job *j, void *info);
	/* The chart from OUT.dat: an EXIT_* code. */
	int (*draw)(const struct chart_job *j, const char *script, const void *info);
	/* The words inside "wrote OUT (...; numbers in OUT.dat)". */
	void (*describe)(char *buf, size_t len, const struct chart_job *j, int rows, const void *info);
};

/* Draw c for j, info the chart's own scratch (its plot_*_info): an EXIT_* code. */
int plot_device_chart(const struct chart_job *j, const struct device_chart *c, void *info);

#endif
