// SPDX-License-Identifier: MIT
/*
 * exitlab report's summary and contents (report_summary.h): counted while
 * the report writes its sections, written above them.  Each count is a word
 * and a number, so the summary reads the same without its colours.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/compare.h"
#include "analysis/plot.h"
#include "analysis/report_escape.h"
#include "analysis/report_summary.h"

/* The same judgement `exitlab compare` gives by default (cli/cmd_compare.c). */
#define SUMMARY_THRESHOLD 0.05
#define SUMMARY_CONFIDENCE 0.99
#define SUMMARY_RESAMPLES 2000
#define SUMMARY_SEED 0x657869746c6162ULL

const char *report_toc_add(struct report_summary *s, int level, const char *title)
{
	struct report_toc_item *n = realloc(s->toc, (s->ntoc + 1) * sizeof(*n));

	if (!n)
		return "";
	s->toc = n;
	n = &s->toc[s->ntoc++];
	snprintf(n->id, sizeof(n->id), "s%zu", s->ntoc);
	snprintf(n->title, sizeof(n->title), "%s", title);
	n->level = level;
	return n->id;
}

void report_summary_add_results(struct report_summary *s, const struct run_result *r)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *h = plot_ctx_hostname(ctx), *k = plot_ctx_kernel(ctx);
	const char *cpu = plot_find_string(ctx, "model_name"), *b = plot_find_string(ctx, "backend");

	plot_add_distinct(s->hosts, sizeof(s->hosts), h ? h : "unknown");
	plot_add_distinct(s->kernels, sizeof(s->kernels), k ? k : "unknown");
	plot_add_distinct(s->cpus, sizeof(s->cpus), cpu ? cpu : "unknown");
	plot_add_distinct(s->backends, sizeof(s->backends), b ? b : "unknown");
	plot_add_distinct(s->payloads, sizeof(s->payloads), r->payload[0] ? r->payload : "?");
	for (size_t i = 0; i < r->ntests; i++)
		if ((unsigned)r->tests[i].status < 3)
			s->tests[r->tests[i].status]++;
	json_decref(ctx);
}

void report_summary_add_run(struct report_summary *s, const struct store_run *run)
{
	if (run->loose) {
		s->nloose++;
		return;
	}
	s->nruns++;
	plot_add_distinct(s->campaigns, sizeof(s->campaigns), run->campaign);
	for (size_t i = 0; i < run->nentries; i++) {
		const char *st = run->entries[i].status;

		s->entries++;
		if (!strcmp(st, "done"))
			s->entries_done++;
		else if (!strcmp(st, "failed"))
			s->entries_failed++;
		else if (!strcmp(st, "timeout"))
			s->entries_timeout++;
		else
			s->entries_other++;
	}
}

void report_summary_add_claims(struct report_summary *s, const struct claim_row *rows, size_t n)
{
	s->claims = true;
	for (size_t i = 0; i < n; i++)
		if ((unsigned)rows[i].verdict < 4)
			s->verdicts[rows[i].verdict]++;
}

/* Every done entry of run into side; unreadable ones are left to the report's sections. */
static void side_add(struct cmp_side *side, const struct store_run *run)
{
	for (size_t i = 0; i < run->nentries; i++) {
		struct run_result r;
		char err[256];

		if (store_load_entry(&run->entries[i], &r, err, sizeof(err)) == 1)
			cmp_side_add_run(side, &r, err, sizeof(err));
		results_free(&r);
	}
}

static void add_regression(struct report_summary *s, const char *campaign, const struct cmp_row *row)
{
	const struct cmp_test *t = row->cur ? row->cur : row->base;
	struct report_regression *n = realloc(s->reg, (s->nreg + 1) * sizeof(*n));

	if (!n || !t)
		return;
	s->reg = n;
	n = &s->reg[s->nreg++];
	snprintf(n->test, sizeof(n->test), "%s %s/%s%s%.60s", t->payload, t->name,
		 t->ring < 0 ? "host" : t->ring == 0 ? "cpl0" : "cpl3", t->params ? " " : "", t->params ? t->params : "");
	snprintf(n->campaign, sizeof(n->campaign), "%s", campaign);
	n->change = row->change;
	n->ci_lo = row->has_stats ? row->ci_lo : NAN;
	n->ci_hi = row->has_stats ? row->ci_hi : NAN;
}

void report_summary_regressions(struct report_summary *s, const struct store_list *l)
{
	const struct cmp_opts o = { .threshold = SUMMARY_THRESHOLD, .confidence = SUMMARY_CONFIDENCE,
				    .resamples = SUMMARY_RESAMPLES, .seed = SUMMARY_SEED };
	const struct store_run **runs = calloc(l->nruns + 1, sizeof(*runs));
	size_t used = 0;

	if (!runs)
		return;
	for (size_t i = 0; i < l->nruns; i++) {
		const char *c = l->runs[i].campaign, *fh = l->runs[i].fleet_host;
		bool seen = false;
		size_t n = 0;

		if (l->runs[i].loose)
			continue;
		/* a fleet host's history is its own: runs of one campaign on other hosts are not earlier runs */
		for (size_t j = 0; j < i && !seen; j++)
			seen = !l->runs[j].loose && !strcmp(l->runs[j].campaign, c) && !strcmp(l->runs[j].fleet_host, fh);
		if (seen)
			continue;
		for (size_t j = i; j < l->nruns; j++)
			if (!l->runs[j].loose && !strcmp(l->runs[j].campaign, c) && !strcmp(l->runs[j].fleet_host, fh))
				runs[n++] = &l->runs[j];
		if (n < 2)
			continue;
		plot_runs_by_time(runs, n);
		{
			struct cmp_side base = { 0 }, cur = { 0 };
			struct cmp_row *rows = NULL;
			size_t nrows = 0;
			char err[256];

			for (size_t j = 0; j + 1 < n; j++)
				side_add(&base, runs[j]);
			side_add(&cur, runs[n - 1]);
			if (!cmp_compare(&base, &cur, &o, &rows, &nrows, err, sizeof(err))) {
				s->compared = true;
				for (size_t k = 0; k < nrows; k++) {
					if ((unsigned)rows[k].verdict < 4)
						s->reg_counts[rows[k].verdict]++;
					if (rows[k].verdict == CMP_REGRESSED)
						add_regression(s, c, &rows[k]);
					if (rows[k].verdict == CMP_NOT_COMPARABLE && !s->reg_why[0])
						snprintf(s->reg_why, sizeof(s->reg_why), "%.190s", rows[k].reason);
				}
				if (used < sizeof(s->reg_scope))
					used += (size_t)snprintf(s->reg_scope + used, sizeof(s->reg_scope) - used,
								 "%scampaign %s: the newest run (%s) against the %zu "
								 "before it", used ? "; " : "", c,
								 runs[n - 1]->timestamp, n - 1);
			}
			free(rows);
			cmp_side_free(&base);
			cmp_side_free(&cur);
		}
	}
	free(runs);
}

const char *report_verdict_class(enum claim_verdict v)
{
	static const char *const c[] = { "v-holds", "v-differs", "v-unmeasurable", "v-unmeasured" };

	return (unsigned)v < 4 ? c[v] : "";
}

const char *report_status_class(enum test_status st)
{
	return st == TEST_OK ? "st-ok" : st == TEST_FAILED ? "st-failed" : "st-skipped";
}

/* One count of the summary: "<span class=C>N word</span>", or in Markdown the words alone. */
struct count {
	const char *cls, *word;
	size_t n;
};

static void counts_html(FILE *f, const struct count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s<span class=\"%s\">%zu %s</span>", i ? " &middot; " : "", c[i].n ? c[i].cls : "zero",
			c[i].n, c[i].word);
}

static void counts_md(FILE *f, const struct count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s%zu %s%s", i ? ", " : "", c[i].n && !strcmp(c[i].cls, "st-failed") ? "**" : "", c[i].n,
			c[i].word, c[i].n && !strcmp(c[i].cls, "st-failed") ? "**" : "");
}

/* The summary as rows of (label, counts or text); the caller's format writes them. */
struct row_writer {
	FILE *f;
	bool md;
};

static void row_start(const struct row_writer *w, const char *label)
{
	if (w->md)
		fprintf(w->f, "| %s | ", label);
	else
		fprintf(w->f, "<tr><th>%s</th><td>", label);
}

static void row_end(const struct row_writer *w)
{
	fputs(w->md ? " |\n" : "</td></tr>\n", w->f);
}

static void row_text(const struct row_writer *w, const char *label, const char *text)
{
	if (!text || !*text)
		return;
	row_start(w, label);
	if (w->md)
		report_md_esc(w->f, text);
	else
		report_html_esc(w->f, text);
	row_end(w);
}

static void row_counts(const struct row_writer *w, const char *label, const struct count *c, size_t n)
{
	row_start(w, label);
	if (w->md)
		counts_md(w->f, c, n);
	else
		counts_html(w->f, c, n);
	row_end(w);
}

static void summary_rows(const struct row_writer *w, const struct report_summary *s)
{
	char what[768];
	size_t k = 0;

	row_text(w, "host", s->hosts);
	row_text(w, "kernel", s->kernels);
	row_text(w, "CPU", s->cpus);
	row_text(w, "KVM backend", s->backends);
	if (s->nruns)
		k += (size_t)snprintf(what + k, sizeof(what) - k, "%zu campaign run%s (%s), %zu entr%s", s->nruns,
				      s->nruns == 1 ? "" : "s", s->campaigns, s->entries, s->entries == 1 ? "y" : "ies");
	if (s->nloose && k < sizeof(what))
		k += (size_t)snprintf(what + k, sizeof(what) - k, "%s%zu results file%s", k ? "; " : "", s->nloose,
				      s->nloose == 1 ? "" : "s");
	if (s->payloads[0] && k < sizeof(what))
		snprintf(what + k, sizeof(what) - k, "; payloads: %s", s->payloads);
	row_text(w, "what ran", k ? what : "nothing: no campaign run or results file found");
	if (s->entries) {
		const struct count c[] = {
			{ "st-ok", "done", s->entries_done },
			{ "st-failed", "failed", s->entries_failed },
			{ "st-failed", "timed out", s->entries_timeout },
			{ "st-skipped", "skipped or not run", s->entries_other },
		};

		row_counts(w, "entries", c, 4);
	}
	{
		const struct count c[] = {
			{ "st-ok", "ok", s->tests[TEST_OK] },
			{ "st-failed", "failed", s->tests[TEST_FAILED] },
			{ "st-skipped", "skipped", s->tests[TEST_SKIPPED] },
		};

		row_counts(w, "tests", c, 3);
	}
	if (s->claims) {
		const struct count c[] = {
			{ "v-holds", "holds", s->verdicts[CLAIM_HOLDS] },
			{ "v-differs", "differs", s->verdicts[CLAIM_DIFFERS] },
			{ "v-unmeasurable", "not measurable here", s->verdicts[CLAIM_NOT_MEASURABLE] },
			{ "v-unmeasured", "not measured", s->verdicts[CLAIM_NOT_MEASURED] },
		};

		row_counts(w, "claims", c, 4);
	}
	row_start(w, "regressions");
	if (!s->compared) {
		fputs("not checked: no campaign with two runs or more here (exitlab compare BASELINE CURRENT "
		      "compares any two)", w->f);
	} else {
		const struct count c[] = {
			{ "st-failed", "regressed", s->reg_counts[CMP_REGRESSED] },
			{ "st-ok", "improved", s->reg_counts[CMP_IMPROVED] },
			{ "st-ok", "unchanged", s->reg_counts[CMP_UNCHANGED] },
			{ "st-skipped", "not comparable", s->reg_counts[CMP_NOT_COMPARABLE] },
		};

		if (w->md)
			counts_md(w->f, c, 4);
		else
			counts_html(w->f, c, 4);
		fputs(w->md ? " — " : " &mdash; ", w->f);
		if (w->md)
			report_md_esc(w->f, s->reg_scope);
		else
			report_html_esc(w->f, s->reg_scope);
		fprintf(w->f, " (exitlab compare: %.0f %% threshold, %.0f %% confidence)", SUMMARY_THRESHOLD * 100,
			SUMMARY_CONFIDENCE * 100);
		if (s->reg_why[0]) {
			fputs("<br>not comparable, e.g.: ", w->f);
			if (w->md)
				report_md_esc(w->f, s->reg_why);
			else
				report_html_esc(w->f, s->reg_why);
		}
		for (size_t i = 0; i < s->nreg; i++) {
			char ch[96];

			if (isfinite(s->reg[i].ci_lo))
				snprintf(ch, sizeof(ch), "%+.1f %% [%+.1f, %+.1f]", s->reg[i].change * 100,
					 s->reg[i].ci_lo * 100, s->reg[i].ci_hi * 100);
			else
				snprintf(ch, sizeof(ch), "%+.1f %%", s->reg[i].change * 100);
			fputs("<br>", w->f);
			if (w->md) {
				fputs("**regressed** ", w->f);
				report_md_esc(w->f, s->reg[i].test);
			} else {
				fputs("<span class=\"st-failed\">regressed</span> ", w->f);
				report_html_esc(w->f, s->reg[i].test);
			}
			fprintf(w->f, " %s", ch);
		}
	}
	row_end(w);
}

void report_summary_html(FILE *f, const struct report_summary *s)
{
	const struct row_writer w = { f, false };
	int level = 0;

	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"ctx summary\">\n", f);
	summary_rows(&w, s);
	fputs("</table>\n</section>\n", f);
	if (!s->ntoc)
		return;
	fputs("<nav id=\"contents\">\n<h2>Contents</h2>\n", f);
	/* two levels: a run (or the timeline), then its sections, nested in its item */
	for (size_t i = 0; i < s->ntoc; i++) {
		int l = s->toc[i].level > 1 ? 2 : 1;

		if (!i) {
			fputs(l == 2 ? "<ul>\n<li><ul>\n" : "<ul>\n", f);
		} else if (l > level) {
			fputs("\n<ul>\n", f);
		} else {
			fputs("</li>\n", f);
			if (l < level)
				fputs("</ul>\n</li>\n", f);
		}
		level = l;
		fprintf(f, "<li><a href=\"#%s\">", s->toc[i].id);
		report_html_esc(f, s->toc[i].title);
		fputs("</a>", f);
	}
	fputs(level == 2 ? "</li>\n</ul>\n</li>\n</ul>\n" : "</li>\n</ul>\n", f);
	fputs("</nav>\n", f);
}

void report_summary_md(FILE *f, const struct report_summary *s)
{
	const struct row_writer w = { f, true };

	fputs("## Summary\n\n| | |\n|---|---|\n", f);
	summary_rows(&w, s);
	fputs("\n", f);
	if (!s->ntoc)
		return;
	fputs("## Contents\n\n", f);
	for (size_t i = 0; i < s->ntoc; i++) {
		fprintf(f, "%s- [", s->toc[i].level > 1 ? "  " : "");
		report_md_esc(f, s->toc[i].title);
		fprintf(f, "](#%s)\n", s->toc[i].id);
	}
	fputs("\n", f);
}

void report_summary_free(struct report_summary *s)
{
	free(s->reg);
	free(s->toc);
	memset(s, 0, sizeof(*s));
}
