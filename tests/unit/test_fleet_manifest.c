// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/fleet_manifest.c and analysis/fleet_status.c:
 * fleet.json written and read back field for field; manifests refused with
 * the reason (format, version, host names, results paths, duplicates, a
 * revision that is not one); a host's state settled from what the play left
 * (ran with every entry skipped for lack of KVM, done, done with some
 * skipped, failed entries, unreachable, no record, another revision).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/fleet_manifest.h"
#include "analysis/fleet_status.h"
#include "tests/unit/fleet_fixture.h"

#define REV "f66130b56142dbf0b9252d094e0b79fdee2d70af"
#define RESULTS "tests/data/results/files/exit-costs.json"

static int setup(void **state)
{
	return fx_setup(state, "/tmp/exitlab-fleet-XXXXXX");
}

static void test_roundtrip(void **state)
{
	const char *dir = *state;
	struct fleet_manifest m = { 0 }, r;
	struct fleet_host *h;
	char err[512];
	char *extra[] = { "exitlab_poll_s=2", "{\"a\": 1}" };

	snprintf(m.fleet_id, sizeof(m.fleet_id), "small-20261201T100000Z-abcdef");
	snprintf(m.campaign, sizeof(m.campaign), "small");
	snprintf(m.campaign_hash, sizeof(m.campaign_hash), "fnv1a64:0123456789abcdef");
	snprintf(m.revision, sizeof(m.revision), REV);
	snprintf(m.inventory, sizeof(m.inventory), "inv.ini");
	snprintf(m.started_at, sizeof(m.started_at), "2026-12-01T10:00:00Z");
	m.forks = 3;
	m.extra_vars = extra;
	m.nextra = 2;
	h = fleet_manifest_add_host(&m, "hostA");
	assert_non_null(h);
	h->state = FLEET_DONE;
	h->has_results = true;
	h->entries = (struct fleet_counts){ .total = 5, .done = 4, .skipped = 1 };
	h->campaign_exit = 0;
	h->attempts = 2;
	snprintf(h->reason, sizeof(h->reason), "1 of 5 entries skipped: no tap");
	h = fleet_manifest_add_host(&m, "host-b.lab");
	h->state = FLEET_UNREACHABLE;
	h->attempts = 1;
	snprintf(h->reason, sizeof(h->reason), "Failed to connect to the host via ssh");
	assert_int_equal(fleet_manifest_write(dir, &m, err, sizeof(err)), 0);
	m.extra_vars = NULL, m.nextra = 0; /* not ours to free */
	fleet_manifest_free(&m);

	assert_int_equal(fleet_manifest_read(dir, &r, err, sizeof(err)), 0);
	assert_string_equal(r.campaign, "small");
	assert_string_equal(r.revision, REV);
	assert_string_equal(r.fleet_id, "small-20261201T100000Z-abcdef");
	assert_int_equal(r.forks, 3);
	assert_int_equal(r.nextra, 2);
	assert_string_equal(r.extra_vars[1], "{\"a\": 1}");
	assert_int_equal(r.nhosts, 2);
	assert_string_equal(r.hosts[0].name, "hostA");
	assert_int_equal(r.hosts[0].state, FLEET_DONE);
	assert_true(r.hosts[0].has_results);
	assert_int_equal(r.hosts[0].entries.done, 4);
	assert_int_equal(r.hosts[0].entries.skipped, 1);
	assert_int_equal(r.hosts[0].attempts, 2);
	assert_int_equal(r.hosts[0].campaign_exit, 0);
	assert_string_equal(r.hosts[1].name, "host-b.lab");
	assert_int_equal(r.hosts[1].state, FLEET_UNREACHABLE);
	assert_false(r.hosts[1].has_results);
	assert_int_equal(r.hosts[1].campaign_exit, -1);
	assert_string_equal(r.hosts[1].reason, "Failed to connect to the host via ssh");
	assert_non_null(fleet_manifest_host(&r, "hostA"));
	assert_null(fleet_manifest_host(&r, "hostC"));
	assert_true(fleet_dir_is_fleet(dir));
	fleet_manifest_free(&r);
}

/* A manifest with host object `host` (and the rest good) is refused with a reason holding `why`. */
static void refused(const char *dir, const char *top, const char *hosts, const char *why)
{
	char text[4096], err[600];
	struct fleet_manifest m;

	snprintf(text, sizeof(text), "{%s \"fleet_id\": \"x\", \"campaign\": \"small\", \"campaign_hash\": \"h\","
		 " \"started_at\": \"t\", \"hosts\": [%s]}", top, hosts);
	fx_write(dir, "fleet.json", text);
	assert_int_equal(fleet_manifest_read(dir, &m, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("expected '%s' in: %s", why, err);
}

#define GOOD_TOP "\"format\": \"exitlab-fleet-manifest\", \"version\": 1, \"revision\": \"" REV "\","

static void test_refusals(void **state)
{
	const char *dir = *state;
	struct fleet_manifest m;
	char err[600];

	assert_int_equal(fleet_manifest_read(dir, &m, err, sizeof(err)), -1); /* none there */
	refused(dir, "\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"revision\": \"" REV "\",", "",
		"not an exitlab fleet manifest");
	refused(dir, "\"format\": \"exitlab-fleet-manifest\", \"version\": 2, \"revision\": \"" REV "\",", "",
		"version");
	refused(dir, "\"format\": \"exitlab-fleet-manifest\", \"version\": 1, \"revision\": \"HEAD; rm -rf /\",",
		"", "not a git revision");
	refused(dir, GOOD_TOP, "{\"name\": \"../etc\", \"state\": \"done\"}", "not a host name");
	refused(dir, GOOD_TOP, "{\"name\": \"a\", \"state\": \"sleeping\"}", "unknown state");
	refused(dir, GOOD_TOP, "{\"name\": \"a\", \"state\": \"failed\", \"results\": \"/etc\"}", "\"a/campaign\"");
	refused(dir, GOOD_TOP, "{\"name\": \"a\", \"state\": \"done\"}", "done but no results");
	refused(dir, GOOD_TOP, "{\"name\": \"a\", \"state\": \"pending\"}, {\"name\": \"a\", \"state\": \"pending\"}",
		"listed twice");
	refused(dir, GOOD_TOP, "{\"name\": \"a\", \"state\": \"pending\", \"attempts\": -1}", "not a count");
	fx_write(dir, "fleet.json", "{\"format\": ");
	assert_int_equal(fleet_manifest_read(dir, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_true(fleet_host_name_ok("hostA"));
	assert_true(fleet_host_name_ok("db-1.lab_2"));
	assert_false(fleet_host_name_ok(""));
	assert_false(fleet_host_name_ok(".."));
	assert_false(fleet_host_name_ok("a b"));
	assert_false(fleet_host_name_ok("a/b"));
	assert_false(fleet_host_name_ok("a:22"));
}

static struct fleet_host settle(const char *dir, const char *name, const char *status)
{
	struct fleet_host h = { 0 };
	char rel[256];

	snprintf(h.name, sizeof(h.name), "%s", name);
	if (status) {
		snprintf(rel, sizeof(rel), "%s/%s", name, FLEET_STATUS_NAME);
		fx_write(dir, rel, status);
	}
	fleet_host_settle(dir, REV, 0, &h);
	return h;
}

#define RAN(code) "{\"format\": \"exitlab-fleet-host\", \"version\": 1, \"state\": \"ran\", \"campaign_exit\": " #code "}"

static void test_settle(void **state)
{
	const char *dir = *state;
	struct fleet_host h;

	/* no KVM: every entry skipped, the host skipped with the entries' reason */
	fx_host_campaign(dir, "nokvm", "Test CPU", "kvm_pvm", "f66130b56142", (const char *[]){ "skipped", "skipped" },
			 2, RESULTS);
	h = settle(dir, "nokvm", RAN(0));
	assert_int_equal(h.state, FLEET_SKIPPED);
	assert_non_null(strstr(h.reason, "/dev/kvm"));
	assert_int_equal(h.entries.skipped, 2);
	assert_int_equal(h.campaign_exit, 0);
	assert_true(h.has_results);

	fx_host_campaign(dir, "good", "Test CPU", "kvm_intel", "f66130b56142", (const char *[]){ "done", "done" }, 2,
			 RESULTS);
	h = settle(dir, "good", RAN(0));
	assert_int_equal(h.state, FLEET_DONE);
	assert_string_equal(h.reason, "");
	assert_int_equal(h.entries.done, 2);

	fx_host_campaign(dir, "some", "Test CPU", "kvm_intel", "f66130b56142", (const char *[]){ "done", "skipped" },
			 2, RESULTS);
	h = settle(dir, "some", RAN(0));
	assert_int_equal(h.state, FLEET_DONE);
	assert_non_null(strstr(h.reason, "1 of 2 entries skipped"));

	fx_host_campaign(dir, "bad", "Test CPU", "kvm_intel", "f66130b56142", (const char *[]){ "done", "failed" }, 2,
			 RESULTS);
	h = settle(dir, "bad", RAN(1));
	assert_int_equal(h.state, FLEET_FAILED);
	assert_non_null(strstr(h.reason, "1 failed"));
	assert_non_null(strstr(h.reason, "a test failed"));

	h = settle(dir, "gone", "{\"format\": \"exitlab-fleet-host\", \"version\": 1, \"state\": \"unreachable\","
				" \"reason\": \"Failed to connect\\r\\nConnection timed out\"}");
	assert_int_equal(h.state, FLEET_UNREACHABLE);
	assert_string_equal(h.reason, "Failed to connect Connection timed out");
	assert_false(h.has_results);

	h = settle(dir, "broke", "{\"format\": \"exitlab-fleet-host\", \"version\": 1, \"state\": \"failed\","
				 " \"reason\": \"Build exitlab and its payloads: make: *** Error 2\"}");
	assert_int_equal(h.state, FLEET_FAILED);
	assert_non_null(strstr(h.reason, "make"));

	h = settle(dir, "silent", NULL);
	assert_int_equal(h.state, FLEET_FAILED);
	assert_non_null(strstr(h.reason, "recorded nothing"));

	h = settle(dir, "forged", "{\"state\": \"ran\"}");
	assert_int_equal(h.state, FLEET_FAILED);

	fx_host_campaign(dir, "other", "Test CPU", "kvm_intel", "0123456789ab", (const char *[]){ "done" }, 1,
			 RESULTS);
	h = settle(dir, "other", RAN(0));
	assert_int_equal(h.state, FLEET_FAILED);
	assert_non_null(strstr(h.reason, "0123456789ab"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_settle, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
