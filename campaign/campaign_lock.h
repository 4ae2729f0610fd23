/* SPDX-License-Identifier: MIT */
/*
 * One campaign at a time in a results directory: an flock on DIR/.campaign.lock,
 * held by the campaign and by the entry's `exitlab run` it starts, so that a
 * resume after the campaign was killed waits until that run is gone too, and a
 * second campaign never runs the same entries beside the first.
 */
#ifndef EXITLAB_CAMPAIGN_LOCK_H
#define EXITLAB_CAMPAIGN_LOCK_H

#include <stdio.h>

#define CAMPAIGN_LOCK_NAME ".campaign.lock"

/*
 * Take the lock of dir, waiting (with a line on note) while another holds it.
 * Returns the lock's fd (close-on-exec), or -1 with errno.
 */
int campaign_lock(const char *dir, FILE *note);
/*
 * In a child about to exec `exitlab run`: keep holding the lock across the
 * exec (its number in $EXITLAB_CAMPAIGN_LOCK_FD).
 */
void campaign_lock_inherit(int fd);
/*
 * In `exitlab run`: the inherited lock (if any) is held by this process
 * only, not by what it starts (a peer VMM, a back-end).
 */
void campaign_lock_keep_private(void);
/*
 * Remove the temp files a killed writer left in dir and dir/entries
 * (".NAME.XXXXXX", util/atomic_file.c); only under the lock.
 */
void campaign_sweep_temps(const char *dir);

#endif
