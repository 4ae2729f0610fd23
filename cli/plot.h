/* SPDX-License-Identifier: MIT */
/*
 * What the plot command's files share: gnuplot plumbing (cmd_plot.c) and the
 * payload-specific charts (plot_tlb.c).  Each chart writes its numbers to a
 * plain data file first, so that it can be redrawn without exitlab.
 */
#ifndef EXITLAB_PLOT_H
#define EXITLAB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "results.h"

/* First string value under key anywhere in j (depth first), or NULL. */
const char *plot_find_string(json_t *j, const char *key);
/* "var='val'" for gnuplot -e, quotes doubled and newlines flattened; malloc'd, NULL on ENOMEM. */
char *plot_gp_assign(const char *var, const char *val);
/* Run gnuplot with argv (argv[0] "gnuplot"); an EXIT_* code, the reason on stderr. */
int plot_run_gnuplot(char **argv);

/* tlb: the refill chart.  Exit kinds in the order the chart shows them. */
enum plot_tlb_kind { PLOT_TLB_NONE, PLOT_TLB_PIO, PLOT_TLB_CPUID, PLOT_TLB_NKINDS };

struct plot_tlb_info {
	int rows;                      /* refill tests written, one per (N, exit) */
	int nn;                        /* distinct N (the clusters) */
	long long n[64];               /* those N, ascending (at most 64 kept) */
	bool kind[PLOT_TLB_NKINDS];    /* exit kinds present */
	double exits_per_pass[PLOT_TLB_NKINDS]; /* mean over N of the host-counted exits; <0: unknown */
	int nrefill;                   /* rows with a derived refill cost (an exit pass and its none pass) */
	bool logy, logy_refill;        /* log scale for the pass chart, for the refill panel */
};

/* Whether t is one of the tests the refill chart draws (an ok, timed "refill"). */
bool plot_tlb_is_refill(const struct test_result *t);
/*
 * OUT.dat for the refill chart: one row per refill test, sorted by N then exit
 * kind, with the refill cost (this pass minus the exit=none pass at the same N)
 * derived.  Returns the row count (0: none to draw), or -1 with errno set.
 */
int plot_tlb_write_data(const struct run_result *r, const char *path, struct plot_tlb_info *info);
/* The TLB tagging and paging mode that the results' host context names, e.g. "VPID on, EPT on". */
void plot_tlb_tagging(json_t *ctx, char *buf, size_t len);
/* gnuplot on OUT.dat with scripts/plot-tlb.gp. */
int plot_tlb_draw(const struct run_result *r, const char *dat, const char *png, const char *script,
		  const struct plot_tlb_info *info);

#endif
