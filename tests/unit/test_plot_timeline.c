// SPDX-License-Identifier: MIT
/*
 * Unit tests for the pure parts of analysis/plot_timeline.c: an entry's name
 * without its repetition (what the timeline pools), timestamps as the
 * manifest and the run directory write them (and hostile ones refused), and
 * the time order of runs (unreadable times last, ties by host then path).
 * Then whole timelines of a small store made here, with a fake gnuplot
 * (fake_gnuplot.h): the relative scale's % change from the first run in the
 * data file, one y range for every panel, the absolute scale from zero, and
 * the x labels and title naming kernels, revisions and the host.
 */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cli/commands.h"
#include "tests/unit/fake_gnuplot.h"
#include "analysis/plot.h"
#include "analysis/results_store.h"

static void group_is(const char *name, const char *want)
{
	char buf[128];

	plot_entry_group(name, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("group of '%s' is '%s', want '%s'", name, buf, want);
}

static void test_entry_group(void **state)
{
	char small[8];

	(void)state;
	group_is("exit-costs/rep1", "exit-costs");
	group_is("exit-costs/ring3/rep12", "exit-costs/ring3");
	group_is("net/virtio-net/batch=32/rep2", "net/virtio-net/batch=32");
	group_is("mem-walk/thp/mem600/guest_page=2m/rep1", "mem-walk/thp/mem600/guest_page=2m");
	/* only a last component that is "rep" and digits is a repetition */
	group_is("exit-costs", "exit-costs");
	group_is("net/rep", "net/rep");
	group_is("net/repx", "net/repx");
	group_is("net/rep1x", "net/rep1x");
	group_is("net/rep1/tx", "net/rep1/tx");
	group_is("net/reps3", "net/reps3");
	group_is("/rep1", "/rep1");
	group_is("rep1", "rep1");
	group_is("", "");
	group_is("a//rep3", "a/");
	/* truncated to the buffer, never overrun */
	plot_entry_group("a-very-long-entry-name/rep1", small, sizeof(small));
	assert_string_equal(small, "a-very-");
	plot_entry_group("x/rep1", small, 0);
}

static void test_time_parse(void **state)
{
	long long t = 0;

	(void)state;
	assert_int_equal(plot_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21.123456Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	/* the run directory's form, with or without the host after it */
	assert_int_equal(plot_time_parse("20261201T212821Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	assert_int_equal(plot_time_parse("20261201T212821Z-vm", &t), 0);
	assert_int_equal(t, 1796160501LL);
	/* refused: not UTC, malformed, out of range, empty, NULL */
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21+01:00", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-01 21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-13-01T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-01T24:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-00T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2O26-12-01T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("20261201T2128Z", &t), -1);
	assert_int_equal(plot_time_parse("tiny-out", &t), -1);
	assert_int_equal(plot_time_parse("", &t), -1);
	assert_int_equal(plot_time_parse(NULL, &t), -1);
}

static struct store_run mk(const char *ts, const char *host, char *path)
{
	struct store_run r;

	memset(&r, 0, sizeof(r));
	snprintf(r.timestamp, sizeof(r.timestamp), "%s", ts);
	snprintf(r.host, sizeof(r.host), "%s", host);
	r.path = path;
	return r;
}

static void test_run_order(void **state)
{
	char p0[] = "store/c/zzz", p1[] = "store/c/aaa", p2[] = "store/c/20261201T090000Z-b",
	     p3[] = "store/c/mmm", p4[] = "store/c/bbb", p5[] = "store/c/garbage", p6[] = "store/c/abc";
	struct store_run r[7] = {
		mk("2026-12-01T10:00:00Z", "a", p0),
		mk("2026-12-01T12:00:00Z", "a", p1),
		mk("", "b", p2),                           /* no started_at: the directory name's time */
		mk("2026-12-01T11:00:00Z", "b", p3),
		mk("2026-12-01T11:00:00Z", "a", p4),       /* same second: by host */
		mk("not a time", "a", p5),                 /* unreadable: last */
		mk("", "a", p6),                           /* unreadable: last, by path */
	};
	const struct store_run *v[7];
	const char *want[7] = { p2, p0, p4, p3, p1, p6, p5 };

	(void)state;
	for (int i = 0; i < 7; i++)
		v[i] = &r[i];
	plot_runs_by_time(v, 7);
	for (int i = 0; i < 7; i++)
		if (strcmp(v[i]->path, want[i]))
			fail_msg("position %d: %s, want %s", i, v[i]->path, want[i]);
	assert_int_equal(plot_run_time_cmp(&r[0], &r[0]), 0);
	assert_true(plot_run_time_cmp(&r[0], &r[1]) < 0);
	assert_true(plot_run_time_cmp(&r[1], &r[0]) > 0);
	assert_true(plot_run_time_cmp(&r[5], &r[0]) > 0);
	plot_runs_by_time(v, 0);
}

/*
 * Run i of campaign "tl" under root: host "labhost", the given kernel, one
 * exit-costs entry with cpuid/cpl3 at cpuid cycles, host_syscall at 400 and
 * rdtsc/cpl3 at rdtsc (0 or less: a panel with no % change).
 */
static void make_run(const char *root, int i, const char *kernel, double cpuid, double rdtsc)
{
	char dir[512], p[600], err[256];
	struct run_result r;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/tl", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/tl/2026120%dT100000Z-labhost", root, i + 1);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "2026-12-0%dT10:00:00Z", i + 1);
	fake_run(&r, "exit-costs", "labhost", kernel, "kvm_pvm", p);
	assert_non_null(fake_test(&r, "cpuid", 3, cpuid));
	assert_non_null(fake_test(&r, "rdtsc", 3, rdtsc));
	assert_non_null(fake_test(&r, "host_syscall", -1, 400));
	snprintf(p, sizeof(p), "%s/entries/000-exit-costs-rep1.json", dir);
	assert_int_equal(results_write_json(&r, p, err, sizeof(err)), 0);
	results_free(&r);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"tl\",\n"
		   " \"campaign_file\": \"tl.toml\", \"started_at\": \"2026-12-0%dT10:00:00Z\",\n"
		   " \"updated_at\": \"2026-12-0%dT10:01:00Z\", \"host\": {\"hostname\": \"labhost\"},\n"
		   " \"exitlab_revision\": \"rev%d\", \"entries\": [\n"
		   "  {\"id\": 0, \"name\": \"exit-costs/rep1\", \"payload\": \"exit-costs\", \"args\": [],\n"
		   "   \"repetition\": 1, \"timeout_s\": 60, \"status\": \"done\", \"exit_code\": 0,\n"
		   "   \"results\": \"entries/000-exit-costs-rep1.json\", \"started_at\": null, \"duration_s\": 1,\n"
		   "   \"reason\": null}]}\n", i + 1, i + 1, i);
	fclose(f);
}

/* The data file's rows of block `block` as columns 1-9 (x median p25 p75 reps ts pct pct25 pct75) and 10, 11. */
static int dat_rows(const char *path, int block, double v[][9], char kern[][48], char rev[][24], int max)
{
	FILE *f = fopen(path, "r");
	char line[512], ts[64];
	int b = -1, n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		double x, m, a, z, reps, pc, pa, pz;
		char pcs[32], pas[32], pzs[32];

		if (!strncmp(line, "# block", 7)) {
			b++;
			continue;
		}
		if (line[0] == '#' || line[0] == '\n' || b != block)
			continue;
		assert_true(n < max);
		assert_int_equal(sscanf(line, "%lf %lf %lf %lf %lf %63s %31s %31s %31s %47s %23s", &x, &m, &a, &z, &reps,
					ts, pcs, pas, pzs, kern[n], rev[n]), 11);
		pc = strtod(pcs, NULL), pa = strtod(pas, NULL), pz = strtod(pzs, NULL);
		v[n][0] = x, v[n][1] = m, v[n][2] = a, v[n][3] = z, v[n][4] = reps;
		v[n][6] = pc, v[n][7] = pa, v[n][8] = pz;
		n++;
	}
	fclose(f);
	return n;
}

static bool near(double a, double b)
{
	return a > b - 1e-6 && a < b + 1e-6;
}

static void test_timeline_scales(void **state)
{
	char root[300], out[400], dat[500], kern[8][48], rev[8][24], *args;
	const char *lo, *hi;
	double v[8][9], ylo, yhi;

	(void)state;
	assert_int_equal(fake_gnuplot_setup(), 0);
	snprintf(root, sizeof(root), "%s/store", fake_dir);
	assert_int_equal(mkdir(root, 0755), 0);
	/* cpuid +10 % then -5 %; rdtsc 0 in the first run: no % change; host_syscall flat */
	make_run(root, 0, "6.1.0-a", 1000, 0);
	make_run(root, 1, "6.1.0-a", 1100, 5);
	make_run(root, 2, "6.2.0-b", 950, 6);

	snprintf(out, sizeof(out), "%s/rel", fake_dir);
	free(fake_gnuplot_args());
	assert_int_equal(plot_timeline(root, out, "plot-timeline.gp", ".png", PLOT_SCALE_RELATIVE, NULL), EXIT_OK);
	args = fake_gnuplot_args();
	snprintf(dat, sizeof(dat), "%s/timeline-tl-exit-costs.dat", out);
	/* block 0: cpuid/cpl3 */
	assert_int_equal(dat_rows(dat, 0, v, kern, rev, 8), 3);
	assert_true(near(v[0][1], 1000) && near(v[1][1], 1100) && near(v[2][1], 950));
	assert_true(near(v[0][6], 0) && near(v[1][6], 10) && near(v[2][6], -5));
	assert_string_equal(kern[0], "6.1.0-a");
	assert_string_equal(kern[2], "6.2.0-b");
	assert_string_equal(rev[1], "rev1");
	/* block 1: rdtsc/cpl3, first median 0: NaN, never a division by zero */
	assert_int_equal(dat_rows(dat, 1, v, kern, rev, 8), 3);
	assert_true(isnan(v[0][6]) && isnan(v[1][6]) && isnan(v[2][6]));
	assert_non_null(strstr(args, "(no % change: first median not above 0)"));
	/* one shared range holding 0, +10 and -5 (with the padding), for every panel */
	assert_non_null(strstr(args, "relative=1"));
	lo = strstr(args, "ylo=");
	hi = strstr(args, "yhi=");
	assert_non_null(lo);
	assert_non_null(hi);
	ylo = strtod(lo + 4, NULL);
	yhi = strtod(hi + 4, NULL);
	assert_true(ylo < -5 && ylo > -7);
	assert_true(yhi > 10 && yhi < 12);
	/* the title names the host and both kernels; each x label the time, kernel and revision */
	assert_non_null(fake_arg(args, "subtitle='host labhost, kernel 6.1.0-a / 6.2.0-b'"));
	assert_non_null(strstr(args, "\"12-03 10:00:00\\n6.2.0-b\\nrev rev2\" 2"));
	free(args);

	/* absolute: the script's other columns, no shared range used */
	snprintf(out, sizeof(out), "%s/abs", fake_dir);
	assert_int_equal(plot_timeline(root, out, "plot-timeline.gp", ".png", PLOT_SCALE_ABSOLUTE, NULL), EXIT_OK);
	args = fake_gnuplot_args();
	assert_non_null(strstr(args, "relative=0"));
	assert_null(strstr(args, "no % change"));
	free(args);
	fake_gnuplot_teardown();
}

/* --scale: relative or absolute for a directory of runs; anything else, or on one file, is bad usage. */
static void test_scale_usage(void **state)
{
	char *bad[] = { "plot", "/nonexistent", "--scale", "log", NULL };
	char *file[] = { "plot", "x.json", "--scale", "absolute", NULL };

	(void)state;
	assert_int_equal(cmd_plot(4, bad), EXIT_USAGE);
	/* a results file is read first: a missing one is bad usage too, so use a real one */
	assert_int_equal(fake_gnuplot_setup(), 0);
	{
		struct run_result r;
		char p[400], err[256];

		fake_run(&r, "exit-costs", "h", "k", "kvm_pvm", "2026-12-01T10:00:00Z");
		assert_non_null(fake_test(&r, "cpuid", 3, 100));
		snprintf(p, sizeof(p), "%s/one.json", fake_dir);
		assert_int_equal(results_write_json(&r, p, err, sizeof(err)), 0);
		results_free(&r);
		file[1] = p;
		assert_int_equal(cmd_plot(4, file), EXIT_USAGE);
		free(fake_gnuplot_args());
	}
	fake_gnuplot_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_group),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_run_order),
		cmocka_unit_test(test_timeline_scales),
		cmocka_unit_test(test_scale_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
