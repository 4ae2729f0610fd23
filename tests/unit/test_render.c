// SPDX-License-Identifier: MIT
/*
 * The chart entry point and the report on the results of tests/data/results
 * (README.md there), with a stand-in gnuplot that leaves a file per chart
 * (tests/unit/fake_gnuplot.h): the list analysis/charts.c returns is every
 * chart it drew and nothing else; the report embeds exactly the charts that
 * list holds, drawn in this process: the only processes it starts are gnuplot
 * (fork is counted here, against the gnuplot runs the stand-in logged; a
 * report that ran /proc/self/exe plot would fork once per run and leave the
 * gnuplot runs to its child).  And the payload views table itself.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/fake_gnuplot.h"
#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/payload_views.h"
#include "analysis/report.h"

#define RUN1 "tests/data/results/store/lab/20261201T100000Z-labhost"

/* Every fork of this process, counted (then the real one). */
static int nforks;

pid_t fork(void)
{
	static pid_t (*real)(void);

	if (!real)
		real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	nforks++;
	return real();
}

static int setup(void **state)
{
	(void)state;
	setenv("FAKE_GNUPLOT_DRAW", "1", 1);
	return fake_gnuplot_setup();
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("FAKE_GNUPLOT_DRAW");
	fake_gnuplot_teardown();
	return 0;
}

/* How many times the stand-in gnuplot ran since the last call: one chart script as last argument each. */
static int gnuplot_runs(void)
{
	char *args = fake_gnuplot_args(), prefix[300];
	int n = 0;

	snprintf(prefix, sizeof(prefix), "%s/plot-", fake_dir);
	for (const char *p = args; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	free(args);
	return n;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = s ? strlen(s) : 0, b = strlen(tail);

	return s && a >= b && !strcmp(s + a - b, tail);
}

static const struct chart_file *find(const struct chart_list *l, const char *path_tail, enum chart_kind kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (ends_with(l->v[i].path, path_tail) && l->v[i].kind == kind)
			return &l->v[i];
	return NULL;
}

/* The *.png files in dir. */
static int pngs_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += ends_with(de->d_name, ".png");
	closedir(d);
	return n;
}

/* A campaign run directory: the list names each chart drawn, with its entry and kind, and only those. */
static void test_run_dir_list(void **state)
{
	const char *in = RUN1;
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char out[300];
	const struct chart_file *c;
	(void)state;

	snprintf(out, sizeof(out), "%s/plots", fake_dir);
	o.out = out;
	/* hostile has no timed test (bad input, 2) and entry 008 is corrupt: both named, the rest drawn */
	assert_int_equal(plot_charts(&in, 1, &o, &l), EXIT_USAGE);
	assert_int_equal(l.n, 11);
	assert_int_equal(pngs_in(out), 11);
	for (size_t i = 0; i < l.n; i++) {
		struct stat st;

		assert_int_equal(stat(l.v[i].path, &st), 0);
		assert_int_equal(strncmp(l.v[i].path, out, strlen(out)), 0);
		assert_true(ends_with(l.v[i].dat, ".dat"));
	}
	assert_non_null(c = find(&l, "/000-exit-costs-rep1.png", CHART_MAIN));
	assert_true(ends_with(c->results, "/entries/000-exit-costs-rep1.json"));
	assert_string_equal(c->payload, "exit-costs");
	assert_non_null(c = find(&l, "/000-exit-costs-rep1-cdf.png", CHART_CDF));
	assert_true(ends_with(c->results, "/entries/000-exit-costs-rep1.json"));
	assert_non_null(find(&l, "/001-mem-walk.png", CHART_MAIN));
	assert_non_null(find(&l, "/002-tlb.png", CHART_MAIN));
	assert_non_null(c = find(&l, "/002-tlb-ops.png", CHART_OPS));
	assert_true(ends_with(c->results, "/entries/002-tlb.json"));
	for (int k = 3; k <= 6; k++) {
		char tail[64];

		snprintf(tail, sizeof(tail), "/00%d-%s", k, k < 5 ? "net-" : "blk-qd");
		for (size_t i = 0, found = 0; i < l.n || !found; i++) {
			assert_true(i < l.n);
			if (strstr(l.v[i].path, tail) && l.v[i].kind == CHART_MAIN)
				found = 1;
		}
	}
	assert_non_null(c = find(&l, "/net-all.png", CHART_COMBINED));
	assert_null(c->results);
	assert_string_equal(c->payload, "net");
	assert_non_null(c = find(&l, "/blk-all.png", CHART_COMBINED));
	assert_string_equal(c->payload, "blk");
	assert_null(find(&l, "007-hostile", CHART_MAIN));
	chart_list_free(&l);
	free(fake_gnuplot_args());
}

/* Count the <img of html and the Markdown's links to OUT-NNN.png. */
static void count_charts(const char *html_path, const char *md_path, int *nimg, int *nmd)
{
	char line[1 << 16];
	FILE *f = fopen(html_path, "r");

	*nimg = *nmd = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		for (const char *p = line; (p = strstr(p, "<img ")); p++)
			(*nimg)++;
	fclose(f);
	f = fopen(md_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		*nmd += !strncmp(line, "![", 2) && strstr(line, "](r-");
	fclose(f);
}

/*
 * The report of the run embeds every chart the chart code returns for it (11),
 * each once, and starts no process but gnuplot.
 */
static void test_report_embeds_the_list(void **state)
{
	const char *in = RUN1;
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char out[300], html[300], md[300];
	int nimg, nmd, runs;
	(void)state;

	snprintf(out, sizeof(out), "%s/plots2", fake_dir);
	o.out = out;
	plot_charts(&in, 1, &o, &l);
	free(fake_gnuplot_args());

	snprintf(html, sizeof(html), "%s/r.html", fake_dir);
	snprintf(md, sizeof(md), "%s/r.md", fake_dir);
	nforks = 0;
	assert_int_equal(report_write(RUN1, html, md), EXIT_FAILED); /* the corrupt entry */
	runs = gnuplot_runs();
	assert_true(runs >= (int)l.n);
	assert_int_equal(nforks, runs);
	count_charts(html, md, &nimg, &nmd);
	assert_int_equal(nimg, (int)l.n);
	assert_int_equal(nmd, (int)l.n);
	chart_list_free(&l);
}

/* A loose tlb file: its two charts in the list, the report embeds both, and the CDF of one with samples. */
static void test_loose_files(void **state)
{
	const char *tlb = "tests/data/results/files/tlb.json", *raw = "tests/data/results/files/exit-costs-raw.json";
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char out[300], html[300], md[300];
	int nimg, nmd;
	(void)state;

	snprintf(out, sizeof(out), "%s/t.png", fake_dir);
	o.out = out;
	assert_int_equal(plot_charts(&tlb, 1, &o, &l), EXIT_OK);
	assert_int_equal(l.n, 2);
	assert_non_null(find(&l, "/t.png", CHART_MAIN));
	assert_non_null(find(&l, "/t-ops.png", CHART_OPS));
	chart_list_free(&l);

	snprintf(out, sizeof(out), "%s/c.png", fake_dir);
	o.cdf = true;
	assert_int_equal(plot_charts(&raw, 1, &o, &l), EXIT_OK);
	assert_int_equal(l.n, 1);
	assert_non_null(find(&l, "/c.png", CHART_CDF));
	chart_list_free(&l);

	snprintf(html, sizeof(html), "%s/r.html", fake_dir);
	snprintf(md, sizeof(md), "%s/r.md", fake_dir);
	nforks = 0;
	free(fake_gnuplot_args());
	assert_int_equal(report_write(tlb, html, md), EXIT_OK);
	assert_int_equal(nforks, gnuplot_runs());
	count_charts(html, md, &nimg, &nmd);
	assert_int_equal(nimg, 2);
	assert_int_equal(nmd, 2);
	nforks = 0;
	assert_int_equal(report_write(raw, html, md), EXIT_OK);
	assert_int_equal(nforks, gnuplot_runs());
	count_charts(html, md, &nimg, &nmd);
	assert_int_equal(nimg, 2); /* the bars and the CDF */
}

/* One row per payload; device views have a chart; the report's line for a payload without a row. */
static void test_payload_views(void **state)
{
	(void)state;
	for (size_t i = 0; i < npayload_views; i++) {
		const struct payload_view *v = &payload_views[i];

		assert_ptr_equal(payload_view_find(v->name), v);
		assert_non_null(v->what);
		assert_true(!v->device || v->chart);
		assert_true(!v->chart || v->plot_help);
		assert_true(!v->chart || payload_view_draws(v->name, v->chart));
	}
	assert_null(payload_view_find("no-such-payload"));
	assert_string_equal(payload_view_what("no-such-payload"),
			    "The tests this payload ran, as measured from the guest.");
	assert_true(payload_view_draws("net", plot_net_chart));
	assert_false(payload_view_draws("blk", plot_net_chart));
	assert_false(payload_view_draws("exit-costs", plot_net_chart));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_dir_list),
		cmocka_unit_test(test_report_embeds_the_list),
		cmocka_unit_test(test_loose_files),
		cmocka_unit_test(test_payload_views),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
