/* SPDX-License-Identifier: MIT */
/*
 * exitlab campaign end to end in KVM: a tiny campaign (with a payload that
 * does not exist) and its manifest and results files; a longer one stopped
 * with SIGINT once an entry is done, then resumed (refused while the file
 * differs, then every entry done exactly once, the finished files untouched);
 * refusals of corrupt and foreign manifests; a resume whose manifest was
 * rewritten runs the campaign file's commands, never the manifest's;
 * quick.yaml expanded (--dry-run).
 * Counts and states are asserted, timings never.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"
/* results_read_json, the store's own reader, on each entry's file */
#include "analysis/results.h"

static bool quick_done;             /* test_quick_campaign left a finished run in quick-out */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static json_t *load_manifest(const char *dir)
{
	char path[1024];
	json_error_t je;
	json_t *m;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	m = json_load_file(path, 0, &je);
	if (!m)
		fail_msg("%s: %s", path, je.text);
	assert_string_equal(json_string_value(json_object_get(m, "format")), "exitlab-campaign-manifest");
	assert_int_equal(json_integer_value(json_object_get(m, "version")), 1);
	assert_true(json_is_object(json_object_get(m, "host")));
	assert_true(json_is_string(json_object_get(m, "exitlab_revision")));
	assert_true(json_is_string(json_object_get(m, "updated_at")));
	return m;
}

static const char *status_of(json_t *e)
{
	return json_string_value(json_object_get(e, "status"));
}

static size_t count_status(json_t *m, const char *st)
{
	size_t n = 0, i;
	json_t *e;

	json_array_foreach(json_object_get(m, "entries"), i, e)
		n += !strcmp(status_of(e), st);
	return n;
}

/* A done entry's results file exists and the store's reader accepts it. */
static void check_results(const char *dir, json_t *e, const char *payload)
{
	char path[2048], err[512];
	struct run_result r;
	const char *rel = json_string_value(json_object_get(e, "results"));

	assert_non_null(rel);
	assert_int_equal(strncmp(rel, "entries/", 8), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	memset(&r, 0, sizeof(r));
	if (results_read_json(path, &r, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_string_equal(r.payload, payload);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.ntests >= 1);
	results_free(&r);
	assert_int_equal(json_integer_value(json_object_get(e, "exit_code")), 0);
	assert_true(json_is_string(json_object_get(e, "started_at")));
	assert_true(json_is_number(json_object_get(e, "duration_s")));
	snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "log")));
	assert_int_equal(access(path, R_OK), 0);
}

static const char tiny_yaml[] =
	"name: tiny\n"
	"description: three quick cpuid runs and a payload that does not exist\n"
	"defaults:\n"
	"  ring: 3\n"
	"  timeout_s: 120\n"
	"entries:\n"
	"  - payload: exit-costs\n"
	"    quick: true\n"
	"    tests: [cpuid]\n"
	"    repetitions: 3\n"
	"  - payload: no-such-payload\n";

static void test_tiny_campaign(void **state)
{
	char file[512], dir[512];
	struct run_out o;
	json_t *m, *entries, *e;
	size_t i;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/tiny.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/tiny-out", harness_tmp);
	write_file(file, tiny_yaml);
	harness_run(&o, (const char *[]){ "campaign", file, "--out", dir, NULL });
	if (o.exit_code != 1)
		fail_msg("exit %d, want 1 (one entry failed); stderr:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.err, "3 done, 1 failed"));
	/* not a terminal: one plain line per entry */
	assert_non_null(strstr(o.err, "[4/4] failed  no-such-payload/rep1"));
	harness_free(&o);

	m = load_manifest(dir);
	assert_string_equal(json_string_value(json_object_get(m, "campaign")), "tiny");
	entries = json_object_get(m, "entries");
	assert_int_equal(json_array_size(entries), 4);
	json_array_foreach(entries, i, e) {
		char want[64];

		assert_int_equal(json_integer_value(json_object_get(e, "id")), (json_int_t)i);
		if (i < 3) {
			snprintf(want, sizeof(want), "exit-costs/rep%zu", i + 1);
			assert_string_equal(json_string_value(json_object_get(e, "name")), want);
			assert_string_equal(status_of(e), "done");
			assert_int_equal(json_integer_value(json_object_get(e, "repetition")),
				(json_int_t)i + 1);
			check_results(dir, e, "exit-costs");
		} else {
			assert_string_equal(json_string_value(json_object_get(e, "name")),
				"no-such-payload/rep1");
			assert_string_equal(status_of(e), "failed");
			assert_int_equal(json_integer_value(json_object_get(e, "exit_code")), 2);
			assert_true(json_is_null(json_object_get(e, "results")));
			assert_non_null(strstr(json_string_value(json_object_get(e, "reason")), "not found"));
		}
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "results")),
			    "entries/000-exit-costs-rep1.json");
	json_decref(m);

	/* the directory is taken: a second run there is refused */
	harness_run(&o, (const char *[]){ "campaign", file, "--out", dir, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "--resume"));
	harness_free(&o);
}

struct file_id {
	struct timespec mtime;
	size_t size;
	char *bytes;
};

/* The whole file; a file that is not there fails the test. */
static char *slurp_or_fail(const char *path, size_t *size)
{
	char *b = harness_slurp(path, size);

	if (!b)
		fail_msg("cannot read %s", path);
	return b;
}

/* Does an entry of m run, with its log file already there? */
static bool running_log(const char *dir, json_t *m)
{
	char path[2048];
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(m, "entries"), i, e)
		if (!strcmp(status_of(e), "running") && json_is_string(json_object_get(e, "log"))) {
			snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "log")));
			return access(path, F_OK) == 0;
		}
	return false;
}

/* No file of a pending entry is left in DIR/entries (its NNN- prefix). */
static void assert_no_partial_files(const char *dir, json_t *m)
{
	char cmd[1400], prefix[16];
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(m, "entries"), i, e) {
		FILE *p;
		int n = -1;

		if (strcmp(status_of(e), "pending"))
			continue;
		assert_true(json_is_null(json_object_get(e, "log")));
		snprintf(prefix, sizeof(prefix), "%03d-", (int)json_integer_value(json_object_get(e, "id")));
		snprintf(cmd, sizeof(cmd), "ls '%s/entries' | grep -c '^%s'", dir, prefix);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%d", &n), 1);
		pclose(p);
		if (n)
			fail_msg("%d partial file(s) %s* of a pending entry left in %s/entries", n, prefix, dir);
	}
}

/*
 * Start `exitlab campaign FILE --out DIR`, SIGINT it once the manifest shows
 * an entry done, and check that it stopped as documented: exit 130 and the
 * command that resumes it on stderr.
 */
static void interrupt_after_first(const char *file, const char *dir, const char *errpath)
{
	char path[2048];
	bool running = false;
	size_t ndone = 0;
	int status;
	pid_t pid;
	size_t sz;
	char *errtext;
	json_t *m;

	pid = harness_spawn((const char *[]){ "campaign", file, "--out", dir, NULL }, errpath, false);
	for (int tries = 0; tries < 6000; tries++) {
		json_error_t je;

		snprintf(path, sizeof(path), "%s/manifest.json", dir);
		m = json_load_file(path, 0, &je);
		if (m) {
			/* stop it while an entry runs (its log open), after one is done */
			ndone = count_status(m, "done");
			running = running_log(dir, m);
			json_decref(m);
			if (ndone && running)
				break;
		}
		usleep(20000);
	}
	assert_true(ndone >= 1);
	assert_true(running);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	errtext = slurp_or_fail(errpath, &sz);
	if (WEXITSTATUS(status) != 130)
		fail_msg("exit %d, want 130; output:\n%s", WEXITSTATUS(status), errtext);
	assert_non_null(strstr(errtext, "--resume"));
	free(errtext);
}

static void test_interrupt_resume(void **state)
{
	char file[512], dir[512], errpath[512], path[2048];
	const char *yaml =
		"name: longer\n"
		"defaults: { ring: 3, timeout_s: 120 }\n"
		"entries:\n"
		"  - payload: exit-costs\n"
		"    quick: true\n"
		"    tests: [cpuid]\n"
		"    repetitions: 8\n";
	struct file_id ids[8] = { 0 };
	struct run_out o;
	json_t *m, *e;
	size_t i, ndone = 0;
	size_t sz;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/longer.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/longer-out", harness_tmp);
	snprintf(errpath, sizeof(errpath), "%s/longer.err", harness_tmp);
	write_file(file, yaml);
	interrupt_after_first(file, dir, errpath);

	m = load_manifest(dir);
	ndone = count_status(m, "done");
	assert_true(ndone >= 1);
	assert_true(count_status(m, "pending") >= 1);
	assert_int_equal(count_status(m, "running"), 0);
	assert_int_equal(ndone + count_status(m, "pending"), 8);
	/* the interrupted entry's partial log went with it (docs/campaigns.md) */
	assert_no_partial_files(dir, m);
	json_array_foreach(json_object_get(m, "entries"), i, e) {
		struct stat st;

		if (strcmp(status_of(e), "done")) {
			assert_true(json_is_null(json_object_get(e, "results")));
			continue;
		}
		check_results(dir, e, "exit-costs");
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "results")));
		assert_int_equal(stat(path, &st), 0);
		ids[i].mtime = st.st_mtim;
		ids[i].bytes = slurp_or_fail(path, &ids[i].size);
	}
	json_decref(m);

	/* the campaign file changed: refused, unless --force */
	write_file(file, "# an edit\n");
	{
		FILE *f = fopen(file, "a");

		fputs(yaml, f);
		fclose(f);
	}
	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "changed"));
	harness_free(&o);
	write_file(file, yaml);

	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	if (o.exit_code != 0)
		fail_msg("resume: exit %d; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);

	m = load_manifest(dir);
	assert_int_equal(count_status(m, "done"), 8);
	json_array_foreach(json_object_get(m, "entries"), i, e) {
		struct stat st;

		check_results(dir, e, "exit-costs");
		if (!ids[i].bytes)
			continue;
		/* finished before the interrupt: never rerun, its file untouched */
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "results")));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mtim.tv_sec, ids[i].mtime.tv_sec);
		assert_int_equal(st.st_mtim.tv_nsec, ids[i].mtime.tv_nsec);
		{
			char *now = slurp_or_fail(path, &sz);

			assert_int_equal(sz, ids[i].size);
			assert_memory_equal(now, ids[i].bytes, (size_t)sz);
			free(now);
		}
		free(ids[i].bytes);
	}
	json_decref(m);
	/* one results file per entry, no leftovers */
	{
		char cmd[1200];
		FILE *p;
		int n = -1;

		snprintf(cmd, sizeof(cmd), "ls '%s/entries' | grep -c '\\.json$'", dir);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%d", &n), 1);
		pclose(p);
		assert_int_equal(n, 8);
	}

	/* nothing left to run: a second resume changes nothing and succeeds */
	harness_run(&o, (const char *[]){ "campaign", "--resume", dir, NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.err, "0 to run"));
	harness_free(&o);
}

/*
 * A run that outlives its timeout_s (its own --timeout overridden by a later
 * one in args) is killed from outside: status timeout; a run that exits 3 is
 * skipped with the payload's reason, its results kept.
 */
static void test_timeout_and_skip(void **state)
{
	char file[512], dir[512];
	struct run_out o;
	json_t *m, *e;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/edge.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/edge-out", harness_tmp);
	write_file(file,
		   "name: edge\n"
		   "entries:\n"
		   "  - payload: runaway\n"
		   "    timeout_s: 1\n"
		   "    args: [--timeout, '600']\n"
		   "  - payload: mem-walk\n"
		   "    ring: 3\n"
		   "    params: { sizes: 1g }\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--out", dir, NULL });
	if (o.exit_code != 1)
		fail_msg("exit %d, want 1; stderr:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.err, "0 done, 0 failed, 1 timeout, 1 skipped"));
	harness_free(&o);
	m = load_manifest(dir);
	e = json_array_get(json_object_get(m, "entries"), 0);
	assert_string_equal(status_of(e), "timeout");
	assert_true(json_is_null(json_object_get(e, "exit_code")));
	assert_non_null(strstr(json_string_value(json_object_get(e, "reason")), "killed after"));
	e = json_array_get(json_object_get(m, "entries"), 1);
	assert_string_equal(status_of(e), "skipped");
	assert_int_equal(json_integer_value(json_object_get(e, "exit_code")), 3);
	assert_non_null(strstr(json_string_value(json_object_get(e, "reason")), "skipped test"));
	assert_true(json_is_string(json_object_get(e, "results")));
	json_decref(m);
}

static void test_bad_manifests(void **state)
{
	char file[512], dir[512], path[1024];
	struct run_out o;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"format\": \"exitlab-camp", "not valid JSON" },
		{ "{\"format\": \"exitlab-results\", \"version\": 1}", "not an exitlab campaign manifest" },
		{ "{\"format\": \"exitlab-campaign-manifest\", \"version\": 9}", "version" },
		{ "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"tiny\", "
		  "\"started_at\": \"x\", \"entries\": [{\"id\": 0}]}", "entry 0" },
		{ "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"other\", "
		  "\"started_at\": \"x\", \"entries\": []}", "belongs to campaign 'other'" },
		{ "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"tiny\", "
		  "\"started_at\": \"x\", \"entries\": [{\"id\": 0, \"name\": \"a\", \"payload\": \"a\", "
		  "\"args\": [], \"repetition\": 1, \"timeout_s\": 1, \"status\": \"done\", "
		  "\"results\": \"../../etc/passwd\"}]}", "outside" },
	};
	(void)state;

	snprintf(file, sizeof(file), "%s/tiny2.yaml", harness_tmp);
	write_file(file, tiny_yaml);
	snprintf(dir, sizeof(dir), "%s/bad", harness_tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(path, cases[i].text);
		harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
		assert_int_equal(o.exit_code, 2);
		if (!strstr(o.err, cases[i].want))
			fail_msg("case %zu: want '%s' in:\n%s", i, cases[i].want, o.err);
		harness_free(&o);
	}
	/* a directory that is not there is said to be missing, not "not valid JSON" */
	snprintf(path, sizeof(path), "%s/no-such-run", harness_tmp);
	harness_run(&o, (const char *[]){ "campaign", "--resume", path, NULL });
	assert_int_equal(o.exit_code, 2);
	if (!strstr(o.err, "No such file or directory") || strstr(o.err, "JSON"))
		fail_msg("resume of a missing directory:\n%s", o.err);
	harness_free(&o);
	/* a campaign file with an error names its line */
	write_file(file, "name: x\nentries:\n  - payload: a\n    ring: 1\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--dry-run", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "tiny2.yaml:4:11: ring must be 0 or 3"));
	harness_free(&o);
	/* a refused param value is named, not read from freed memory (SIGSEGV) */
	write_file(file, "name: x\nentries:\n  - payload: a\n    params: {x: \"\"}\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--dry-run", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "tiny2.yaml:4:17: param x: a value must be 1-200 characters"));
	harness_free(&o);
	/* a second document is refused, not ignored */
	write_file(file, "name: x\nentries:\n  - payload: a\n---\nname: y\nentries:\n  - payload: b\n");
	harness_run(&o, (const char *[]){ "campaign", file, "--dry-run", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "tiny2.yaml:4:1: a second YAML document"));
	harness_free(&o);
	/* nesting past the limit is refused at that level, by --resume too (same loader) */
	{
		size_t depth = 100000;
		char *deep = malloc(depth + 32);

		assert_non_null(deep);
		strcpy(deep, "name: x\nentries: ");
		memset(deep + strlen(deep), '[', depth);
		strcpy(deep + strlen("name: x\nentries: ") + depth, "\n");
		write_file(file, deep);
		free(deep);
	}
	harness_run(&o, (const char *[]){ "campaign", file, "--dry-run", NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "tiny2.yaml:2:73: mappings and lists nested deeper than 64 levels"));
	harness_free(&o);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	write_file(path, cases[4].text);
	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "nested deeper than 64 levels"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "campaign", file, "--jobs", "2", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
}

/*
 * Rewrite entry 0 of DIR/manifest.json as a pending entry whose recorded
 * commands are someone else's: a service that touches evil, another payload
 * and args, and (if name) another name.
 */
static void tamper_manifest(const char *dir, const char *evil, const char *name)
{
	char path[1024], cmd[1200];
	json_t *m = load_manifest(dir), *e = json_array_get(json_object_get(m, "entries"), 0);

	assert_non_null(e);
	snprintf(cmd, sizeof(cmd), "touch %s @sock", evil);
	json_object_set_new(e, "status", json_string("pending"));
	json_object_set_new(e, "service", json_string(cmd));
	json_object_set_new(e, "payload", json_string("evil-payload"));
	json_object_set_new(e, "args", json_pack("[s]", "--evil"));
	json_object_set_new(e, "exit_code", json_null());
	json_object_set_new(e, "reason", json_null());
	json_object_set_new(e, "log", json_null());
	if (name)
		json_object_set_new(e, "name", json_string(name));
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	assert_int_equal(json_dump_file(m, path, JSON_INDENT(1)), 0);
	json_decref(m);
}

/* Entry 0 of the manifest records the file's commands: service `touch good`, payload exit-costs. */
static void assert_recorded_from_file(const char *dir, const char *good)
{
	char want[1200];
	json_t *m = load_manifest(dir), *e = json_array_get(json_object_get(m, "entries"), 0), *a;
	size_t i;

	snprintf(want, sizeof(want), "touch %s @sock", good);
	assert_string_equal(json_string_value(json_object_get(e, "service")), want);
	assert_string_equal(json_string_value(json_object_get(e, "payload")), "exit-costs");
	json_array_foreach(json_object_get(e, "args"), i, a)
		assert_string_not_equal(json_string_value(a), "--evil");
	json_decref(m);
}

/*
 * What a resume executes comes from the campaign file, never from the
 * manifest (docs/campaigns.md): whoever can write a results directory can
 * rewrite its manifest. A manifest whose service, payload and args were
 * rewritten runs the file's, says that the record differed and records the
 * file's again; after an edit, --force runs the edited file's; an entry the
 * file does not have is not run. The service only touches a marker and exits
 * (a plain file where its socket belongs: the entry fails): no guest runs, no KVM needed.
 */
static void test_resume_commands_from_file(void **state)
{
	char file[512], dir[512], good[512], good2[512], evil[512], yaml[2048];
	static const char fmt[] =
		"name: svc\n"
		"entries:\n"
		"  - payload: exit-costs\n"
		"    ring: 3\n"
		"    service: \"touch %s @sock\"\n";
	struct run_out o;
	json_t *m, *e;
	(void)state;

	snprintf(file, sizeof(file), "%s/svc.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/svc-out", harness_tmp);
	snprintf(good, sizeof(good), "%s/svc-good", harness_tmp);
	snprintf(good2, sizeof(good2), "%s/svc-good2", harness_tmp);
	snprintf(evil, sizeof(evil), "%s/svc-evil", harness_tmp);
	snprintf(yaml, sizeof(yaml), fmt, good);
	write_file(file, yaml);
	harness_run(&o, (const char *[]){ "campaign", file, "--out", dir, NULL });
	if (o.exit_code != 1 || access(good, F_OK))
		fail_msg("first run: exit %d, want 1 and %s made; stderr:\n%s", o.exit_code, good, o.err);
	harness_free(&o);
	assert_int_equal(unlink(good), 0);

	/* the file unchanged, no --force: the file's service runs, not the manifest's */
	tamper_manifest(dir, evil, NULL);
	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	if (access(evil, F_OK) == 0)
		fail_msg("resume ran the manifest's service; stderr:\n%s", o.err);
	if (o.exit_code != 1 || access(good, F_OK))
		fail_msg("resume: exit %d, want 1 and %s made; stderr:\n%s", o.exit_code, good, o.err);
	if (!strstr(o.err, "differ") || !strstr(o.err, "service"))
		fail_msg("resume did not say the recorded commands differ:\n%s", o.err);
	harness_free(&o);
	assert_recorded_from_file(dir, good);

	/*
	 * FILE left out: the manifest names the file, and whoever wrote the
	 * manifest could have named a file of theirs, hash and all; a campaign
	 * that runs commands is then refused, nothing run.
	 */
	assert_int_equal(unlink(good), 0);
	tamper_manifest(dir, evil, NULL);
	harness_run(&o, (const char *[]){ "campaign", "--resume", dir, NULL });
	if (o.exit_code != 2 || access(evil, F_OK) == 0 || access(good, F_OK) == 0 ||
	    !strstr(o.err, "a resume runs them only from a campaign file you name"))
		fail_msg("resume without FILE: exit %d, want 2 and nothing run; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);

	/* the file edited, --force: the edited file's service */
	snprintf(yaml, sizeof(yaml), fmt, good2);
	write_file(file, yaml);
	tamper_manifest(dir, evil, NULL);
	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, "--force", NULL });
	if (access(evil, F_OK) == 0 || access(good2, F_OK))
		fail_msg("resume --force: exit %d; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);
	assert_recorded_from_file(dir, good2);

	/* an entry the file does not have: failed, its recorded service not run */
	tamper_manifest(dir, evil, "evil/rep1");
	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, "--force", NULL });
	if (o.exit_code != 1 || access(evil, F_OK) == 0)
		fail_msg("renamed entry: exit %d, want 1 and no %s; stderr:\n%s", o.exit_code, evil, o.err);
	harness_free(&o);
	m = load_manifest(dir);
	e = json_array_get(json_object_get(m, "entries"), 0);
	assert_string_equal(status_of(e), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(e, "reason")), "not in"));
	json_decref(m);
}

/* A PNG file of at least min bytes (gnuplot drew something, not an empty canvas). */
static void assert_png(const char *path, size_t min)
{
	size_t sz;
	char *b = slurp_or_fail(path, &sz);

	if (!b)
		fail_msg("no chart %s", path);
	assert_true(sz >= min);
	assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
	free(b);
}

/*
 * The shipped quick campaign as a user runs it: interrupted with SIGINT after
 * its first entry, resumed to the end (every entry done, none twice), then
 * the HTML report and the charts of the run.
 */
static void test_quick_campaign(void **state)
{
	char dir[512], errpath[512], path[1024], cmd[1400];
	struct run_out o;
	size_t sz;
	char *html;
	json_t *m;
	int n = -1;
	FILE *p;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(dir, sizeof(dir), "%s/quick-out", harness_tmp);
	snprintf(errpath, sizeof(errpath), "%s/quick.err", harness_tmp);
	interrupt_after_first("scripts/campaigns/quick.yaml", dir, errpath);
	m = load_manifest(dir);
	assert_true(count_status(m, "done") >= 1);
	assert_true(count_status(m, "pending") >= 1);
	json_decref(m);

	harness_run(&o, (const char *[]){ "campaign", "--resume", dir, NULL });
	if (o.exit_code != 0)
		fail_msg("resume: exit %d; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);
	m = load_manifest(dir);
	assert_int_equal(count_status(m, "done"), json_array_size(json_object_get(m, "entries")));
	/* 8 configurations, 5 repetitions each: what compare needs to judge runs */
	assert_int_equal(json_array_size(json_object_get(m, "entries")), 40);
	json_decref(m);
	snprintf(cmd, sizeof(cmd), "ls '%s/entries' | grep -c '\\.json$'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	assert_int_equal(n, 40);
	quick_done = true;

	/* the report: one page, every chart inline, nothing fetched from elsewhere */
	snprintf(path, sizeof(path), "%s/report.html", harness_tmp);
	harness_run(&o, (const char *[]){ "report", dir, "-o", path, NULL });
	if (o.exit_code != 0)
		fail_msg("report: exit %d; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);
	html = slurp_or_fail(path, &sz);
	assert_non_null(html);
	assert_non_null(strstr(html, "data:image/png;base64,"));
	assert_null(strstr(html, "src=\"http"));
	assert_non_null(strstr(html, "mem-walk"));
	assert_non_null(strstr(html, "virtio-net"));
	free(html);

	/* the charts of the run: each entry's, and the run's combined net chart */
	snprintf(path, sizeof(path), "%s/quick-charts", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", dir, "-o", path, NULL });
	if (o.exit_code != 0)
		fail_msg("plot: exit %d; stderr:\n%s", o.exit_code, o.err);
	harness_free(&o);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '\\.png$'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	assert_true(n >= 8);
	snprintf(cmd, sizeof(cmd), "%s/000-exit-costs-rep1.png", path);
	assert_png(cmd, 4000);
}

/*
 * Every exit-costs results file of the campaign run in dir: cpuid's cycles
 * scaled by k (k <= 0: only return max/min of cpuid's run medians).
 */
static double plant_slowdown(const char *dir, double k)
{
	json_t *m = load_manifest(dir), *e, *t, *v;
	size_t i, j, k2, planted = 0;
	double lo = INFINITY, hi = 0;
	char path[2048];

	json_array_foreach(json_object_get(m, "entries"), i, e) {
		json_t *doc;
		const char *key;

		if (strcmp(json_string_value(json_object_get(e, "payload")), "exit-costs"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "results")));
		doc = json_load_file(path, 0, NULL);
		assert_non_null(doc);
		json_array_foreach(json_object_get(doc, "tests"), j, t) {
			double med = json_number_value(json_object_get(json_object_get(t, "cycles"), "median"));

			if (strcmp(json_string_value(json_object_get(t, "name")), "cpuid"))
				continue;
			lo = med < lo ? med : lo;
			hi = med > hi ? med : hi;
			planted++;
			if (k <= 0)
				continue;
			json_object_foreach(json_object_get(t, "cycles"), key, v)
				if (strcmp(key, "n") && json_is_number(v))
					json_object_set_new(json_object_get(t, "cycles"), key,
							    json_real(json_number_value(v) * k));
			json_array_foreach(json_object_get(t, "samples_cycles"), k2, v)
				json_real_set(v, json_number_value(v) * k);
		}
		if (k > 0)
			assert_int_equal(json_dump_file(doc, path, JSON_INDENT(1)), 0);
		json_decref(doc);
	}
	json_decref(m);
	assert_int_equal(planted, 5);
	assert_true(lo > 0);
	return hi / lo;
}

/*
 * The shipped quick campaign's results can say "regressed": a copy of the run
 * with cpuid slowed in every repetition is judged regressed (exit 1, that row
 * named), and the same comparison without the plant exits 0. No row is "not
 * comparable" for want of samples or runs, or unmatched. The plant
 * is twice the run-to-run spread of cpuid's medians in this very run (max /
 * min, at least 1.5x): compare judges a change against that spread, and on a
 * loaded host the spread alone can exceed 50 %.
 */
static void test_quick_compare_plant(void **state)
{
	char dir[512], copy[512], cmd[1600], out[512];
	double spread, factor;
	struct run_out o;
	json_t *doc, *t;
	size_t i;
	(void)state;

	if (!quick_done)
		skip();
	snprintf(dir, sizeof(dir), "%s/quick-out", harness_tmp);
	snprintf(copy, sizeof(copy), "%s/quick-copy", harness_tmp);
	snprintf(out, sizeof(out), "%s/quick-compare.json", harness_tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", copy, dir, copy);
	assert_int_equal(system(cmd), 0);

	harness_run(&o, (const char *[]){ "compare", dir, copy, "--json", out, NULL });
	if (o.exit_code != 0)
		fail_msg("compare without a plant: exit %d\n%s%s", o.exit_code, o.out, o.err);
	harness_free(&o);
	doc = harness_load_json(out);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *why = json_string_value(json_object_get(t, "reason"));

		/* skipped tests, or a run median below the loop overhead, are not compare's to judge */
		if (!strcmp(json_string_value(json_object_get(t, "verdict")), "not comparable") &&
		    (strstr(why, "no samples") || strstr(why, "fewer than") || strstr(why, "only in")))
			fail_msg("%s: not comparable: %s", json_string_value(json_object_get(t, "label")), why);
	}
	/* host-side rows are judged too, over the runs */
	t = harness_find_test(doc, "host_syscall", -1);
	assert_string_equal(json_string_value(json_object_get(t, "level")), "runs");
	json_decref(doc);

	spread = plant_slowdown(copy, 0);
	factor = 2 * spread > 1.5 ? 2 * spread : 1.5;
	plant_slowdown(copy, factor);
	harness_run(&o, (const char *[]){ "compare", dir, copy, "--json", out, NULL });
	if (o.exit_code != 1)
		fail_msg("compare with cpuid %.2fx slower (run spread %.2fx): exit %d\n%s%s", factor, spread,
			 o.exit_code, o.out, o.err);
	doc = harness_load_json(out);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "regressed")), 1);
	t = harness_find_test(doc, "cpuid", 3);
	assert_string_equal(json_string_value(json_object_get(t, "verdict")), "regressed");
	assert_string_equal(json_string_value(json_object_get(t, "level")), "runs");
	json_decref(doc);
	{
		char *line = strstr(o.out, "\nexit-costs   cpuid ");

		assert_non_null(line);
		assert_non_null(strstr(line, "regressed"));
	}
	harness_free(&o);
}

static void test_quick_dry_run(void **state)
{
	struct run_out o;
	static const char *const want[] = {
		"campaign quick: ", "exit-costs/rep1", "mem-walk/rep1", "tlb/rep1",
			"net/virtio-net/batch=1/rep1",
		"net/virtio-net/batch=32/rep1", "net/e1000/batch=1/rep1", "net/e1000/batch=32/rep1",
		"blk/virtio-blk/rep1", "exitlab run exit-costs --quick --ring 3",
	};
	(void)state;

	harness_run(&o, (const char *[]){ "campaign", "scripts/campaigns/quick.yaml", "--dry-run", NULL });
	assert_int_equal(o.exit_code, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(o.out, want[i]))
			fail_msg("'%s' missing from:\n%s", want[i], o.out);
	harness_free(&o);
	for (const char *const *f = (const char *const[]){ "scripts/campaigns/standard.yaml",
							    "scripts/campaigns/claims.yaml",
							    "scripts/campaigns/lab8.yaml", NULL };
	     *f; f++) {
		harness_run(&o, (const char *[]){ "campaign", *f, "--dry-run", NULL });
		if (o.exit_code)
			fail_msg("%s: exit %d: %s", *f, o.exit_code, o.err);
		/* five repetitions: what compare's run-level test needs (docs/compare.md) */
		if (!strstr(o.out, "/rep5 ") || strstr(o.out, "/rep6 "))
			fail_msg("%s: not five repetitions:\n%s", *f, o.out);
		harness_free(&o);
	}
	/* counts only (compare --counts): one repetition, both rings, tracepoints */
	harness_run(&o, (const char *[]){ "campaign", "scripts/campaigns/kernel-counts.yaml", "--dry-run", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "exit-costs/ring0/instr=tracepoints/rep1 "));
	assert_non_null(strstr(o.out, "exit-costs/ring3/instr=tracepoints/rep1 "));
	assert_null(strstr(o.out, "/rep2 "));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quick_dry_run),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_resume_commands_from_file),
		cmocka_unit_test(test_tiny_campaign),
		cmocka_unit_test(test_interrupt_resume),
		cmocka_unit_test(test_timeout_and_skip),
		cmocka_unit_test(test_quick_campaign),
		cmocka_unit_test(test_quick_compare_plant),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
