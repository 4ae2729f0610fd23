// SPDX-License-Identifier: MIT
/*
 * The exit-cost bar chart, every payload's unless its view has a chart of its
 * own (payload_views.c): the median cycles per operation of every timed test
 * (log scale, whisker from p1 to p99), coloured guest CPL3, guest CPL0, host.
 * The numbers go to OUT.dat first (scripts/plot-exit-costs.gp reads them).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/gnuplot.h"
#include "analysis/report_table.h"

#define PLOT_SCRIPT "plot-exit-costs.gp"

/* Bar categories; the script colours by them (column 5 of the data file). */
enum { CAT_GUEST_CPL3 = 1, CAT_GUEST_CPL0 = 2, CAT_HOST = 3 };
/* ncat[CAT_INVALID]: rows of any category whose exit counts contradict their test (validity.h) */
enum { CAT_INVALID = 4, NCAT = 5 };

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
	if (plot_data_close(f))
		return -1;
	return rows;
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

int plot_bars(const struct chart_job *j, bool (*skip)(const struct test_result *), int *rows)
{
	const struct run_result *r = &j->runs[0];
	char *script = plot_find_script(PLOT_SCRIPT);
	int rc, ncat[NCAT] = { 0 };

	*rows = 0;
	if (!script)
		return EXIT_NOHOST;
	*rows = write_data(r, j->dat, ncat, skip);
	if (*rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		*rows = 0;
		free(script);
		return EXIT_FAILED;
	}
	if (!*rows) {
		unlink(j->dat);
		free(script);
		return EXIT_OK;
	}
	rc = draw(r, j->dat, j->out, script, ncat, skip);
	if (rc == EXIT_OK) {
		printf("wrote %s (%d tests; numbers in %s)\n", j->out, *rows, j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), r->payload, j->kind))
			rc = EXIT_FAILED;
	}
	free(script);
	return rc;
}

int plot_bars_chart(const struct chart_job *j)
{
	int rows, rc = plot_bars(j, NULL, &rows);

	if (rc == EXIT_OK && !rows) {
		fprintf(stderr, "exitlab plot: %s has no test with status ok and timing to plot\n", j->names[0]);
		rc = EXIT_USAGE;
	}
	return rc;
}
