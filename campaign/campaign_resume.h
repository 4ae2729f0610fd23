/* SPDX-License-Identifier: MIT */
/*
 * What a resumed campaign executes comes from the campaign file, never from
 * the manifest (docs/campaigns.md): whoever can write a results directory can
 * rewrite its manifest, whose service is a shell command and whose payload
 * and args become an `exitlab run`. The manifest says which entries are left
 * and in what state; the file says what each of them runs.
 */
#ifndef EXITLAB_CAMPAIGN_RESUME_H
#define EXITLAB_CAMPAIGN_RESUME_H

#include <stddef.h>
#include <stdio.h>

#include "campaign/campaign.h"
#include "campaign/campaign_manifest.h"

/*
 * Give every entry that is still to run (pending or running) the commands
 * of the run of the same name in runs, the campaign file's expansion:
 * payload, args, service, scratch disk, timeout and repetition. Where the
 * manifest recorded other ones, a line on note says so (the file's are
 * used); an entry whose name the file does not have is marked failed, with
 * the reason, and is not run; runs of the file that the manifest lacks are
 * counted on note (they are not run). Returns how many entries' records
 * differed from the file or were not in it.
 */
size_t campaign_resume_commands(struct manifest *m, const struct campaign_run *runs, size_t nruns,
				const char *file, FILE *note);

#endif
