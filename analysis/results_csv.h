/* SPDX-License-Identifier: MIT */
/* CSV export of results (RFC 4180): one row per test per store entry, for spreadsheets. */
#ifndef EXITLAB_RESULTS_CSV_H
#define EXITLAB_RESULTS_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/results.h"

/* One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled). */
void csv_field(FILE *f, const char *s);
/* A test's params object flattened as "k=v;k=v" in the file's key order ("" if none); malloc'd. */
char *csv_params(const struct test_result *t);
void results_csv_header(FILE *f);
/* One row per test of r; campaign and entry name where it came from. */
void results_csv_rows(FILE *f, const char *campaign, const char *entry, const struct run_result *r);
/* The same with the fleet_host column (a fleet run's inventory name; NULL or "" outside a fleet). */
void results_csv_rows_host(FILE *f, const char *campaign, const char *entry, const char *fleet_host,
			   const struct run_result *r);

#endif
