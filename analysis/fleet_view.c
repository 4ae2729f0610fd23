// SPDX-License-Identifier: MIT
/*
 * The fleet view (fleet_view.h).  Host context comes from each host's
 * campaign manifest (the same collector as every results file's context:
 * exitlab info), so that a host whose entries were all skipped still shows
 * where it ran.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/fleet_view.h"
#include "analysis/plot.h"
#include "analysis/report_table.h"
#include "util/json_out.h"
#include "analysis/compare_stats.h"

#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

void fleet_host_context(const char *host_json, char *backend, size_t bl, char *cpu, size_t cl, char *kernel,
			size_t kl)
{
	json_t *h = host_json ? json_loads(host_json, 0, NULL) : NULL;
	const char *s;

	*backend = *cpu = *kernel = 0;
	if (!h)
		return;
	if ((s = json_string_value(json_object_get(json_object_get(h, "kvm"), "backend"))))
		snprintf(backend, bl, "%s", s);
	if ((s = json_string_value(json_object_get(json_object_get(h, "cpu"), "model_name"))))
		snprintf(cpu, cl, "%s", s);
	if ((s = json_string_value(json_object_get(json_object_get(h, "kernel"), "release"))))
		snprintf(kernel, kl, "%s", s);
	json_decref(h);
}

/* kvm.params of a host object, flattened: {"kvm.halt_poll_ns": "200000", ...} (a new object). */
static json_t *flat_params(const char *host_json)
{
	json_t *h = host_json ? json_loads(host_json, 0, NULL) : NULL, *out = json_object(), *mod, *v;
	const char *mname, *pname;

	json_object_foreach(json_object_get(json_object_get(h, "kvm"), "params"), mname, mod) {
		json_object_foreach(mod, pname, v) {
			char key[256], *txt = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | EXITLAB_JSON_REALS);

			snprintf(key, sizeof(key), "%s.%s", mname, pname);
			json_object_set_new(out, key, json_string(txt ? txt : "?"));
			free(txt);
		}
	}
	json_decref(h);
	return out;
}

/* Which parameters differ between the hosts that have context; each host's string of them. */
static void differing_params(struct fleet_view *v)
{
	json_t **p = calloc(v->m.nhosts + 1, sizeof(*p)), *keys = json_object(), *x;
	const char *k;

	for (size_t i = 0; p && i < v->m.nhosts; i++) {
		p[i] = v->hosts[i].run ? flat_params(v->hosts[i].run->host_json) : NULL;
		json_object_foreach(p[i], k, x)
			json_object_set_new(keys, k, json_true());
	}
	v->nparams = json_object_size(keys);
	json_object_foreach(keys, k, x) {
		const char *first = NULL;
		bool same = true, any = false;

		for (size_t i = 0; p && i < v->m.nhosts; i++) {
			const char *val;

			if (!p[i])
				continue;
			val = json_string_value(json_object_get(p[i], k));
			if (!any)
				first = val, any = true;
			else if ((!first) != (!val) || (first && val && strcmp(first, val)))
				same = false;
		}
		if (same) {
			v->nparams_same++;
			continue;
		}
		for (size_t i = 0; p && i < v->m.nhosts; i++) {
			char *s = v->hosts[i].params;
			size_t n = strlen(s);
			const char *val = p[i] ? json_string_value(json_object_get(p[i], k)) : NULL;

			if (p[i])
				snprintf(s + n, sizeof(v->hosts[i].params) - n, "%s%s=%s", n ? " " : "", k,
					 val ? val : "-");
		}
	}
	for (size_t i = 0; p && i < v->m.nhosts; i++)
		json_decref(p[i]);
	free(p);
	json_decref(keys);
}

int fleet_view_load(const char *dir, const struct store_list *l, struct fleet_view *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	if (fleet_manifest_read(dir, &v->m, err, errlen))
		return -1;
	v->hosts = calloc(v->m.nhosts + 1, sizeof(*v->hosts));
	if (!v->hosts) {
		snprintf(err, errlen, "out of memory");
		fleet_manifest_free(&v->m);
		return -1;
	}
	for (size_t i = 0; i < v->m.nhosts; i++) {
		struct fleet_view_host *vh = &v->hosts[i];
		char want[4400];

		vh->h = &v->m.hosts[i];
		snprintf(want, sizeof(want), "%s/%s/%s", dir, vh->h->name, FLEET_HOST_RESULTS);
		for (size_t k = 0; k < l->nruns && !vh->run; k++)
			if (!l->runs[k].loose && !strcmp(l->runs[k].path, want))
				vh->run = &l->runs[k];
		if (vh->run)
			fleet_host_context(vh->run->host_json, vh->backend, sizeof(vh->backend), vh->cpu,
					   sizeof(vh->cpu), vh->kernel, sizeof(vh->kernel));
	}
	differing_params(v);
	return 0;
}

struct cell {
	double *v;
	size_t n;
};

int fleet_view_rows(const struct fleet_view *v, struct fleet_row **rows_out, size_t *nrows_out, int *unreadable)
{
	size_t nh = v->m.nhosts, nrows = 0;
	struct fleet_row *rows = NULL;
	struct cell *cells = NULL;     /* nrows x nh */

	*rows_out = NULL;
	*nrows_out = 0;
	for (size_t hi = 0; hi < nh; hi++) {
		const struct store_run *run = v->hosts[hi].run;

		for (size_t e = 0; run && e < run->nentries; e++) {
			struct run_result res;
			char err[256];
			int rc = store_load_entry(&run->entries[e], &res, err, sizeof(err));

			if (rc < 0)
				(*unreadable)++;
			if (rc <= 0)
				continue;
			for (size_t t = 0; t < res.ntests; t++) {
				const struct test_result *tr = &res.tests[t];
				char label[200];
				size_t r;
				struct cell *c;

				if (tr->status != TEST_OK || !tr->has_timing || !tr->ns.n)
					continue;
				report_test_label(label, sizeof(label), tr);
				for (r = 0; r < nrows; r++)
					if (!strcmp(rows[r].payload, res.payload) && !strcmp(rows[r].label, label) &&
					    rows[r].ring == tr->ring)
						break;
				if (r == nrows) {
					struct fleet_row *nr = realloc(rows, (nrows + 1) * sizeof(*nr));
					struct cell *nc = nr ? realloc(cells, (nrows + 1) * nh * sizeof(*nc)) : NULL;

					if (nr)
						rows = nr;
					if (!nc) {
						results_free(&res);
						goto oom;
					}
					cells = nc;
					memset(&rows[nrows], 0, sizeof(rows[nrows]));
					memset(&cells[nrows * nh], 0, nh * sizeof(*cells));
					snprintf(rows[nrows].payload, sizeof(rows[nrows].payload), "%s", res.payload);
					snprintf(rows[nrows].label, sizeof(rows[nrows].label), "%s", label);
					rows[nrows].ring = tr->ring;
					nrows++;
				}
				c = &cells[r * nh + hi];
				{
					double *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));

					if (!nv) {
						results_free(&res);
						goto oom;
					}
					c->v = nv;
					c->v[c->n++] = tr->ns.median;
				}
			}
			results_free(&res);
		}
	}
	for (size_t r = 0; r < nrows; r++) {
		rows[r].ns = calloc(nh + 1, sizeof(double));
		if (!rows[r].ns)
			goto oom;
		for (size_t hi = 0; hi < nh; hi++) {
			struct cell *c = &cells[r * nh + hi];

			/* the host's figure: the median of its repetitions' medians */
			rows[r].ns[hi] = c->n ? cmp_median(c->v, c->n) : NAN;
		}
	}
	for (size_t i = 0; i < nrows * nh; i++)
		free(cells[i].v);
	free(cells);
	*rows_out = rows;
	*nrows_out = nrows;
	return 0;
oom:
	for (size_t i = 0; i < nrows * nh && cells; i++)
		free(cells[i].v);
	free(cells);
	fleet_rows_free(rows, nrows);
	return -1;
}

void fleet_rows_free(struct fleet_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].ns);
	free(rows);
}

void fleet_view_free(struct fleet_view *v)
{
	free(v->hosts);
	fleet_manifest_free(&v->m);
	memset(v, 0, sizeof(*v));
}
