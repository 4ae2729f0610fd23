// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/plot_guest.c: a Linux guest's workloads from runs
 * under several VMMs in one chart.  The data rows (file, test and VMM per
 * bar; the entry's "-VMM" suffix dropped), the chart's variables, and the
 * refusal of files with no guest test.  tests/data/results/files/linux-e1000-{exitlab,qemu}.json
 * are the two results files of scripts/testbed/linux-qemu.list's lqemu-e1000 entry (the
 * nested testbed), trimmed of histograms and host instruments.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/fake_gnuplot.h"
#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/payload_views.h"
#include "analysis/plot.h"

#define FILES "tests/data/results/files/"
static const char *const gfiles[] = { FILES "linux-e1000-exitlab.json", FILES "linux-e1000-qemu.json" };

static char *slurp(const char *path)
{
	char *buf = fake_slurp(path);

	assert_non_null(buf);
	return buf;
}

/* The two runs side by side: one row per guest test, labelled entry, test, VMM. */
static void test_two_vmms(void **state)
{
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char out[300], dat[300], *s, *args;
	(void)state;

	assert_non_null(payload_view_find("linux"));
	snprintf(out, sizeof(out), "%s/g.png", fake_dir);
	snprintf(dat, sizeof(dat), "%s/g.dat", fake_dir);
	o.out = out;
	setenv("FAKE_GNUPLOT_DRAW", "1", 1);
	assert_int_equal(plot_charts(gfiles, 2, &o, &l), EXIT_OK);
	unsetenv("FAKE_GNUPLOT_DRAW");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].payload, "linux");
	chart_list_free(&l);
	s = slurp(dat);
	assert_non_null(strstr(s, "\"linux-e1000 udp (exitlab)\" 9.0250 6.1525\n\"linux-e1000 udp (qemu)\" 9.8000 5.9300\n"));
	assert_null(strstr(s, "empty"));
	free(s);
	args = fake_gnuplot_args();
	assert_non_null(fake_arg(args, "nrows=2"));
	assert_non_null(fake_arg(args, "plottitle='exitlab: Linux guest workloads, exits per operation - "));
	free(args);
	/* one file: the same chart */
	assert_int_equal(plot_charts(gfiles, 1, &o, &l), EXIT_OK);
	free(fake_gnuplot_args());
	chart_list_free(&l);
}

/* A Linux run with no guest test ok: nothing to draw, bad input, the data file gone. */
static void test_nothing_to_draw(void **state)
{
	struct run_result r;
	const char *names[1] = { "x-qemu.json" };
	char dat[300], png[300], err[256];
	struct chart_job j = { .runs = &r, .names = names, .n = 1, .dat = dat, .out = png, .kind = CHART_MAIN };
	(void)state;

	memset(&r, 0, sizeof(r));
	if (results_read_json(gfiles[0], &r, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < r.ntests; i++)
		r.tests[i].status = TEST_SKIPPED;
	snprintf(dat, sizeof(dat), "%s/n.dat", fake_dir);
	snprintf(png, sizeof(png), "%s/n.png", fake_dir);
	assert_int_equal(plot_guest_chart(&j), EXIT_USAGE);
	assert_int_equal(access(dat, F_OK), -1);
	results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_vmms),
		cmocka_unit_test(test_nothing_to_draw),
	};

	return cmocka_run_group_tests(tests, fake_gnuplot_group_setup, fake_gnuplot_group_teardown);
}
