// SPDX-License-Identifier: MIT
/*
 * What the device charts (plot_net.c, plot_blk.c) share: which device a run
 * used (its config.devices), the legend name for it, where a log axis draws
 * a zero, the host context of several runs for a title, and the rule on which
 * results files may share one chart (those of a device view, payload_views.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/payload_views.h"
#include "analysis/plot.h"
#include "devices/device_types.h"

int plot_same_payload(const struct run_result *runs, const char *const *names, size_t nruns, char *err,
		      size_t errlen)
{
	const char *p0 = nruns ? runs[0].payload : "";
	const struct payload_view *view;

	for (size_t i = 1; i < nruns; i++)
		if (strncmp(runs[i].payload, p0, sizeof(runs[i].payload))) {
			snprintf(err, errlen, "%s holds %.32s results and %s holds %.32s: one payload per chart",
				 names[0], p0, names[i], runs[i].payload);
			return -1;
		}
	view = payload_view_find(p0);
	if (nruns > 1 && !(view && (view->device || view->chart_many))) {
		char devices[96] = "";
		size_t ndev = 0, k = 0;

		/* "net or blk": the device views, as payload_views.c lists them */
		for (size_t i = 0; i < npayload_views; i++)
			ndev += payload_views[i].device;
		for (size_t i = 0, d = 0; i < npayload_views && k < sizeof(devices); i++)
			if (payload_views[i].device)
				k += snprintf(devices + k, sizeof(devices) - k, "%s%s",
					      !d++ ? "" : d == ndev ? " or " : ", ", payload_views[i].name);
		snprintf(err, errlen, "%zu results files of payload %.32s: only %s results can share a "
			 "chart, and exit-costs results run at several --vcpus, and a Linux guest's (plot one file at a time)", nruns,
			 p0, devices);
		return -1;
	}
	return 0;
}

static void copy_str(char *dst, size_t len, json_t *v)
{
	const char *s = json_string_value(v);

	snprintf(dst, len, "%s", s ? s : "");
	/* a label goes into a data file and a gnuplot string: one printable line */
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < ' ' || *p == '"' || *p == 0x7f)
			*p = '_';
}

/* A disk? As the device's description says ("kind"), or for results written before it had one, the registry. */
static bool dev_is_blk(json_t *dev, const char *model)
{
	const char *kind = json_string_value(json_object_get(dev, "kind"));
	const struct device_type *t = kind ? NULL : device_type_find(model);

	return kind ? !strcmp(kind, device_kind_name(DEVICE_BLK)) : t && t->kind == DEVICE_BLK;
}

bool plot_run_device(const struct run_result *r, bool blk, struct plot_device *d)
{
	json_t *cfg = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	json_t *devs = json_object_get(cfg, "devices"), *dev;
	bool found = false;
	size_t i;

	memset(d, 0, sizeof(*d));
	json_array_foreach(devs, i, dev) {
		const char *model = json_string_value(json_object_get(dev, "model"));

		if (!model || dev_is_blk(dev, model) != blk)
			continue;
		copy_str(d->model, sizeof(d->model), json_object_get(dev, "model"));
		copy_str(d->notify, sizeof(d->notify), json_object_get(dev, "notify"));
		copy_str(d->netdev, sizeof(d->netdev), json_object_get(dev, "netdev"));
		copy_str(d->backend, sizeof(d->backend), json_object_get(dev, "backend"));
		if (!strcmp(d->backend, "vmm"))
			d->backend[0] = 0; /* the VMM's own model: the plain name */
		found = true;
		break;
	}
	json_decref(cfg);
	return found;
}

void plot_device_label(const struct plot_device *d, char *buf, size_t len)
{
	const char *model = d->model[0] ? d->model : "unknown device";

	if (d->backend[0] && d->notify[0] && strcmp(d->notify, "ioeventfd"))
		snprintf(buf, len, "%s (%s, notify=%s)", model, d->backend, d->notify);
	else if (d->backend[0])
		snprintf(buf, len, "%s (%s)", model, d->backend);
	else if (d->notify[0] && strcmp(d->notify, "ioeventfd"))
		snprintf(buf, len, "%s (notify=%s)", model, d->notify);
	else
		snprintf(buf, len, "%s", model);
}

double plot_log_floor(double min_positive)
{
	double f;

	if (!(min_positive > 0) || !isfinite(min_positive))
		return 1e-4;
	f = pow(10, floor(log10(min_positive)) - 1);
	return f < 1e-4 ? f : 1e-4;
}

/* Append s to buf (" / " between) unless it is there already. */
void plot_add_distinct(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf), k = strlen(s);

	for (const char *p = buf; *p;) {
		const char *end = strstr(p, " / ");
		size_t seg = end ? (size_t)(end - p) : strlen(p);

		if (seg == k && !strncmp(p, s, k))
			return;
		p += seg + (end ? 3 : 0);
	}
	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? " / " : "", s);
}

void plot_runs_context(const struct run_result *runs, size_t nruns, char *buf, size_t len)
{
	char cpus[160] = "", backends[96] = "", hk[200];

	for (size_t i = 0; i < nruns; i++) {
		json_t *ctx = runs[i].context_json ? json_loads(runs[i].context_json, 0, NULL) : NULL;
		const char *cpu = plot_find_string(ctx, "model_name");
		const char *backend = plot_find_string(ctx, "backend");

		plot_add_distinct(cpus, sizeof(cpus), cpu ? cpu : "unknown CPU");
		plot_add_distinct(backends, sizeof(backends), backend ? backend : "unknown backend");
		json_decref(ctx);
	}
	plot_runs_host_kernel(runs, nruns, hk, sizeof(hk));
	snprintf(buf, len, "%s - %s - %s", hk, cpus, backends);
}

bool plot_runs_emulated(const struct run_result *runs, size_t nruns, bool (*drawn)(const struct test_result *))
{
	for (size_t i = 0; i < nruns; i++)
		for (size_t j = 0; j < runs[i].ntests; j++)
			if (runs[i].tests[j].emulated && runs[i].tests[j].status == TEST_OK &&
			    (!drawn || drawn(&runs[i].tests[j])))
				return true;
	return false;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double plot_pooled_median(const void *elems, size_t n, size_t size, size_t off)
{
	double v[64], m;
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof(v) / sizeof(v[0]); i++) {
		double x;

		memcpy(&x, (const char *)elems + i * size + off, sizeof(x));
		if (!isnan(x))
			v[k++] = x;
	}
	if (!k)
		return NAN;
	qsort(v, k, sizeof(v[0]), dbl_cmp);
	m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	return m;
}
