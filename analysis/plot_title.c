// SPDX-License-Identifier: MIT
/*
 * What every chart's title says about where its figures come from: the host
 * by name and its kernel (a results file's context: hostname, kernel.release,
 * as instruments/hostinfo.c writes them), so that two charts side by side are never
 * mistaken for the same machine or the same kernel.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "analysis/plot.h"

/* ctx[key], or ctx.host[key] (the layout docs/results-schema.md's example shows). */
static json_t *ctx_member(json_t *ctx, const char *key)
{
	json_t *v = json_object_get(ctx, key), *host;

	if (v)
		return v;
	host = json_object_get(ctx, "host");
	return json_is_object(host) ? json_object_get(host, key) : NULL;
}

const char *plot_ctx_hostname(json_t *ctx)
{
	json_t *v = ctx_member(ctx, "hostname");

	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

const char *plot_ctx_kernel(json_t *ctx)
{
	json_t *v = ctx_member(ctx, "kernel");

	if (json_is_object(v))
		v = json_object_get(v, "release");
	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

const char *plot_ctx_revision(json_t *ctx)
{
	json_t *v = ctx_member(ctx, "exitlab_revision");

	if (!v)
		v = ctx_member(ctx, "revision");
	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

void plot_host_kernel(json_t *ctx, char *buf, size_t len)
{
	const char *h = plot_ctx_hostname(ctx), *k = plot_ctx_kernel(ctx);

	snprintf(buf, len, "host %s, kernel %s", h ? h : "unknown", k ? k : "unknown");
}

void plot_runs_host_kernel(const struct run_result *runs, size_t nruns, char *buf, size_t len)
{
	char hosts[160] = "", kernels[160] = "";

	for (size_t i = 0; i < nruns; i++) {
		json_t *ctx = runs[i].context_json ? json_loads(runs[i].context_json, 0, NULL) : NULL;
		const char *h = plot_ctx_hostname(ctx), *k = plot_ctx_kernel(ctx);

		plot_add_distinct(hosts, sizeof(hosts), h ? h : "unknown");
		plot_add_distinct(kernels, sizeof(kernels), k ? k : "unknown");
		json_decref(ctx);
	}
	snprintf(buf, len, "host %s, kernel %s", nruns ? hosts : "unknown", nruns ? kernels : "unknown");
}
