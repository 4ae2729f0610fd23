/* SPDX-License-Identifier: MIT */
/*
 * The regression timeline end to end in KVM: a tiny campaign (exit-costs
 * --quick, two tests, two repetitions, raw samples kept) run three times into
 * one campaign directory, named so that path order is the reverse of time
 * order; exitlab plot DIR draws a valid PNG (and SVG) whose data file has one
 * point per run per test, in time order, the repetitions pooled; exitlab
 * report DIR embeds the timeline and each run's charts (bars and CDFs) as
 * data: URIs with no http(s) reference, and the Markdown links its PNGs; a
 * corrupt run in the middle is named on stderr and left out (exit 1).
 * Counts and structure only, never timings.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tests/integration/harness.h"

/* In time order: the first run goes to run-c, the last to run-a. */
static const char *const run_names[3] = { "run-c", "run-b", "run-a" };
static char camp_dir[512];
static char started[3][40];
static bool have_store;

static const char tl_yaml[] =
	"name: tl\n"
	"defaults:\n"
	"  ring: 3\n"
	"  timeout_s: 120\n"
	"entries:\n"
	"  - payload: exit-costs\n"
	"    quick: true\n"
	"    tests: [cpuid, pio_vmm]\n"
	"    args: [\"--raw\"]\n"
	"    repetitions: 2\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_make_store(void **state)
{
	char file[600], p[700];
	struct run_out o;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/tl.yaml", harness_tmp);
	write_text(file, tl_yaml);
	snprintf(p, sizeof(p), "%s/store", harness_tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(camp_dir, sizeof(camp_dir), "%s/store/tl", harness_tmp);
	assert_int_equal(mkdir(camp_dir, 0755), 0);
	for (int i = 0; i < 3; i++) {
		json_t *m;

		if (i)
			sleep(1); /* manifests' started_at has one-second resolution */
		snprintf(p, sizeof(p), "%s/%s", camp_dir, run_names[i]);
		harness_run(&o, (const char *[]){ "campaign", file, "--out", p, NULL });
		if (o.exit_code)
			fail_msg("campaign exit %d:\n%s", o.exit_code, o.err);
		harness_free(&o);
		snprintf(p, sizeof(p), "%s/%s/manifest.json", camp_dir, run_names[i]);
		m = harness_load_json(p);
		assert_non_null(m);
		snprintf(started[i], sizeof(started[i]), "%s",
			 json_string_value(json_object_get(m, "started_at")));
		json_decref(m);
		if (i)
			assert_true(strcmp(started[i - 1], started[i]) < 0);
	}
	have_store = true;
}

static void need_store(void)
{
	if (!have_store)
		skip();
}

/* A PNG: the signature, an IHDR of a sensible size, and more than a few kilobytes. */
static void assert_png(const char *path)
{
	size_t n = 0;
	unsigned char *b = (unsigned char *)harness_slurp(path, &n);
	unsigned w, h;

	if (!b)
		fail_msg("missing chart %s", path);
	assert_true(n > 10000);
	assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(b + 12, "IHDR", 4);
	w = (unsigned)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
	h = (unsigned)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
	assert_true(w >= 600 && w <= 4000);
	assert_true(h >= 300 && h <= 6000);
	free(b);
}

/*
 * The timeline's data file: every block (a test) has npoints rows with x
 * 0..npoints-1, started_at strictly increasing and equal to want[] (NULL: any),
 * and 2 repetitions pooled.  Returns the number of blocks; *cpuid whether cpuid/cpl3 was one.
 */
static int check_dat(const char *path, int npoints, const char *const *want, bool *cpuid)
{
	char *text = harness_slurp(path, NULL), *save = NULL, *line;
	int blocks = 0, rows = -1;
	char last[40] = "";

	assert_non_null(text);
	*cpuid = false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long x;
		double med, p25, p75;
		int reps;
		char ts[40];

		if (!strncmp(line, "# block", 7)) {
			if (rows >= 0)
				assert_int_equal(rows, npoints);
			blocks++;
			rows = 0;
			last[0] = '\0';
			if (strstr(line, ": cpuid/cpl3 [cycles]"))
				*cpuid = true;
			continue;
		}
		if (line[0] == '#')
			continue;
		assert_true(rows >= 0);
		assert_int_equal(sscanf(line, "%lu %lf %lf %lf %d %39s", &x, &med, &p25, &p75, &reps, ts), 6);
		assert_int_equal(x, (unsigned long)rows);
		assert_true(p25 <= med && med <= p75);
		assert_true(strcmp(last, ts) < 0);
		if (want)
			assert_string_equal(ts, want[rows]);
		snprintf(last, sizeof(last), "%s", ts);
		/* host baselines are pooled over both entries; guest tests over the two repetitions */
		assert_int_equal(reps, 2);
		rows++;
	}
	assert_int_equal(rows, npoints);
	free(text);
	return blocks;
}

static void test_timeline(void **state)
{
	const char *want[3] = { started[0], started[1], started[2] };
	char out[600], p[700];
	struct run_out o;
	bool cpuid;

	(void)state;
	need_store();
	snprintf(out, sizeof(out), "%s/tl-plots", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", camp_dir, "-o", out, NULL });
	if (o.exit_code)
		fail_msg("plot exit %d:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.out, "timeline-tl-exit-costs.png"));
	assert_non_null(strstr(o.out, "over 3 runs"));
	harness_free(&o);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.png", out);
	assert_png(p);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.dat", out);
	/* cpuid and pio_vmm at least, and the host baselines */
	assert_true(check_dat(p, 3, want, &cpuid) >= 2);
	assert_true(cpuid);

	/* the store root above it gives the same timeline; SVG too */
	snprintf(out, sizeof(out), "%s/tl-svg", harness_tmp);
	snprintf(p, sizeof(p), "%s/store", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", p, "--format", "svg", "-o", out, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.svg", out);
	{
		char *svg = harness_slurp(p, NULL);

		assert_non_null(svg);
		assert_non_null(strstr(svg, "<svg"));
		free(svg);
	}

	/* one run directory still gets the per-entry charts, and now the CDFs of the raw samples */
	snprintf(out, sizeof(out), "%s/run-plots", harness_tmp);
	snprintf(p, sizeof(p), "%s/%s", camp_dir, run_names[0]);
	harness_run(&o, (const char *[]){ "plot", p, "-o", out, NULL });
	assert_int_equal(o.exit_code, 0);
	assert_null(strstr(o.out, "timeline"));
	harness_free(&o);
	snprintf(p, sizeof(p), "%s/000-exit-costs-rep1.png", out);
	assert_png(p);
	snprintf(p, sizeof(p), "%s/000-exit-costs-rep1-cdf.png", out);
	assert_png(p);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_report(void **state)
{
	char html_path[600], md_path[600], *html, *md;
	struct run_out o;

	(void)state;
	need_store();
	snprintf(html_path, sizeof(html_path), "%s/tl-report.html", harness_tmp);
	snprintf(md_path, sizeof(md_path), "%s/tl-report.md", harness_tmp);
	harness_run(&o, (const char *[]){ "report", camp_dir, "-o", html_path, "--markdown", md_path, NULL });
	if (o.exit_code)
		fail_msg("report exit %d:\n%s", o.exit_code, o.err);
	harness_free(&o);
	html = harness_slurp(html_path, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "alt=\"regression timeline: timeline-tl-exit-costs.png\""));
	/* per run, per entry: the bars and the CDF */
	assert_int_equal(count(html, "alt=\"exit-costs chart of exit-costs/rep"), 6);
	assert_int_equal(count(html, "alt=\"exit-costs CDF of the raw samples of exit-costs/rep"), 6);
	/* every image inline, nothing fetched */
	assert_int_equal(count(html, "<img "), count(html, "src=\"data:image/png;base64,"));
	assert_true(count(html, "<img ") >= 13);
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<script"));
	/* the timeline comes first */
	assert_true(strstr(html, "timeline-tl-exit-costs.png") < strstr(html, "exit-costs chart of"));
	free(html);

	md = harness_slurp(md_path, NULL);
	assert_non_null(md);
	assert_non_null(strstr(md, "![regression timeline: timeline-tl-exit-costs.png]("));
	assert_true(harness_md_links(md, harness_tmp, 1000) >= 13);
	free(md);
}

/* The middle run corrupt (its results files, then its manifest): named on stderr, left out, exit 1. */
static void test_corrupt_middle(void **state)
{
	const char *want[2] = { started[0], started[2] };
	char out[600], p[800], mid[700];
	struct run_out o;
	bool cpuid;

	(void)state;
	need_store();
	snprintf(mid, sizeof(mid), "%s/%s", camp_dir, run_names[1]);
	snprintf(p, sizeof(p), "%s/entries/000-exit-costs-rep1.json", mid);
	write_text(p, "{\"schema\": \"exitlab-results\", \"tests\": [ {\"name\": ");
	snprintf(p, sizeof(p), "%s/entries/001-exit-costs-rep2.json", mid);
	write_text(p, "");
	snprintf(out, sizeof(out), "%s/tl-corrupt", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", camp_dir, "-o", out, NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "run-b entry exit-costs/rep1"));
	assert_non_null(strstr(o.err, "run-b entry exit-costs/rep2"));
	assert_non_null(strstr(o.out, "over 2 runs"));
	harness_free(&o);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.png", out);
	assert_png(p);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.dat", out);
	assert_true(check_dat(p, 2, want, &cpuid) >= 2);

	snprintf(p, sizeof(p), "%s/manifest.json", mid);
	write_text(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"entr");
	harness_run(&o, (const char *[]){ "plot", camp_dir, "-o", out, NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "run-b/manifest.json"));
	harness_free(&o);
	snprintf(p, sizeof(p), "%s/timeline-tl-exit-costs.dat", out);
	assert_true(check_dat(p, 2, want, &cpuid) >= 2);

	/* the report says the same and still embeds the timeline of the two good runs */
	snprintf(p, sizeof(p), "%s/tl-corrupt.html", harness_tmp);
	harness_run(&o, (const char *[]){ "report", camp_dir, "-o", p, NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "run-b/manifest.json"));
	harness_free(&o);
	{
		char *html = harness_slurp(p, NULL);

		assert_non_null(html);
		assert_non_null(strstr(html, "alt=\"regression timeline: timeline-tl-exit-costs.png\""));
		free(html);
	}
}

static void copy_file(const char *from, const char *to)
{
	size_t n = 0;
	char *b = harness_slurp(from, &n);
	FILE *f = fopen(to, "wb");

	assert_non_null(b);
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	free(b);
}

/*
 * Hostile names in the manifests (campaign, host, entry): quotes, a backquote
 * command (which gnuplot would run inside a double-quoted string) and a macro
 * sign.  The chart is drawn, nothing is run, the file name stays inside OUTDIR.
 */
static void test_hostile_names(void **state)
{
	char root[600], p[900], src[700], marker[600];
	struct run_out o;

	(void)state;
	need_store();
	snprintf(marker, sizeof(marker), "%s/pwned", harness_tmp);
	snprintf(root, sizeof(root), "%s/evil-store", harness_tmp);
	assert_int_equal(mkdir(root, 0755), 0);
	snprintf(src, sizeof(src), "%s/%s/entries/000-exit-costs-rep1.json", camp_dir, run_names[2]);
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/r%d", root, i);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/r%d/e.json", root, i);
		copy_file(src, p);
		snprintf(p, sizeof(p), "%s/r%d/manifest.json", root, i);
		{
			FILE *f = fopen(p, "w");

			assert_non_null(f);
			fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1,\n"
				   " \"campaign\": \"../ev'il\\\"`touch %s`\",\n"
				   " \"started_at\": \"2026-12-0%dT10:00:00Z\",\n"
				   " \"host\": {\"hostname\": \"h%d`touch %s`@x'\\\"\\\\\"},\n"
				   " \"entries\": [{\"id\": 0, \"name\": \"x\\\"`touch %s`/rep1\",\n"
				   "   \"payload\": \"exit-costs\","
				   "   \"status\": \"done\", \"results\": \"e.json\"}]}\n",
				marker, i + 1, i, marker, marker);
			assert_int_equal(fclose(f), 0);
		}
	}
	snprintf(p, sizeof(p), "%s/evil-out", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", root, "-o", p, NULL });
	if (o.exit_code)
		fail_msg("plot exit %d:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.out, "over 2 runs"));
	assert_null(strstr(o.err, "warning"));
	harness_free(&o);
	assert_int_not_equal(access(marker, F_OK), 0);
	/* the campaign's '/' and quotes slugged away: the one exit-costs chart is inside OUTDIR */
	{
		char dir[700], path[1200];
		struct dirent *de;
		int found = 0;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/evil-out", harness_tmp);
		d = opendir(dir);
		assert_non_null(d);
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (strncmp(de->d_name, "timeline-", 9) || l < 15 ||
			    strcmp(de->d_name + l - 15, "-exit-costs.png"))
				continue;
			assert_null(strchr(de->d_name, '`'));
			assert_null(strchr(de->d_name, '"'));
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			assert_png(path);
			found++;
		}
		closedir(d);
		assert_int_equal(found, 1);
	}
}

static void test_refusals(void **state)
{
	char p[600];
	struct run_out o;

	(void)state;
	/* a directory without any run: nothing to draw, bad input */
	snprintf(p, sizeof(p), "%s/empty-store", harness_tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	harness_run(&o, (const char *[]){ "plot", p, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "no campaign run"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_store),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_corrupt_middle),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
