// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/results_store.c: walking a store with a good entry, a
 * corrupt and a truncated results file, a missing one, a manifest of another
 * format and hostile manifest fields; each must be reported and skipped.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/results_store.h"

struct fixture {
	char dir[64];
	char problems[8][512];
	int nproblems;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/exitlab-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void problem(void *ctx, const char *path, const char *reason)
{
	struct fixture *f = ctx;

	if (f->nproblems < 8)
		snprintf(f->problems[f->nproblems], sizeof(f->problems[0]), "%s: %s", path, reason);
	f->nproblems++;
}

/* Whether some problem names this path fragment. */
static bool reported(const struct fixture *f, const char *frag)
{
	for (int i = 0; i < f->nproblems && i < 8; i++)
		if (strstr(f->problems[i], frag))
			return true;
	return false;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* A real (small) results file, written by results_write_json. */
static void write_results(const char *path)
{
	struct run_result r = { 0 };
	struct test_result *t;
	char err[256];

	strcpy(r.payload, "exit-costs");
	strcpy(r.started_at, "2026-12-01T10:00:00Z");
	r.context_json = strdup("{\"host\":{\"hostname\":\"box\",\"kvm\":{\"backend\":\"kvm_intel\"}},"
				"\"exitlab_revision\":\"r1\"}");
	t = results_add_test(&r);
	assert_non_null(t);
	strcpy(t->name, "cpuid");
	strcpy(t->where, "guest");
	t->ring = 3;
	t->iterations = 100;
	t->has_timing = true;
	t->cycles = (struct sample_stats){ .n = 100, .median = 2400, .p1 = 2300, .p99 = 2600, .mad = 10 };
	t->ns = (struct sample_stats){ .n = 100, .median = 1200, .p1 = 1150, .p99 = 1300, .mad = 5 };
	assert_int_equal(results_write_json(&r, path, err, sizeof(err)), 0);
	results_free(&r);
}

static void mkdirs(const char *base, const char *sub)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", base, sub);
	assert_int_equal(mkdir(p, 0755), 0);
}

static const char manifest_fmt[] =
	"{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"quick\", "
	"\"campaign_file\": \"scripts/campaigns/quick.toml\", \"started_at\": \"2026-12-01T10:00:00Z\", "
	"\"updated_at\": \"2026-12-01T10:01:00Z\", \"host\": {\"hostname\": \"box\"}, "
	"\"exitlab_revision\": \"r1\", \"entries\": [%s]}";

static char *entry_json(int id, const char *status, const char *results)
{
	char *s;

	assert_true(asprintf(&s, "{\"id\": %d, \"name\": \"e%d\", \"payload\": \"exit-costs\", \"args\": [], "
			   "\"repetition\": 1, \"timeout_s\": 60, \"status\": \"%s\", \"exit_code\": 0, "
			   "\"results\": %s, \"started_at\": null, \"duration_s\": null, \"reason\": null}",
			   id, id, status, results) > 0);
	return s;
}

static void write_manifest(const char *dir, const char *entries)
{
	char path[256], *text;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	assert_true(asprintf(&text, manifest_fmt, entries) > 0);
	write_file(path, text);
	free(text);
}

/* The run under root/quick/run1 with entries: good, corrupt, truncated, missing, pending. */
static void make_run(const char *root)
{
	char run[256], p[320], *e[5], *all;

	mkdirs(root, "quick");
	mkdirs(root, "quick/run1");
	mkdirs(root, "quick/run1/entries");
	snprintf(run, sizeof(run), "%s/quick/run1", root);
	snprintf(p, sizeof(p), "%s/entries/000-good.json", run);
	write_results(p);
	snprintf(p, sizeof(p), "%s/entries/001-corrupt.json", run);
	write_file(p, "{\"schema\": \"exitlab-results\", \"schema_version\": 1, \"tests\": [}");
	snprintf(p, sizeof(p), "%s/entries/002-truncated.json", run);
	write_results(p);
	assert_int_equal(truncate(p, 40), 0);
	e[0] = entry_json(0, "done", "\"entries/000-good.json\"");
	e[1] = entry_json(1, "done", "\"entries/001-corrupt.json\"");
	e[2] = entry_json(2, "done", "\"entries/002-truncated.json\"");
	e[3] = entry_json(3, "done", "\"entries/003-missing.json\"");
	e[4] = entry_json(4, "pending", "null");
	assert_true(asprintf(&all, "%s,%s,%s,%s,%s", e[0], e[1], e[2], e[3], e[4]) > 0);
	write_manifest(run, all);
	free(all);
	for (int i = 0; i < 5; i++)
		free(e[i]);
}

static void test_walk_and_load(void **state)
{
	struct fixture *f = *state;
	struct store_list l;
	char err[256], p[256];
	int ok = 0, bad = 0, none = 0;

	make_run(f->dir);
	/* A second run whose manifest is another tool's. */
	mkdirs(f->dir, "other");
	snprintf(p, sizeof(p), "%s/other", f->dir);
	{
		char m[320];

		snprintf(m, sizeof(m), "%s/manifest.json", p);
		write_file(m, "{\"format\": \"someone-elses-manifest\", \"version\": 1, \"entries\": []}");
	}
	/* A loose good file and a loose corrupt one. */
	snprintf(p, sizeof(p), "%s/loose.json", f->dir);
	write_results(p);
	snprintf(p, sizeof(p), "%s/junk.json", f->dir);
	write_file(p, "not json at all");

	assert_int_equal(store_walk(f->dir, &l, problem, f, err, sizeof(err)), 2);
	assert_int_equal(f->nproblems, 2);
	assert_true(reported(f, "other/manifest.json: not an exitlab campaign manifest"));
	assert_true(reported(f, "junk.json"));
	assert_int_equal(l.nruns, 2); /* loose.json and quick/run1, sorted by path */
	assert_true(l.runs[0].loose);
	assert_string_equal(l.runs[0].host, "box");
	assert_string_equal(l.runs[0].backend, "kvm_intel");
	assert_string_equal(l.runs[0].entries[0].payload, "exit-costs");
	assert_false(l.runs[1].loose);
	assert_string_equal(l.runs[1].campaign, "quick");
	assert_string_equal(l.runs[1].host, "box");
	assert_int_equal(l.runs[1].nentries, 5);
	assert_int_equal(store_run_done(&l.runs[1]), 4);
	assert_string_equal(store_run_status(&l.runs[1]), "incomplete");
	/* The run's entries are its own, never listed as loose files. */
	for (size_t i = 0; i < l.nruns; i++)
		assert_null(strstr(l.runs[i].path, "entries/"));

	for (size_t i = 0; i < l.runs[1].nentries; i++) {
		struct run_result r;
		int rc = store_load_entry(&l.runs[1].entries[i], &r, err, sizeof(err));

		if (rc > 0) {
			ok++;
			assert_int_equal(r.ntests, 1);
			assert_string_equal(r.tests[0].name, "cpuid");
			results_free(&r);
		} else if (rc < 0) {
			bad++;
			assert_true(strlen(err) > 0);
		} else {
			none++;
		}
	}
	assert_int_equal(ok, 1);
	assert_int_equal(bad, 3); /* corrupt, truncated, missing */
	assert_int_equal(none, 1);
	store_list_free(&l);
}

static void test_missing_entry_reason(void **state)
{
	struct fixture *f = *state;
	struct store_list l;
	struct run_result r;
	char err[256];

	make_run(f->dir);
	assert_int_equal(store_walk(f->dir, &l, problem, f, err, sizeof(err)), 0);
	assert_int_equal(l.nruns, 1);
	assert_int_equal(store_load_entry(&l.runs[0].entries[3], &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "003-missing.json"));
	assert_int_equal(store_load_entry(&l.runs[0].entries[2], &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "002-truncated.json"));
	store_list_free(&l);
}

static void expect_bad_manifest(struct fixture *f, const char *entries, const char *why)
{
	struct store_run run;
	char err[256];

	write_manifest(f->dir, entries);
	assert_int_equal(store_read_manifest(f->dir, &run, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("expected '%s' in '%s'", why, err);
}

static void test_hostile_manifests(void **state)
{
	struct fixture *f = *state;
	struct store_run run;
	char err[256], p[256], *e;

	expect_bad_manifest(f, e = entry_json(0, "done", "\"../../etc/passwd\""), "inside the run directory");
	free(e);
	expect_bad_manifest(f, e = entry_json(0, "done", "\"/etc/passwd\""), "inside the run directory");
	free(e);
	expect_bad_manifest(f, e = entry_json(0, "exploded", "null"), "status");
	free(e);
	expect_bad_manifest(f, e = entry_json(0, "done", "null"), "no results file");
	free(e);
	expect_bad_manifest(f, e = entry_json(0, "done", "42"), "neither a path nor null");
	free(e);
	expect_bad_manifest(f, "17", "not an object");

	snprintf(p, sizeof(p), "%s/manifest.json", f->dir);
	write_file(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 2, \"campaign\": \"x\", \"entries\": []}");
	assert_int_equal(store_read_manifest(f->dir, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "version"));
	write_file(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"x\", \"entr");
	assert_int_equal(store_read_manifest(f->dir, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not valid JSON"));
	write_file(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"x\"}");
	assert_int_equal(store_read_manifest(f->dir, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entries"));
	/* A good, empty one is a run of 0 entries, complete. */
	write_file(p, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"x\", \"entries\": []}");
	assert_int_equal(store_read_manifest(f->dir, &run, err, sizeof(err)), 0);
	assert_int_equal(run.nentries, 0);
	assert_string_equal(store_run_status(&run), "complete");
	store_run_free(&run);
}

static void test_root_forms(void **state)
{
	struct fixture *f = *state;
	struct store_list l;
	char err[256], p[256];

	/* A missing root is an error of its own, not a skip. */
	snprintf(p, sizeof(p), "%s/nope", f->dir);
	assert_int_equal(store_walk(p, &l, problem, f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nope"));
	/* One results file as root, and a manifest path as root. */
	snprintf(p, sizeof(p), "%s/one.json", f->dir);
	write_results(p);
	assert_int_equal(store_walk(p, &l, problem, f, err, sizeof(err)), 0);
	assert_int_equal(l.nruns, 1);
	assert_true(l.runs[0].loose);
	store_list_free(&l);
	make_run(f->dir);
	snprintf(p, sizeof(p), "%s/quick/run1/manifest.json", f->dir);
	assert_int_equal(store_walk(p, &l, problem, f, err, sizeof(err)), 0);
	assert_int_equal(l.nruns, 1);
	assert_false(l.runs[0].loose);
	store_list_free(&l);
	/* A trailing slash on a run directory. */
	snprintf(p, sizeof(p), "%s/quick/run1/", f->dir);
	assert_int_equal(store_walk(p, &l, problem, f, err, sizeof(err)), 0);
	assert_int_equal(l.nruns, 1);
	store_list_free(&l);
	assert_int_equal(f->nproblems, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_entry_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_manifests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_forms, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
