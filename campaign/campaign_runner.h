/* SPDX-License-Identifier: MIT */
/*
 * Runs a campaign's pending entries one at a time (campaign_entry.h),
 * rewriting the manifest after each, until all have run, SIGINT or SIGTERM
 * arrives (the entry running is stopped and left pending) or the manifest
 * cannot be written any more.  Returns the exit code: EXIT_OK every entry
 * done or skipped, EXIT_FAILED one failed or timed out or the manifest could
 * not be written, 130 interrupted (with the command that resumes).
 */
#ifndef EXITLAB_CAMPAIGN_RUNNER_H
#define EXITLAB_CAMPAIGN_RUNNER_H

#include "campaign/campaign_job.h"

int campaign_run_pending(struct campaign_job *j);

#endif
