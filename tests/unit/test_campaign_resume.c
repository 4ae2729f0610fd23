/* SPDX-License-Identifier: MIT */
/*
 * A resume's commands come from the campaign file (campaign/campaign_resume.c):
 * entries still to run take the file's payload, args, service, disk and
 * timeout whatever the manifest recorded, and the difference is said;
 * finished entries are left as recorded; an entry the file lacks fails
 * without running; runs the manifest lacks are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "campaign/campaign.h"
#include "campaign/campaign_resume.h"

static const char yaml[] =
	"name: r\n"
	"entries:\n"
	"  - payload: net\n"
	"    timeout_s: 30\n"
	"    service: \"good-backend --socket @sock\"\n"
	"    repetitions: 3\n";

static struct campaign_run *runs;
static size_t nruns;
static struct campaign camp;

static int setup(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(campaign_parse(yaml, strlen(yaml), &camp, err, sizeof(err)), 0);
	assert_int_equal(campaign_expand(&camp, &runs, &nruns, err, sizeof(err)), 0);
	assert_int_equal(nruns, 3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	campaign_runs_free(runs, nruns);
	campaign_free(&camp);
	return 0;
}

/* A manifest of the three runs as a hostile writer left it: every record rewritten. */
static void hostile_manifest(struct manifest *m, enum entry_status st)
{
	memset(m, 0, sizeof(*m));
	m->entries = calloc(nruns, sizeof(*m->entries));
	assert_non_null(m->entries);
	for (size_t i = 0; i < nruns; i++) {
		struct manifest_entry *e = &m->entries[m->nentries++];

		e->id = (int)i;
		e->name = strdup(runs[i].name);
		e->payload = strdup("evil");
		e->args = calloc(2, sizeof(*e->args));
		e->args[e->nargs++] = strdup("--evil");
		e->service = strdup("touch /tmp/evil @sock");
		e->disk_mib = 4096;
		e->timeout_s = 1e9;
		e->repetition = 99;
		e->status = st;
		e->exit_code = -1;
		e->duration_s = -1;
	}
}

static char *noted(FILE *f)
{
	static char buf[4096];
	size_t n;

	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void assert_from_file(const struct manifest_entry *e, const struct campaign_run *r)
{
	assert_string_equal(e->payload, r->payload);
	assert_int_equal(e->nargs, r->nargs);
	for (size_t k = 0; k < r->nargs; k++)
		assert_string_equal(e->args[k], r->args[k]);
	assert_string_equal(e->service, "good-backend --socket @sock");
	assert_int_equal(e->disk_mib, 0);
	assert_true(e->timeout_s == 30.0);
	assert_int_equal(e->repetition, r->repetition);
}

static void test_pending_take_the_files_commands(void **state)
{
	struct manifest m;
	FILE *note = tmpfile();
	char *out;
	(void)state;

	hostile_manifest(&m, ST_PENDING);
	m.entries[1].status = ST_RUNNING; /* the runner died under it: it runs again, from the file */
	assert_int_equal(campaign_resume_commands(&m, runs, nruns, "r.yaml", note), 3);
	for (size_t i = 0; i < nruns; i++)
		assert_from_file(&m.entries[i], &runs[i]);
	out = noted(note);
	if (!strstr(out, "entry 0 'net/rep1': the manifest's record (payload, args, service, disk_mib, "
		    "timeout_s, repetition) differs from r.yaml; the file's is run"))
		fail_msg("note:\n%s", out);
	manifest_free(&m);
}

static void test_finished_left_alone(void **state)
{
	struct manifest m;
	FILE *note = tmpfile();
	(void)state;

	hostile_manifest(&m, ST_DONE);
	assert_int_equal(campaign_resume_commands(&m, runs, nruns, "r.yaml", note), 0);
	assert_string_equal(m.entries[0].payload, "evil"); /* the record of what ran; nothing runs */
	assert_string_equal(noted(note), "");
	manifest_free(&m);
}

static void test_unchanged_says_nothing(void **state)
{
	struct manifest m;
	FILE *note = tmpfile();
	(void)state;

	hostile_manifest(&m, ST_PENDING);
	assert_int_equal(campaign_resume_commands(&m, runs, nruns, "r.yaml", note), 3);
	fclose(note);
	note = tmpfile();
	assert_int_equal(campaign_resume_commands(&m, runs, nruns, "r.yaml", note), 0);
	assert_string_equal(noted(note), "");
	manifest_free(&m);
}

static void test_unknown_entry_fails_unrun(void **state)
{
	struct manifest m;
	FILE *note = tmpfile();
	char *out;
	(void)state;

	hostile_manifest(&m, ST_PENDING);
	free(m.entries[2].name);
	m.entries[2].name = strdup("evil/rep1");
	assert_int_equal(campaign_resume_commands(&m, runs, nruns, "r.yaml", note), 3);
	assert_int_equal(m.entries[2].status, ST_FAILED);
	assert_non_null(strstr(m.entries[2].reason, "not in r.yaml"));
	assert_string_equal(m.entries[2].service, "touch /tmp/evil @sock"); /* recorded, never run */
	out = noted(note);
	if (!strstr(out, "entry 2 'evil/rep1' is not in r.yaml: not run") ||
	    !strstr(out, "r.yaml has 1 run(s) that the manifest does not"))
		fail_msg("note:\n%s", out);
	manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_take_the_files_commands),
		cmocka_unit_test(test_finished_left_alone),
		cmocka_unit_test(test_unchanged_says_nothing),
		cmocka_unit_test(test_unknown_entry_fails_unrun),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
