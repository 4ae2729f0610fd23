/* SPDX-License-Identifier: MIT */
/*
 * Host-native twins of guest payloads: the same measurement run as an
 * ordinary host process in the same exitlab run, so the report can show
 * virtualized ÷ native side by side (e.g. mem-walk's pointer chase).
 */
#ifndef EXITLAB_HOST_TWINS_H
#define EXITLAB_HOST_TWINS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/results.h"

struct host_twin_ctx {
	const char *payload;        /* the guest payload's name, e.g. "mem-walk" */
	const char *params;         /* the run's --param list ("k=v k=v"), maybe "" */
	double tsc_khz;
	uint64_t time_goal_cycles;
	uint64_t iterations;        /* 0 = grow to the time goal */
	bool quick;
	bool keep_samples;          /* --raw: the twins keep their samples as the guest's tests do */
};

/*
 * Run the twin of ctx->payload, if it has one, appending where="host" tests
 * to r (params chosen to pair with the guest tests already in r). Returns the
 * number of tests added, 0 when the payload has no twin, -1 on failure (a
 * test marked failed with its reason is not a failure here).
 */
int host_twins_run(const struct host_twin_ctx *ctx, struct run_result *r);

#endif
