/* SPDX-License-Identifier: MIT */
/*
 * What a running campaign shows on stderr: on a terminal a bar redrawn in
 * place (done/total, elapsed, an ETA from this session's entries) with a
 * line for each entry that did not finish as done; otherwise one line per
 * finished entry.
 */
#ifndef EXITLAB_CAMPAIGN_PROGRESS_H
#define EXITLAB_CAMPAIGN_PROGRESS_H

#include <stddef.h>

#include "campaign/campaign_manifest.h"

struct campaign_progress {
	int tty;
	size_t total, finished;       /* finished: not pending */
	size_t ran;                   /* entries run in this session */
	double t0, ran_s;
};

/* The bar, with the entry running now (NULL: none); nothing off a terminal. */
void campaign_progress_bar(struct campaign_progress *pg, const char *current);
/* An entry has finished (pg->finished already counts it). */
void campaign_progress_entry(struct campaign_progress *pg, const struct manifest_entry *e);

#endif
