// SPDX-License-Identifier: MIT
/*
 * exitlab plot for payload tlb: the refill chart.  x = N (pages touched per
 * pass) as clusters, one bar per exit kind (none, pio, cpuid): the median
 * cycles per access of the pass timed after that exit, whiskers p1..p99; and
 * below, what one exit cost that pass: (exit median - none median) x N.  The
 * numbers go to OUT.dat first (documented in scripts/plot-tlb.gp).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "util/input_file.h"
#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/gnuplot.h"
#include "analysis/plot.h"

#define PLOT_SCRIPT_TLB "plot-tlb.gp"

static const char *const kind_names[PLOT_TLB_NKINDS] = { "none", "pio", "cpuid" };

/* Beyond this, N is not a page count the payload could have touched (it allows 1..4096). */
#define MAX_PAGES (1ll << 30)

struct tlb_point {
	long long n;
	int kind;
	double median, p1, p99;
	double exits_per_pass; /* NAN: not counted */
	size_t order;          /* place in the results file: of two alike, the first is drawn */
};

static int kind_of(const char *s)
{
	for (int k = 0; s && k < PLOT_TLB_NKINDS; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return -1;
}

bool plot_tlb_is_refill(const struct test_result *t)
{
	return !strcmp(t->name, "refill") && t->status == TEST_OK && t->has_timing && t->cycles.n;
}

/* A refill test's (N, exit); false (and a word on stderr) for params the chart cannot place. */
static bool point_of(const struct test_result *t, struct tlb_point *pt)
{
	json_t *p = t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
	json_t *n = json_object_get(p, "n");
	const char *exit = json_string_value(json_object_get(p, "exit"));
	bool ok = false;

	if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > MAX_PAGES)
		fprintf(stderr, "exitlab plot: a refill test without a page count n in 1..%lld: not drawn\n",
			MAX_PAGES);
	else if (!exit)
		fprintf(stderr, "exitlab plot: refill n=%lld has no exit kind: not drawn\n",
			(long long)json_integer_value(n));
	else if (kind_of(exit) < 0)
		fprintf(stderr, "exitlab plot: refill n=%lld has exit '%s', not none, pio or cpuid: not drawn\n",
			(long long)json_integer_value(n), exit);
	else if (!isfinite(t->cycles.median) || !isfinite(t->cycles.p1) || !isfinite(t->cycles.p99))
		fprintf(stderr, "exitlab plot: refill n=%lld exit=%s has non-finite cycles: not drawn\n",
			(long long)json_integer_value(n), exit);
	else
		ok = true;
	if (ok) {
		pt->n = json_integer_value(n);
		pt->kind = kind_of(exit);
		pt->median = t->cycles.median;
		pt->p1 = t->cycles.p1;
		pt->p99 = t->cycles.p99;
		pt->exits_per_pass = t->has_exits ? t->exits_per_iteration * (double)pt->n : NAN;
	}
	json_decref(p);
	return ok;
}

static int point_cmp(const void *a, const void *b)
{
	const struct tlb_point *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The exit=none point at N in the sorted pts, or NULL. */
static const struct tlb_point *none_at(const struct tlb_point *pts, size_t n, long long pages)
{
	for (size_t i = 0; i < n; i++)
		if (pts[i].n == pages && pts[i].kind == PLOT_TLB_NONE)
			return &pts[i];
	return NULL;
}

/* Log scale when the largest value is more than ratio times the smallest, all of them positive. */
static bool wants_log(double lo, double hi, double ratio)
{
	return lo > 0 && hi / lo > ratio;
}

/* Sorted, duplicates dropped; the count, or -1 on ENOMEM. */
static int collect(const struct run_result *r, struct tlb_point **out)
{
	struct tlb_point *pts = calloc(r->ntests + 1, sizeof(*pts));
	size_t n = 0, k = 0;

	*out = pts;
	if (!pts)
		return -1;
	for (size_t i = 0; i < r->ntests; i++)
		if (plot_tlb_is_refill(&r->tests[i]) && point_of(&r->tests[i], &pts[n]))
			pts[n++].order = i;
	qsort(pts, n, sizeof(*pts), point_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k && pts[k - 1].n == pts[i].n && pts[k - 1].kind == pts[i].kind) {
			fprintf(stderr, "exitlab plot: more than one refill n=%lld exit=%s: drawing the first\n",
				pts[i].n, kind_names[pts[i].kind]);
			continue;
		}
		pts[k++] = pts[i];
	}
	return (int)k;
}

int plot_tlb_write_data(const struct run_result *r, const char *path, struct plot_tlb_info *info)
{
	struct tlb_point *pts;
	int n = collect(r, &pts), slot[PLOT_TLB_NKINDS], nslots = 0, cluster = -1, e;
	double lo = INFINITY, hi = -INFINITY, rlo = INFINITY, rhi = -INFINITY;
	double esum[PLOT_TLB_NKINDS] = { 0 };
	int ecount[PLOT_TLB_NKINDS] = { 0 };
	FILE *f;

	memset(info, 0, sizeof(*info));
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		info->kind[pts[i].kind] = true;
	for (int k = 0; k < PLOT_TLB_NKINDS; k++)
		slot[k] = info->kind[k] ? nslots++ : -1;
	f = fopen(path, "we");
	if (!f) {
		e = errno;
		free(pts);
		errno = e;
		return -1;
	}
	fprintf(f, "# exitlab plot data: payload %.32s, started %.32s: TLB refill after one exit\n"
		   "# One row per refill test: touch N pages, take one exit of kind `exit` (or none),\n"
		   "# then time a second pass over the same N pages.  Cycles per access, loop overhead\n"
		   "# subtracted.  exits_per_pass: host-counted exits per timed pass.  refill_*: this\n"
		   "# median minus the exit=none median at the same N, per access and per exit (x N);\n"
		   "# '-' where there is none (the none rows themselves, or no none pass at that N).\n"
		   "# kind: 0 none, 1 pio, 2 cpuid; cluster: index of N; slot: index of the kind among those present\n"
		   "# n exit kind cluster slot median p1 p99 exits_per_pass refill_per_access refill_per_exit\n",
		r->payload, r->started_at);
	for (int i = 0; i < n; i++) {
		const struct tlb_point *p = &pts[i], *none = none_at(pts, n, p->n);
		char epp[32] = "-", dacc[32] = "-", dexit[32] = "-";

		if (!i || p->n != pts[i - 1].n) {
			cluster++;
			if (info->nn < (int)(sizeof(info->n) / sizeof(info->n[0])))
				info->n[info->nn++] = p->n;
		}
		if (cluster >= (int)(sizeof(info->n) / sizeof(info->n[0])))
			break; /* more clusters than a chart can show: the first 64 */
		if (isfinite(p->exits_per_pass)) {
			snprintf(epp, sizeof(epp), "%.4g", p->exits_per_pass);
			esum[p->kind] += p->exits_per_pass;
			ecount[p->kind]++;
		}
		if (p->kind != PLOT_TLB_NONE && none) {
			double d = p->median - none->median;

			snprintf(dacc, sizeof(dacc), "%.6g", d);
			snprintf(dexit, sizeof(dexit), "%.6g", d * (double)p->n);
			rlo = fmin(rlo, d * (double)p->n);
			rhi = fmax(rhi, d * (double)p->n);
			info->nrefill++;
		}
		lo = fmin(lo, p->median);
		hi = fmax(hi, p->p99);
		fprintf(f, "%lld %s %d %d %d %.6g %.6g %.6g %s %s %s\n", p->n, kind_names[p->kind], p->kind,
			cluster, slot[p->kind], p->median, p->p1, p->p99, epp, dacc, dexit);
		info->rows++;
	}
	for (int k = 0; k < PLOT_TLB_NKINDS; k++)
		info->exits_per_pass[k] = ecount[k] ? esum[k] / ecount[k] : -1;
	/* cycles per access span a few (TLB hits) to hundreds (refills, whiskers): log when it must */
	info->logy = wants_log(lo, hi, 10);
	info->logy_refill = info->nrefill > 1 && wants_log(rlo, rhi, 30);
	free(pts);
	if (plot_data_close(f))
		return -1;
	return info->rows;
}

/* A backend parameter as on/off/unknown: Y/N become booleans in the context, older kernels print 1/0. */
static const char *param_state(json_t *ctx, const char *mod, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(ctx, "kvm"), "params"),
						    mod), name);

	if (json_is_boolean(v))
		return json_is_true(v) ? "on" : "off";
	if (json_is_integer(v))
		return json_integer_value(v) ? "on" : "off";
	return "unknown";
}

void plot_tlb_tagging(json_t *ctx, char *buf, size_t len)
{
	const char *b = json_string_value(json_object_get(json_object_get(ctx, "kvm"), "backend"));

	if (b && !strcmp(b, "kvm_intel"))
		snprintf(buf, len, "VPID %s, EPT %s", param_state(ctx, b, "vpid"), param_state(ctx, b, "ept"));
	else if (b && !strcmp(b, "kvm_amd"))
		snprintf(buf, len, "ASID tagging (always on SVM), NPT %s", param_state(ctx, b, "npt"));
	else if (b && !strcmp(b, "kvm_pvm"))
		snprintf(buf, len, "no VPID/ASID (software backend), shadow paging");
	else
		snprintf(buf, len, "TLB tagging unknown");
}

/* The legend text of one exit kind, with what the host counted. */
static void key_text(const struct plot_tlb_info *info, int k, char *buf, size_t len)
{
	static const char *const what[PLOT_TLB_NKINDS] = {
		"none: no exit between the passes", "pio: ioeventfd port write", "cpuid",
	};
	double e = info->exits_per_pass[k];

	if (e < 0)
		snprintf(buf, len, "%s", what[k]);
	else if (k != PLOT_TLB_NONE && e < 0.5)
		snprintf(buf, len, "%s (%.2f exits per pass: took no exit here)", what[k], e);
	else
		snprintf(buf, len, "%s (%.2f exits per pass)", what[k], e);
}

int plot_tlb_draw(const struct run_result *r, const char *dat, const char *png, const char *script,
		  const struct plot_tlb_info *info)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *cpu = plot_find_string(ctx, "model_name"), *backend = plot_find_string(ctx, "backend");
	char title[640], hk[200], tagging[96], nlist[64 * 21 + 1] = "", vars[96], key[PLOT_TLB_NKINDS][128];
	char *e[8] = { 0 };
	int rc = EXIT_FAILED, nslots = 0;
	size_t used = 0;

	plot_tlb_tagging(ctx, tagging, sizeof(tagging));
	plot_host_kernel(ctx, hk, sizeof(hk));
	snprintf(title, sizeof(title), "exitlab tlb: TLB refill after one exit - %s - %s - %s, %s - %.32s",
		 hk, cpu ? cpu : "unknown CPU", backend ? backend : "unknown backend", tagging, r->started_at);
	for (int i = 0; i < info->nn && used + 22 < sizeof(nlist); i++)
		used += snprintf(nlist + used, sizeof(nlist) - used, "%s%lld", i ? " " : "", info->n[i]);
	for (int k = 0; k < PLOT_TLB_NKINDS; k++) {
		nslots += info->kind[k];
		if (info->kind[k])
			key_text(info, k, key[k], sizeof(key[k]));
		else
			key[k][0] = '\0';
	}
	snprintf(vars, sizeof(vars), "nslots=%d; logy=%d; logy_refill=%d; n_refill=%d", nslots, info->logy,
		 info->logy_refill, info->nrefill);
	e[0] = plot_gp_assign("datafile", dat);
	e[1] = plot_gp_assign("outfile", png);
	e[2] = plot_gp_assign("plottitle", title);
	e[3] = plot_gp_assign("nlist", nlist);
	e[4] = plot_gp_assign("key_none", key[PLOT_TLB_NONE]);
	e[5] = plot_gp_assign("key_pio", key[PLOT_TLB_PIO]);
	e[6] = plot_gp_assign("key_cpuid", key[PLOT_TLB_CPUID]);
	e[7] = strdup(vars);
	if (e[0] && e[1] && e[2] && e[3] && e[4] && e[5] && e[6] && e[7]) {
		char *argv[] = { "gnuplot", "-e", e[0], "-e", e[1], "-e", e[2], "-e", e[3], "-e", e[4],
				 "-e", e[5], "-e", e[6], "-e", e[7], (char *)script, NULL };

		rc = plot_run_gnuplot(argv);
	} else {
		fprintf(stderr, "exitlab plot: out of memory\n");
	}
	for (int i = 0; i < 8; i++)
		free(e[i]);
	json_decref(ctx);
	return rc;
}

/*
 * The tlb view: the refill tests as their own chart in OUT, every other test
 * as the bar chart in OUT with "-ops" added.  No refill test: the bars of
 * everything, in OUT.
 */
int plot_tlb_chart(const struct chart_job *j)
{
	const struct run_result *r = &j->runs[0];
	const char *in = j->names[0], *ext = plot_format_ext();
	char *script = plot_find_script(PLOT_SCRIPT_TLB), *ops_png = NULL, *ops_dat = NULL;
	struct plot_tlb_info info;
	int rc = EXIT_FAILED, rows;

	if (!script)
		return EXIT_NOHOST;
	rows = plot_tlb_write_data(r, j->dat, &info);
	if (rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		goto out;
	}
	if (!rows) {
		unlink(j->dat);
		fprintf(stderr, "exitlab plot: %s has no timed refill test: the generic chart instead\n", in);
		rc = plot_bars_chart(j);
		goto out;
	}
	rc = plot_tlb_draw(r, j->dat, j->out, script, &info);
	if (rc != EXIT_OK)
		goto out;
	printf("wrote %s (%d refill tests at %d N; numbers in %s)\n", j->out, rows, info.nn, j->dat);
	if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), r->payload, j->kind)) {
		rc = EXIT_FAILED;
		goto out;
	}

	{
		char ops_ext[16];

		snprintf(ops_ext, sizeof(ops_ext), "-ops%s", ext);
		ops_png = plot_swap_ext(j->out, ext, ops_ext);
	}
	ops_dat = ops_png ? plot_swap_ext(ops_png, ext, ".dat") : NULL;
	if (!ops_png || !ops_dat) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	if (!strcmp(ops_png, in) || !strcmp(ops_dat, in) || input_file_same(ops_png, in) ||
	    input_file_same(ops_dat, in)) {
		fprintf(stderr, "exitlab plot: refusing to overwrite the results file %s (%s)\n", in,
			input_file_same(ops_png, in) ? ops_png : ops_dat);
		rc = EXIT_USAGE;
		goto out;
	}
	{
		struct chart_job ops = *j;

		ops.dat = ops_dat;
		ops.out = ops_png;
		ops.kind = CHART_OPS;
		rc = plot_bars(&ops, plot_tlb_is_refill, &rows);
	}
	if (rc == EXIT_OK && !rows)
		printf("no other timed test: no %s\n", ops_png);
out:
	free(ops_png);
	free(ops_dat);
	free(script);
	return rc;
}
