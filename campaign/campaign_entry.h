/* SPDX-License-Identifier: MIT */
/*
 * One campaign entry run as a child `exitlab run` (this same binary) in its
 * own process group: its scratch disk and back-end service set up first,
 * its stdout and stderr kept in DIR/entries/NNN-name.log, its timeout
 * enforced from outside too, and its outcome recorded in the manifest entry
 * (docs/campaigns.md).
 */
#ifndef EXITLAB_CAMPAIGN_ENTRY_H
#define EXITLAB_CAMPAIGN_ENTRY_H

#include <signal.h>

#include "campaign/campaign_manifest.h"
#include "campaign/campaign_progress.h"

#define CAMPAIGN_GRACE_S 15.0      /* past an entry's timeout_s before the runner kills it */
#define CAMPAIGN_STOP_WAIT_S 5.0   /* after SIGTERM to a child before SIGKILL */

/*
 * Run e to its end, its timeout or *stop (a signal number, set by a handler).
 * lock_fd is the campaign's lock (campaign_lock.h), which the child inherits.
 * Returns 1 if *stop interrupted it (the entry is pending again, nothing of
 * the attempt kept), 2 if the manifest could not record its start (nothing
 * ran; pending again), else 0 with e's status, reason and files set.
 */
int campaign_entry_run(struct manifest *m, const char *dir, struct manifest_entry *e,
		       struct campaign_progress *pg, int lock_fd, volatile sig_atomic_t *stop);

#endif
