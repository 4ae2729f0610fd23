// SPDX-License-Identifier: MIT
/*
 * exitlab report: a run directory, a store or one results file as one
 * self-contained HTML page (CSS inline, charts as data: URIs) and optionally
 * as Markdown with the PNGs next to it.  The charts are `exitlab plot`'s,
 * drawn by running ourselves (/proc/self/exe plot) into a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "util/atomic_file.h"
#include "analysis/claims.h"
#include "cli/commands.h"
#include "util/input_file.h"
#include "analysis/report_escape.h"
#include "analysis/plot.h"
#include "analysis/report_devices.h"
#include "analysis/report_memory.h"
#include "analysis/report_summary.h"
#include "analysis/report_table.h"
#include "analysis/results_store.h"

#define MAX_CHARTS 4

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab report PATH [-o OUT.html] [--markdown OUT.md]\n"
		"\n"
		"One self-contained HTML page of a campaign run directory, a results store\n"
		"or a results file: the host context, each entry's tables and the charts of\n"
		"`exitlab plot` embedded as data: URIs (no external resources).\n"
		"It opens with a summary (hosts and kernels, what ran, entries and tests by\n"
		"status, the claims verdicts of a claims run, and the regressions of each\n"
		"campaign's newest run against its earlier ones as exitlab compare judges\n"
		"them) and contents linking to every section; statuses and verdicts are\n"
		"coloured and keep their words.\n"
		"Per run, the charts `exitlab plot RUNDIR` draws: each entry's (exit cost bars with p1..p99\n"
		"whiskers, mem-walk time per access vs working set, tlb, net exits per frame vs\n"
		"batch, blk), the CDF of the samples of entries run with --raw, and net-all /\n"
		"blk-all when a run has two net or blk entries or more.  When PATH holds several\n"
		"runs of a campaign, the regression timeline of `exitlab plot DIR` comes first.\n"
		"--markdown also writes the same as Markdown, with the charts as PNG files\n"
		"next to OUT.md (OUT-NNN.png, linked relatively).\n"
		"OUT.html defaults to PATH/report.html for a directory, PATH with .html for a file.\n"
		"Both outputs appear whole when the report is done, or not at all; missing parent\n"
		"directories are created.  An output that is one of the inputs (PATH, a manifest,\n"
		"a results file) is bad usage: nothing is written.\n"
		"Unreadable manifests and results files are named on stderr and skipped\n"
		"(exit code 1); 2 is bad usage.\n");
}

/* What a payload's tables show, in one line. */
static const char *what_it_shows(const char *payload)
{
	static const struct { const char *p, *s; } w[] = {
		{ "exit-costs", "What one VM exit costs, round trip from the guest, per exit kind (cpuid, "
				"port I/O, MMIO, hypercall...) beside the host's system call." },
		{ "mem-walk", "Time per memory access as the working set grows, virtualized against "
			      "native: the cost of two-dimensional page walks and TLB reach." },
		{ "mem-fault", "What a guest page fault costs when the host must also fault the "
			       "page in (first touch) against one the host already backs." },
		{ "tlb", "TLB refill after an exit, and the cost of invlpg, flushes and CR3 switches: "
			 "what VPID/ASID tagging saves." },
		{ "net", "Exits and userspace exits per frame and frames per second against batch "
			 "size: how notification batching removes exits." },
		{ "blk", "I/Os per second and exits per I/O by block size and queue depth." },
		{ "hostile", "The VMM against a hostile guest: each attack is refused without harm." },
		{ "hostile-dev", "Our device models against hostile drivers: each attack is refused "
				 "and the device stopped with a diagnostic." },
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(payload, w[i].p))
			return w[i].s;
	return "The tests this payload ran, as measured from the guest.";
}

static void problem(void *ctx, const char *path, const char *reason)
{
	fprintf(stderr, "exitlab report: skipped %s: %s\n", path, reason);
	(void)ctx;
}

static void base64(FILE *f, const unsigned char *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);

		fputc(t[v >> 18 & 63], f);
		fputc(t[v >> 12 & 63], f);
		fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? t[v & 63] : '=', f);
	}
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(len);
		if (buf && fread(buf, 1, len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*n = len;
	}
	fclose(f);
	return buf;
}

static bool exists(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/*
 * `exitlab plot ARGS...` as a child of this binary, its stdout to /dev/null
 * (and its stderr when quiet: the report names what it skipped itself).
 */
static void plot_child(const char *const *args, bool quiet)
{
	const char *argv[8] = { "exitlab", "plot" };
	size_t n = 2;
	int status;
	pid_t pid;

	while (*args && n < 7)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			if (quiet)
				dup2(fd, 2);
		}
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

/* Whether any ok test of r kept raw samples (exitlab run --raw): then it has a CDF. */
static bool has_samples(const struct run_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].status == TEST_OK && r->tests[i].samples && r->tests[i].nsamples &&
		    strcmp(r->tests[i].name, "empty"))
			return true;
	return false;
}

/* Append dir/name to png[] if that file exists. */
static void add_if_exists(char *png[MAX_CHARTS], int *n, const char *dir, const char *name)
{
	char *p = NULL;

	if (*n >= MAX_CHARTS || asprintf(&p, "%s/%s", dir, name) < 0)
		return;
	if (exists(p))
		png[(*n)++] = p;
	else
		free(p);
}

/*
 * A loose file's charts, drawn with `exitlab plot` into tmp as <stem>.png (for
 * tlb also <stem>-ops.png; with raw samples <stem>-cdf.png).  Returns how many
 * PNGs exist; paths in png[].
 */
static int draw_charts(const char *tmp, int stem, const char *file, bool cdf, char *png[MAX_CHARTS])
{
	char *out = NULL, name[32];
	int n = 0;

	if (asprintf(&out, "%s/%03d.png", tmp, stem) < 0)
		return 0;
	plot_child((const char *[]){ file, "-o", out, NULL }, false);
	free(out);
	if (cdf && asprintf(&out, "%s/%03d-cdf.png", tmp, stem) >= 0) {
		plot_child((const char *[]){ file, "--cdf", "-o", out, NULL }, false);
		free(out);
	}
	snprintf(name, sizeof(name), "%03d.png", stem);
	add_if_exists(png, &n, tmp, name);
	snprintf(name, sizeof(name), "%03d-ops.png", stem);
	add_if_exists(png, &n, tmp, name);
	snprintf(name, sizeof(name), "%03d-cdf.png", stem);
	add_if_exists(png, &n, tmp, name);
	return n;
}

/*
 * A run entry's charts among those `exitlab plot RUNDIR` drew into dir: named
 * after the results file, <base>.png, <base>-ops.png (tlb), <base>-cdf.png.
 */
static int run_charts(const char *dir, const char *results, char *png[MAX_CHARTS])
{
	const char *slash = strrchr(results, '/');
	char base[256], name[300];
	size_t l;
	int n = 0;

	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : results);
	l = strlen(base);
	if (l > 5 && !strcmp(base + l - 5, ".json"))
		base[l - 5] = '\0';
	snprintf(name, sizeof(name), "%s.png", base);
	add_if_exists(png, &n, dir, name);
	snprintf(name, sizeof(name), "%s-ops.png", base);
	add_if_exists(png, &n, dir, name);
	snprintf(name, sizeof(name), "%s-cdf.png", base);
	add_if_exists(png, &n, dir, name);
	return n;
}

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

struct out {
	FILE *html, *md;
	char *md_dir, *md_stem;   /* where the Markdown's PNGs go, and their name prefix */
	char *tmp;
	char *run_charts;         /* where `exitlab plot RUNDIR` drew the current run, or NULL (loose) */
	int nchart;
	int skipped;
	bool asset_failed;        /* a Markdown PNG could not be written: exit 1 */
	struct report_summary sum;  /* counted as the sections are written, then put above them */
};

/*
 * A section heading (h1 or h2) with an anchor that the contents link to; in
 * Markdown an HTML anchor before it, since Markdown renderers name headings
 * each their own way.
 */
static void heading(struct out *o, int level, const char *text)
{
	const char *id = report_toc_add(&o->sum, level, text);

	fprintf(o->html, "<h%d id=\"%s\">", level, id);
	report_html_esc(o->html, text);
	fprintf(o->html, "</h%d>\n", level);
	if (o->md) {
		fprintf(o->md, "<a id=\"%s\"></a>\n\n%s ", id, level == 1 ? "#" : "##");
		report_md_esc(o->md, text);
		fprintf(o->md, "\n\n");
	}
}

static void ctx_row(struct out *o, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	fprintf(o->html, "<tr><th>");
	report_html_esc(o->html, k);
	fprintf(o->html, "</th><td>");
	report_html_esc(o->html, v);
	fprintf(o->html, "</td></tr>\n");
	if (o->md) {
		fprintf(o->md, "| %s | ", k);
		report_md_esc(o->md, v);
		fprintf(o->md, " |\n");
	}
}

static void context(struct out *o, const struct store_run *run, const struct run_result *r)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	char host[128], backend[64], rev[64];

	store_context(r, host, sizeof(host), backend, sizeof(backend), rev, sizeof(rev));
	fprintf(o->html, "<table class=\"ctx\">\n");
	if (o->md)
		fprintf(o->md, "| | |\n|---|---|\n");
	if (!run->loose)
		ctx_row(o, "campaign", run->campaign);
	ctx_row(o, "host", host);
	ctx_row(o, "CPU", ctx ? plot_find_string(ctx, "model_name") : NULL);
	ctx_row(o, "kernel", ctx ? plot_find_string(ctx, "release") : NULL);
	ctx_row(o, "KVM backend", backend);
	ctx_row(o, "exitlab revision", rev);
	ctx_row(o, "started", r->started_at);
	fprintf(o->html, "</table>\n");
	if (o->md)
		fprintf(o->md, "\n");
	json_decref(ctx);
}

static void pre(struct out *o, const char *txt)
{
	size_t run = 0, longest = 0;

	if (!txt)
		return;
	fprintf(o->html, "<pre>");
	report_html_esc(o->html, txt);
	fprintf(o->html, "</pre>\n");
	if (!o->md)
		return;
	/* a fence longer than any run of backticks in the text: nothing in it can close the block */
	for (const char *p = txt; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		fputc('`', o->md);
	fprintf(o->md, "\n%s", txt);
	for (size_t i = 0; i < longest; i++)
		fputc('`', o->md);
	fprintf(o->md, "\n\n");
}

static void chart(struct out *o, const char *png, const char *alt)
{
	size_t n = 0;
	unsigned char *d = slurp(png, &n);

	if (!d)
		return;
	fprintf(o->html, "<figure><img alt=\"");
	report_html_esc(o->html, alt);
	fprintf(o->html, "\" src=\"data:image/png;base64,");
	base64(o->html, d, n);
	fprintf(o->html, "\"></figure>\n");
	if (o->md) {
		char *dst = NULL, *name = NULL, err[1024];
		struct atomic_file af;

		/* whole or not at all, as the Markdown itself; a failure fails the report */
		if (asprintf(&name, "%s-%03d.png", o->md_stem, o->nchart) >= 0 &&
		    asprintf(&dst, "%s/%s", o->md_dir, name) >= 0) {
			if (atomic_file_open(&af, dst, err, sizeof(err)) == 0 && fwrite(d, 1, n, af.f) != n) {
				snprintf(err, sizeof(err), "%s", strerror(errno));
				atomic_file_abort(&af);
			}
			if (!af.f || atomic_file_commit(&af, err, sizeof(err))) {
				fprintf(stderr, "exitlab report: writing %s: %s\n", dst, err);
				o->asset_failed = true;
			} else {
				fprintf(o->md, "![");
				report_md_esc(o->md, alt);
				fprintf(o->md, "](%s)\n\n", name);
			}
		}
		free(dst);
		free(name);
	}
	o->nchart++;
	free(d);
}

static void entry(struct out *o, const struct store_run *run, const struct store_entry *e, int idx)
{
	struct run_result r;
	char err[256], *txt;
	char *png[MAX_CHARTS];
	int rc = store_load_entry(e, &r, err, sizeof(err)), n;

	fprintf(o->html, "<section>\n");
	/* a loose file is a section of its own; a run's entry is one of the run's */
	heading(o, run->loose ? 1 : 2, e->name);
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
	fprintf(o->html, "<p class=\"what\">");
	report_html_esc(o->html, what_it_shows(r.payload));
	fprintf(o->html, "</p>\n");
	if (o->md)
		fprintf(o->md, "_%s_\n\n", what_it_shows(r.payload));
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
	pre(o, txt = capture(report_memory_print, &r));
	free(txt);
	pre(o, txt = capture(report_devices_print, &r));
	free(txt);

	if (o->run_charts)
		n = run_charts(o->run_charts, e->results, png);
	else
		n = draw_charts(o->tmp, idx, e->results, has_samples(&r), png);
	for (int i = 0; i < n; i++) {
		char alt[192];
		size_t l = strlen(png[i]);

		snprintf(alt, sizeof(alt), "%s %s of %s", r.payload,
			 l > 8 && !strcmp(png[i] + l - 8, "-cdf.png") ? "CDF of the raw samples" : "chart", e->name);
		chart(o, png[i], alt);
		unlink(png[i]);
		free(png[i]);
	}
	if (!n) {
		fprintf(o->html, "<p class=\"note\">no chart (exitlab plot drew none for this entry)</p>\n");
		if (o->md)
			fprintf(o->md, "_no chart (exitlab plot drew none for this entry)_\n\n");
	}
	fprintf(o->html, "</section>\n");
	results_free(&r);
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

/* Every PNG in dir whose name starts with prefix, by name, embedded with alt text what. */
static int embed_dir(struct out *o, const char *dir, const char *prefix, const char *what)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, pl = strlen(prefix);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (strncmp(de->d_name, prefix, pl) || l < 4 || strcmp(de->d_name + l - 4, ".png"))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn)
			break;
		names = nn;
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), stem_cmp);
	for (size_t i = 0; i < n; i++) {
		char *p = NULL, alt[320];

		snprintf(alt, sizeof(alt), "%s: %s", what, names[i]);
		if (asprintf(&p, "%s/%s", dir, names[i]) >= 0)
			chart(o, p, alt);
		free(p);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

/*
 * The regression timeline of PATH when it holds several runs of one campaign:
 * `exitlab plot PATH` into tmp/timeline, every chart embedded.
 */
static void timeline(struct out *o, const struct store_list *l, const char *path)
{
	char *dir = NULL;
	bool several = false;

	for (size_t i = 0; i < l->nruns && !several; i++)
		for (size_t j = i + 1; j < l->nruns && !several; j++)
			several = !l->runs[i].loose && !l->runs[j].loose &&
				  !strcmp(l->runs[i].campaign, l->runs[j].campaign);
	if (!several || asprintf(&dir, "%s/timeline", o->tmp) < 0)
		return;
	heading(o, 1, "timeline");
	fprintf(o->html, "<p class=\"what\">Every test of every campaign with several runs "
			 "here, run after run in time order: a regression shows as a step.</p>\n");
	if (o->md)
		fprintf(o->md, "_Every test of every campaign with several runs here, run after run in "
			       "time order: a regression shows as a step._\n\n");
	plot_child((const char *[]){ path, "-o", dir, NULL }, true);
	if (!embed_dir(o, dir, "timeline-", "regression timeline")) {
		fprintf(o->html, "<p class=\"note\">no chart (exitlab plot drew no timeline)</p>\n");
		if (o->md)
			fprintf(o->md, "_no chart (exitlab plot drew no timeline)_\n\n");
	}
	free(dir);
}

/* A run of the claims campaign opens with its claims table (docs/claims.md). */
static void claims_section(struct out *o, const struct store_run *run)
{
	struct claim_row rows[CLAIMS_MAX];
	size_t n;

	if (strcmp(run->campaign, "claims"))
		return;
	/* unreadable files are named by the entries' own sections */
	n = claims_evaluate(run, rows, CLAIMS_MAX, NULL, NULL);
	report_summary_add_claims(&o->sum, rows, n);
	fprintf(o->html, "<section>\n");
	heading(o, 2, "claims table");
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

/* After a run's entries: its net-all and blk-all charts when it has two entries or more of that payload. */
static void run_combined(struct out *o, const struct store_run *run)
{
	static const char *const payloads[] = { "net", "blk" };

	if (!o->run_charts)
		return;
	for (size_t k = 0; k < 2; k++) {
		size_t n = 0;
		char name[32], *p = NULL, alt[256];

		for (size_t j = 0; j < run->nentries; j++)
			n += !strcmp(run->entries[j].payload, payloads[k]) && !strcmp(run->entries[j].status, "done");
		snprintf(name, sizeof(name), "%s-all.png", payloads[k]);
		if (n < 2 || asprintf(&p, "%s/%s", o->run_charts, name) < 0)
			continue;
		if (exists(p)) {
			char h[64];

			snprintf(h, sizeof(h), "all %s entries of this run", payloads[k]);
			fprintf(o->html, "<section>\n");
			heading(o, 2, h);
			snprintf(alt, sizeof(alt), "every %s entry of %s", payloads[k], run->path);
			chart(o, p, alt);
			fprintf(o->html, "</section>\n");
		}
		free(p);
	}
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

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "markdown", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *md_path = NULL;
	char *html_path = NULL, err[256], tmpl[] = "/tmp/exitlab-report-XXXXXX";
	struct out o = { 0 };
	struct atomic_file html_file = { 0 }, md_file = { 0 };
	bool complete = false;      /* the report was written to its end: keep it */
	struct store_list l;
	FILE *html_out, *md_out;      /* the files, while sections go to memory first */
	char *html_body = NULL, *md_body = NULL;
	size_t html_len = 0, md_len = 0;
	int c, n, code = EXIT_OK, idx = 0;

	while ((c = getopt_long(argc, argv, "o:m:h", opts, NULL)) != -1) {
		if (c == 'o') {
			free(html_path);
			html_path = strdup(optarg);
		} else if (c == 'm') {
			md_path = optarg;
		} else if (c == 'h') {
			report_usage(stdout);
			free(html_path);
			return EXIT_OK;
		} else {
			report_usage(stderr);
			free(html_path);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		report_usage(stderr);
		free(html_path);
		return EXIT_USAGE;
	}
	n = store_walk(argv[optind], &l, problem, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "exitlab report: %s\n", err);
		free(html_path);
		return EXIT_USAGE;
	}
	if (!html_path)
		html_path = default_out(argv[optind]);
	/* an output over an input would lose the input: bad usage, nothing written */
	for (int k = 0; k < 2; k++) {
		const char *p = k ? md_path : html_path;

		if (p && store_names_input(&l, argv[optind], p)) {
			fprintf(stderr, "exitlab report: %s is one of the report's inputs: refusing to overwrite it\n",
				p);
			code = EXIT_USAGE;
			goto out;
		}
	}
	if (html_path && md_path && (!strcmp(html_path, md_path) || input_file_same(md_path, html_path))) {
		fprintf(stderr, "exitlab report: -o and --markdown name the same file %s\n", md_path);
		code = EXIT_USAGE;
		goto out;
	}
	/* both outputs appear whole at the end, or not at all (parents are created) */
	if (!html_path || atomic_file_open(&html_file, html_path, err, sizeof(err))) {
		fprintf(stderr, "exitlab report: cannot write %s: %s\n", html_path ? html_path : "?",
			html_path ? err : strerror(ENOMEM));
		code = EXIT_USAGE;
		goto out;
	}
	o.html = html_file.f;
	if (md_path) {
		char *a = strdup(md_path), *b = strdup(md_path), *dot;

		if (atomic_file_open(&md_file, md_path, err, sizeof(err)) || !a || !b) {
			fprintf(stderr, "exitlab report: cannot write %s: %s\n", md_path,
				md_file.f ? strerror(ENOMEM) : err);
			free(a);
			free(b);
			code = EXIT_USAGE;
			goto out;
		}
		o.md = md_file.f;
		o.md_dir = strdup(dirname(a));
		o.md_stem = strdup(basename(b));
		free(a);
		free(b);
		if (o.md_stem && (dot = strrchr(o.md_stem, '.')) && dot != o.md_stem)
			*dot = 0;
	}
	o.tmp = mkdtemp(tmpl);
	if (!o.tmp) {
		fprintf(stderr, "exitlab report: mkdtemp: %s\n", strerror(errno));
		code = EXIT_FAILED;
		goto out;
	}
	fprintf(o.html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>exitlab report: ");
	report_html_esc(o.html, argv[optind]);
	fprintf(o.html, "</title>\n<style>%s</style></head><body>\n<h1>exitlab report: ", css);
	report_html_esc(o.html, argv[optind]);
	fprintf(o.html, "</h1>\n");
	if (o.md) {
		fprintf(o.md, "# exitlab report: ");
		report_md_esc(o.md, argv[optind]);
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
	if (!l.nruns) {
		fprintf(o.html, "<p>No campaign runs or results files found.</p>\n");
		if (o.md)
			fprintf(o.md, "No campaign runs or results files found.\n");
	}
	timeline(&o, &l, argv[optind]);
	for (size_t i = 0; i < l.nruns; i++) {
		const struct store_run *run = &l.runs[i];

		report_summary_add_run(&o.sum, run);
		if (!run->loose) {
			char h[200];

			snprintf(h, sizeof(h), "campaign %s, started %s", run->campaign, run->timestamp);
			heading(&o, 1, h);
			fprintf(o.html, "<p>started ");
			report_html_esc(o.html, run->timestamp);
			fprintf(o.html, "; %zu/%zu entries done (%s); ", store_run_done(run), run->nentries,
				store_run_status(run));
			report_html_esc(o.html, run->path);
			fprintf(o.html, "</p>\n");
			if (o.md) {
				fprintf(o.md, "started ");
				report_md_esc(o.md, run->timestamp);
				fprintf(o.md, "; %zu/%zu entries done (%s); ", store_run_done(run), run->nentries,
					store_run_status(run));
				report_md_esc(o.md, run->path);
				fprintf(o.md, "\n\n");
			}
		}
		if (!run->loose)
			claims_section(&o, run);
		/* a run's charts are what `exitlab plot RUNDIR` draws for it, drawn once */
		o.run_charts = NULL;
		if (!run->loose && asprintf(&o.run_charts, "%s/run-%03zu", o.tmp, i) >= 0)
			plot_child((const char *[]){ run->path, "-o", o.run_charts, NULL }, true);
		else if (!run->loose)
			o.run_charts = NULL;
		for (size_t j = 0; j < run->nentries; j++)
			entry(&o, run, &run->entries[j], idx++);
		run_combined(&o, run);
		if (o.run_charts)
			rm_tmp(o.run_charts);
		free(o.run_charts);
		o.run_charts = NULL;
	}
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
