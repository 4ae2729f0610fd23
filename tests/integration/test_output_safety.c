/* SPDX-License-Identifier: MIT */
/*
 * What exitlab writes never replaces or smuggles into what it read: a
 * "<script>" in a test's reason (results file) or an entry's reason
 * (manifest) stays text in the report's Markdown as in its HTML, since
 * Markdown renderers pass raw HTML through, and so in claims --markdown; an
 * output that names one of the inputs (the path given, a manifest, an
 * entry's results file, the payload; by any name: same device and inode)
 * is refused as bad usage with the input left as it was: report -o and
 * --markdown, results csv -o, compare --json, plot -o, run --json, --serial
 * and --progress.  The results files are written by exitlab's own writer,
 * so no KVM is needed.
 */
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

#include "tests/integration/harness.h"
/* results_write_json: a results file as exitlab run writes it */
#include "analysis/results.h"

static char run_dir[512], loose[512], plottable[512], entry_json[600];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* One failed test whose reason is a script; or, ok, one test with timing to plot. */
static void write_results(const char *path, bool ok)
{
	struct run_result r = { 0 };
	struct test_result *t;
	char err[256];

	snprintf(r.payload, sizeof(r.payload), "exit-costs");
	snprintf(r.started_at, sizeof(r.started_at), "2026-12-01T10:00:00Z");
	t = results_add_test(&r);
	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "cpuid");
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 3;
	t->status = ok ? TEST_OK : TEST_FAILED;
	if (ok) {
		t->iterations = 1000;
		t->has_timing = true;
		t->cycles = (struct sample_stats){ .n = 100, .min = 90, .max = 120, .mean = 100, .median = 100,
						   .p1 = 91, .p99 = 119, .mad = 2 };
		t->ns = t->cycles;
	} else {
		snprintf(t->reason, sizeof(t->reason), "<script>alert(1)</script>");
	}
	if (results_write_json(&r, path, err, sizeof(err)))
		fail_msg("%s", err);
	results_free(&r);
}

static const char manifest[] =
	"{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"safety\",\n"
	" \"campaign_file\": \"safety.yaml\", \"started_at\": \"2026-12-01T10:00:00Z\",\n"
	" \"updated_at\": \"2026-12-01T10:01:00Z\", \"host\": {\"hostname\": \"testhost\"},\n"
	" \"exitlab_revision\": \"test\", \"entries\": [\n"
	"  {\"id\": 0, \"name\": \"exit-costs/rep1\", \"payload\": \"exit-costs\", \"args\": [],\n"
	"   \"repetition\": 1, \"timeout_s\": 60, \"status\": \"done\", \"exit_code\": 0,\n"
	"   \"results\": \"entries/000.json\", \"started_at\": null, \"duration_s\": 1, \"reason\": null},\n"
	"  {\"id\": 1, \"name\": \"blk/rep1\", \"payload\": \"blk\", \"args\": [], \"repetition\": 1,\n"
	"   \"timeout_s\": 1, \"status\": \"timeout\", \"exit_code\": null, \"results\": null,\n"
	"   \"started_at\": null, \"duration_s\": 1, \"reason\": \"<script>alert(2)</script>\"}\n"
	" ]}\n";

static int setup(void **state)
{
	char p[700];

	if (harness_group_setup(state))
		return -1;
	snprintf(run_dir, sizeof(run_dir), "%s/run", harness_tmp);
	snprintf(p, sizeof(p), "%s/entries", run_dir);
	if (mkdir(run_dir, 0755) || mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/manifest.json", run_dir);
	write_text(p, manifest);
	snprintf(entry_json, sizeof(entry_json), "%s/entries/000.json", run_dir);
	write_results(entry_json, false);
	snprintf(loose, sizeof(loose), "%s/loose.json", harness_tmp);
	write_results(loose, false);
	snprintf(plottable, sizeof(plottable), "%s/plottable.json", harness_tmp);
	write_results(plottable, true);
	return 0;
}

static void test_markdown_escapes_html(void **state)
{
	char html[600], md[600], *text;
	struct run_out o;

	(void)state;
	snprintf(html, sizeof(html), "%s/out/report.html", harness_tmp);
	snprintf(md, sizeof(md), "%s/out/report.md", harness_tmp);
	harness_run(&o, (const char *[]){ "report", run_dir, "-o", html, "--markdown", md, NULL });
	if (o.exit_code)
		fprintf(stderr, "report: exit %d\n%s", o.exit_code, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	for (int k = 0; k < 2; k++) {
		bool raw, escaped;

		text = harness_slurp(k ? md : html, NULL);
		assert_non_null(text);
		raw = strstr(text, "<script") || strstr(text, "</script");
		/* both reasons are there, as text: the test's (results file) and the entry's (manifest) */
		escaped = strstr(text, "&lt;script&gt;alert(1)&lt;/script&gt;") &&
			  strstr(text, "&lt;script&gt;alert(2)&lt;/script&gt;");
		free(text);
		if (raw || !escaped)
			fail_msg("%s: %s", k ? md : html, raw ? "a raw <script> from a reason" : "a reason is missing");
	}
}

/* exitlab with args: exit 2, naming `out`, and `input` byte for byte as before. */
static void refused(const char *input, const char *out, const char *const *args)
{
	char *before = harness_slurp(input, NULL), *after;
	struct run_out o;

	assert_non_null(before);
	harness_run(&o, args);
	if (o.exit_code != 2 || !strstr(o.err, out))
		fprintf(stderr, "%s %s over %s: exit %d\n%s", args[0], args[1], out, o.exit_code, o.err);
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, out));
	harness_free(&o);
	after = harness_slurp(input, NULL);
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_output_over_input_refused(void **state)
{
	char manifest_path[700], html[600], other[600];

	(void)state;
	snprintf(manifest_path, sizeof(manifest_path), "%s/manifest.json", run_dir);
	snprintf(html, sizeof(html), "%s/safe.html", harness_tmp);
	refused(loose, loose, (const char *[]){ "report", loose, "--markdown", loose, NULL });
	refused(loose, loose, (const char *[]){ "report", loose, "-o", loose, NULL });
	refused(entry_json, entry_json,
		(const char *[]){ "report", run_dir, "-o", html, "--markdown", entry_json, NULL });
	refused(manifest_path, manifest_path, (const char *[]){ "report", run_dir, "-o", manifest_path, NULL });
	/* the same file by another name is the same file */
	snprintf(other, sizeof(other), "%s/../run/./manifest.json", run_dir);
	refused(manifest_path, other, (const char *[]){ "report", run_dir, "--markdown", other, NULL });
	/* -o and --markdown on one file: one would replace the other */
	{
		struct run_out o;
		char both[600];

		snprintf(both, sizeof(both), "%s/both.out", harness_tmp);
		harness_run(&o, (const char *[]){ "report", loose, "-o", both, "--markdown", both, NULL });
		assert_int_equal(o.exit_code, 2);
		assert_non_null(strstr(o.err, "the same file"));
		harness_free(&o);
	}
	/* results csv -o truncated its input before reading its rows */
	refused(loose, loose, (const char *[]){ "results", "csv", loose, "-o", loose, NULL });
	refused(entry_json, entry_json, (const char *[]){ "results", "csv", run_dir, "-o", entry_json, NULL });
	/* compare --json replaced its input with the comparison */
	refused(loose, loose, (const char *[]){ "compare", loose, run_dir, "--json", loose, NULL });
	refused(manifest_path, manifest_path,
		(const char *[]){ "compare", loose, run_dir, "--json", manifest_path, NULL });
	/* plot -o the results file by another name drew its chart over it */
	snprintf(other, sizeof(other), "%s/./plottable.json", harness_tmp);
	refused(plottable, other, (const char *[]){ "plot", plottable, "-o", other, NULL });
}

/* exitlab run --json/--serial/--progress over the payload itself; checked before any VM, so no KVM needed. */
static void test_run_output_over_payload_refused(void **state)
{
	char elf[600], cmd[1400];

	(void)state;
	snprintf(elf, sizeof(elf), "%s/copy.elf", harness_tmp);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", harness_payload("exit-costs"), elf);
	assert_int_equal(system(cmd), 0);
	refused(elf, elf, (const char *[]){ "run", elf, "--quick", "--json", elf, NULL });
	refused(elf, elf, (const char *[]){ "run", elf, "--quick", "--serial", elf, NULL });
	refused(elf, elf, (const char *[]){ "run", elf, "--quick", "--progress", elf, NULL });
}

/* exitlab claims --markdown: the run's strings (here the host name) stay text too. */
static void test_claims_markdown_escapes_html(void **state)
{
	char dir[600], p[700];
	struct run_out o;
	bool raw;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/claims-run", harness_tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	write_text(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"claims\",\n"
		      " \"started_at\": \"2026-12-01T10:00:00Z\", \"exitlab_revision\": \"test\",\n"
		      " \"host\": {\"hostname\": \"<script>alert(3)</script>\"}, \"entries\": []}\n");
	harness_run(&o, (const char *[]){ "claims", dir, "--markdown", NULL });
	if (o.exit_code)
		fprintf(stderr, "claims: exit %d\n%s", o.exit_code, o.err);
	raw = strstr(o.out, "<script") != NULL;
	if (raw)
		fprintf(stderr, "claims --markdown:\n%s", o.out);
	assert_int_equal(o.exit_code, 0);
	assert_false(raw);
	assert_non_null(strstr(o.out, "&lt;script&gt;alert(3)&lt;/script&gt;"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown_escapes_html),
		cmocka_unit_test(test_output_over_input_refused),
		cmocka_unit_test(test_claims_markdown_escapes_html),
		cmocka_unit_test(test_run_output_over_payload_refused),
	};

	return cmocka_run_group_tests(tests, setup, harness_group_teardown);
}
