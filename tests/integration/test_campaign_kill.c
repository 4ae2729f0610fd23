/* SPDX-License-Identifier: MIT */
/*
 * A campaign SIGKILLed and resumed, again and again, loses and duplicates
 * nothing: killed right after entry k is recorded done (k = 0 and 2), and at
 * points drawn from a seeded PRNG (EXITLAB_KILL_SEED replays a run; the seed
 * is printed; EXITLAB_KILL_TRIALS sets how many trials, default 2, and
 * EXITLAB_KILL_MAX_MS the latest kill after a start, default 2000;
 * microbench/kill-resume.sh runs many). After
 * every kill: the manifest parses, each entry it records done has a results
 * file the store's reader accepts, byte for byte the one first recorded, and
 * every results file in entries/ parses (none half-written). After the last
 * resume: every entry done exactly once, `results show` reads the run, no
 * temp file left. A resume started while the campaign still runs waits for
 * it instead of running its entries a second time.
 * Outcomes are asserted, timings never: a random delay only picks where the
 * kill lands.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "analysis/results.h"

#define NENT 4

static const char yaml[] =
	"name: kill\n"
	"defaults: { ring: 3, timeout_s: 120 }\n"
	"entries:\n"
	"  - payload: exit-costs\n"
	"    quick: true\n"
	"    tests: [cpuid]\n"
	"    repetitions: 4\n";

/* What the first kill-free look found in each done entry's results file. */
struct seen {
	char *bytes[NENT];
	size_t len[NENT];
};

static char campaign_file[1024];

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: one seed, one sequence, on every machine */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static json_t *manifest_of(const char *dir)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (access(path, F_OK))
		return NULL;
	return harness_load_json(path);
}

static size_t count_done(json_t *m)
{
	size_t n = 0, i;
	json_t *e;

	json_array_foreach(json_object_get(m, "entries"), i, e)
		n += !strcmp(json_string_value(json_object_get(e, "status")), "done");
	return n;
}

static void read_results_or_fail(const char *path)
{
	struct run_result r;
	char err[512];

	memset(&r, 0, sizeof(r));
	if (results_read_json(path, &r, err, sizeof(err)))
		fail_msg("a reader would take %s, and it is not whole: %s", path, err);
	assert_string_equal(r.payload, "exit-costs");
	results_free(&r);
}

/* Every results file in entries/ parses; returns how many there are. */
static size_t check_entry_files(const char *dir)
{
	char path[1200];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/entries", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/entries/%s", dir, de->d_name);
		read_results_or_fail(path);
		n++;
	}
	closedir(d);
	return n;
}

/* The invariants that hold whenever the campaign is not running. */
static void check_state(const char *dir, struct seen *s, const char *when)
{
	json_t *m = manifest_of(dir), *e;
	char path[1200];
	size_t i;

	check_entry_files(dir);
	if (!m)
		return; /* killed before its first manifest: nothing recorded */
	assert_int_equal(json_array_size(json_object_get(m, "entries")), NENT);
	json_array_foreach(json_object_get(m, "entries"), i, e) {
		const char *rel = json_string_value(json_object_get(e, "results"));
		size_t len;
		char *now;

		assert_int_equal(json_integer_value(json_object_get(e, "id")), (json_int_t)i);
		if (strcmp(json_string_value(json_object_get(e, "status")), "done"))
			continue;
		assert_non_null(rel);
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		read_results_or_fail(path);
		now = harness_slurp(path, &len);
		assert_non_null(now);
		if (!s->bytes[i]) {
			s->bytes[i] = now;
			s->len[i] = len;
			continue;
		}
		/* done once: never run again, its file never rewritten */
		if (len != s->len[i] || memcmp(now, s->bytes[i], len))
			fail_msg("%s: entry %zu, done before, has a different results file now", when, i);
		free(now);
	}
	json_decref(m);
}

/* Nothing of the atomic writer's temp files (".NAME.XXXXXX") is left. */
static void assert_no_temps(const char *dir)
{
	const char *sub[] = { "", "/entries" };

	for (size_t k = 0; k < 2; k++) {
		char path[1200];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s%s", dir, sub[k]);
		d = opendir(path);
		assert_non_null(d);
		while ((de = readdir(d)))
			if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    strcmp(de->d_name, ".campaign.lock"))
				fail_msg("%s/%s left behind", path, de->d_name);
		closedir(d);
	}
}

static void final_checks(const char *dir, struct seen *s)
{
	struct run_out o;
	json_t *m;

	check_state(dir, s, "after the last resume");
	m = manifest_of(dir);
	assert_non_null(m);
	assert_int_equal(count_done(m), NENT);
	json_decref(m);
	assert_int_equal(check_entry_files(dir), NENT);
	assert_no_temps(dir);
	harness_run(&o, (const char *[]){ "results", "show", dir, NULL });
	if (o.exit_code != 0)
		fail_msg("results show %s: exit %d\n%s", dir, o.exit_code, o.err);
	harness_free(&o);
	for (size_t i = 0; i < NENT; i++)
		free(s->bytes[i]);
}

/* Start the campaign in dir, or resume it if it has a manifest. */
static pid_t start(const char *dir, const char *errpath)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (access(path, F_OK))
		return harness_spawn((const char *[]){ "campaign", campaign_file, "--out", dir, NULL }, errpath, true);
	return harness_spawn((const char *[]){ "campaign", campaign_file, "--resume", dir, NULL }, errpath, true);
}

static void kill_and_reap(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* Run to the end (a resume after the kills); exit 0 wanted. */
static void run_to_end(const char *dir, const char *errpath)
{
	int status;
	pid_t pid = start(dir, errpath);

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *text = harness_slurp(errpath, NULL);

		fail_msg("campaign in %s: status 0x%x; output:\n%s", dir, status, text ? text : "");
	}
}

static void setup_file(void)
{
	FILE *f;

	snprintf(campaign_file, sizeof(campaign_file), "%s/kill.yaml", harness_tmp);
	f = fopen(campaign_file, "w");
	assert_non_null(f);
	fputs(yaml, f);
	assert_int_equal(fclose(f), 0);
}

/* Killed right after entry k is recorded done in the manifest, then resumed. */
static void test_kill_after_entry(void **state)
{
	(void)state;

	HARNESS_NEED_KVM();
	setup_file();
	/* the first entry and the last but one: the two ends of what a kill can leave */
	for (int k = 0; k < NENT - 1; k += NENT - 2) {
		char dir[1100], errpath[1100];
		struct seen s;

		memset(&s, 0, sizeof(s));
		pid_t pid;
		json_t *m = NULL;

		snprintf(dir, sizeof(dir), "%s/after-%d", harness_tmp, k);
		snprintf(errpath, sizeof(errpath), "%s/after-%d.err", harness_tmp, k);
		pid = start(dir, errpath);
		for (;;) {
			int status;

			m = manifest_of(dir);
			if (m && count_done(m) >= (size_t)k + 1)
				break;
			json_decref(m);
			if (waitpid(pid, &status, WNOHANG) == pid)
				fail_msg("the campaign ended before entry %d was done (status 0x%x)", k, status);
			usleep(2000);
		}
		json_decref(m);
		kill_and_reap(pid);
		check_state(dir, &s, "after the kill");
		run_to_end(dir, errpath);
		final_checks(dir, &s);
	}
}

/* Killed at random points, several times over, then resumed to the end. */
static void test_kill_random(void **state)
{
	const char *env = getenv("EXITLAB_KILL_SEED"), *tr = getenv("EXITLAB_KILL_TRIALS");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	const char *mx = getenv("EXITLAB_KILL_MAX_MS");
	int trials = tr ? atoi(tr) : 2, kills = 0, early = 0;
	long max_us = (mx ? atol(mx) : 2000) * 1000 + 1;
	(void)state;

	HARNESS_NEED_KVM();
	setup_file();
	fprintf(stderr, "kill/resume: EXITLAB_KILL_SEED=%llu EXITLAB_KILL_TRIALS=%d EXITLAB_KILL_MAX_MS=%ld\n",
		(unsigned long long)seed, trials, max_us / 1000);
	rng_state = seed;
	for (int t = 0; t < trials; t++) {
		char dir[1100], errpath[1100];
		struct seen s;

		memset(&s, 0, sizeof(s));
		/* up to 3 kills a trial, each 0..EXITLAB_KILL_MAX_MS (2 s) after a start */
		int nk = 1 + (int)(rng_next() % 3);

		snprintf(dir, sizeof(dir), "%s/random-%d", harness_tmp, t);
		snprintf(errpath, sizeof(errpath), "%s/random-%d.err", harness_tmp, t);
		for (int k = 0; k < nk; k++) {
			long us = (long)(rng_next() % (uint64_t)max_us);
			pid_t pid = start(dir, errpath);
			int status;
			bool ended = false;

			for (long waited = 0; waited < us && !ended; waited += 1000) {
				usleep(1000);
				ended = waitpid(pid, &status, WNOHANG) == pid;
			}
			if (ended) {
				early++;
				break;
			}
			kill_and_reap(pid);
			kills++;
			check_state(dir, &s, "after a kill");
		}
		run_to_end(dir, errpath);
		final_checks(dir, &s);
	}
	fprintf(stderr, "kill/resume: %d trials, %d kills, %d runs ended before their kill; "
		"nothing lost or duplicated\n", trials, kills, early);
}

/*
 * A resume while the campaign runs waits for it to end (the directory is
 * locked), so no entry runs twice and the manifest is never written by two.
 */
static void test_resume_while_running(void **state)
{
	char dir[1100], errpath[1100], err2[1100];
	struct seen s;
	pid_t a, b;
	int status;
	char *text;
	json_t *m;
	(void)state;

	HARNESS_NEED_KVM();
	setup_file();
	memset(&s, 0, sizeof(s));
	snprintf(dir, sizeof(dir), "%s/twice", harness_tmp);
	snprintf(errpath, sizeof(errpath), "%s/twice-a.err", harness_tmp);
	snprintf(err2, sizeof(err2), "%s/twice-b.err", harness_tmp);
	a = start(dir, errpath);
	for (m = NULL; !(m = manifest_of(dir)) || count_done(m) < 1; usleep(2000)) {
		json_decref(m);
		if (waitpid(a, &status, WNOHANG) == a)
			fail_msg("the campaign ended before its first entry was done");
	}
	json_decref(m);
	b = start(dir, err2);
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(b, &status, 0), b);
	text = harness_slurp(err2, NULL);
	assert_non_null(text);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !strstr(text, "0 to run"))
		fail_msg("the second campaign (status 0x%x) ran entries beside the first:\n%s", status, text);
	free(text);
	final_checks(dir, &s);
}

int main(void)
{
	/* microbench/kill-resume.sh runs only the random trials, test_load some beside a CPU hog */
	const char *only = getenv("EXITLAB_TEST_FILTER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_after_entry),
		cmocka_unit_test(test_kill_random),
		cmocka_unit_test(test_resume_while_running),
	};

	if (only)
		cmocka_set_test_filter(only);
	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
