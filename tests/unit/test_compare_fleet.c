// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/compare_fleet.c: two small fleet runs built from
 * tests/data/results files paired host by host.  The same host on both
 * sides is compared (a fleet run against itself: nothing regressed); a host
 * whose CPU model or backend differs is not paired, with which; a host
 * unreachable on one side has no results; a host in one run only is said so.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/compare_fleet.h"
#include "analysis/fleet_manifest.h"
#include "tests/unit/fleet_fixture.h"

#define REV "f66130b56142dbf0b9252d094e0b79fdee2d70af"
#define RESULTS "tests/data/results/files/exit-costs.json"

static const struct cmp_opts opts = { .threshold = 0.05, .confidence = 0.99, .resamples = 200, .seed = 1 };

static int setup(void **state)
{
	return fx_setup(state, "/tmp/exitlab-cmpfleet-XXXXXX");
}

/* fleet.json in dir: hosts with results (names[i] in has[]) or unreachable. */
static void fleet(const char *dir, const char *const *names, const bool *has, size_t n)
{
	struct fleet_manifest m = { 0 };
	char err[512];

	snprintf(m.fleet_id, sizeof(m.fleet_id), "fx-1");
	snprintf(m.campaign, sizeof(m.campaign), "fx");
	snprintf(m.campaign_hash, sizeof(m.campaign_hash), "fnv1a64:0");
	snprintf(m.revision, sizeof(m.revision), REV);
	snprintf(m.started_at, sizeof(m.started_at), "2026-12-01T10:00:00Z");
	for (size_t i = 0; i < n; i++) {
		struct fleet_host *h = fleet_manifest_add_host(&m, names[i]);

		assert_non_null(h);
		h->state = has[i] ? FLEET_DONE : FLEET_UNREACHABLE;
		h->has_results = has[i];
		if (!has[i])
			snprintf(h->reason, sizeof(h->reason), "Failed to connect to the host via ssh");
	}
	assert_int_equal(fleet_manifest_write(dir, &m, err, sizeof(err)), 0);
	fleet_manifest_free(&m);
}

static const struct cmp_fleet_pair *find(const struct cmp_fleet *f, const char *host)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->pairs[i].host, host))
			return &f->pairs[i];
	fail_msg("no pair for %s", host);
	return NULL;
}

static void test_pairing(void **state)
{
	char a[256], b[256], err[512];
	const char *done[] = { "done", "done" };
	struct cmp_fleet f;
	const struct cmp_fleet_pair *p;

	snprintf(a, sizeof(a), "%s/A", (char *)*state);
	snprintf(b, sizeof(b), "%s/B", (char *)*state);
	/* A: same (Test CPU), othercpu (Test CPU), otherbackend, gone (unreachable), onlya */
	fleet(a, (const char *[]){ "same", "othercpu", "otherbackend", "gone", "onlya" },
	      (const bool[]){ true, true, true, false, true }, 5);
	fx_host_campaign(a, "same", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(a, "othercpu", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(a, "otherbackend", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(a, "onlya", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	/* B: same, othercpu on another CPU, otherbackend on PVM, gone with results, onlyb */
	fleet(b, (const char *[]){ "same", "othercpu", "otherbackend", "gone", "onlyb" },
	      (const bool[]){ true, true, true, true, true }, 5);
	fx_host_campaign(b, "same", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(b, "othercpu", "Other CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(b, "otherbackend", "Test CPU", "kvm_pvm", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(b, "gone", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);
	fx_host_campaign(b, "onlyb", "Test CPU", "kvm_intel", "f66130b56142", done, 2, RESULTS);

	assert_int_equal(cmp_fleet_compare(a, b, &opts, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 6);
	assert_string_equal(f.pairs[0].host, "same"); /* the baseline's order, then current's own */
	assert_string_equal(f.pairs[5].host, "onlyb");

	p = find(&f, "same");
	assert_int_equal(p->state, CMP_PAIR_COMPARED);
	assert_true(p->nrows > 0);
	assert_int_equal(p->count[CMP_REGRESSED], 0);
	assert_int_equal(p->count[CMP_IMPROVED], 0);

	p = find(&f, "othercpu");
	assert_int_equal(p->state, CMP_PAIR_REFUSED);
	assert_non_null(strstr(p->note, "CPU model differs"));
	assert_non_null(strstr(p->note, "Other CPU"));
	assert_int_equal(p->nrows, 0);

	p = find(&f, "otherbackend");
	assert_int_equal(p->state, CMP_PAIR_REFUSED);
	assert_non_null(strstr(p->note, "KVM backend differs"));

	p = find(&f, "gone");
	assert_int_equal(p->state, CMP_PAIR_NO_RESULTS);
	assert_non_null(strstr(p->note, "baseline"));
	assert_non_null(strstr(p->note, "unreachable"));

	assert_int_equal(find(&f, "onlya")->state, CMP_PAIR_ONE_SIDE);
	assert_int_equal(find(&f, "onlyb")->state, CMP_PAIR_ONE_SIDE);
	cmp_fleet_free(&f);

	/* a fleet run against itself: every paired host compared, nothing regressed */
	assert_int_equal(cmp_fleet_compare(b, b, &opts, &f, err, sizeof(err)), 0);
	for (size_t i = 0; i < f.n; i++) {
		assert_int_equal(f.pairs[i].state, CMP_PAIR_COMPARED);
		assert_int_equal(f.pairs[i].count[CMP_REGRESSED], 0);
	}
	cmp_fleet_free(&f);

	/* not a fleet run */
	assert_int_equal(cmp_fleet_compare(a, (char *)*state, &opts, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "fleet.json"));
}

static void test_hosts_differ(void **state)
{
	char why[256];

	(void)state;
	assert_null(cmp_fleet_hosts_differ("{\"cpu\": {\"model_name\": \"X\"}, \"kvm\": {\"backend\": \"kvm_amd\"}}",
					   "{\"cpu\": {\"model_name\": \"X\"}, \"kvm\": {\"backend\": \"kvm_amd\"},"
					   " \"kernel\": {\"release\": \"6.12\"}}", why, sizeof(why)));
	assert_non_null(cmp_fleet_hosts_differ("{\"cpu\": {\"model_name\": \"X\"}}", "{\"cpu\": {\"model_name\": \"Y\"}}",
					       why, sizeof(why)));
	assert_non_null(strstr(why, "X (baseline), Y (current)"));
	assert_non_null(cmp_fleet_hosts_differ("{\"kvm\": {\"backend\": \"kvm_amd\"}}", NULL, why, sizeof(why)));
	assert_non_null(strstr(why, "unknown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pairing, setup, fx_teardown),
		cmocka_unit_test(test_hosts_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
