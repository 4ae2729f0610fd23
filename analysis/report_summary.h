/* SPDX-License-Identifier: MIT */
/*
 * The top of `exitlab report`: a summary of everything below it (the hosts
 * and kernels, what ran, how many entries and tests were ok, failed or
 * skipped, the claims verdicts of a claims run, and the regressions of the
 * newest run of each campaign against its earlier runs) and a table of
 * contents with a link to every section.  The report fills it while it
 * writes the sections, then puts it first.
 */
#ifndef EXITLAB_REPORT_SUMMARY_H
#define EXITLAB_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/claims.h"
#include "analysis/results.h"
#include "analysis/results_store.h"

struct report_toc_item {
	char id[16];          /* the anchor: "s1", "s2"... */
	char title[200];
	int level;            /* 1: a run or the timeline, 2: a section of it */
};

struct report_regression {
	char test[160];       /* "exit-costs cpuid/cpl3", params after the name when it has some */
	char campaign[128];
	double change;        /* median now / median before - 1 */
	double ci_lo, ci_hi;
};

struct report_summary {
	char hosts[256], kernels[256], cpus[256], backends[128]; /* each distinct value once, " / " */
	char campaigns[256], payloads[256];
	size_t nruns, nloose;                 /* campaign runs; loose results files */
	size_t entries, entries_done, entries_failed, entries_timeout, entries_other;
	size_t tests[3];                      /* by enum test_status: ok, skipped, failed */
	size_t unreadable;                    /* results files that could not be read */
	bool claims;
	size_t verdicts[4];                   /* by enum claim_verdict */
	/* regressions: newest run of each campaign with several against its earlier runs */
	bool compared;
	size_t reg_counts[4];                 /* by enum cmp_verdict */
	char reg_scope[512];                  /* what was compared with what */
	char reg_why[200];                    /* why the first row that could not be compared could not */
	struct report_regression *reg;
	size_t nreg;
	struct report_toc_item *toc;
	size_t ntoc;
};

/* A section for the contents; returns its anchor id (in s, valid until the next add), "" on ENOMEM. */
const char *report_toc_add(struct report_summary *s, int level, const char *title);
/* What a results file adds: its host, kernel, CPU, backend, payload and test statuses. */
void report_summary_add_results(struct report_summary *s, const struct run_result *r);
/* A campaign run (its entries' statuses) or a loose file. */
void report_summary_add_run(struct report_summary *s, const struct store_run *run);
void report_summary_add_claims(struct report_summary *s, const struct claim_row *rows, size_t n);
/*
 * For every campaign with two runs or more in l: its newest run against the
 * earlier ones pooled, as `exitlab compare` judges them (5 % threshold, 99 %
 * confidence).  Unreadable files are left out (the sections name them).
 */
void report_summary_regressions(struct report_summary *s, const struct store_list *l);
/* The summary and the contents, as HTML and as Markdown. */
void report_summary_html(FILE *f, const struct report_summary *s);
void report_summary_md(FILE *f, const struct report_summary *s);
/* The CSS class of a claims verdict or a test status ("v-holds", "st-failed"...). */
const char *report_verdict_class(enum claim_verdict v);
const char *report_status_class(enum test_status st);
void report_summary_free(struct report_summary *s);

#endif
