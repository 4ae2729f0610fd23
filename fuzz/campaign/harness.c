// SPDX-License-Identifier: MIT
/*
 * Campaign files: the YAML parser (campaign/campaign_parse.c), the expansion of
 * a parsed campaign into its runs (campaign/campaign_expand.c) and the check of
 * its tests and params against each payload's catalogue
 * (campaign/campaign_check.c).  The input is the campaign file's text, passed
 * with its length as `exitlab campaign` passes what it read (it may hold
 * NULs; the parser refuses them).  The catalogue check reads the payloads
 * from build/payloads/ (the harness runs from the repository root, as
 * make fuzz does); a payload it cannot find is skipped, as in a real run.
 */
#include <stdint.h>
#include <stdlib.h>

#include "campaign/campaign.h"
#include "campaign/campaign_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct campaign c;
	struct campaign_run *runs;
	size_t nruns;
	char err[512];

	if (campaign_parse((const char *)data, size, &c, err, sizeof(err)))
		return 0;
	if (campaign_expand(&c, &runs, &nruns, err, sizeof(err)) == 0)
		campaign_runs_free(runs, nruns);
	campaign_check_catalogue(&c, err, sizeof(err));
	campaign_free(&c);
	return 0;
}
