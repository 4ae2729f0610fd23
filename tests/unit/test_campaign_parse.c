/* SPDX-License-Identifier: MIT */
/*
 * The campaign parser and expansion (campaign/campaign_parse.c, campaign_expand.c):
 * valid files and what they expand to (counts, order, names, slugs, args),
 * every kind of refusal with the line it names, and hostile inputs.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "campaign/campaign.h"

static char err[1024];

static int parse(const char *text, struct campaign *c)
{
	err[0] = 0;
	return campaign_parse(text, strlen(text), c, err, sizeof(err));
}

/* Parse must fail with an error starting "LINE:" and containing `what`. */
static void expect_error(const char *text, int line, const char *what)
{
	struct campaign c;
	char prefix[32];

	assert_int_equal(parse(text, &c), -1);
	snprintf(prefix, sizeof(prefix), "%d:", line);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, what))
		fail_msg("want line %d and '%s', got '%s'", line, what, err);
	assert_null(c.entries);
	assert_null(c.name);
}

static int has_args(const struct campaign_run *r, const char *a, const char *b)
{
	for (size_t i = 0; i + 1 < r->nargs; i++)
		if (!strcmp(r->args[i], a) && (!b || !strcmp(r->args[i + 1], b)))
			return 1;
	return 0;
}

static void test_valid_expansion(void **state)
{
	const char *text =
		"name: t1\n"
		"description: a test\n"
		"defaults:\n"
		"  ring: 3\n"
		"  timeout_s: 30\n"
		"  repetitions: 2\n"
		"  raw: true\n"
		"entries:\n"
		"  - payload: exit-costs\n"
		"    quick: true\n"
		"    tests: [cpuid, hlt]\n"
		"  - payload: net\n"
		"    devices:\n"
		"      - { device: virtio-net, netdev: loop }\n"
		"      - e1000\n"
		"    params:\n"
		"      frames: 64\n"
		"      batch: [1, 32]\n"
		"    repetitions: 1\n"
		"    timeout_s: 5.5\n"
		"    args: [--no-baseline]\n";
	struct campaign c;
	struct campaign_run *runs;
	size_t n;
	(void)state;

	assert_int_equal(parse(text, &c), 0);
	assert_string_equal(c.name, "t1");
	assert_string_equal(c.description, "a test");
	assert_int_equal(c.nentries, 2);
	assert_int_equal(campaign_expand(&c, &runs, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2 + 4);
	assert_string_equal(runs[0].name, "exit-costs/rep1");
	assert_string_equal(runs[1].name, "exit-costs/rep2");
	assert_true(has_args(&runs[0], "--quick", NULL));
	/* raw from the defaults: every run keeps its samples */
	assert_true(has_args(&runs[0], "--raw", NULL));
	assert_true(has_args(&runs[5], "--raw", NULL));
	assert_true(has_args(&runs[0], "--test", "cpuid"));
	assert_true(has_args(&runs[0], "--test", "hlt"));
	assert_true(has_args(&runs[0], "--ring", "3"));
	assert_true(has_args(&runs[0], "--timeout", "30"));
	assert_int_equal(runs[1].repetition, 2);
	/* the last axis moves fastest */
	assert_string_equal(runs[2].name, "net/virtio-net/batch=1/rep1");
	assert_string_equal(runs[3].name, "net/virtio-net/batch=32/rep1");
	assert_string_equal(runs[4].name, "net/e1000/batch=1/rep1");
	assert_string_equal(runs[5].name, "net/e1000/batch=32/rep1");
	assert_string_equal(runs[3].slug, "net-virtio-net-batch_32-rep1");
	assert_string_equal(runs[3].payload, "net");
	assert_true(has_args(&runs[3], "--device", "virtio-net"));
	assert_true(has_args(&runs[3], "--netdev", "loop"));
	assert_true(has_args(&runs[3], "--param", "frames=64"));
	assert_true(has_args(&runs[3], "--param", "batch=32"));
	assert_false(has_args(&runs[4], "--netdev", NULL));
	assert_true(has_args(&runs[5], "--timeout", "5.5"));
	assert_string_equal(runs[5].args[runs[5].nargs - 1], "--no-baseline");
	assert_true(runs[5].timeout_s == 5.5);
	assert_true(runs[0].timeout_s == 30);
	campaign_runs_free(runs, n);
	campaign_free(&c);
}

static void test_names_and_defaults(void **state)
{
	const char *text =
		"name: t2\n"
		"defaults: { ring: [0, 3], params: { batch: [1, 2] } }\n"
		"entries:\n"
		"  - payload: tlb\n"
		"  - payload: tlb\n"
		"    name: tlb-thp\n"
		"    backing: thp\n"
		"    ring: 3\n"
		"    params: { batch: 7 }\n"
		"  - payload: blk\n"
		"    disk_mib: 4\n"
		"    devices: [\"virtio-blk,file=@disk\"]\n"
		"  - payload: net\n"
		"    ring: 3\n"
		"    service: \"backend --sock @sock\"\n"
		"    devices: [\"virtio-net,vhost-user=@sock\"]\n";
	struct campaign c;
	struct campaign_run *runs;
	size_t n;
	(void)state;

	assert_int_equal(parse(text, &c), 0);
	assert_int_equal(campaign_expand(&c, &runs, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4 + 1 + 4 + 2);
	/* inherited axes with several values are named; the default timeout applies */
	assert_string_equal(runs[0].name, "tlb/ring0/batch=1/rep1");
	assert_string_equal(runs[3].name, "tlb/ring3/batch=2/rep1");
	assert_true(runs[0].timeout_s == CAMPAIGN_DEFAULT_TIMEOUT_S);
	/* the entry overrides ring and the param; a single param value is not in the name */
	assert_string_equal(runs[4].name, "tlb-thp/ring3/thp/rep1");
	assert_true(has_args(&runs[4], "--param", "batch=7"));
	assert_false(has_args(&runs[4], "--param", "batch=1"));
	assert_true(has_args(&runs[4], "--backing", "thp"));
	assert_string_equal(runs[5].name, "blk/ring0/virtio-blk/batch=1/rep1");
	assert_int_equal(runs[5].disk_mib, 4);
	assert_true(has_args(&runs[5], "--device", "virtio-blk,file=@disk"));
	assert_null(runs[5].service);
	/* a service goes with each run of its entry */
	assert_string_equal(runs[9].service, "backend --sock @sock");
	assert_string_equal(runs[10].service, "backend --sock @sock");
	assert_true(has_args(&runs[9], "--device", "virtio-net,vhost-user=@sock"));
	campaign_runs_free(runs, n);
	campaign_free(&c);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", 1, "empty");
	expect_error("name: x\nentries: [\n", 3, "YAML");
	expect_error("- a\n- b\n", 1, "must be a mapping");
	expect_error("name: x\n", 1, "needs 'entries:'");
	expect_error("entries:\n  - payload: a\n", 1, "needs 'name:'");
	expect_error("name: x\nentries: []\n", 2, "empty");
	expect_error("name: x\nentries: {a: 1}\n", 2, "must be a list");
	expect_error("name: x\ncolour: red\nentries:\n  - payload: a\n", 2, "unknown key 'colour'");
	expect_error("name: x\nentries:\n  - payload: a\n    rnig: 3\n", 4, "unknown key 'rnig'");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: 2\n", 4, "ring must be 0 or 3");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: [3, 0, 2]\n", 4, "'2'");
	expect_error("name: x\nentries:\n  - payload: a\n    timeout_s: -1\n", 4, "timeout_s");
	expect_error("name: x\nentries:\n  - payload: a\n    timeout_s: soon\n", 4, "timeout_s");
	expect_error("name: x\nentries:\n  - payload: a\n    repetitions: 0\n", 4, "repetitions");
	expect_error("name: x\nentries:\n  - payload: a\n    quick: maybe\n", 4, "true or false");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: {a: 1}\n", 4, "not a mapping");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: []\n", 4, "empty list");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: [3, 3]\n", 4, "twice");
	expect_error("name: x\nentries:\n  - payload: a\n    ring: 3\n    ring: 0\n", 5, "appears twice");
	expect_error("name: x\nname: y\nentries:\n  - payload: a\n", 2, "appears twice");
	expect_error("name: x\nentries:\n  - ring: 3\n", 3, "needs 'payload:'");
	expect_error("name: x\nentries:\n  - payload: ../etc\n", 3, "payload");
	expect_error("name: 'a b'\nentries:\n  - payload: a\n", 1, "name 'a b'");
	expect_error("name: x\nentries:\n  - payload: a\n    params: [1]\n", 4, "mapping");
	expect_error("name: x\nentries:\n  - payload: a\n    params:\n      b: [1, 2, 1]\n", 5, "twice");
	expect_error("name: x\nentries:\n  - payload: a\n    params:\n      'x y': 1\n", 5, "param name");
	expect_error("name: x\nentries:\n  - payload: a\n    devices: e1000\n", 4, "must be a list");
	expect_error("name: x\nentries:\n  - payload: a\n    devices:\n      - {netdev: loop}\n", 5,
		     "needs 'device:'");
	expect_error("name: x\nentries:\n  - payload: a\n    devices:\n      - {device: e1000, nic: 1}\n", 5,
		     "unknown device key 'nic'");
	expect_error("name: x\nentries:\n  - payload: a\n    devices:\n      - e1000\n      - e1000,x=1\n",
		     6, "twice");
	expect_error("name: x\nentries:\n  - payload: a\n    backing: 3k\n", 4, "backing");
	expect_error("name: x\nentries:\n  - payload: a\n    mem: -5\n", 4, "mem");
	expect_error("name: x\nentries:\n  - payload: a\n    instruments: pmu,lasers\n", 4, "instruments");
	expect_error("name: x\nentries:\n  - payload: a\n    args: [--json, f]\n", 4, "--json");
	expect_error("name: x\ndefaults:\n  payload: a\nentries:\n  - payload: a\n", 3,
		"unknown key 'payload'");
	expect_error("name: x\nentries:\n  - payload: a\n    tests: {a: b}\n", 4, "tests");
	expect_error("name: x\nentries:\n  - payload: a\n    disk_mib: 0\n", 4, "disk_mib");
	expect_error("name: x\nentries:\n  - 7\n", 3, "must be a mapping");
	expect_error("name: x\nentries:\n  - payload: a\n    service: \"testpmd -i\"\n", 4, "@sock");
	expect_error("name: x\nentries:\n  - payload: a\n    service: [a]\n", 4, "service");
}

/* Errors that only the expansion sees: duplicate run names, too many runs. */
static void test_expand_errors(void **state)
{
	struct campaign c;
	struct campaign_run *runs;
	size_t n;
	char big[2048];
	(void)state;

	assert_int_equal(parse("name: x\nentries:\n  - payload: a\n  - payload: b\n  - payload: a\n", &c), 0);
	assert_int_equal(campaign_expand(&c, &runs, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "5:5:"));
	assert_non_null(strstr(err, "'a/rep1'"));
	assert_non_null(strstr(err, "line 3"));
	assert_null(runs);
	campaign_free(&c);

	/* two entries of one payload told apart by a name: fine */
	assert_int_equal(parse("name: x\nentries:\n  - payload: a\n  - {payload: a, name: a2}\n", &c), 0);
	assert_int_equal(campaign_expand(&c, &runs, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	campaign_runs_free(runs, n);
	campaign_free(&c);

	snprintf(big, sizeof(big), "name: x\nentries:\n  - payload: a\n    repetitions: 1000\n    params:\n"
		 "      p: [1,2,3,4,5,6,7,8,9,10]\n      q: [1,2,3,4,5,6,7,8,9,10,11]\n");
	assert_int_equal(parse(big, &c), 0);
	assert_int_equal(campaign_expand(&c, &runs, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));
	campaign_free(&c);
}

/* Hostile bytes: NULs, binary, deep nesting, aliases; parse fails cleanly or succeeds. */
static void test_hostile(void **state)
{
	struct campaign c;
	char buf[4096];
	const char *alias = "name: x\ndefaults: &d { ring: 3 }\nentries:\n  - payload: a\n    ring: *d\n";
	(void)state;

	assert_int_equal(campaign_parse("name: x\0zz", 10, &c, err, sizeof(err)), -1);
	/* an alias is its anchored node: the error names where that node was written */
	expect_error(alias, 2, "ring");
	for (size_t i = 0; i < sizeof(buf) - 1; i++)
		buf[i] = (char)(i * 37 + 11);
	buf[sizeof(buf) - 1] = 0;
	if (campaign_parse(buf, sizeof(buf) - 1, &c, err, sizeof(err)) == 0)
		campaign_free(&c);
	memset(buf, '[', 2000);
	buf[2000] = 0;
	assert_int_equal(parse(buf, &c), -1);
	/* a tiny error buffer truncates, never overflows */
	assert_int_equal(campaign_parse("name: x\n", 8, &c, err, 4), -1);
	assert_true(strlen(err) < 4);
}

/* A refused param value names its node (the error was read from freed memory). */
static void test_param_values(void **state)
{
	char text[512];
	(void)state;

	expect_error("name: x\nentries:\n  - payload: a\n    params: {x: \"\"}\n", 4, "1-200 characters");
	expect_error("name: x\nentries:\n  - payload: a\n    params: {x: [1, '']}\n", 4, "param x");
	expect_error("name: x\nentries:\n  - payload: a\n    params: {x: \"a\\nb\"}\n", 4, "one line");
	expect_error("name: x\ndefaults:\n  params:\n    x: ''\nentries:\n  - payload: a\n", 4,
		     "1-200 characters");
	snprintf(text, sizeof(text), "name: x\nentries:\n  - payload: a\n    params:\n      y: %0201d\n", 0);
	expect_error(text, 5, "1-200 characters");
	snprintf(text, sizeof(text), "name: x\nentries:\n  - payload: a\n    params:\n      y: %0200d\n", 0);
	{
		struct campaign c;

		assert_int_equal(parse(text, &c), 0);
		campaign_free(&c);
	}
}

/* "name: x\nentries: " then `depth` '[' (and as many ']' if closed). */
static char *nested(size_t depth, bool closed)
{
	const char *head = "name: x\nentries: ";
	size_t h = strlen(head);
	char *t = malloc(h + 2 * depth + 2);

	assert_non_null(t);
	memcpy(t, head, h);
	memset(t + h, '[', depth);
	memset(t + h + depth, closed ? ']' : ' ', closed ? depth : 0);
	strcpy(t + h + depth + (closed ? depth : 0), "\n");
	return t;
}

/*
 * Nesting is bounded at CAMPAIGN_MAX_DEPTH: deeper input is refused as soon
 * as the parser reaches that level (libyaml's cost grows with the square of
 * the depth), wherever the nesting is.
 */
static void test_depth(void **state)
{
	char *t;
	char want[64];
	(void)state;

	snprintf(want, sizeof(want), "deeper than %d levels", CAMPAIGN_MAX_DEPTH);
	/* root mapping, entries list, then lists down to the limit: the entry is the fault */
	t = nested(CAMPAIGN_MAX_DEPTH - 1, true);
	expect_error(t, 2, "an entry must be a mapping");
	free(t);
	t = nested(CAMPAIGN_MAX_DEPTH, true);
	expect_error(t, 2, want);
	free(t);
	t = nested(1000, true);
	expect_error(t, 2, want);
	free(t);
	/* a 200 KB file of unclosed lists */
	t = nested(200000, false);
	expect_error(t, 2, want);
	free(t);
	/* block mappings under defaults: the first level past the limit is named */
	{
		size_t cap = 200 * 220, len = 0;
		char *b = malloc(cap);

		assert_non_null(b);
		len += (size_t)sprintf(b + len, "name: x\ndefaults:\n");
		for (int i = 0; i < 200; i++)
			len += (size_t)sprintf(b + len, "%*sa:\n", 2 * (i + 1), "");
		expect_error(b, CAMPAIGN_MAX_DEPTH + 2, want);
		free(b);
	}
}

/* One document per file: a second one would be silently ignored. */
static void test_documents(void **state)
{
	struct campaign c;
	(void)state;

	expect_error("name: x\nentries:\n  - payload: a\n---\nname: y\nentries:\n  - payload: b\n", 4,
		     "one YAML document");
	expect_error("---\nname: x\nentries:\n  - payload: a\n...\n---\n", 6, "one YAML document");
	expect_error("name: x\nentries:\n  - payload: a\n...\n--- 7\n", 5, "one YAML document");
	assert_int_equal(parse("---\nname: x\nentries:\n  - payload: a\n...\n", &c), 0);
	assert_string_equal(c.name, "x");
	campaign_free(&c);
	assert_int_equal(parse("# only a comment\n---\nname: x\nentries:\n  - payload: a\n", &c), 0);
	campaign_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_expansion),
		cmocka_unit_test(test_names_and_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_param_values),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
