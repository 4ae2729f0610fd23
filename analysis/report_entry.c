// SPDX-License-Identifier: MIT
/*
 * One results file's section of the report: what its payload shows (its
 * view's line, payload_views.c), the host context, the table of its tests,
 * the payload's own section and the device view, then its charts: drawn by
 * analysis/charts.c, embedded from the list it returns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/payload_views.h"
#include "analysis/report_devices.h"
#include "analysis/report_escape.h"
#include "analysis/report_out.h"
#include "analysis/report_sections.h"
#include "analysis/report_table.h"
#include "analysis/results_store.h"
#include "util/statistics.h"

static char *capture(void (*fn)(FILE *, const struct run_result *), const struct run_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fn(m, r);
	fclose(m);
	if (buf && !*buf) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

static void fmt(char *b, size_t n, bool have, double v, const char *f)
{
	if (have && v == v)
		snprintf(b, n, f, v);
	else
		snprintf(b, n, "-");
}

enum { COLS = 11 };
static const char *const heads[COLS] = { "test", "ring", "iterations", "median cycles", "p99 cycles",
					 "MAD cycles", "median ns", "exits/iter", "user exits/iter", "ops/s",
					 "status" };

static void test_cells(const struct test_result *t, char c[COLS][192])
{
	bool tm = t->has_timing;

	report_test_label(c[0], 192, t);
	if (t->ring < 0)
		snprintf(c[1], 192, "host");
	else
		snprintf(c[1], 192, "cpl%d%s", t->ring, t->emulated ? " (emulated)" : "");
	snprintf(c[2], 192, "%llu", (unsigned long long)t->iterations);
	/* A cost below resolution has only its bound; a percentile its n cannot support, none. */
	if (tm && t->calib.below_resolution && isfinite(t->calib.resolution_cycles))
		snprintf(c[3], 192, "below resolution (< %.0f)", ceil(t->calib.resolution_cycles));
	else if (tm && t->calib.below_resolution)
		snprintf(c[3], 192, "below resolution");
	else
		fmt(c[3], 192, tm && t->cycles.n, t->cycles.median, "%.0f");
	fmt(c[4], 192, tm && t->cycles.n && stats_percentile_supported(t->cycles.n, 99), t->cycles.p99, "%.0f");
	fmt(c[5], 192, tm && t->cycles.n, t->cycles.mad, "%.1f");
	fmt(c[6], 192, tm && t->ns.n, t->ns.median, "%.1f");
	fmt(c[7], 192, t->has_exits, t->exits_per_iteration, "%.3f");
	fmt(c[8], 192, t->has_exits, t->userspace_exits_per_iteration, "%.3f");
	fmt(c[9], 192, true, test_ops_per_s(t), "%.0f");
	if (t->status == TEST_OK && t->invalid)
		snprintf(c[10], 192, "ok, INVALID: %s", t->invalid_reason);
	else if (t->status == TEST_OK)
		snprintf(c[10], 192, "ok");
	else
		snprintf(c[10], 192, "%s: %s", test_status_name(t->status), t->reason);
}

static void context(struct report_out *o, const struct store_run *run, const struct run_result *r)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	char host[128], backend[64], rev[64];

	store_context(r, host, sizeof(host), backend, sizeof(backend), rev, sizeof(rev));
	fprintf(o->html, "<table class=\"ctx\">\n");
	if (o->md)
		fprintf(o->md, "| | |\n|---|---|\n");
	if (!run->loose)
		report_ctx_row(o, "campaign", run->campaign);
	report_ctx_row(o, "host", host);
	report_ctx_row(o, "CPU", ctx ? plot_find_string(ctx, "model_name") : NULL);
	report_ctx_row(o, "kernel", ctx ? plot_find_string(ctx, "release") : NULL);
	report_ctx_row(o, "KVM backend", backend);
	report_ctx_row(o, "exitlab revision", rev);
	report_ctx_row(o, "started", r->started_at);
	fprintf(o->html, "</table>\n");
	if (o->md)
		fprintf(o->md, "\n");
	json_decref(ctx);
}

void report_entry(struct report_out *o, const struct store_run *run, const struct store_entry *e, int idx)
{
	struct run_result r;
	char err[256], *txt;
	const struct payload_view *view;
	struct chart_list drawn = { 0 };
	const struct chart_list *charts;
	int rc = store_load_entry(e, &r, err, sizeof(err)), n = 0;

	fprintf(o->html, "<section>\n");
	/* a loose file is a section of its own; a run's entry is one of the run's */
	report_heading(o, run->loose ? 1 : 2, e->name);
	if (rc <= 0) {
		if (rc < 0) {
			fprintf(stderr, "exitlab report: skipped %s: %s\n", e->results, err);
			o->skipped++;
			o->sum.unreadable++;
		}
		fprintf(o->html, "<p class=\"note\">no results: <span class=\"%s\">",
			rc < 0 || !strcmp(e->status, "failed") || !strcmp(e->status, "timeout") ? "st-failed" :
			"st-skipped");
		report_html_esc(o->html, rc < 0 ? err : e->status);
		fprintf(o->html, "</span>");
		if (rc == 0 && e->reason[0]) {
			fprintf(o->html, " (");
			report_html_esc(o->html, e->reason);
			fprintf(o->html, ")");
		}
		fprintf(o->html, "</p>\n</section>\n");
		if (o->md) {
			fprintf(o->md, "_no results: ");
			report_md_esc(o->md, rc < 0 ? err : e->status);
			if (rc == 0 && e->reason[0]) {
				fprintf(o->md, " — ");
				report_md_esc(o->md, e->reason);
			}
			fprintf(o->md, "_\n\n");
		}
		return;
	}
	report_summary_add_results(&o->sum, &r);
	view = payload_view_find(r.payload);
	report_para(o, REPORT_PARA_WHAT, payload_view_what(r.payload));
	context(o, run, &r);

	fprintf(o->html, "<table class=\"tests\">\n<tr>");
	for (int c = 0; c < COLS; c++)
		fprintf(o->html, "<th>%s</th>", heads[c]);
	fprintf(o->html, "</tr>\n");
	if (o->md) {
		for (int c = 0; c < COLS; c++)
			fprintf(o->md, "| %s ", heads[c]);
		fprintf(o->md, "|\n");
		for (int c = 0; c < COLS; c++)
			fprintf(o->md, "|%s", c < 2 || c == COLS - 1 ? "---" : "--:");
		fprintf(o->md, "|\n");
	}
	for (size_t i = 0; i < r.ntests; i++) {
		char cells[COLS][192];

		test_cells(&r.tests[i], cells);
		fprintf(o->html, "<tr%s>", r.tests[i].status == TEST_OK && !r.tests[i].invalid ? "" : " class=\"bad\"");
		for (int c = 0; c < COLS; c++) {
			if (c == COLS - 1)
				fprintf(o->html, "<td class=\"%s\">", report_status_class(r.tests[i].status));
			else
				fprintf(o->html, "<td%s>", c >= 2 ? " class=\"n\"" : "");
			report_html_esc(o->html, cells[c]);
			fprintf(o->html, "</td>");
		}
		fprintf(o->html, "</tr>\n");
		if (o->md) {
			for (int c = 0; c < COLS; c++) {
				fprintf(o->md, "| ");
				report_md_esc(o->md, cells[c]);
				fprintf(o->md, " ");
			}
			fprintf(o->md, "|\n");
		}
	}
	fprintf(o->html, "</table>\n");
	if (o->md)
		fprintf(o->md, "\ncycles and ns are per operation, round trip from the guest, loop overhead "
			       "subtracted.\n\n");
	fprintf(o->html, "<p class=\"note\">cycles and ns are per operation, round trip from the guest, "
			 "loop overhead subtracted.</p>\n");
	if (view && view->section) {
		report_pre(o, txt = capture(view->section, &r));
		free(txt);
	}
	report_pre(o, txt = capture(report_devices_print, &r));
	free(txt);

	/* a run's charts were drawn with the run; a loose file's are drawn now */
	charts = o->run_charts;
	if (!charts) {
		report_draw_file(o, idx, e->results, plot_has_samples(&r), &drawn);
		charts = &drawn;
	}
	for (size_t i = 0; i < charts->n; i++) {
		const struct chart_file *c = &charts->v[i];
		char alt[192];

		if (c->kind == CHART_COMBINED || c->kind == CHART_TIMELINE || !c->results ||
		    strcmp(c->results, e->results))
			continue;
		snprintf(alt, sizeof(alt), "%s %s of %s", r.payload,
			 c->kind == CHART_CDF ? "CDF of the raw samples" : "chart", e->name);
		report_chart(o, c->path, alt);
		unlink(c->path);
		n++;
	}
	chart_list_free(&drawn);
	if (!n)
		report_para(o, REPORT_PARA_NOTE, "no chart (exitlab plot drew none for this entry)");
	fprintf(o->html, "</section>\n");
	results_free(&r);
}

