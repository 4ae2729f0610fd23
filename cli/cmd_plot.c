// SPDX-License-Identifier: MIT
/*
 * exitlab plot: a results file as a PNG (or SVG) bar chart.  We write the numbers to a
 * plain data file next to the PNG (so the chart can be redrawn or restyled
 * without us) and hand the drawing to gnuplot with scripts/plot-exit-costs.gp.
 * mem-walk (here) and tlb (plot_tlb.c) have charts of their own.  A campaign
 * run directory gets every done entry's chart plus combined net and blk charts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "util/input_file.h"
#include "analysis/plot.h"
#include "analysis/report_table.h"
#include "analysis/results.h"
#include "analysis/results_store.h"

#define PLOT_SCRIPT "plot-exit-costs.gp"
#define PLOT_SCRIPT_MEM_WALK "plot-mem-walk.gp"
#define PLOT_SCRIPT_TLB "plot-tlb.gp"
#define PLOT_SCRIPT_NET "plot-net.gp"
#define PLOT_SCRIPT_BLK "plot-blk.gp"
#define PLOT_SCRIPT_CDF "plot-cdf.gp"
#define PLOT_SCRIPT_TIMELINE "plot-timeline.gp"

/* Bar categories; the script colours by them (column 5 of the data file). */
enum { CAT_GUEST_CPL3 = 1, CAT_GUEST_CPL0 = 2, CAT_HOST = 3 };
/* ncat[CAT_INVALID]: rows of any category whose exit counts contradict their test (validity.h) */
enum { CAT_INVALID = 4, NCAT = 5 };

/* --format: the gnuplot terminal every chart of this command uses, and its file suffix. */
static const char *plot_term = "pngcairo", *plot_ext = ".png";

static void plot_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab plot RESULTS.json [MORE.json ...] [--format png|svg] [-o OUT.png]\n"
		"       exitlab plot RESULTS.json --cdf|--ccdf [--format png|svg] [-o OUT.png]\n"
		"       exitlab plot RUNDIR [--format png|svg] [-o OUTDIR]\n"
		"       exitlab plot DIR [--scale relative|absolute] [--format png|svg] [-o OUTDIR]\n"
		"                                                (several runs: the timeline)\n"
		"\n"
		"Draw the median cycles per operation of every timed test in RESULTS.json\n"
		"as a bar chart (log scale, whisker from p1 to p99).  Also writes the numbers\n"
		"to OUT.dat.  Needs gnuplot (Debian: gnuplot-nox).  Every chart's title names\n"
		"the host and its kernel; the note that guest CPL0 code is instruction-emulated\n"
		"(PVM) is on a chart only when it draws CPL0 bars.\n"
		"\n"
		"Some payloads get their own chart:\n"
		"  mem-walk  time per access vs working set, one line per configuration\n"
		"  tlb       the refill tests: cycles per access of the pass after one exit,\n"
		"            clustered by N (pages touched) with a bar per exit kind, and the\n"
		"            refill one exit costs (exit minus no-exit pass, x N) below; the\n"
		"            other tests (invlpg, flush, cr3_switch) as the bar chart in\n"
		"            OUT-ops.png, numbers in OUT-ops.dat\n"
		"  net       exits per frame vs batch size (log-log; solid: all exits, dashed:\n"
		"            userspace exits; a 0 is drawn at a floor the key names) and frames\n"
		"            per second below; one line per (NIC, notify mode, tx/rx)\n"
		"  blk       I/Os per second and exits per I/O as bars by block size and queue\n"
		"            depth, one bar per (disk model, notify mode, read/write)\n"
		"\n"
		"Several files go into one chart when they are all net or all blk results\n"
		"(e.g. one run per NIC: exitlab plot e1000.json virtio.json -o net.png); the\n"
		"legend names each series by the device and notify mode its run used.\n"
		"Mixing payloads is refused.  OUT.png defaults to the first file's name.\n"
		"\n"
		"A campaign run directory (RUNDIR, with manifest.json): the chart of every done\n"
		"entry as OUTDIR/NNN-<slug>.png (and NNN-<slug>-cdf.png when it kept raw\n"
		"samples), plus net-all.png of all net entries and blk-all.png of all blk\n"
		"entries; OUTDIR defaults to RUNDIR/plots.  A corrupt entry is named and\n"
		"skipped (exit code 1).\n"
		"\n"
		"A directory of several runs (DIR without manifest.json: a campaign directory\n"
		"results/<campaign>/ or a store root): the regression timeline, one chart per\n"
		"campaign and payload, OUTDIR/timeline-<campaign>-<payload>.png (-2, -3... past\n"
		"16 tests) with its numbers in .dat: a panel per test, entries of the same name\n"
		"but their /repN pooled; x the runs in time order, each labelled with its UTC\n"
		"start (and host when they come from several), kernel and exitlab revision;\n"
		"y the median over the run's repetitions of each repetition's median (cycles,\n"
		"else ns per operation), whiskers p25..p75 of those medians, by --scale:\n"
		"relative (default) as %% change from the panel's first run, on one y scale\n"
		"shared by every panel so equal steps look equal; absolute in the panel's unit\n"
		"on an axis from 0.  Failed or timed-out entries and unreadable manifests or\n"
		"results files are named on stderr and left out (exit code 1).  OUTDIR\n"
		"defaults to DIR/plots.\n"
		"\n"
		"  -o, --output OUT.png  chart file (default: RESULTS with .png for .json);\n"
		"                        for RUNDIR or DIR, the output directory\n"
		"  -f, --format FMT      png (default) or svg (gnuplot's svg terminal; .svg)\n"
		"      --cdf             instead: the CDF of the raw samples of every test\n"
		"                        (exitlab run --raw), one line per test, each with its\n"
		"                        own colour, dash and point symbol; OUT defaults to\n"
		"                        RESULTS-cdf.png\n"
		"      --ccdf            the same as the complementary CDF (fraction of samples\n"
		"                        at or above x) on a log y axis: the tails spread out;\n"
		"                        OUT defaults to RESULTS-ccdf.png\n"
		"      --scale S         the timeline's y axis: relative (default) or absolute\n"
		"  -h, --help            this text\n"
		"\n"
		"The gnuplot script is looked up in $EXITLAB_SCRIPTS, then <exe dir>/../scripts,\n"
		"then ./scripts.\n");
}

/* path with its ".from" suffix (if any) replaced by ".to"; malloc'd. */
static char *swap_ext(const char *path, const char *from, const char *to)
{
	size_t n = strlen(path), fl = strlen(from);
	char *s;

	if (n > fl && !strcmp(path + n - fl, from))
		n -= fl;
	if (asprintf(&s, "%.*s%s", (int)n, path, to) < 0)
		return NULL;
	return s;
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* $EXITLAB_SCRIPTS, else next to the installed binary, else the source tree. */
static char *find_script(const char *script_name)
{
	const char *env = getenv("EXITLAB_SCRIPTS");
	char exe[PATH_MAX], *s;
	ssize_t n;

	if (env && *env) {
		if (asprintf(&s, "%s/%s", env, script_name) < 0)
			return NULL;
		if (readable(s))
			return s;
		fprintf(stderr, "exitlab plot: EXITLAB_SCRIPTS is set but %s is not readable\n", s);
		free(s);
		return NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (asprintf(&s, "%s/../scripts/%s", dirname(exe), script_name) < 0)
			return NULL;
		if (readable(s))
			return s;
		free(s);
	}
	if (asprintf(&s, "scripts/%s", script_name) < 0)
		return NULL;
	if (readable(s))
		return s;
	fprintf(stderr, "exitlab plot: cannot find %s (looked in <exe dir>/../scripts and "
			"./scripts; set EXITLAB_SCRIPTS to its directory)\n", script_name);
	free(s);
	return NULL;
}

/* First string value under key anywhere in j (depth first), or NULL. */
const char *plot_find_string(json_t *j, const char *key)
{
	const char *k, *found;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		v = json_object_get(j, key);
		if (json_is_string(v))
			return json_string_value(v);
		json_object_foreach(j, k, v)
			if ((found = plot_find_string(v, key)))
				return found;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if ((found = plot_find_string(v, key)))
				return found;
	}
	return NULL;
}

/* Data files are whitespace-separated: a label must be one token. */
static void label_for(const struct test_result *t, char *buf, size_t len)
{
	char name[96];

	/* the params tell apart tests of one name (refill 8/pio, refill 64/pio, …) */
	report_test_label(name, sizeof(name), t);
	if (!strncmp(t->where, "host", sizeof(t->where)))
		snprintf(buf, len, strncmp(name, "host", 4) ? "host_%s" : "%s", name);
	else
		snprintf(buf, len, "%s/cpl%d", name, t->ring);
	for (char *p = buf; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\'' || *p == '#' || *p == 0x7f)
			*p = '_';
}

static int category(const struct test_result *t)
{
	if (!strncmp(t->where, "host", sizeof(t->where)) || t->ring < 0)
		return CAT_HOST;
	return t->ring == 0 ? CAT_GUEST_CPL0 : CAT_GUEST_CPL3;
}

/*
 * One row per timed ok test that skip (if given) does not claim: label median
 * p1 p99 category emulated.  Returns the row count, or -1 with errno set.
 * ncat[c] counts each category.
 */
static int write_data(const struct run_result *r, const char *path, int ncat[NCAT],
		      bool (*skip)(const struct test_result *))
{
	FILE *f = fopen(path, "we");
	int rows = 0;

	if (!f)
		return -1;
	fprintf(f, "# exitlab plot data: payload %.32s, started %.32s\n"
		   "# cycles per operation, loop overhead subtracted; a cost below resolution\n"
		   "# is 0 0 X, its label ending (<X): less than X cycles\n"
		   "# category: 1 guest CPL3, 2 guest CPL0, 3 host baseline\n"
		   "# invalid: 1 when the exit counts contradict the test (label ends (INVALID))\n"
		   "# label median p1 p99 category emulated invalid\n",
		r->payload, r->started_at);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		char label[128];
		int c;

		if (t->status != TEST_OK || !t->has_timing || !t->cycles.n)
			continue;
		/* The loop overhead is what the other bars had subtracted, not a cost. */
		if (!strcmp(t->name, "empty") || (skip && skip(t)))
			continue;
		label_for(t, label, sizeof(label));
		c = category(t);
		ncat[c]++;
		/* An invalid row is drawn grey and says so: its figure is not the cost it names. */
		if (t->invalid) {
			size_t used = strlen(label);

			ncat[CAT_INVALID]++;
			snprintf(label + used, sizeof(label) - used, "(INVALID)");
		}
		/* Below resolution: no figure, a bar at 0 whose whisker reaches the bound. */
		if (t->calib.below_resolution) {
			size_t used = strlen(label);
			double x = isfinite(t->calib.resolution_cycles) ? ceil(t->calib.resolution_cycles) : 0;

			snprintf(label + used, sizeof(label) - used, "(<%.0f)", x);
			fprintf(f, "%s 0 0 %.6g %d %d %d\n", label, x, c, t->emulated ? 1 : 0, t->invalid ? 1 : 0);
			rows++;
			continue;
		}
		fprintf(f, "%s %.6g %.6g %.6g %d %d %d\n", label, t->cycles.median, t->cycles.p1,
			t->cycles.p99, c, t->emulated ? 1 : 0, t->invalid ? 1 : 0);
		rows++;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		errno = e;
		return -1;
	}
	if (fclose(f))
		return -1;
	return rows;
}

/* gnuplot single-quoted string: only ' needs escaping, as ''. */
char *plot_gp_assign(const char *var, const char *val)
{
	size_t n = strlen(val), k = 0;
	char *q = malloc(2 * n + 1), *s = NULL;

	if (!q)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (val[i] == '\'')
			q[k++] = '\'';
		q[k++] = val[i] == '\n' ? ' ' : val[i];
	}
	q[k] = '\0';
	if (asprintf(&s, "%s='%s'", var, q) < 0)
		s = NULL;
	free(q);
	return s;
}

/*
 * fork/exec gnuplot.  A close-on-exec pipe tells an exec failure (gnuplot not
 * installed) apart from gnuplot itself failing.
 */
static int run_gnuplot(char **argv)
{
	int pfd[2], status, child_errno = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		perror("exitlab plot: pipe");
		return EXIT_FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("exitlab plot: fork");
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_FAILED;
	}
	if (pid == 0) {
		close(pfd[0]);
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("exitlab plot: waitpid");
			return EXIT_FAILED;
		}
	}
	if (n == sizeof(child_errno)) {
		if (child_errno == ENOENT) {
			fprintf(stderr, "exitlab plot: gnuplot not found: install gnuplot-nox "
					"(apt-get install gnuplot-nox, or scripts/deps.sh as root)\n");
			return EXIT_NOHOST;
		}
		fprintf(stderr, "exitlab plot: cannot run gnuplot: %s\n", strerror(child_errno));
		return EXIT_NOHOST;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return EXIT_OK;
	if (WIFEXITED(status))
		fprintf(stderr, "exitlab plot: gnuplot failed (exit status %d)\n",
			WEXITSTATUS(status));
	else
		fprintf(stderr, "exitlab plot: gnuplot killed by signal %d\n", WTERMSIG(status));
	return EXIT_FAILED;
}

/* With -e term='...' (--format) first; the chart scripts default to pngcairo. */
int plot_run_gnuplot(char **args)
{
	char *term = plot_gp_assign("term", plot_term), **argv;
	size_t na = 0;
	int rc;

	while (args[na])
		na++;
	argv = calloc(na + 3, sizeof(*argv));
	if (!term || !argv) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		free(term);
		free(argv);
		return EXIT_FAILED;
	}
	argv[0] = args[0];
	argv[1] = "-e";
	argv[2] = term;
	memcpy(&argv[3], &args[1], na * sizeof(*argv));
	rc = run_gnuplot(argv);
	free(term);
	free(argv);
	return rc;
}

/*
 * The note under a bar chart: PVM emulates every guest CPL0 instruction, so
 * CPL0 bars are not exit costs alone.  Only a chart that has CPL0 bars
 * carries it (n_cpl0 of them, any of them marked emulated or the backend PVM).
 */
static const char *cpl0_note(int n_cpl0, bool emulated, const char *backend)
{
	if (n_cpl0 <= 0 || (!emulated && (!backend || strcmp(backend, "kvm_pvm"))))
		return "";
	return "Note: kvm_pvm backend - guest CPL0 code is instruction-emulated (~0.6 us per "
	       "instruction), so CPL0 bars include emulation; CPL3 code runs natively.";
}

/* Title, note and file names, then gnuplot. */
static int draw(const struct run_result *r, const char *dat, const char *png,
		const char *script, const int ncat[NCAT], bool (*skip)(const struct test_result *))
{
	const char *cpu = NULL, *backend = NULL;
	char title[640], counts[128], hk[200], *e[5] = { 0 };
	bool emulated = false;
	json_t *ctx = NULL;
	int rc = EXIT_FAILED;

	if (r->context_json)
		ctx = json_loads(r->context_json, 0, NULL);
	cpu = plot_find_string(ctx, "model_name");
	backend = plot_find_string(ctx, "backend");
	plot_host_kernel(ctx, hk, sizeof(hk));
	/* the CPL0 bars drawn, as write_data chose them */
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		if (t->status == TEST_OK && t->has_timing && t->cycles.n && category(t) == CAT_GUEST_CPL0 &&
		    strcmp(t->name, "empty") && !(skip && skip(t)))
			emulated |= t->emulated;
	}

	snprintf(title, sizeof(title), "exitlab %.32s: cycles per operation - %s - %s - %s - %.32s",
		 r->payload, hk, cpu ? cpu : "unknown CPU", backend ? backend : "unknown backend",
		 r->started_at);
	snprintf(counts, sizeof(counts), "n_cpl3=%d; n_cpl0=%d; n_host=%d; n_invalid=%d",
		 ncat[CAT_GUEST_CPL3], ncat[CAT_GUEST_CPL0], ncat[CAT_HOST], ncat[CAT_INVALID]);
	e[0] = plot_gp_assign("datafile", dat);
	e[1] = plot_gp_assign("outfile", png);
	e[2] = plot_gp_assign("plottitle", title);
	e[3] = plot_gp_assign("note", cpl0_note(ncat[CAT_GUEST_CPL0], emulated, backend));
	e[4] = strdup(counts);
	if (e[0] && e[1] && e[2] && e[3] && e[4]) {
		char *argv[] = {
			"gnuplot", "-e", e[0], "-e", e[1], "-e", e[2], "-e", e[3], "-e", e[4],
			(char *)script, NULL,
		};

		rc = plot_run_gnuplot(argv);
	} else {
		fprintf(stderr, "exitlab plot: out of memory\n");
	}
	for (int i = 0; i < 5; i++)
		free(e[i]);
	json_decref(ctx);
	return rc;
}

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

/*
 * The bar chart of every timed ok test that skip (if given) does not claim.
 * *rows: how many were drawn; none is EXIT_OK with *rows 0 (no file is left).
 */
static int plot_generic(const struct run_result *r, const char *dat, const char *png,
			bool (*skip)(const struct test_result *), int *rows)
{
	char *script = find_script(PLOT_SCRIPT);
	int rc, ncat[NCAT] = { 0 };

	*rows = 0;
	if (!script)
		return EXIT_NOHOST;
	*rows = write_data(r, dat, ncat, skip);
	if (*rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
		*rows = 0;
		free(script);
		return EXIT_FAILED;
	}
	if (!*rows) {
		unlink(dat);
		free(script);
		return EXIT_OK;
	}
	rc = draw(r, dat, png, script, ncat, skip);
	if (rc == EXIT_OK)
		printf("wrote %s (%d tests; numbers in %s)\n", png, *rows, dat);
	free(script);
	return rc;
}

/*
 * tlb: the refill tests as their own chart in png, every other test as the
 * generic bar chart in png with "-ops" added.  No refill test: the generic
 * chart of everything, in png.
 */
static int plot_tlb(const struct run_result *r, const char *in, const char *dat, const char *png)
{
	char *script = find_script(PLOT_SCRIPT_TLB), *ops_png = NULL, *ops_dat = NULL;
	struct plot_tlb_info info;
	int rc = EXIT_FAILED, rows;

	if (!script)
		return EXIT_NOHOST;
	rows = plot_tlb_write_data(r, dat, &info);
	if (rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
		goto out;
	}
	if (!rows) {
		unlink(dat);
		fprintf(stderr, "exitlab plot: %s has no timed refill test: the generic chart instead\n", in);
		rc = plot_generic(r, dat, png, NULL, &rows);
		if (rc == EXIT_OK && !rows) {
			fprintf(stderr, "exitlab plot: %s has no test with status ok and timing to plot\n", in);
			rc = EXIT_USAGE;
		}
		goto out;
	}
	rc = plot_tlb_draw(r, dat, png, script, &info);
	if (rc != EXIT_OK)
		goto out;
	printf("wrote %s (%d refill tests at %d N; numbers in %s)\n", png, rows, info.nn, dat);

	{
		char ops_ext[16];

		snprintf(ops_ext, sizeof(ops_ext), "-ops%s", plot_ext);
		ops_png = swap_ext(png, plot_ext, ops_ext);
	}
	ops_dat = ops_png ? swap_ext(ops_png, plot_ext, ".dat") : NULL;
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
	rc = plot_generic(r, ops_dat, ops_png, plot_tlb_is_refill, &rows);
	if (rc == EXIT_OK && !rows)
		printf("no other timed test: no %s\n", ops_png);
out:
	free(ops_png);
	free(ops_dat);
	free(script);
	return rc;
}

/*
 * net: the exits-per-frame chart of every file.  One file without a tx/rx
 * test gets the generic chart instead; several must all have some.
 */
static int plot_net(const struct run_result *runs, const char *const *names, size_t n, const char *dat,
		    const char *png)
{
	char *script = find_script(PLOT_SCRIPT_NET);
	struct plot_net_info info;
	int rc = EXIT_FAILED, rows;

	if (!script)
		return EXIT_NOHOST;
	rows = plot_net_write_data(runs, names, n, dat, &info);
	if (rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
		goto out;
	}
	if (!rows) {
		unlink(dat);
		if (n > 1) {
			fprintf(stderr, "exitlab plot: no tx or rx test with status ok to draw in these files\n");
			rc = EXIT_USAGE;
			goto out;
		}
		fprintf(stderr, "exitlab plot: %s has no tx or rx test to draw: the generic chart instead\n",
			names[0]);
		rc = plot_generic(&runs[0], dat, png, NULL, &rows);
		if (rc == EXIT_OK && !rows) {
			fprintf(stderr, "exitlab plot: %s has no test with status ok and timing to plot\n", names[0]);
			rc = EXIT_USAGE;
		}
		goto out;
	}
	rc = plot_net_draw(runs, n, dat, png, script, &info);
	if (rc == EXIT_OK)
		printf("wrote %s (%d series, %d points from %zu file%s; numbers in %s)\n", png, info.nseries, rows,
		       n, n == 1 ? "" : "s", dat);
out:
	free(script);
	return rc;
}

/* blk: the same shape as net, bars by (bs, qd). */
static int plot_blk(const struct run_result *runs, const char *const *names, size_t n, const char *dat,
		    const char *png)
{
	char *script = find_script(PLOT_SCRIPT_BLK);
	struct plot_blk_info info;
	int rc = EXIT_FAILED, rows;

	if (!script)
		return EXIT_NOHOST;
	rows = plot_blk_write_data(runs, names, n, dat, &info);
	if (rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
		goto out;
	}
	if (!rows) {
		unlink(dat);
		if (n > 1) {
			fprintf(stderr, "exitlab plot: no read or write test with status ok to draw in these files\n");
			rc = EXIT_USAGE;
			goto out;
		}
		fprintf(stderr, "exitlab plot: %s has no read or write test to draw: the generic chart instead\n",
			names[0]);
		rc = plot_generic(&runs[0], dat, png, NULL, &rows);
		if (rc == EXIT_OK && !rows) {
			fprintf(stderr, "exitlab plot: %s has no test with status ok and timing to plot\n", names[0]);
			rc = EXIT_USAGE;
		}
		goto out;
	}
	rc = plot_blk_draw(runs, n, dat, png, script, &info);
	if (rc == EXIT_OK)
		printf("wrote %s (%d series at %d (bs, qd) from %zu file%s; numbers in %s)\n", png, info.nseries,
		       info.ncats, n, n == 1 ? "" : "s", dat);
out:
	free(script);
	return rc;
}

/* The chart(s) of runs[0..nruns) (one payload) in png, the numbers in dat: an EXIT_* code. */
static int plot_runs(const struct run_result *runs, const char *const *names, size_t nruns, const char *dat,
		     const char *png)
{
	const char *in = names[0];
	char *script = NULL;
	int rc, rows;

	if (!strcmp(runs[0].payload, "net")) {
		rc = plot_net(runs, names, nruns, dat, png);
		goto done;
	}
	if (!strcmp(runs[0].payload, "blk")) {
		rc = plot_blk(runs, names, nruns, dat, png);
		goto done;
	}
	if (!strcmp(runs[0].payload, "mem-walk")) {
		int nguest, nnative;
		bool ns;

		script = find_script(PLOT_SCRIPT_MEM_WALK);
		if (!script) {
			rc = EXIT_NOHOST;
			goto done;
		}
		rows = write_mem_walk_data(&runs[0], dat, &nguest, &nnative, &ns);
		if (rows <= 0) {
			if (rows < 0)
				fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
			else
				fprintf(stderr, "exitlab plot: %s has no timed chase to plot\n", in);
			unlink(dat);
			rc = rows < 0 ? EXIT_FAILED : EXIT_USAGE;
			goto done;
		}
		rc = draw_mem_walk(&runs[0], dat, png, script, nguest, nnative, ns);
		if (rc == EXIT_OK)
			printf("wrote %s (%d points; numbers in %s)\n", png, rows, dat);
		goto done;
	}
	if (!strcmp(runs[0].payload, "tlb")) {
		rc = plot_tlb(&runs[0], in, dat, png);
		goto done;
	}
	rc = plot_generic(&runs[0], dat, png, NULL, &rows);
	if (rc == EXIT_OK && !rows) {
		fprintf(stderr, "exitlab plot: %s has no test with status ok and timing to plot\n", in);
		rc = EXIT_USAGE;
	}
done:
	free(script);
	return rc;
}

/* OUTDIR/BASE.EXT and OUTDIR/BASE.dat; 0, or -1 out of memory. */
static int out_names(const char *outdir, const char *base, char **png, char **dat)
{
	*png = *dat = NULL;
	if (asprintf(png, "%s/%s%s", outdir, base, plot_ext) < 0) {
		*png = NULL;
		return -1;
	}
	if (asprintf(dat, "%s/%s.dat", outdir, base) < 0) {
		*dat = NULL;
		return -1;
	}
	return 0;
}

/* The combined net or blk chart of every such entry of the run, as OUTDIR/<payload>-all.EXT. */
static int plot_dir_combined(const struct run_result *res, const char *const *names, size_t n,
			     const char *payload, const char *outdir)
{
	struct run_result *sel = calloc(n + 1, sizeof(*sel));
	const char **sel_names = calloc(n + 1, sizeof(*sel_names));
	char *png = NULL, *dat = NULL, base[48];
	size_t k = 0;
	int rc = EXIT_OK;

	if (!sel || !sel_names) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(res[i].payload, payload)) {
			sel[k] = res[i]; /* shallow: plot_net/plot_blk only read */
			sel_names[k++] = names[i];
		}
	if (!k)
		goto out;
	snprintf(base, sizeof(base), "%s-all", payload);
	if (out_names(outdir, base, &png, &dat)) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	rc = !strcmp(payload, "net") ? plot_net(sel, sel_names, k, dat, png) : plot_blk(sel, sel_names, k, dat, png);
out:
	free(png);
	free(dat);
	free(sel);
	free(sel_names);
	return rc;
}

static int plot_cdf(const struct run_result *r, const char *in, const char *dat, const char *png, bool ccdf);

/* Whether any ok test of r kept raw samples (exitlab run --raw). */
static bool has_samples(const struct run_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].status == TEST_OK && r->tests[i].samples && r->tests[i].nsamples &&
		    strcmp(r->tests[i].name, "empty"))
			return true;
	return false;
}

/*
 * A campaign run directory: every done entry's chart as OUTDIR/<entry file
 * name>.EXT, then one net and one blk chart of all such entries.  A corrupt
 * entry is named and skipped (exit 1); a chart that fails makes the exit code too.
 */
static int plot_dir(const char *dir, const char *outdir_opt)
{
	struct store_run run = { 0 };
	struct run_result *res = NULL;
	const char **names = NULL;
	char err[512], *outdir = NULL;
	size_t n = 0;
	int rc = EXIT_OK, r, nskipped = 0;

	if (store_read_manifest(dir, &run, err, sizeof(err))) {
		fprintf(stderr, "exitlab plot: %s/manifest.json: %s\n", dir, err);
		return EXIT_USAGE;
	}
	if (outdir_opt)
		outdir = strdup(outdir_opt);
	else if (asprintf(&outdir, "%s/plots", dir) < 0)
		outdir = NULL;
	res = calloc(run.nentries + 1, sizeof(*res));
	names = calloc(run.nentries + 1, sizeof(*names));
	if (!outdir || !res || !names) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	if (mkdir(outdir, 0777) && errno != EEXIST) {
		fprintf(stderr, "exitlab plot: cannot create %s: %s\n", outdir, strerror(errno));
		rc = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < run.nentries; i++) {
		const struct store_entry *e = &run.entries[i];

		if (strcmp(e->status, "done") || !e->results)
			continue;
		r = store_load_entry(e, &res[n], err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "exitlab plot: skipped entry %s: %s\n", e->name, err);
			results_free(&res[n]);
			memset(&res[n], 0, sizeof(res[n]));
			nskipped++;
			continue;
		}
		if (r == 0)
			continue;
		names[n++] = e->results;
	}
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(names[i], '/');
		char *png = NULL, *dat = NULL, *base = strdup(slash ? slash + 1 : names[i]), *dot;

		if (base && (dot = strrchr(base, '.')) && !strcmp(dot, ".json"))
			*dot = '\0';
		if (!base || out_names(outdir, base, &png, &dat)) {
			free(png);
			free(dat);
			fprintf(stderr, "exitlab plot: out of memory\n");
			free(base);
			rc = EXIT_FAILED;
			goto out;
		}
		r = plot_runs(&res[i], &names[i], 1, dat, png);
		if (r != EXIT_OK && rc == EXIT_OK)
			rc = r;
		free(png);
		free(dat);
		png = dat = NULL;
		/* an entry that kept its raw samples (exitlab run --raw): their CDF as well */
		if (has_samples(&res[i])) {
			char *cdf_base = NULL;

			if (asprintf(&cdf_base, "%s-cdf", base) < 0 || out_names(outdir, cdf_base, &png, &dat)) {
				fprintf(stderr, "exitlab plot: out of memory\n");
				r = EXIT_FAILED;
			} else {
				r = plot_cdf(&res[i], names[i], dat, png, false);
			}
			if (r != EXIT_OK && rc == EXIT_OK)
				rc = r;
			free(cdf_base);
			free(png);
			free(dat);
		}
		free(base);
	}
	for (int k = 0; k < 2; k++) {
		r = plot_dir_combined(res, names, n, k ? "blk" : "net", outdir);
		if (r != EXIT_OK && rc == EXIT_OK)
			rc = r;
	}
	if (nskipped && rc == EXIT_OK)
		rc = EXIT_FAILED;
	if (!n)
		fprintf(stderr, "exitlab plot: %s has no done entry to draw\n", dir);
out:
	for (size_t i = 0; i < n; i++)
		results_free(&res[i]);
	free(res);
	free(names);
	free(outdir);
	store_run_free(&run);
	return rc;
}

static bool is_run_dir(const char *dir)
{
	char *m = NULL;
	bool yes;

	if (asprintf(&m, "%s/manifest.json", dir) < 0)
		return true; /* plot_dir then says what is wrong */
	yes = access(m, F_OK) == 0;
	free(m);
	return yes;
}

/* A directory of several runs (a campaign directory, a store root): the regression timeline. */
static int plot_dir_timeline(const char *dir, const char *outdir_opt, enum plot_scale scale)
{
	char *script = find_script(PLOT_SCRIPT_TIMELINE), *outdir = NULL;
	int rc;

	if (!script)
		return EXIT_NOHOST;
	if (outdir_opt)
		outdir = strdup(outdir_opt);
	else if (asprintf(&outdir, "%s/plots", dir) < 0)
		outdir = NULL;
	if (!outdir) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		free(script);
		return EXIT_FAILED;
	}
	rc = plot_timeline(dir, outdir, script, plot_ext, scale);
	free(outdir);
	free(script);
	return rc;
}

/* --cdf (--ccdf: ccdf): the raw samples' distribution per test, or EXIT_USAGE if the file kept none. */
static int plot_cdf(const struct run_result *r, const char *in, const char *dat, const char *png, bool ccdf)
{
	char *script = find_script(PLOT_SCRIPT_CDF);
	struct plot_cdf_info *info = malloc(sizeof(*info));
	int rc, n;

	if (!script || !info) {
		if (script)
			fprintf(stderr, "exitlab plot: out of memory\n");
		free(script);
		free(info);
		return script ? EXIT_FAILED : EXIT_NOHOST;
	}
	n = plot_cdf_write_data(r, dat, info);
	if (n <= 0) {
		if (n < 0)
			fprintf(stderr, "exitlab plot: writing %s: %s\n", dat, strerror(errno));
		else
			fprintf(stderr, "exitlab plot: %s kept no raw samples (run it with exitlab run --raw)\n", in);
		unlink(dat);
		free(script);
		free(info);
		return n < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	rc = plot_cdf_draw(r, dat, png, script, info, ccdf);
	if (rc == EXIT_OK)
		printf("wrote %s (%d tests; numbers in %s)\n", png, info->ntests, dat);
	free(script);
	free(info);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "cdf", no_argument, NULL, 'c' },
		{ "ccdf", no_argument, NULL, 'C' },
		{ "scale", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *png = NULL, *dat = NULL, *script = NULL, err[512];
	const char *in, *out = NULL, *const *names;
	struct run_result *runs = NULL;
	size_t nruns = 0;
	int c, rc = EXIT_USAGE;
	enum plot_scale timeline_scale = PLOT_SCALE_RELATIVE;
	bool cdf = false, ccdf = false, scale_given = false;

	optind = 0; /* glibc: full re-initialisation, another command may have parsed */
	opterr = 0;
	plot_term = "pngcairo";
	plot_ext = ".png";
	while ((c = getopt_long(argc, argv, ":o:f:cCs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cdf = true;
			break;
		case 'C':
			cdf = ccdf = true;
			break;
		case 's':
			if (!strcmp(optarg, "relative")) {
				timeline_scale = PLOT_SCALE_RELATIVE;
			} else if (!strcmp(optarg, "absolute")) {
				timeline_scale = PLOT_SCALE_ABSOLUTE;
			} else {
				fprintf(stderr, "exitlab plot: --scale must be relative or absolute, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			scale_given = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "svg")) {
				plot_term = "svg";
				plot_ext = ".svg";
			} else if (strcmp(optarg, "png")) {
				fprintf(stderr, "exitlab plot: --format must be png or svg, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			plot_usage(stdout);
			return EXIT_OK;
		case ':':
			fprintf(stderr, "exitlab plot: option '%s' needs an argument\n",
				argv[optind - 1]);
			plot_usage(stderr);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "exitlab plot: unknown option '%s'\n", argv[optind - 1]);
			plot_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc <= optind) {
		fprintf(stderr, "exitlab plot: no results file given\n");
		plot_usage(stderr);
		return EXIT_USAGE;
	}
	names = (const char *const *)&argv[optind];
	in = names[0];
	{
		struct stat st;

		if (!stat(in, &st) && S_ISDIR(st.st_mode)) {
			if (cdf) {
				fprintf(stderr, "exitlab plot: --cdf takes one results file\n");
				return EXIT_USAGE;
			}
			if (argc - optind > 1) {
				fprintf(stderr, "exitlab plot: a run directory is plotted alone\n");
				return EXIT_USAGE;
			}
			if (scale_given && is_run_dir(in)) {
				fprintf(stderr, "exitlab plot: --scale is for the timeline of several runs "
						"(a directory without manifest.json), not for a run directory\n");
				return EXIT_USAGE;
			}
			return is_run_dir(in) ? plot_dir(in, out) : plot_dir_timeline(in, out, timeline_scale);
		}
	}
	runs = calloc((size_t)(argc - optind), sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		return EXIT_FAILED;
	}
	for (; nruns < (size_t)(argc - optind); nruns++) {
		if (results_read_json(names[nruns], &runs[nruns], err, sizeof(err))) {
			fprintf(stderr, "exitlab plot: %s\n", err);
			results_free(&runs[nruns]);
			goto out;
		}
	}
	if (plot_same_payload(runs, names, nruns, err, sizeof(err))) {
		fprintf(stderr, "exitlab plot: %s\n", err);
		goto out;
	}
	if (scale_given) {
		fprintf(stderr, "exitlab plot: --scale is for the timeline of several runs (exitlab plot DIR)\n");
		goto out;
	}
	if (cdf && nruns > 1) {
		fprintf(stderr, "exitlab plot: --cdf takes one results file\n");
		goto out;
	}
	if (cdf && !out) {
		char cdf_ext[16];

		snprintf(cdf_ext, sizeof(cdf_ext), "%s%s", ccdf ? "-ccdf" : "-cdf", plot_ext);
		png = swap_ext(in, ".json", cdf_ext);
	} else {
		png = out ? strdup(out) : swap_ext(in, ".json", plot_ext);
	}
	dat = png ? swap_ext(png, plot_ext, ".dat") : NULL;
	if (!png || !dat) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	/* by device and inode too: ./F.json is F.json */
	for (size_t i = 0; i < nruns; i++)
		if (!strcmp(png, names[i]) || !strcmp(dat, names[i]) || input_file_same(png, names[i]) ||
		    input_file_same(dat, names[i])) {
			fprintf(stderr, "exitlab plot: refusing to overwrite the results file %s (%s)\n",
				names[i], !strcmp(png, names[i]) || input_file_same(png, names[i]) ? png : dat);
			goto out;
		}

	rc = cdf ? plot_cdf(&runs[0], in, dat, png, ccdf) : plot_runs(runs, names, nruns, dat, png);
out:
	free(script);
	free(png);
	free(dat);
	for (size_t i = 0; i < nruns; i++)
		results_free(&runs[i]);
	free(runs);
	return rc;
}
