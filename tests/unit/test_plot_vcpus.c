// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/plot_vcpus.c: exit-costs files at several --vcpus
 * in one chart.  The data file (N, medians, the per-vCPU exit sums), files at
 * the same N as points of their own, the refusals and their exit codes, a
 * run directory's exit-costs-vcpus chart, and the chart drawn by real gnuplot
 * when it is installed.  The files are tests/data/results/files/exit-costs-vcpus{2,3,4}.json.
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
static const char *const vfiles[] = { FILES "exit-costs-vcpus2.json", FILES "exit-costs-vcpus3.json",
				      FILES "exit-costs-vcpus4.json" };

static void load(struct run_result *r, const char *path)
{
	char err[256];

	memset(r, 0, sizeof(*r));
	if (results_read_json(path, r, err, sizeof(err)))
		fail_msg("%s", err);
}

static char *slurp(const char *path)
{
	char *buf = fake_slurp(path);

	assert_non_null(buf);
	return buf;
}

/* stderr into a file while fn runs; what was said (malloc'd). */
static int stderr_fd = -1;
static char stderr_path[300];

static void capture_begin(void)
{
	int fd;

	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr", fake_dir);
	fflush(stderr);
	stderr_fd = dup(2);
	fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0 && stderr_fd >= 0);
	dup2(fd, 2);
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	dup2(stderr_fd, 2);
	close(stderr_fd);
	return slurp(stderr_path);
}

/* Three files at N = 2, 3, 4: one block per test, rows by N, the exit sums per operation. */
static void test_data_against_n(void **state)
{
	struct run_result runs[3];
	struct plot_vcpus_info info;
	char dat[300], *s;
	(void)state;

	for (int i = 0; i < 3; i++)
		load(&runs[i], vfiles[i]);
	assert_int_equal(plot_vcpus_of(&runs[0]), 2);
	assert_int_equal(plot_vcpus_of(&runs[2]), 4);
	snprintf(dat, sizeof(dat), "%s/v.dat", fake_dir);
	/* given in reverse: rows still by N */
	{
		struct run_result rev[3] = { runs[2], runs[0], runs[1] };
		const char *names[3] = { vfiles[2], vfiles[0], vfiles[1] };

		assert_int_equal(plot_vcpus_write_data(rev, names, 3, dat, &info), 15);
	}
	assert_int_equal(info.nseries, 5);
	assert_int_equal(info.nn, 3);
	assert_int_equal(info.n[0], 2);
	assert_int_equal(info.n[1], 3);
	assert_int_equal(info.n[2], 4);
	assert_int_equal(info.nexits, 15);
	assert_false(info.emulated);
	assert_string_equal(info.series[0], "ipi_broadcast cpl0");
	assert_string_equal(info.series[1], "tlb_shootdown cpl0");
	assert_string_equal(info.series[2], "ple_round_robin cpl0");
	assert_string_equal(info.series[3], "ipi cpl0");
	assert_string_equal(info.series[4], "ipi_halt cpl0");
	s = slurp(dat);
	/* tlb_shootdown: N-1 targets of 2 exits each plus vCPU 0's N-1 ICR writes and doorbell, per 100 ops */
	assert_non_null(strstr(s, "\"tlb_shootdown cpl0\"\n2 12000 10800 14400 3.01 1\n3 24000 21600 28800 6.01 2\n"
				  "4 36000 32400 43200 9.01 0\n"));
	assert_non_null(strstr(s, "\"ipi_halt cpl0\"\n2 6000 5400 7200 4.01 1\n3 6000 5400 7200 4.01 2\n"
				  "4 6000 5400 7200 4.01 0\n"));
	assert_non_null(strstr(s, "# file 0: " FILES "exit-costs-vcpus4.json (vcpus 4)\n"));
	assert_null(strstr(s, "cpuid"));
	free(s);
	/* a CPL0 test marked emulated (PVM): the chart carries the note */
	runs[1].tests[2].emulated = true;
	assert_int_equal(plot_vcpus_write_data(runs, vfiles, 3, dat, &info), 15);
	assert_true(info.emulated);
	for (int i = 0; i < 3; i++)
		results_free(&runs[i]);
}

/* Two files at the same N are points of their own; a file without vcpus objects (one vCPU) has NaN exits. */
static void test_same_n_and_no_sums(void **state)
{
	struct run_result runs[3];
	struct plot_vcpus_info info;
	const char *names[3] = { vfiles[0], "again.json", vfiles[1] };
	char dat[300], *s;
	(void)state;

	load(&runs[0], vfiles[0]);
	load(&runs[1], vfiles[0]);
	load(&runs[2], vfiles[1]);
	for (size_t i = 0; i < runs[1].ntests; i++) {
		free(runs[1].tests[i].vcpus_json);
		runs[1].tests[i].vcpus_json = NULL;
	}
	snprintf(dat, sizeof(dat), "%s/v.dat", fake_dir);
	assert_int_equal(plot_vcpus_write_data(runs, names, 3, dat, &info), 15);
	assert_int_equal(info.nn, 2);
	assert_int_equal(info.nexits, 10);
	s = slurp(dat);
	assert_non_null(strstr(s, "\"ipi_broadcast cpl0\"\n2 9000 8100 10800 3.01 0\n2 9000 8100 10800 nan 1\n"
				  "3 18000 16200 21600 6.01 2\n"));
	free(s);
	for (int i = 0; i < 3; i++)
		results_free(&runs[i]);
}

/* `exitlab plot` of the files: the chart's variables; the refusals, each with its message and exit code 2. */
static void test_plot_and_refusals(void **state)
{
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	const char *two[2] = { vfiles[0], vfiles[0] }, *one_n[2] = { FILES "exit-costs.json", FILES "exit-costs-raw.json" };
	const char *tlb[2] = { FILES "tlb.json", FILES "tlb.json" }, *mixed[2] = { vfiles[0], FILES "tlb.json" };
	char out[300], *args, *err;
	(void)state;

	snprintf(out, sizeof(out), "%s/v.png", fake_dir);
	o.out = out;
	setenv("FAKE_GNUPLOT_DRAW", "1", 1);
	assert_int_equal(plot_charts(vfiles, 3, &o, &l), EXIT_OK);
	unsetenv("FAKE_GNUPLOT_DRAW");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].payload, "exit-costs");
	assert_int_equal(l.v[0].kind, CHART_MAIN);
	assert_true(strstr(l.v[0].dat, "/v.dat") != NULL);
	chart_list_free(&l);
	args = fake_gnuplot_args();
	assert_non_null(fake_arg(args, "vcpulist='2 3 4'"));
	assert_non_null(fake_arg(args, "key_1='tlb_shootdown cpl0'"));
	assert_non_null(fake_arg(args, "nseries=5; nexits=15"));
	assert_non_null(fake_arg(args, "plottitle='exitlab exit-costs: cost and KVM exits against the number of "
				       "vCPUs - host labhost, kernel 6.1.0-18-amd64 - Test CPU - kvm_amd'"));
	assert_null(fake_arg(args, "note="));
	free(args);

	capture_begin();
	assert_int_equal(plot_charts(two, 2, &o, &l), EXIT_USAGE);
	err = capture_end();
	assert_non_null(strstr(err, "the 2 exit-costs files all ran with --vcpus 2: the chart against the number "
				    "of vCPUs needs runs at two counts or more"));
	free(err);
	capture_begin();
	assert_int_equal(plot_charts(one_n, 2, &o, &l), EXIT_USAGE);
	err = capture_end();
	assert_non_null(strstr(err, "all ran with --vcpus 1"));
	free(err);
	capture_begin();
	assert_int_equal(plot_charts(tlb, 2, &o, &l), EXIT_USAGE);
	err = capture_end();
	assert_non_null(strstr(err, "only net or blk results can share a chart, and exit-costs results run at "
				    "several --vcpus"));
	free(err);
	capture_begin();
	assert_int_equal(plot_charts(mixed, 2, &o, &l), EXIT_USAGE);
	err = capture_end();
	assert_non_null(strstr(err, "one payload per chart"));
	free(err);
	assert_int_equal(l.n, 0);
	free(fake_gnuplot_args());
}

/* Two counts of vCPUs but no SMP test that passed: refused, the data file gone. */
static void test_no_smp_test(void **state)
{
	struct run_result runs[2];
	const char *names[2] = { "a.json", "b.json" };
	char dat[300], png[300], *err;
	struct chart_job j = { .runs = runs, .names = names, .n = 2, .dat = dat, .out = png, .kind = CHART_MAIN };
	(void)state;

	load(&runs[0], FILES "exit-costs.json");
	load(&runs[1], vfiles[1]);
	for (size_t i = 0; i < runs[1].ntests; i++)
		if (strcmp(runs[1].tests[i].name, "cpuid"))
			runs[1].tests[i].status = TEST_SKIPPED;
	snprintf(dat, sizeof(dat), "%s/n.dat", fake_dir);
	snprintf(png, sizeof(png), "%s/n.png", fake_dir);
	assert_false(plot_vcpus_applies(runs, 2));
	capture_begin();
	assert_int_equal(plot_vcpus_chart(&j), EXIT_USAGE);
	err = capture_end();
	assert_non_null(strstr(err, "no ipi, ipi_halt, ipi_broadcast, tlb_shootdown or ple_round_robin test with "
				    "status ok in these files"));
	free(err);
	assert_int_not_equal(access(dat, F_OK), 0);
	runs[1].tests[1].status = TEST_OK;
	assert_true(plot_vcpus_applies(runs, 2));
	assert_false(plot_vcpus_applies(&runs[1], 1));
	for (int i = 0; i < 2; i++)
		results_free(&runs[i]);
	free(fake_gnuplot_args());
}

static void copy_file(const char *from, const char *to)
{
	char *cmd;

	assert_true(asprintf(&cmd, "cp '%s' '%s'", from, to) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* A campaign run whose exit-costs entries ran at 2, 3 and 4 vCPUs: their exit-costs-vcpus chart. */
static void test_run_dir(void **state)
{
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char dir[300], p[400];
	const char *in = dir;
	const struct chart_file *c = NULL;
	FILE *f;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/run", fake_dir);
	mkdir(dir, 0755);
	snprintf(p, sizeof(p), "%s/entries", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"smp\",\n"
		   " \"campaign_file\": \"smp.yaml\", \"started_at\": \"2026-12-02T10:00:00Z\", \"updated_at\": "
		   "\"2026-12-02T10:00:00Z\",\n \"host\": {\"hostname\": \"labhost\"}, \"exitlab_revision\": \"rev1\", "
		   "\"entries\": [\n");
	for (int i = 0; i < 3; i++) {
		char e[400];

		snprintf(e, sizeof(e), "%s/entries/00%d-exit-costs-vcpus%d.json", dir, i, i + 2);
		copy_file(vfiles[i], e);
		fprintf(f, "  {\"id\": %d, \"name\": \"exit-costs/vcpus%d\", \"payload\": \"exit-costs\", \"args\": [], "
			   "\"repetition\": 1, \"timeout_s\": 60, \"status\": \"done\", \"exit_code\": 0, "
			   "\"results\": \"entries/00%d-exit-costs-vcpus%d.json\", \"started_at\": null, "
			   "\"duration_s\": 1, \"reason\": null}%s\n", i, i + 2, i, i + 2, i < 2 ? "," : "");
	}
	fprintf(f, "]}\n");
	fclose(f);
	setenv("FAKE_GNUPLOT_DRAW", "1", 1);
	assert_int_equal(plot_charts(&in, 1, &o, &l), EXIT_OK);
	unsetenv("FAKE_GNUPLOT_DRAW");
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.v[i].path, "/plots/exit-costs-vcpus.png"))
			c = &l.v[i];
	assert_non_null(c);
	assert_int_equal(c->kind, CHART_COMBINED);
	assert_null(c->results);
	assert_string_equal(c->payload, "exit-costs");
	chart_list_free(&l);
	free(fake_gnuplot_args());
}

/* The chart drawn by gnuplot itself, when it is installed (never asserting what it looks like). */
static void test_real_gnuplot(void **state)
{
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list l = { 0 };
	char out[300], *saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL, *saved_scripts;
	const char *p;
	struct stat st;
	(void)state;

	if (system("PATH=/usr/bin:/bin command -v gnuplot >/dev/null 2>&1")) {
		free(saved_path);
		skip();
	}
	saved_scripts = strdup(getenv("EXITLAB_SCRIPTS"));
	/* the fake is first on PATH: take it off, and the real scripts */
	p = saved_path ? strchr(saved_path, ':') : NULL;
	setenv("PATH", p ? p + 1 : "/usr/bin:/bin", 1);
	setenv("EXITLAB_SCRIPTS", "scripts", 1);
	snprintf(out, sizeof(out), "%s/real.png", fake_dir);
	o.out = out;
	assert_int_equal(plot_charts(vfiles, 3, &o, &l), EXIT_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(stat(out, &st), 0);
	assert_true(st.st_size > 1000);
	chart_list_free(&l);
	setenv("PATH", saved_path, 1);
	setenv("EXITLAB_SCRIPTS", saved_scripts, 1);
	free(saved_path);
	free(saved_scripts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_against_n),
		cmocka_unit_test(test_same_n_and_no_sums),
		cmocka_unit_test(test_plot_and_refusals),
		cmocka_unit_test(test_no_smp_test),
		cmocka_unit_test(test_run_dir),
		cmocka_unit_test(test_real_gnuplot),
	};

	return cmocka_run_group_tests(tests, fake_gnuplot_group_setup, fake_gnuplot_group_teardown);
}
