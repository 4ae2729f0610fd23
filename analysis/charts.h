/* SPDX-License-Identifier: MIT */
/*
 * Every chart of results files or of a results directory (analysis/charts.c),
 * and the list of the files drawn: `exitlab plot` prints them, the report
 * embeds them.  Which chart a payload gets is its row in payload_views.c.
 */
#ifndef EXITLAB_CHARTS_H
#define EXITLAB_CHARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/plot.h"
#include "analysis/results.h"

enum chart_kind {
	CHART_MAIN,      /* a results file's chart (the bars, or its payload's own) */
	CHART_OPS,       /* tlb: the bar chart of the tests besides refill (OUT-ops) */
	CHART_CDF,       /* the CDF (or CCDF) of the raw samples */
	CHART_COMBINED,  /* a run's <payload>-all chart of every entry of a device payload */
	CHART_TIMELINE,  /* a page of the regression timeline of several runs */
};

struct chart_file {
	char *path;             /* the chart (OUT.png or OUT.svg) */
	char *dat;              /* its numbers */
	char *results;          /* the (first) results file it draws as given; NULL for combined and timeline */
	char payload[32];       /* "" for the timeline */
	enum chart_kind kind;
};

struct chart_list {
	struct chart_file *v;
	size_t n;
};

/*
 * Append a chart that gnuplot drew (only if path is now a regular file: the
 * list holds what was written); 0, or -1 out of memory.
 */
int chart_list_add(struct chart_list *l, const char *path, const char *dat, const char *results,
		   const char *payload, enum chart_kind kind);
void chart_list_free(struct chart_list *l);

/* One chart to draw: runs[0..n) (one payload; several only for a device view) from files names[]. */
struct chart_job {
	const struct run_result *runs;
	const char *const *names;
	size_t n;
	const char *dat, *out;      /* OUT.dat and the chart file */
	enum chart_kind kind;
	struct chart_list *wrote;   /* where a drawn chart is added; NULL: nowhere */
};

/* The results file a job's chart is listed under: none for a run's combined chart. */
static inline const char *chart_job_results(const struct chart_job *j)
{
	return j->kind == CHART_COMBINED ? NULL : j->names[0];
}

/* A payload view's chart (payload_views.c): an EXIT_* code, reasons on stderr, "wrote ..." on stdout. */
typedef int (*chart_fn)(const struct chart_job *j);

/*
 * The exit-cost bars (plot_bars.c) of every timed ok test that skip (if
 * given) does not claim; *rows: how many were drawn (none: EXIT_OK with
 * *rows 0, no file left).  Every payload without a chart of its own gets them.
 */
int plot_bars(const struct chart_job *j, bool (*skip)(const struct test_result *), int *rows);
/* The bars as a payload's whole chart: none to draw is bad input (EXIT_USAGE). */
int plot_bars_chart(const struct chart_job *j);
/* The payload views' own charts (plot_mem_walk.c, plot_tlb.c, plot_net.c, plot_blk.c). */
int plot_mem_walk_chart(const struct chart_job *j);
int plot_tlb_chart(const struct chart_job *j);
int plot_net_chart(const struct chart_job *j);
int plot_blk_chart(const struct chart_job *j);
/* A Linux guest's workloads from one or several runs (any VMM), side by side (plot_guest.c). */
int plot_guest_chart(const struct chart_job *j);
bool plot_guest_applies(const struct run_result *runs, size_t n);
/* Several exit-costs files at different --vcpus: cost and exits against N (plot_vcpus.c). */
int plot_vcpus_chart(const struct chart_job *j);
/* Whether runs (one payload) have an SMP test and two vCPU counts or more: a run directory's vcpus chart. */
bool plot_vcpus_applies(const struct run_result *runs, size_t n);
/* --cdf / --ccdf (plot_cdf.c): the raw samples of runs[0]; none kept is EXIT_USAGE. */
int plot_cdf_chart(const struct chart_job *j, bool ccdf);
/* Whether any ok test of r but the loop overhead kept raw samples (exitlab run --raw): it has a CDF. */
bool plot_has_samples(const struct run_result *r);

struct plot_opts {
	const char *term, *ext;     /* gnuplot terminal and suffix: "pngcairo" ".png" or "svg" ".svg" */
	const char *out;            /* -o: the chart of files, the directory of a directory; NULL: the default */
	bool cdf, ccdf;             /* the CDF (CCDF) of one file's raw samples instead */
	bool scale_given;           /* --scale was given: only the timeline takes it */
	enum plot_scale scale;
};

/*
 * `exitlab plot`: the charts of inputs[0..n), results files of one payload
 * (several only of a device payload), or one directory: a campaign run
 * directory (every done entry's chart, CDFs of raw samples, the device
 * payloads' combined charts; OUTDIR defaults to DIR/plots) or a directory of
 * several runs (the regression timeline).  Every chart drawn is added to
 * wrote (which the caller frees with chart_list_free).  An EXIT_* code, the
 * reasons on stderr, each chart's "wrote ..." line on stdout.
 */
int plot_charts(const char *const *inputs, size_t n, const struct plot_opts *o, struct chart_list *wrote);

#endif
