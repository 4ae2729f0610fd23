/* SPDX-License-Identifier: MIT */
/*
 * `exitlab results list|show|csv` over a walked store (results_store.h):
 * each returns how many manifests or results files it could not read, each
 * named through problem with the reason, so that the caller's exit code can
 * say something was skipped.
 */
#ifndef EXITLAB_RESULTS_BROWSE_H
#define EXITLAB_RESULTS_BROWSE_H

#include <stdio.h>

#include "analysis/results_store.h"

/* The header line of results_list_runs. */
void results_list_header(FILE *f);
/* One line per run of l: campaign, timestamp, host, done/total (results files that read back), status, path. */
int results_list_runs(FILE *f, const struct store_list *l, store_problem_fn problem, void *ctx);
/*
 * test must name a test some readable results file of l holds: 0 if it does
 * (or nothing could be read: the listing names the unreadable files); else
 * -1 with msg saying so, with the closest name.
 */
int results_check_test(const struct store_list *l, const char *test, char *msg, size_t msglen);
/* Each run's header and each entry's context and tables (only test's rows, if test). */
int results_show(FILE *f, const struct store_list *l, const char *test, store_problem_fn problem, void *ctx);
/* The CSV header, then one row per test per readable entry (results_csv.h). */
int results_csv_write(FILE *f, const struct store_list *l, store_problem_fn problem, void *ctx);

#endif
