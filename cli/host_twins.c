/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "host_twins.h"

/* One entry per payload that has a host-native twin. */
static const struct {
	const char *payload;
	int (*run)(const struct host_twin_ctx *ctx, struct run_result *r);
} twins[] = {
	{ NULL, NULL },
};

int host_twins_run(const struct host_twin_ctx *ctx, struct run_result *r)
{
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (twins[i].payload && !strcmp(twins[i].payload, ctx->payload))
			return twins[i].run(ctx, r);
	return 0;
}
