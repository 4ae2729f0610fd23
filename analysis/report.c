// SPDX-License-Identifier: MIT
/*
 * exitlab report: a run directory, a store or one results file as one
 * self-contained HTML page (CSS inline, charts as data: URIs) and optionally
 * as Markdown with the PNGs next to it.  The charts are those of `exitlab
 * plot` (analysis/charts.c), drawn into a temporary directory and embedded
 * from the list of files it returns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/claims.h"
#include "analysis/payload_views.h"
#include "analysis/report.h"
#include "analysis/report_escape.h"
#include "analysis/report_out.h"
#include "analysis/report_sections.h"
#include "analysis/report_summary.h"
#include "analysis/results_store.h"

static void problem(void *ctx, const char *path, const char *reason)
{
	fprintf(stderr, "exitlab report: skipped %s: %s\n", path, reason);
	(void)ctx;
}

static const char css[] =
	"body{font-family:sans-serif;max-width:1150px;margin:1em auto;padding:0 1em;color:#222;"
	"background:#fff;line-height:1.4}"
	"h1{border-bottom:2px solid #444}h2{margin-top:1.6em;border-bottom:1px solid #bbb}"
	"table{border-collapse:collapse;margin:.6em 0;font-size:14px}"
	"th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}"
	"th{background:#eef}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.bad td{background:#fee}table.ctx th{width:11em}"
	"pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:12px}"
	"p.what{font-style:italic}p.note{color:#555;font-size:13px}"
	"figure{margin:.8em 0}img{max-width:100%;border:1px solid #ddd}"
	/* verdicts and statuses: a colour to find them, the word itself to read them (also without colour) */
	".st-ok,.v-holds{color:#0a5d1e;background:#e3f4e6}"
	".st-failed,.v-differs{color:#8b0000;background:#fde2e1;font-weight:bold}"
	".st-skipped{color:#555;background:#eeeeee;font-style:italic}"
	".v-unmeasurable{color:#444;background:#e8e8f0;font-style:italic}"
	".v-unmeasured{color:#6b4e00;background:#fff3cd}"
	"span.st-ok,span.st-failed,span.st-skipped,span[class^=v-],span.zero{padding:0 .35em;border-radius:3px}"
	"span.zero{color:#777}table.summary td{line-height:1.7}"
	"nav#contents ul{margin:.2em 0;padding-left:1.4em}nav#contents>ul{columns:2;column-gap:2em}"
	"nav#contents li{break-inside:avoid}";

/* Remove the temporary directory and what plot left in it (the .dat files, the run and timeline directories). */
static void rm_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d))) {
			struct stat st;
			char *p;

			if (de->d_name[0] == '.')
				continue;
			if (asprintf(&p, "%s/%s", dir, de->d_name) >= 0) {
				if (!lstat(p, &st) && S_ISDIR(st.st_mode))
					rm_tmp(p);
				else
					unlink(p);
				free(p);
			}
		}
		closedir(d);
	}
	rmdir(dir);
}

/* File names by their stem, so that "timeline-x-tlb.png" comes before "timeline-x-tlb-2.png". */
static int stem_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b, *dx = strrchr(x, '.'), *dy = strrchr(y, '.');
	size_t lx = dx ? (size_t)(dx - x) : strlen(x), ly = dy ? (size_t)(dy - y) : strlen(y);
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly;
}

/* A run of the claims campaign opens with its claims table (docs/claims.md). */
static void claims_section(struct report_out *o, const struct store_run *run)
{
	struct claim_row rows[CLAIMS_MAX];
	size_t n;

	if (strcmp(run->campaign, "claims"))
		return;
	/* unreadable files are named by the entries' own sections */
	n = claims_evaluate(run, rows, CLAIMS_MAX, NULL, NULL);
	report_summary_add_claims(&o->sum, rows, n);
	fprintf(o->html, "<section>\n");
	report_heading(o, 2, "claims table");
	fprintf(o->html, "<p class=\"what\">Each claim of the classic "
			 "story beside what this run measured, with the verdict (docs/claims.md).</p>\n"
			 "<table><tr><th>#</th><th>claim</th><th>this host</th><th>setup</th><th>verdict</th>"
			 "<th>why</th><th>source</th></tr>\n");
	if (o->md)
		fprintf(o->md, "| # | claim | this host | setup | verdict | why | source |\n"
			       "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const char *cells[6] = { rows[i].claim, rows[i].measured, rows[i].setup,
					 claim_verdict_name(rows[i].verdict), rows[i].why, rows[i].source ? rows[i].source : "" };

		fprintf(o->html, "<tr><td>%zu</td>", i + 1);
		for (int c = 0; c < 6; c++) {
			if (c == 3)
				fprintf(o->html, "<td class=\"%s\">", report_verdict_class(rows[i].verdict));
			else
				fprintf(o->html, "<td>");
			report_html_esc(o->html, cells[c]);
			fprintf(o->html, "</td>");
		}
		fprintf(o->html, "</tr>\n");
		if (o->md) {
			fprintf(o->md, "| %zu |", i + 1);
			for (int c = 0; c < 6; c++) {
				fprintf(o->md, " ");
				report_md_esc(o->md, cells[c]);
				fprintf(o->md, " |");
			}
			fprintf(o->md, "\n");
		}
	}
	fprintf(o->html, "</table>\n</section>\n");
	if (o->md)
		fprintf(o->md, "\n");
}

static char *default_out(const char *path)
{
	struct stat st;
	size_t n = strlen(path);
	char *s = NULL;

	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		if (asprintf(&s, "%s/report.html", path) < 0)
			return NULL;
		return s;
	}
	if (n > 5 && !strcmp(path + n - 5, ".json"))
		n -= 5;
	if (asprintf(&s, "%.*s.html", (int)n, path) < 0)
		return NULL;
	return s;
}


/*
 * The charts of path (a results file, a run directory or several runs) into
 * out, as `exitlab plot path -o out [--cdf]` draws them, added to wrote.  Its
 * "wrote ..." lines are not the report's: stdout goes to /dev/null while it
 * draws, and stderr too when quiet (the report names what it skipped itself).
 */
static void draw(const char *path, const char *out, bool cdf, bool quiet, struct chart_list *wrote)
{
	struct plot_opts po = { .term = "pngcairo", .ext = ".png", .out = out, .cdf = cdf,
				.scale = PLOT_SCALE_RELATIVE };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC), saved[2] = { -1, -1 };

	fflush(NULL);
	for (int fd = 1; fd <= (quiet ? 2 : 1) && null >= 0; fd++) {
		saved[fd - 1] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (saved[fd - 1] >= 0)
			dup2(null, fd);
	}
	plot_charts(&path, 1, &po, wrote);
	fflush(NULL);
	for (int fd = 1; fd <= 2; fd++)
		if (saved[fd - 1] >= 0) {
			dup2(saved[fd - 1], fd);
			close(saved[fd - 1]);
		}
	if (null >= 0)
		close(null);
}

void report_draw_file(struct report_out *o, int idx, const char *file, bool cdf, struct chart_list *wrote)
{
	char *out = NULL;

	if (asprintf(&out, "%s/%03d.png", o->tmp, idx) < 0)
		return;
	draw(file, out, false, false, wrote);
	free(out);
	if (cdf && asprintf(&out, "%s/%03d-cdf.png", o->tmp, idx) >= 0) {
		draw(file, out, true, false, wrote);
		free(out);
	}
}

static int chart_stem_cmp(const void *a, const void *b)
{
	const struct chart_file *const *x = a, *const *y = b;
	const char *sx = strrchr((*x)->path, '/'), *sy = strrchr((*y)->path, '/');
	const char *nx = sx ? sx + 1 : (*x)->path, *ny = sy ? sy + 1 : (*y)->path;

	return stem_cmp(&nx, &ny);
}

/*
 * The regression timeline of PATH when it holds several runs of one campaign:
 * `exitlab plot PATH` into tmp/timeline, every chart embedded in name order.
 */
static void timeline(struct report_out *o, const struct store_list *l, const char *path)
{
	struct chart_list tl = { 0 };
	const struct chart_file **pages = NULL;
	char *dir = NULL;
	bool several = false;
	size_t n = 0;

	/* the hosts of a fleet run are not a time series: they are the fleet section's columns */
	for (size_t i = 0; i < l->nruns && !several; i++)
		for (size_t j = i + 1; j < l->nruns && !several; j++)
			several = !l->runs[i].loose && !l->runs[j].loose && !*l->runs[i].fleet_host &&
				  !*l->runs[j].fleet_host && !strcmp(l->runs[i].campaign, l->runs[j].campaign);
	if (!several || asprintf(&dir, "%s/timeline", o->tmp) < 0)
		return;
	report_heading(o, 1, "timeline");
	report_para(o, REPORT_PARA_WHAT, "Every test of every campaign with several runs here, run after run in "
					 "time order: a regression shows as a step.");
	draw(path, dir, false, true, &tl);
	pages = calloc(tl.n + 1, sizeof(*pages));
	for (size_t i = 0; pages && i < tl.n; i++)
		if (tl.v[i].kind == CHART_TIMELINE)
			pages[n++] = &tl.v[i];
	if (pages)
		qsort(pages, n, sizeof(*pages), chart_stem_cmp);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(pages[i]->path, '/');
		char alt[320];

		snprintf(alt, sizeof(alt), "%s: %s", "regression timeline", slash ? slash + 1 : pages[i]->path);
		report_chart(o, pages[i]->path, alt);
	}
	if (!n)
		report_para(o, REPORT_PARA_NOTE, "no chart (exitlab plot drew no timeline)");
	free(pages);
	chart_list_free(&tl);
	free(dir);
}

/* A campaign run's heading and what became of its entries, in both formats alike. */
static void run_header(struct report_out *o, const struct store_run *run)
{
	struct report_sink s[2];
	int ns = report_sinks(o, s);
	char h[400];

	if (*run->fleet_host)
		snprintf(h, sizeof(h), "campaign %s on fleet host %s, started %s", run->campaign, run->fleet_host,
			 run->timestamp);
	else
		snprintf(h, sizeof(h), "campaign %s, started %s", run->campaign, run->timestamp);
	report_heading(o, 1, h);
	for (int i = 0; i < ns; i++) {
		fputs(s[i].fmt->open[REPORT_PARA], s[i].f);
		fputs("started ", s[i].f);
		s[i].fmt->esc(s[i].f, run->timestamp);
		fprintf(s[i].f, "; %zu/%zu entries done (%s); ", store_run_done(run), run->nentries,
			store_run_status(run));
		s[i].fmt->esc(s[i].f, run->path);
		fputs(s[i].fmt->close[REPORT_PARA], s[i].f);
	}
}

/*
 * After a run's entries: the combined chart of each device payload
 * (payload_views.c) of which the run has two done entries or more, and of a
 * payload whose entries fit its chart_many (exit-costs at several --vcpus).
 */
static void run_combined(struct report_out *o, const struct store_run *run)
{
	if (!o->run_charts)
		return;
	for (size_t k = 0; k < npayload_views; k++) {
		const struct payload_view *v = &payload_views[k];
		const struct chart_file *c = NULL;
		size_t n = 0;

		if (!v->device && !v->chart_many)
			continue;
		for (size_t j = 0; j < run->nentries; j++)
			n += !strcmp(run->entries[j].payload, v->name) && !strcmp(run->entries[j].status, "done");
		for (size_t i = 0; i < o->run_charts->n && !c; i++)
			if (o->run_charts->v[i].kind == CHART_COMBINED && !strcmp(o->run_charts->v[i].payload, v->name))
				c = &o->run_charts->v[i];
		if (n >= 2 && c) {
			char h[64], alt[256];

			snprintf(h, sizeof(h), "all %s entries of this run", v->name);
			fprintf(o->html, "<section>\n");
			report_heading(o, 2, h);
			snprintf(alt, sizeof(alt), "every %s entry of %s", v->name, run->path);
			report_chart(o, c->path, alt);
			fprintf(o->html, "</section>\n");
		}
	}
}

/*
 * The outputs, checked and opened: neither over an input nor both the same
 * file; both appear whole at the end, or not at all (parents are created).
 * EXIT_OK, or EXIT_USAGE said on stderr.
 */
static int open_outputs(struct report_out *o, const struct store_list *l, const char *path, const char *html_path,
			const char *md_path, struct atomic_file *html_file, struct atomic_file *md_file)
{
	char err[256];

	/* an output over an input would lose the input: bad usage, nothing written */
	for (int k = 0; k < 2; k++) {
		const char *p = k ? md_path : html_path;

		if (p && store_names_input(l, path, p)) {
			fprintf(stderr, "exitlab report: %s is one of the report's inputs: refusing to overwrite it\n",
				p);
			return EXIT_USAGE;
		}
	}
	if (html_path && md_path && (!strcmp(html_path, md_path) || input_file_same(md_path, html_path))) {
		fprintf(stderr, "exitlab report: -o and --markdown name the same file %s\n", md_path);
		return EXIT_USAGE;
	}
	/* both outputs appear whole at the end, or not at all (parents are created) */
	if (!html_path || atomic_file_open(html_file, html_path, err, sizeof(err))) {
		fprintf(stderr, "exitlab report: cannot write %s: %s\n", html_path ? html_path : "?",
			html_path ? err : strerror(ENOMEM));
		return EXIT_USAGE;
	}
	o->html = html_file->f;
	if (md_path) {
		char *a = strdup(md_path), *b = strdup(md_path), *dot;

		if (atomic_file_open(md_file, md_path, err, sizeof(err)) || !a || !b) {
			fprintf(stderr, "exitlab report: cannot write %s: %s\n", md_path,
				md_file->f ? strerror(ENOMEM) : err);
			free(a);
			free(b);
			return EXIT_USAGE;
		}
		o->md = md_file->f;
		o->md_dir = strdup(dirname(a));
		o->md_stem = strdup(basename(b));
		free(a);
		free(b);
		if (o->md_stem && (dot = strrchr(o->md_stem, '.')) && dot != o->md_stem)
			*dot = 0;
	}
	return EXIT_OK;
}

/* Everything under the summary: the timeline, then each run (or loose file) and its entries. */
static void sections(struct report_out *o, const struct store_list *l, const char *path)
{
	int idx = 0;

	if (!l->nruns) {
		fprintf(o->html, "<p>No campaign runs or results files found.</p>\n");
		if (o->md)
			fprintf(o->md, "No campaign runs or results files found.\n");
	}
	timeline(o, l, path);
	for (size_t i = 0; i < l->nfleets; i++)
		report_fleet(o, l, l->fleets[i]);
	for (size_t i = 0; i < l->nruns; i++) {
		const struct store_run *run = &l->runs[i];
		struct chart_list run_charts = { 0 };
		char *dir = NULL;

		report_summary_add_run(&o->sum, run);
		if (!run->loose) {
			run_header(o, run);
			claims_section(o, run);
		}
		/* a run's charts are what `exitlab plot RUNDIR` draws for it, drawn once */
		o->run_charts = NULL;
		if (!run->loose && asprintf(&dir, "%s/run-%03zu", o->tmp, i) >= 0) {
			draw(run->path, dir, false, true, &run_charts);
			o->run_charts = &run_charts;
		} else {
			dir = NULL;
		}
		for (size_t j = 0; j < run->nentries; j++)
			report_entry(o, run, &run->entries[j], idx++);
		run_combined(o, run);
		if (dir)
			rm_tmp(dir);
		free(dir);
		chart_list_free(&run_charts);
		o->run_charts = NULL;
	}
}

int report_write(const char *path, const char *html_opt, const char *md_path)
{
	char *html_path = NULL, err[256], tmpl[] = "/tmp/exitlab-report-XXXXXX";
	struct report_out o = { 0 };
	struct atomic_file html_file = { 0 }, md_file = { 0 };
	bool complete = false;      /* the report was written to its end: keep it */
	struct store_list l;
	FILE *html_out, *md_out;      /* the files, while sections go to memory first */
	char *html_body = NULL, *md_body = NULL;
	size_t html_len = 0, md_len = 0;
	int n, code = EXIT_OK;

	n = store_walk(path, &l, problem, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "exitlab report: %s\n", err);
		return EXIT_USAGE;
	}
	html_path = html_opt ? strdup(html_opt) : default_out(path);
	code = open_outputs(&o, &l, path, html_path, md_path, &html_file, &md_file);
	if (code != EXIT_OK)
		goto out;
	o.tmp = mkdtemp(tmpl);
	if (!o.tmp) {
		fprintf(stderr, "exitlab report: mkdtemp: %s\n", strerror(errno));
		code = EXIT_FAILED;
		goto out;
	}
	fprintf(o.html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>exitlab report: ");
	report_html_esc(o.html, path);
	fprintf(o.html, "</title>\n<style>%s</style></head><body>\n<h1>exitlab report: ", css);
	report_html_esc(o.html, path);
	fprintf(o.html, "</h1>\n");
	if (o.md) {
		fprintf(o.md, "# exitlab report: ");
		report_md_esc(o.md, path);
		fprintf(o.md, "\n\n");
	}
	/* the sections go to memory first: the summary and contents above them are known only after them */
	html_out = o.html;
	md_out = o.md;
	o.html = open_memstream(&html_body, &html_len);
	o.md = md_out ? open_memstream(&md_body, &md_len) : NULL;
	if (!o.html || (md_out && !o.md)) {
		fprintf(stderr, "exitlab report: out of memory\n");
		if (o.html)
			fclose(o.html);
		if (o.md)
			fclose(o.md);
		free(html_body);
		free(md_body);
		o.html = html_out;
		o.md = md_out;
		code = EXIT_FAILED;
		goto out;
	}
	sections(&o, &l, path);
	fclose(o.html);
	if (o.md)
		fclose(o.md);
	o.html = html_out;
	o.md = md_out;
	report_summary_regressions(&o.sum, &l);
	report_summary_html(o.html, &o.sum);
	if (html_body)
		fwrite(html_body, 1, html_len, o.html);
	if (o.md) {
		report_summary_md(o.md, &o.sum);
		if (md_body)
			fwrite(md_body, 1, md_len, o.md);
	}
	free(html_body);
	free(md_body);
	fprintf(o.html, "<p class=\"note\">made by exitlab report</p>\n</body></html>\n");
	complete = !o.asset_failed; /* a chart missing from the Markdown: neither output */
	if (n > 0 || o.skipped || o.asset_failed)
		code = EXIT_FAILED;
out:
	if (o.tmp)
		rm_tmp(o.tmp);
	if (!complete) {
		atomic_file_abort(&html_file);
		atomic_file_abort(&md_file);
	} else if (atomic_file_commit(&html_file, err, sizeof(err))) {
		/* neither output, as when the report could not be made */
		fprintf(stderr, "exitlab report: writing %s: %s\n", html_path, err);
		atomic_file_abort(&md_file);
		code = EXIT_FAILED;
		complete = false;
	} else if (md_file.f && atomic_file_commit(&md_file, err, sizeof(err))) {
		fprintf(stderr, "exitlab report: writing %s: %s\n", md_path, err);
		code = EXIT_FAILED;
	}
	if (code != EXIT_USAGE && complete)
		fprintf(stderr, "report: %s%s%s\n", html_path, md_path ? ", " : "", md_path ? md_path : "");
	free(o.md_dir);
	free(o.md_stem);
	free(html_path);
	report_summary_free(&o.sum);
	store_list_free(&l);
	return code;
}
