// SPDX-License-Identifier: MIT
/*
 * The mem-walk chart: time per access of the pointer chase against the
 * working set, one line per configuration (guest and host page sizes), the
 * native chases beside them.  The numbers go to OUT.dat first, one block per
 * configuration (scripts/plot-mem-walk.gp reads them).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/outcome.h"
#include "analysis/charts.h"

#define PLOT_SCRIPT_MEM_WALK "plot-mem-walk.gp"

/* mem-walk: one data block per configuration, guest ones first, then the native twins. */
struct mw_point {
	char series[48];
	long long ws;
	double value;
	bool native;
};

static int mw_cmp(const void *a, const void *b)
{
	const struct mw_point *x = a, *y = b;
	int c = (int)x->native - (int)y->native;

	if (!c)
		c = strcmp(x->series, y->series);
	if (!c)
		c = x->ws < y->ws ? -1 : x->ws > y->ws;
	return c;
}

static int write_mem_walk_data(const struct run_result *r, const char *path, int *nguest, int *nnative,
			       bool *ns)
{
	struct mw_point *pts = calloc(r->ntests + 1, sizeof(*pts));
	size_t n = 0;
	FILE *f;

	*nguest = *nnative = 0;
	*ns = true;
	if (!pts)
		return -1;
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].has_timing && !r->tests[i].ns.n)
			*ns = false;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		bool native = !strcmp(t->name, "native_chase");
		json_t *p;

		if ((!native && strcmp(t->name, "chase")) || t->status != TEST_OK || !t->has_timing ||
		    !t->params_json || !(p = json_loads(t->params_json, 0, NULL)))
			continue;
		pts[n].native = native;
		pts[n].ws = json_integer_value(json_object_get(p, "working_set"));
		pts[n].value = *ns ? t->ns.median : t->cycles.median;
		if (native)
			snprintf(pts[n].series, sizeof(pts[n].series), "native, %s pages",
				 json_string_value(json_object_get(p, "host_page")) ?: "?");
		else
			snprintf(pts[n].series, sizeof(pts[n].series), "guest %s pages, host %s",
				 json_string_value(json_object_get(p, "guest_page")) ?: "?",
				 json_string_value(json_object_get(p, "host_page")) ?: "?");
		json_decref(p);
		if (pts[n].ws > 0 && pts[n].value > 0)
			n++;
	}
	qsort(pts, n, sizeof(*pts), mw_cmp);
	f = fopen(path, "w");
	if (!f) {
		free(pts);
		return -1;
	}
	fprintf(f, "# exitlab mem-walk: %s per access vs working set (bytes), one block per configuration\n",
		*ns ? "ns" : "cycles");
	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(pts[i].series, pts[i - 1].series) || pts[i].native != pts[i - 1].native) {
			fprintf(f, "%s\"%s\"\n", i ? "\n\n" : "", pts[i].series);
			*(pts[i].native ? nnative : nguest) += 1;
		}
		fprintf(f, "%lld %.6g\n", pts[i].ws, pts[i].value);
	}
	free(pts);
	/* a data file cut short by a full disk would be drawn as if whole */
	if (ferror(f) | fclose(f))
		return -1;
	return (int)n;
}

static int draw_mem_walk(const struct run_result *r, const char *dat, const char *png, const char *script,
			 int nguest, int nnative, bool ns)
{
	const char *cpu = NULL, *backend = NULL, *mode;
	char title[640], vars[160], hk[200], *e[4] = { 0 };
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	int rc = EXIT_FAILED;

	plot_host_kernel(ctx, hk, sizeof(hk));
	cpu = plot_find_string(ctx, "model_name");
	backend = plot_find_string(ctx, "backend");
	mode = !backend ? "unknown paging" : !strcmp(backend, "kvm_pvm") ? "shadow paging (PVM)" :
	       !strcmp(backend, "kvm_intel") ? "EPT unless ept=0" : !strcmp(backend, "kvm_amd") ?
	       "NPT unless npt=0" : "unknown paging";
	snprintf(title, sizeof(title), "exitlab mem-walk: pointer chase, one load per 4 KiB page - %s - %s - %s, %s - %.32s",
		 hk, cpu ? cpu : "unknown CPU", backend ? backend : "unknown backend", mode, r->started_at);
	snprintf(vars, sizeof(vars), "n_guest=%d; n_native=%d; unit='%s'", nguest, nnative, ns ? "ns" : "cycles");
	e[0] = plot_gp_assign("datafile", dat);
	e[1] = plot_gp_assign("outfile", png);
	e[2] = plot_gp_assign("plottitle", title);
	e[3] = strdup(vars);
	if (e[0] && e[1] && e[2] && e[3]) {
		char *argv[] = { "gnuplot", "-e", e[0], "-e", e[1], "-e", e[2], "-e", e[3], (char *)script, NULL };

		rc = plot_run_gnuplot(argv);
	}
	for (int i = 0; i < 4; i++)
		free(e[i]);
	json_decref(ctx);
	return rc;
}

int plot_mem_walk_chart(const struct chart_job *j)
{
	char *script = plot_find_script(PLOT_SCRIPT_MEM_WALK);
	int rc, rows, nguest, nnative;
	bool ns;

	if (!script)
		return EXIT_NOHOST;
	rows = write_mem_walk_data(&j->runs[0], j->dat, &nguest, &nnative, &ns);
	if (rows <= 0) {
		if (rows < 0)
			fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		else
			fprintf(stderr, "exitlab plot: %s has no timed chase to plot\n", j->names[0]);
		unlink(j->dat);
		free(script);
		return rows < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	rc = draw_mem_walk(&j->runs[0], j->dat, j->out, script, nguest, nnative, ns);
	if (rc == EXIT_OK) {
		printf("wrote %s (%d points; numbers in %s)\n", j->out, rows, j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), j->runs[0].payload, j->kind))
			rc = EXIT_FAILED;
	}
	free(script);
	return rc;
}
