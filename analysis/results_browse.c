/* SPDX-License-Identifier: MIT */
/* `exitlab results list|show|csv` over a walked store (analysis/results_browse.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_devices.h"
#include "analysis/report_memory.h"
#include "analysis/report_table.h"
#include "analysis/results_browse.h"
#include "analysis/results_csv.h"
#include "util/suggest.h"

void results_list_header(FILE *f)
{
	fprintf(f, "%-16s %-22s %-16s %9s  %-10s %s\n", "campaign", "timestamp", "host", "done/total", "status",
		"path");
}

int results_list_runs(FILE *f, const struct store_list *l, store_problem_fn problem, void *ctx)
{
	int skipped = 0;

	for (size_t i = 0; i < l->nruns; i++) {
		const struct store_run *r = &l->runs[i];
		char cnt[48];
		size_t done = 0;

		/* Done means a results file that reads back: check each, name the ones that do not. */
		for (size_t j = 0; j < r->nentries; j++) {
			struct run_result res;
			char err[256];
			int rc = store_load_entry(&r->entries[j], &res, err, sizeof(err));

			if (rc < 0) {
				problem(ctx, r->entries[j].results, err);
				skipped++;
			} else if (rc > 0) {
				done++;
				results_free(&res);
			}
		}
		snprintf(cnt, sizeof(cnt), "%zu/%zu", done, r->nentries);
		fprintf(f, "%-16s %-22s %-16s %9s  %-10s %s\n", r->campaign, r->timestamp[0] ? r->timestamp : "-",
			/* a fleet's host by its inventory name: two names may be one machine */
			r->fleet_host[0] ? r->fleet_host : r->host[0] ? r->host : "-", cnt, r->loose ? "file" : store_run_status(r), r->path);
	}
	return skipped;
}

/* Add name to the set names[0..*n) (no duplicates). */
static void name_add(const char ***names, size_t *n, const char *name)
{
	const char **v;

	for (size_t m = 0; m < *n; m++)
		if (!strcmp((*names)[m], name))
			return;
	v = realloc(*names, (*n + 1) * sizeof(*v));
	if (!v)
		return;
	*names = v;
	v[*n] = strdup(name);
	if (v[*n])
		(*n)++;
}

int results_check_test(const struct store_list *l, const char *test, char *msg, size_t msglen)
{
	const char **names = NULL;
	size_t n = 0, loaded = 0;
	bool found = false;

	for (size_t i = 0; i < l->nruns && !found; i++)
		for (size_t j = 0; j < l->runs[i].nentries && !found; j++) {
			struct run_result res;
			char err[256];

			if (store_load_entry(&l->runs[i].entries[j], &res, err, sizeof(err)) != 1)
				continue;
			loaded++;
			for (size_t k = 0; k < res.ntests && !found; k++) {
				found = !strcmp(res.tests[k].name, test);
				if (!found)
					name_add(&names, &n, res.tests[k].name);
			}
			results_free(&res);
		}
	if (!found && loaded) {
		const char *s = suggest_closest(test, names, n);

		snprintf(msg, msglen, "no test '%s' in these results%s%s%s", test, s ? "; did you mean '" : "",
			 s ? s : "", s ? "'?" : "");
	}
	for (size_t m = 0; m < n; m++)
		free((void *)names[m]);
	free(names);
	return found || !loaded ? 0 : -1;
}

/* r with only the tests named `test` (a shallow view: do not free). */
static struct run_result filtered(const struct run_result *r, const char *test, struct test_result *buf)
{
	struct run_result v = *r;

	if (!test)
		return v;
	v.ntests = 0;
	v.tests = buf;
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, test))
			buf[v.ntests++] = r->tests[i];
	return v;
}

/* One entry's context line and tables. */
static void show_result(FILE *f, const struct run_result *res, const char *test)
{
	char host[128], backend[64], rev[64];
	struct test_result *buf = calloc(res->ntests + 1, sizeof(*buf));
	struct run_result view;

	store_context(res, host, sizeof(host), backend, sizeof(backend), rev, sizeof(rev));
	fprintf(f, "host %s, backend %s, revision %s, payload %s, started %s, %.1f s\n\n", host[0] ? host : "?",
		backend[0] ? backend : "?", rev[0] ? rev : "?", res->payload, res->started_at, res->duration_s);
	if (!buf)
		return;
	view = filtered(res, test, buf);
	if (view.ntests) {
		report_table_print(f, &view, backend[0] ? backend : "?");
		report_memory_print(f, &view);
		report_devices_print(f, &view);
	} else {
		fprintf(f, "(no test %s)\n", test ? test : "");
	}
	free(buf);
}

int results_show(FILE *f, const struct store_list *l, const char *test, store_problem_fn problem, void *ctx)
{
	int skipped = 0;

	for (size_t i = 0; i < l->nruns; i++) {
		const struct store_run *run = &l->runs[i];

		if (i)
			fprintf(f, "\n");
		if (run->loose)
			fprintf(f, "results file %s\n", run->path);
		else
			fprintf(f, "campaign %s, run %s (%zu/%zu entries done, %s)\n", run->campaign, run->path,
				store_run_done(run), run->nentries, store_run_status(run));
		for (size_t j = 0; j < run->nentries; j++) {
			const struct store_entry *e = &run->entries[j];
			struct run_result res;
			char err[256];
			int rc = store_load_entry(e, &res, err, sizeof(err));

			if (rc < 0) {
				problem(ctx, e->results, err);
				skipped++;
				continue;
			}
			if (!run->loose)
				fprintf(f, "\n== %s (%s): %s%s%s\n", e->name, e->payload, e->status,
					e->reason[0] ? ": " : "", e->reason);
			if (!rc)
				continue;
			show_result(f, &res, test);
			results_free(&res);
		}
	}
	return skipped;
}

int results_csv_write(FILE *f, const struct store_list *l, store_problem_fn problem, void *ctx)
{
	int skipped = 0;

	results_csv_header(f);
	for (size_t i = 0; i < l->nruns; i++) {
		const struct store_run *run = &l->runs[i];

		for (size_t j = 0; j < run->nentries; j++) {
			struct run_result res;
			char err[256];
			int rc = store_load_entry(&run->entries[j], &res, err, sizeof(err));

			if (rc < 0) {
				problem(ctx, run->entries[j].results, err);
				skipped++;
			} else if (rc > 0) {
				results_csv_rows_host(f, run->campaign, run->entries[j].name, run->fleet_host, &res);
				results_free(&res);
			}
		}
	}
	return skipped;
}
