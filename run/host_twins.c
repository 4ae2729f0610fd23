/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "run/host_twins.h"
#include "run/native_chase.h"

#define TWIN_MAX_SETS 32

/* mem-walk: the native chase over each working set the guest measured, 4 KiB pages and THP. */
static int mem_walk_twin(const struct host_twin_ctx *ctx, struct run_result *r)
{
	uint64_t sets[TWIN_MAX_SETS];
	size_t nsets = 0, nguest = r->ntests;
	int added = 0;

	for (size_t i = 0; i < nguest; i++) {
		json_t *p, *ws;
		uint64_t v;
		size_t k;

		if (strcmp(r->tests[i].name, "chase") || r->tests[i].status != TEST_OK ||
		    !r->tests[i].params_json || !(p = json_loads(r->tests[i].params_json, 0, NULL)))
			continue;
		ws = json_object_get(p, "working_set");
		v = json_is_integer(ws) ? (uint64_t)json_integer_value(ws) : 0;
		json_decref(p);
		for (k = 0; k < nsets && sets[k] != v; k++)
			;
		if (v && k == nsets && nsets < TWIN_MAX_SETS)
			sets[nsets++] = v;
	}
	for (size_t k = 0; k < nsets; k++)
		for (int page = NATIVE_PAGE_4K; page <= NATIVE_PAGE_THP; page++) {
			struct native_chase_cfg c = {
				.working_set = sets[k],
				.page = page,
				.time_goal_cycles = ctx->time_goal_cycles,
				.iterations = ctx->iterations,
				.tsc_khz = ctx->tsc_khz,
				.keep_samples = ctx->keep_samples,
			};

			if (native_chase_run(&c, r))
				return -1;
			added++;
		}
	return added;
}

/* One entry per payload that has a host-native twin. */
static const struct {
	const char *payload;
	int (*run)(const struct host_twin_ctx *ctx, struct run_result *r);
} twins[] = {
	{ "mem-walk", mem_walk_twin },
};

int host_twins_run(const struct host_twin_ctx *ctx, struct run_result *r)
{
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (twins[i].payload && !strcmp(twins[i].payload, ctx->payload))
			return twins[i].run(ctx, r);
	return 0;
}
