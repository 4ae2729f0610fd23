// SPDX-License-Identifier: MIT
/*
 * exitlab plot DIR with several campaign runs: the regression timeline.  For
 * every (campaign, payload) one chart of small multiples, a panel per test
 * (grouped by entry name without its /repN, so the repetitions of an entry in
 * one run are pooled), x = the runs in time order, y = the median over the
 * run's repetitions of each repetition's median, whiskers p25..p75 of those
 * medians.  Failed, timed-out and corrupt entries are named and left out.
 * The numbers go to a data file first; scripts/plot-timeline.gp draws them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/plot.h"
#include "analysis/report_table.h"
#include "analysis/results_store.h"
#include "util/statistics.h"

#define TL_PANELS_PER_PAGE 16
#define TL_MAX_XTICS 12

void plot_entry_group(const char *name, char *buf, size_t len)
{
	const char *slash = strrchr(name, '/');
	size_t n = strlen(name);

	if (!len)
		return;
	/* "/rep" and at least one digit, nothing but digits after it, and something before the slash */
	if (slash && slash != name && !strncmp(slash, "/rep", 4) && slash[4]) {
		const char *d = slash + 4;

		while (*d >= '0' && *d <= '9')
			d++;
		if (!*d)
			n = (size_t)(slash - name);
	}
	snprintf(buf, len, "%.*s", (int)n, name);
}

static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

int plot_time_parse(const char *ts, long long *secs)
{
	int y, mo, d, h, mi, s;
	struct tm tm = { 0 };
	const char *p = ts;
	time_t t;

	if (!ts)
		return -1;
	/* YYYY-mm-ddTHH:MM:SS[.frac]Z, or the run directory's YYYYmmddTHHMMSSZ */
	if (strlen(p) >= 20 && p[4] == '-' && p[7] == '-' && p[10] == 'T' && p[13] == ':' && p[16] == ':') {
		if (digits(p, 4, &y) || digits(p + 5, 2, &mo) || digits(p + 8, 2, &d) || digits(p + 11, 2, &h) ||
		    digits(p + 14, 2, &mi) || digits(p + 17, 2, &s))
			return -1;
		p += 19;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	} else if (strlen(p) >= 16 && p[8] == 'T') {
		if (digits(p, 4, &y) || digits(p + 4, 2, &mo) || digits(p + 6, 2, &d) || digits(p + 9, 2, &h) ||
		    digits(p + 11, 2, &mi) || digits(p + 13, 2, &s))
			return -1;
		p += 15;
	} else {
		return -1;
	}
	if (*p != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*secs = (long long)t;
	return 0;
}

/* The run's start: the manifest's started_at, else its directory name's timestamp. */
static int run_time(const struct store_run *r, long long *t)
{
	const char *base;

	if (!plot_time_parse(r->timestamp, t))
		return 0;
	if (!r->path)
		return -1;
	base = strrchr(r->path, '/');
	return plot_time_parse(base ? base + 1 : r->path, t);
}

int plot_run_time_cmp(const struct store_run *a, const struct store_run *b)
{
	long long ta = 0, tb = 0;
	int ka = run_time(a, &ta), kb = run_time(b, &tb), c;

	if (ka != kb)
		return ka ? 1 : -1; /* a run without a readable time goes last */
	if (!ka && ta != tb)
		return ta < tb ? -1 : 1;
	c = strcmp(a->host, b->host);
	if (!c)
		c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
	return c;
}

static int run_ptr_cmp(const void *a, const void *b)
{
	return plot_run_time_cmp(*(const struct store_run *const *)a, *(const struct store_run *const *)b);
}

void plot_runs_by_time(const struct store_run **runs, size_t n)
{
	qsort(runs, n, sizeof(*runs), run_ptr_cmp);
}

/* One test of one entry group over the runs: the repetitions' medians at each run. */
struct tl_point {
	size_t run;               /* index in time order */
	double *v;
	size_t n;
};

struct tl_series {
	const char *campaign, *payload;
	char group[128];
	char test[128];
	const char *unit;
	size_t order;             /* first seen */
	struct tl_point *pts;
	size_t npts;
};

/* What a run's x label names besides its time: the kernel and exitlab revision its entries ran on. */
struct tl_build {
	char kernel[48];
	char revision[24];
};

struct tl {
	const struct store_run **runs;
	struct tl_build *build;   /* per run, same index */
	size_t nruns;
	enum plot_scale scale;
	struct tl_series *s;
	size_t ns;
	int skipped;
};

static void tl_problem(void *ctx, const char *path, const char *reason)
{
	fprintf(stderr, "exitlab plot: skipped %s: %s\n", path, reason);
	(void)ctx;
}

static struct tl_series *series_for(struct tl *tl, const struct store_run *run, const char *payload,
				    const char *group, const char *test, const char *unit)
{
	struct tl_series *n;

	for (size_t i = 0; i < tl->ns; i++) {
		struct tl_series *s = &tl->s[i];

		if (!strcmp(s->campaign, run->campaign) && !strcmp(s->payload, payload) &&
		    !strcmp(s->group, group) && !strcmp(s->test, test) && !strcmp(s->unit, unit))
			return s;
	}
	n = realloc(tl->s, (tl->ns + 1) * sizeof(*n));
	if (!n)
		return NULL;
	tl->s = n;
	n = &tl->s[tl->ns];
	memset(n, 0, sizeof(*n));
	n->campaign = run->campaign;
	n->payload = payload;
	snprintf(n->group, sizeof(n->group), "%s", group);
	snprintf(n->test, sizeof(n->test), "%s", test);
	n->unit = unit;
	n->order = tl->ns++;
	return n;
}

static int add_value(struct tl_series *s, size_t run, double v)
{
	struct tl_point *p = s->npts ? &s->pts[s->npts - 1] : NULL;
	double *nv;

	if (!p || p->run != run) {
		p = realloc(s->pts, (s->npts + 1) * sizeof(*p));
		if (!p)
			return -1;
		s->pts = p;
		p = &s->pts[s->npts++];
		memset(p, 0, sizeof(*p));
		p->run = run;
	}
	nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	p->v = nv;
	p->v[p->n++] = v;
	return 0;
}

/* The label of a test as the bars name it: "cpuid/cpl3", "host_syscall", "chase 16M/4k/4k/cpl3". */
static void test_key(const struct test_result *t, char *buf, size_t len)
{
	char name[100];

	report_test_label(name, sizeof(name), t);
	if (!strncmp(t->where, "host", sizeof(t->where)) || t->ring < 0)
		snprintf(buf, len, strncmp(name, "host", 4) ? "host_%s" : "%s", name);
	else
		snprintf(buf, len, "%s/cpl%d", name, t->ring);
}

/*
 * The kernel and revision of run from the first of its results that names
 * them (the manifest's revision first: the runner's).  Entries of one run share a host.
 */
static void note_build(struct tl_build *b, const struct store_run *run, const struct run_result *r)
{
	json_t *ctx;
	const char *k, *v;

	if (!b->revision[0] && run->revision[0])
		snprintf(b->revision, sizeof(b->revision), "%.23s", run->revision);
	if (b->kernel[0] && b->revision[0])
		return;
	ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	k = plot_ctx_kernel(ctx);
	v = plot_ctx_revision(ctx);
	if (!b->kernel[0] && k)
		snprintf(b->kernel, sizeof(b->kernel), "%.47s", k);
	if (!b->revision[0] && v)
		snprintf(b->revision, sizeof(b->revision), "%.23s", v);
	json_decref(ctx);
}

/* Every entry of run (index ri in time order) into the series; failed and corrupt ones named. */
static int add_run(struct tl *tl, const struct store_run *run, size_t ri)
{
	for (size_t j = 0; j < run->nentries; j++) {
		const struct store_entry *e = &run->entries[j];
		struct run_result r;
		char err[512], group[128];
		int k;

		if (!strcmp(e->status, "failed") || !strcmp(e->status, "timeout")) {
			fprintf(stderr, "exitlab plot: skipped %s entry %s: %s%s%s\n", run->path, e->name, e->status,
				e->reason[0] ? ": " : "", e->reason);
			tl->skipped++;
			continue;
		}
		k = store_load_entry(e, &r, err, sizeof(err));
		if (k < 0) {
			fprintf(stderr, "exitlab plot: skipped %s entry %s: %s\n", run->path, e->name, err);
			tl->skipped++;
		}
		if (k <= 0) {
			results_free(&r);
			continue;
		}
		plot_entry_group(e->name, group, sizeof(group));
		note_build(&tl->build[ri], run, &r);
		for (size_t i = 0; i < r.ntests; i++) {
			const struct test_result *t = &r.tests[i];
			struct tl_series *s;
			const char *unit;
			char key[128];
			double v;

			if (t->status != TEST_OK || !t->has_timing || !strcmp(t->name, "empty"))
				continue;
			if (t->cycles.n && t->cycles.median == t->cycles.median)
				unit = "cycles", v = t->cycles.median;
			else if (t->ns.n && t->ns.median == t->ns.median)
				unit = "ns", v = t->ns.median;
			else
				continue;
			test_key(t, key, sizeof(key));
			/*
			 * The payload name of the entry, stored in the run: it outlives r.  Host-side
			 * baselines measure the host, not the entry: pooled over the run's entries.
			 */
			s = series_for(tl, run, e->payload[0] ? e->payload : "-",
				       t->ring < 0 || !strncmp(t->where, "host", sizeof(t->where)) ? "" : group,
				       key, unit);
			if (!s || add_value(s, ri, v)) {
				results_free(&r);
				errno = ENOMEM;
				return -1;
			}
		}
		results_free(&r);
	}
	return 0;
}

static int series_cmp(const void *a, const void *b)
{
	const struct tl_series *x = a, *y = b;
	int c = strcmp(x->campaign, y->campaign);

	if (!c)
		c = strcmp(x->payload, y->payload);
	if (!c)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A file-name-safe copy of s: letters, digits, '.', '-'; anything else '_'. */
static void slug(const char *s, char *buf, size_t len)
{
	size_t k = 0;

	for (; *s && k + 1 < len; s++)
		buf[k++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
			    *s == '.' || *s == '-') ? *s : '_';
	buf[k] = '\0';
	if (!k || !strcmp(buf, ".") || !strcmp(buf, ".."))
		snprintf(buf, len, "_");
}

/*
 * Whether c may not go into a double-quoted gnuplot string on a command line:
 * a quote or backslash would end or escape it, a backquote runs a shell command
 * (gnuplot substitutes `...` even inside double quotes), '@' expands a macro.
 */
static bool unsafe(char c)
{
	return c == '"' || c == '\'' || c == '\\' || c == '`' || c == '@' || (unsigned char)c < ' ' || c == 0x7f;
}

/* Text for gnuplot and the data file: every unsafe character as '_'. */
static void plain(char *s)
{
	for (; *s; s++)
		if (unsafe(*s))
			*s = '_';
}

/*
 * The x labels of the chart's runs: "12-01 22:31:05", with the host when they
 * come from several, then the kernel and the exitlab revision on lines of
 * their own (a literal \n: the label goes into a double-quoted gnuplot string).
 */
static void run_label(const struct store_run *run, const struct tl_build *b, bool hosts, bool years, char *buf,
		      size_t len)
{
	long long t;
	char when[64], host[20], kernel[48], rev[24];

	if (!run_time(run, &t)) {
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), years ? "%Y-%m-%d %H:%M" : "%m-%d %H:%M:%S", &tm);
	} else {
		const char *b = run->path ? strrchr(run->path, '/') : NULL;

		snprintf(when, sizeof(when), "%.39s", b ? b + 1 : run->path ? run->path : "?");
	}
	snprintf(host, sizeof(host), "%.16s", run->host[0] ? run->host : "?");
	snprintf(kernel, sizeof(kernel), "%.47s", b->kernel[0] ? b->kernel : "kernel ?");
	snprintf(rev, sizeof(rev), "%.12s", b->revision[0] ? b->revision : "?");
	if (hosts)
		snprintf(when + strlen(when), sizeof(when) - strlen(when), " %s", host);
	plain(when);
	plain(kernel);
	plain(rev);
	snprintf(buf, len, "%s\\n%s\\nrev %s", when, kernel, rev);
}

struct tl_chart {
	const char *campaign, *payload;
	struct tl_series *s;      /* the chart's series, s[0..ns) */
	size_t ns;
	size_t *xmap;             /* run index -> x, or SIZE_MAX for runs without a point here */
	size_t nx;
	bool groups;              /* more than one entry group: panel titles name it */
	double rel_lo, rel_hi;    /* the shared relative y range: every panel's % change, whiskers too */
};

/* A point's median and quartiles of the repetitions' medians (sorts p->v). */
static void point_stats(struct tl_point *p, double *med, double *p25, double *p75)
{
	qsort(p->v, p->n, sizeof(*p->v), dbl_cmp);
	*med = stats_percentile_sorted(p->v, p->n, 50);
	*p25 = stats_percentile_sorted(p->v, p->n, 25);
	*p75 = stats_percentile_sorted(p->v, p->n, 75);
}

/*
 * What the relative scale divides by: the series' first run's median.  A
 * median at or below zero (or none) has no % change: NAN, and the panel says so.
 */
static double series_base(const struct tl_series *s)
{
	double m, a, b;

	if (!s->npts)
		return NAN;
	point_stats(&s->pts[0], &m, &a, &b);
	return m > 0 && isfinite(m) ? m : NAN;
}

/* v as % change from base; NAN when either is not a usable number. */
static double pct(double v, double base)
{
	return isfinite(v) && isfinite(base) && base > 0 ? (v / base - 1) * 100 : NAN;
}

static void fprint_num(FILE *f, const char *pre, double v)
{
	if (isfinite(v))
		fprintf(f, "%s%.6g", pre, v);
	else
		fprintf(f, "%sNaN", pre);
}

/*
 * The shared range of every panel of c on the relative scale: their % changes
 * and whiskers, and 0 (the first run), padded by 8 % of the span.
 */
static void relative_range(struct tl_chart *c)
{
	double lo = 0, hi = 0, pad;

	for (size_t i = 0; i < c->ns; i++) {
		double base = series_base(&c->s[i]);

		for (size_t k = 0; k < c->s[i].npts; k++) {
			double m, a, b, v[3];

			point_stats(&c->s[i].pts[k], &m, &a, &b);
			v[0] = pct(m, base), v[1] = pct(a, base), v[2] = pct(b, base);
			for (int j = 0; j < 3; j++) {
				if (!isfinite(v[j]))
					continue;
				if (v[j] < lo)
					lo = v[j];
				if (v[j] > hi)
					hi = v[j];
			}
		}
	}
	pad = (hi - lo) * 0.08;
	if (pad <= 0)
		pad = 1;
	c->rel_lo = lo - pad;
	c->rel_hi = hi + pad;
}

/*
 * OUT.dat: one block per series (panel), rows "x median p25 p75 reps time
 * pct pct_p25 pct_p75 kernel revision" (pct: % change from the block's first row's median).
 */
static int write_chart_data(const struct tl *tl, const struct tl_chart *c, size_t first, size_t n,
			    const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# exitlab timeline: campaign %s, payload %s; runs in time order (x)\n"
		   "# one block per test: x median p25 p75 repetitions started_at\n"
		   "# median: of the run's repetitions' medians; p25, p75: of those medians\n"
		   "# then: pct pct_p25 pct_p75 kernel revision; pct: %% change from the block's first median\n"
		   "# (NaN when that median is not above 0)\n",
		c->campaign, c->payload);
	for (size_t i = first; i < first + n; i++) {
		const struct tl_series *s = &c->s[i];
		double base = series_base(s);

		fprintf(f, "%s# block %zu: %s: %s [%s]\n", i > first ? "\n\n" : "", i - first, s->group, s->test,
			s->unit);
		for (size_t k = 0; k < s->npts; k++) {
			struct tl_point *p = &s->pts[k];
			const struct store_run *run = tl->runs[p->run];
			const struct tl_build *b = &tl->build[p->run];
			char ts[40], kernel[48], rev[24];
			double m, a, z;

			point_stats(p, &m, &a, &z);
			snprintf(ts, sizeof(ts), "%s", run->timestamp[0] ? run->timestamp : "-");
			snprintf(kernel, sizeof(kernel), "%s", b->kernel[0] ? b->kernel : "-");
			snprintf(rev, sizeof(rev), "%s", b->revision[0] ? b->revision : "-");
			/* one whitespace-free token each */
			for (char *q[] = { ts, kernel, rev }, **w = q; w < q + 3; w++) {
				plain(*w);
				for (char *x = *w; *x; x++)
					if (*x == ' ' || *x == '#')
						*x = '_';
			}
			fprintf(f, "%zu %.6g %.6g %.6g %zu %s", c->xmap[p->run], m, a, z, p->n, ts);
			fprint_num(f, " ", pct(m, base));
			fprint_num(f, " ", pct(a, base));
			fprint_num(f, " ", pct(z, base));
			fprintf(f, " %s %s\n", kernel, rev);
		}
	}
	return plot_data_close(f);
}

/*
 * A panel's title for gnuplot's double-quoted string: the entry group (when the
 * chart has several) on a line of its own, then the test and unit, broken at
 * '/' into lines of at most TL_TITLE_COLS characters, joined by a literal \n.
 */
#define TL_TITLE_COLS 44

static void panel_title(const struct tl_chart *c, const struct tl_series *s, char *buf, size_t len)
{
	char text[300], *p, *brk = NULL;
	size_t k = 0, col = 0;

	snprintf(text, sizeof(text), "%s%s%s [%s]", c->groups && s->group[0] ? s->group : "",
		 c->groups && s->group[0] ? "\x01" : "", s->test, s->unit);
	/* the \x01 above is the group's line break; plain() must not eat it: mark, clean, restore */
	for (p = text; *p; p++)
		if (*p == '\x01')
			*p = '\x02';
	for (p = text; *p; p++)
		if (*p != '\x02' && unsafe(*p))
			*p = '_';
	for (p = text; *p && k + 3 < len; p++) {
		if (*p == '\x02') {
			buf[k++] = '\\';
			buf[k++] = 'n';
			col = 0;
			brk = NULL;
			continue;
		}
		if (col >= TL_TITLE_COLS && brk) {
			/* break after the last '/' seen on this line: move the tail after it down */
			size_t tail = (size_t)(&buf[k] - brk);

			if (k + 2 + 3 < len) {
				memmove(brk + 2, brk, tail);
				brk[0] = '\\';
				brk[1] = 'n';
				k += 2;
				col = tail;
			}
			brk = NULL;
		}
		buf[k++] = *p;
		col++;
		if (*p == '/' || *p == ' ')
			brk = &buf[k];
	}
	buf[k] = '\0';
}

/* Whether every number of s is the same (the y axis would have no range). */
static bool flat(const struct tl_series *s)
{
	for (size_t k = 0; k < s->npts; k++)
		for (size_t j = 0; j < s->pts[k].n; j++)
			if (s->pts[k].v[j] != s->pts[0].v[0])
				return false;
	return s->npts > 0;
}

static int draw_chart(const struct tl *tl, const struct tl_chart *c, size_t first, size_t n, const char *dat,
		      const char *out, const char *script, int page, int npages)
{
	size_t cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4, rows = (n + cols - 1) / cols;
	size_t na = 0, cap = 2 * (2 * n + 8) + 2;
	/* at most TL_MAX_XTICS labels (upright, three lines each) in a wide panel, half that in narrow ones */
	size_t maxt = cols >= 3 ? TL_MAX_XTICS / 2 : TL_MAX_XTICS, step = (c->nx + maxt - 1) / maxt;
	char **argv = calloc(cap, sizeof(*argv)), **own = calloc(cap, sizeof(*own));
	char title[256], subtitle[640], vars[256], *xt = NULL, ctx[256] = "", hostnames[160] = "", kernels[160] = "";
	const char *h0 = NULL;
	bool hosts = false, years = false;
	size_t nown = 0, len = 0;
	long long t0 = 0, t1 = 0;
	int rc = EXIT_FAILED;
	FILE *m;

	if (!argv || !own)
		goto out;
	/* several hosts: the host goes into each x label; several years: the year does */
	for (size_t r = 0; r < tl->nruns; r++) {
		long long t;

		if (c->xmap[r] == SIZE_MAX)
			continue;
		if (!h0)
			h0 = tl->runs[r]->host;
		else if (strcmp(h0, tl->runs[r]->host))
			hosts = true;
		if (!run_time(tl->runs[r], &t)) {
			if (!t0 || t < t0)
				t0 = t;
			if (t > t1)
				t1 = t;
		}
	}
	if (t0 && t1) {
		time_t a = (time_t)t0, b = (time_t)t1;
		struct tm ta, tb;

		gmtime_r(&a, &ta);
		gmtime_r(&b, &tb);
		years = ta.tm_year != tb.tm_year;
	}
	m = open_memstream(&xt, &len);
	if (!m)
		goto out;
	for (size_t r = 0, k = 0; r < tl->nruns; r++) {
		char lbl[128];

		if (c->xmap[r] == SIZE_MAX)
			continue;
		run_label(tl->runs[r], &tl->build[r], hosts, years, lbl, sizeof(lbl));
		/* counted back from the newest run, which always has its label */
		if (step <= 1 || (c->nx - 1 - c->xmap[r]) % step == 0)
			fprintf(m, "%s\"%s\" %zu", k++ ? ", " : "", lbl, c->xmap[r]);
	}
	if (fclose(m) || !xt)
		goto out;

	/* hosts, kernels and backends of the runs: hostname and backend from their manifests */
	for (size_t r = 0; r < tl->nruns; r++) {
		if (c->xmap[r] == SIZE_MAX)
			continue;
		if (tl->runs[r]->backend[0])
			plot_add_distinct(ctx, sizeof(ctx), tl->runs[r]->backend);
		plot_add_distinct(hostnames, sizeof(hostnames), tl->runs[r]->host[0] ? tl->runs[r]->host : "unknown");
		plot_add_distinct(kernels, sizeof(kernels), tl->build[r].kernel[0] ? tl->build[r].kernel : "unknown");
	}
	plain(hostnames);
	plain(kernels);
	plain(ctx);
	snprintf(title, sizeof(title), "exitlab timeline: campaign %s, payload %s - %zu runs", c->campaign,
		 c->payload, c->nx);
	snprintf(subtitle, sizeof(subtitle), "host %s, kernel %s%s%s", hostnames, kernels, ctx[0] ? " - " : "", ctx);
	if (npages > 1) {
		size_t l = strlen(title);

		snprintf(title + l, sizeof(title) - l, " - page %d/%d", page, npages);
	}
	snprintf(vars, sizeof(vars), "n_panels=%zu; cols=%zu; nrows=%zu; n_runs=%zu; relative=%d; ylo=%.6g; yhi=%.6g",
		 n, cols, rows, c->nx, tl->scale == PLOT_SCALE_RELATIVE, c->rel_lo, c->rel_hi);
	argv[na++] = "gnuplot";
#define ADD(s) do { char *_s = (s); if (!_s) goto out; own[nown++] = _s; argv[na++] = "-e"; \
		    argv[na++] = _s; } while (0)
	ADD(plot_gp_assign("datafile", dat));
	ADD(plot_gp_assign("outfile", out));
	ADD(plot_gp_assign("plottitle", title));
	ADD(plot_gp_assign("subtitle", subtitle));
	ADD(plot_gp_assign("xticsdef", xt));
	ADD(strdup(vars));
	for (size_t i = 0; i < n; i++) {
		const struct tl_series *s = &c->s[first + i];
		char var[32], pt[400];

		char *ta = NULL;

		snprintf(var, sizeof(var), "title_%zu", i);
		panel_title(c, s, pt, sizeof(pt));
		if (tl->scale == PLOT_SCALE_RELATIVE && isnan(series_base(s)) && strlen(pt) + 40 < sizeof(pt))
			strcat(pt, "\\n(no % change: first median not above 0)");
		/* double quotes: gnuplot turns the \n into line breaks; panel_title left no quote or backslash */
		if (asprintf(&ta, "%s=\"%s\"", var, pt) < 0)
			ta = NULL;
		ADD(ta);
		if (tl->scale == PLOT_SCALE_ABSOLUTE && flat(s) && s->pts[0].v[0] == 0) {
			char *fx = NULL;

			if (asprintf(&fx, "yfix_%zu=%.17g", i, s->pts[0].v[0]) < 0)
				fx = NULL;
			ADD(fx);
		}
	}
#undef ADD
	argv[na++] = (char *)script;
	argv[na] = NULL;
	rc = plot_run_gnuplot(argv);
out:
	if (rc != EXIT_OK && (!argv || !own))
		fprintf(stderr, "exitlab plot: out of memory\n");
	for (size_t i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	free(argv);
	free(xt);
	return rc;
}

/* Every chart of the timeline into outdir; an EXIT_* code. */
static int draw_all(struct tl *tl, const char *outdir, const char *script, const char *ext, int *ncharts,
		    struct chart_list *wrote)
{
	int rc = EXIT_OK;

	qsort(tl->s, tl->ns, sizeof(*tl->s), series_cmp);
	for (size_t i = 0; i < tl->ns; ) {
		struct tl_chart c = { .campaign = tl->s[i].campaign, .payload = tl->s[i].payload, .s = &tl->s[i] };
		char base[300], cs[128], ps[48];
		size_t per;
		int npages;

		while (i + c.ns < tl->ns && !strcmp(tl->s[i + c.ns].campaign, c.campaign) &&
		       !strcmp(tl->s[i + c.ns].payload, c.payload))
			c.ns++;
		c.xmap = malloc((tl->nruns + 1) * sizeof(*c.xmap));
		if (!c.xmap)
			return EXIT_FAILED;
		for (size_t r = 0; r < tl->nruns; r++)
			c.xmap[r] = SIZE_MAX;
		for (size_t k = 0, g = SIZE_MAX; k < c.ns; k++) {
			for (size_t p = 0; p < c.s[k].npts; p++)
				c.xmap[c.s[k].pts[p].run] = 0;
			if (!c.s[k].group[0])
				continue;
			if (g == SIZE_MAX)
				g = k;
			else if (strcmp(c.s[k].group, c.s[g].group))
				c.groups = true;
		}
		for (size_t r = 0; r < tl->nruns; r++)
			if (c.xmap[r] != SIZE_MAX)
				c.xmap[r] = c.nx++;
		/* one relative scale over every page of the chart */
		relative_range(&c);
		slug(c.campaign, cs, sizeof(cs));
		slug(c.payload, ps, sizeof(ps));
		npages = (int)((c.ns + TL_PANELS_PER_PAGE - 1) / TL_PANELS_PER_PAGE);
		/* the same number of panels on each page, give or take one */
		per = (c.ns + (size_t)npages - 1) / (size_t)npages;
		for (int pg = 0; pg < npages; pg++) {
			size_t first = (size_t)pg * per, n = c.ns - first;
			char *png = NULL, *dat = NULL;
			int r;

			if (n > per)
				n = per;
			if (pg)
				snprintf(base, sizeof(base), "timeline-%s-%s-%d", cs, ps, pg + 1);
			else
				snprintf(base, sizeof(base), "timeline-%s-%s", cs, ps);
			if (asprintf(&png, "%s/%s%s", outdir, base, ext) < 0)
				png = NULL;
			if (asprintf(&dat, "%s/%s.dat", outdir, base) < 0)
				dat = NULL;
			if (!png || !dat) {
				free(png);
				free(dat);
				free(c.xmap);
				return EXIT_FAILED;
			}
			if (write_chart_data(tl, &c, first, n, dat)) {
				fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
				r = EXIT_FAILED;
			} else {
				r = draw_chart(tl, &c, first, n, dat, png, script, pg + 1, npages);
			}
			if (r == EXIT_OK) {
				printf("wrote %s (%zu test%s over %zu run%s; numbers in %s)\n", png, n, n == 1 ? "" : "s",
				       c.nx, c.nx == 1 ? "" : "s", dat);
				(*ncharts)++;
				if (wrote && chart_list_add(wrote, png, dat, NULL, "", CHART_TIMELINE) && rc == EXIT_OK)
					rc = EXIT_FAILED;
			} else if (rc == EXIT_OK) {
				rc = r;
			}
			free(png);
			free(dat);
		}
		free(c.xmap);
		i += c.ns;
	}
	return rc;
}

int plot_timeline(const char *dir, const char *outdir, const char *script, const char *ext,
		  enum plot_scale scale, struct chart_list *wrote)
{
	struct tl tl = { .scale = scale };
	struct store_list l;
	char err[512];
	int n, rc = EXIT_OK, ncharts = 0;

	n = store_walk(dir, &l, tl_problem, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "exitlab plot: %s\n", err);
		return EXIT_USAGE;
	}
	tl.skipped = n;
	tl.runs = calloc(l.nruns + 1, sizeof(*tl.runs));
	tl.build = calloc(l.nruns + 1, sizeof(*tl.build));
	if (!tl.runs || !tl.build) {
		rc = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < l.nruns; i++)
		if (!l.runs[i].loose) /* a loose file has no entry names and no campaign to line up with */
			tl.runs[tl.nruns++] = &l.runs[i];
	if (!tl.nruns) {
		fprintf(stderr, "exitlab plot: %s holds no campaign run (a directory with manifest.json)\n", dir);
		rc = EXIT_USAGE;
		goto out;
	}
	plot_runs_by_time(tl.runs, tl.nruns);
	for (size_t i = 0; i < tl.nruns; i++)
		if (add_run(&tl, tl.runs[i], i)) {
			fprintf(stderr, "exitlab plot: out of memory\n");
			rc = EXIT_FAILED;
			goto out;
		}
	if (!tl.ns) {
		fprintf(stderr, "exitlab plot: no done entry with a timed ok test under %s\n", dir);
		rc = EXIT_USAGE;
		goto out;
	}
	if (mkdir(outdir, 0777) && errno != EEXIST) {
		fprintf(stderr, "exitlab plot: cannot create %s: %s\n", outdir, strerror(errno));
		rc = EXIT_FAILED;
		goto out;
	}
	rc = draw_all(&tl, outdir, script, ext, &ncharts, wrote);
	if (rc == EXIT_OK && tl.skipped)
		rc = EXIT_FAILED;
out:
	for (size_t i = 0; i < tl.ns; i++) {
		for (size_t k = 0; k < tl.s[i].npts; k++)
			free(tl.s[i].pts[k].v);
		free(tl.s[i].pts);
	}
	free(tl.s);
	free(tl.runs);
	free(tl.build);
	store_list_free(&l);
	return rc;
}
