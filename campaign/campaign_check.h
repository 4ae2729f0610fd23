/* SPDX-License-Identifier: MIT */
/*
 * A campaign file's tests: and params: entries checked against each
 * payload's catalogue (catalogue.h) when the campaign is loaded, so that a
 * typo stops it (exit 2, with "did you mean") before anything runs.
 */
#ifndef EXITLAB_CAMPAIGN_CHECK_H
#define EXITLAB_CAMPAIGN_CHECK_H

#include <stddef.h>

#include "campaign/campaign.h"

/*
 * 0 if every entry's tests and params (its own and the defaults' it
 * inherits, also --test/--param in args:) are declared by its payload, else
 * -1 with err "LINE: entry PAYLOAD: what is wrong".  A payload that cannot be
 * found is left to its run, which reports it.
 */
int campaign_check_catalogue(const struct campaign *c, char *err, size_t errlen);

#endif
