/* SPDX-License-Identifier: MIT */
/*
 * The end of a run, whichever VMM ran the payload (exitlab's own in
 * run_exitlab.c, a peer in run_peer.c): one path from collected records to the
 * judged results, the tables and the JSON, so a peer's results are checked
 * exactly as ours are.
 */
#ifndef EXITLAB_RUN_RESULT_H
#define EXITLAB_RUN_RESULT_H

#include <stddef.h>

#include "vmm/catalogue.h"
#include "analysis/results.h"

/* Seconds on CLOCK_MONOTONIC, for a run's duration. */
double run_clock_s(void);
/* Now as "YYYY-MM-DDTHH:MM:SSZ" (UTC), a run's started_at. */
void run_now_iso(char *buf, size_t n);

/*
 * Judge res against what the payload declares (catalogue_check_results,
 * validity_apply), stamp its exit code (code, or EXIT_FAILED when a test
 * failed), duration since t0 and the host's identity, print its tables on
 * stdout and write json_path when given. Returns the run's exit code.
 */
int run_result_finish(struct run_result *res, const struct catalogue *cat, const char *backend, int code,
		      double t0, const char *json_path);

#endif
