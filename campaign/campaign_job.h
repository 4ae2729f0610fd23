/* SPDX-License-Identifier: MIT */
/*
 * A campaign about to run (docs/campaigns.md): its file read, parsed,
 * expanded and checked against each payload's catalogue; its results
 * directory new (created, locked, its manifest written from the file) or
 * resumed (locked, its manifest read, the file's commands checked against
 * the hash the manifest recorded).  Each step prints why it failed on stderr
 * and returns the exit code to end with (util/outcome.h), or EXIT_OK.
 */
#ifndef EXITLAB_CAMPAIGN_JOB_H
#define EXITLAB_CAMPAIGN_JOB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "campaign/campaign.h"
#include "campaign/campaign_manifest.h"

struct campaign_job {
	const char *file;         /* the campaign file */
	bool file_recorded;       /* file came from the manifest, not from the user */
	char *text;
	size_t len;
	char hash[64];
	struct campaign c;
	bool parsed;
	struct campaign_run *runs;
	size_t nruns;
	struct manifest m;
	char dir[PATH_MAX];
	int lock_fd;              /* DIR/.campaign.lock, held to the end (campaign_lock.h) */
};

void campaign_job_init(struct campaign_job *j);
/* --resume DIR: wait for a campaign running there, read its manifest; file may be NULL (the manifest's). */
int campaign_job_open_resume(struct campaign_job *j, const char *dir, const char *file);
/* Read, parse, expand and check j->file. */
int campaign_job_load(struct campaign_job *j);
/* The resumed directory's manifest against the loaded file; pending entries run what the file says. */
int campaign_job_resume(struct campaign_job *j, bool force);
/* A new results directory (out, or results/<campaign>/<UTC time>-<host>), locked, with its manifest. */
int campaign_job_create(struct campaign_job *j, const char *out);
void campaign_job_free(struct campaign_job *j);

#endif
