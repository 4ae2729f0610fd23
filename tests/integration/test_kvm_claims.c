/* SPDX-License-Identifier: MIT */
/*
 * exitlab claims end to end in KVM: a small run of a campaign named claims
 * (exit costs, the e1000 a frame at a time, vhost-user with dpdk-testpmd
 * started and stopped by the campaign's service key, vhost-net, and a
 * service that is not installed), then the table as JSON and Markdown:
 * figures where this host measures them, the reason where it cannot.
 * Verdicts depend on the host and are not asserted; that each row has one is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static const char *const yaml =
	"name: claims\n"
	"defaults: { ring: 3, timeout_s: 120 }\n"
	"entries:\n"
	"  - name: exit-cost\n"
	"    payload: exit-costs\n"
	"    quick: true\n"
	"  - name: net-e1000\n"
	"    payload: net\n"
	"    devices: [{ name: e1000, device: e1000, netdev: loop }]\n"
	"    params: { loopback: 1, frames: 256, dir: tx, irq: 1, batch: 1 }\n"
	"  - name: net-vhost-user\n"
	"    payload: net\n"
	"    service: >-\n"
	"      dpdk-testpmd --no-huge -m 64 --no-pci --no-shconf --no-telemetry\n"
	"      --file-prefix exitlab-test-claims --lcores 0@1,1@1 --vdev net_vhost0,iface=@sock,queues=1\n"
	"      -- --forward-mode=macswap --auto-start --stats-period 5 --total-num-mbufs=2048\n"
	"    devices: [{ name: vhost-user, device: \"virtio-net,vhost-user=@sock\" }]\n"
	"    params: { loopback: 1, frames: 1024, dir: tx, batch: 256 }\n"
	"  - name: net-vhost-net\n"
	"    payload: net\n"
	"    service: \"exitlab-no-such-backend --socket @sock\"\n"
	"    devices: [{ name: vhost-net, device: \"virtio-net,vhost=net\", netdev: loop }]\n"
	"    params: { batch: 256 }\n";

static json_t *row(json_t *doc, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(doc, "claims"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")), id))
			return r;
	fail_msg("no claim %s", id);
	return NULL;
}

static const char *verdict(json_t *r)
{
	return json_string_value(json_object_get(r, "verdict"));
}

static bool have_testpmd(void)
{
	return system("command -v dpdk-testpmd >/dev/null 2>&1") == 0;
}

static void test_claims_table(void **state)
{
	char file[512], dir[512];
	struct run_out o;
	json_error_t je;
	json_t *doc, *r;
	FILE *f;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/claims.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/claims-out", harness_tmp);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(yaml, f);
	assert_int_equal(fclose(f), 0);

	harness_run(&o, (const char *[]){ "campaign", file, "--out", dir, NULL });
	/* every entry done or skipped: 0 */
	if (o.exit_code != 0)
		fail_msg("campaign: exit %d; stderr:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.err, "'exitlab-no-such-backend' is not installed"));
	harness_free(&o);
	/* the back-end was stopped with its run: no testpmd of ours is left */
	assert_int_not_equal(system("pgrep -f 'exitlab-test-claim[s]' >/dev/null"), 0);

	harness_run(&o, (const char *[]){ "claims", dir, "--json", NULL });
	if (o.exit_code != 0)
		fail_msg("claims: exit %d; stderr:\n%s", o.exit_code, o.err);
	doc = json_loads(o.out, 0, &je);
	if (!doc)
		fail_msg("claims --json: %s in:\n%s", je.text, o.out);
	harness_free(&o);

	r = row(doc, "exit-cost");
	assert_true(json_real_value(json_object_get(r, "value")) > 0);
	assert_true(!strcmp(verdict(r), "holds") || !strcmp(verdict(r), "differs"));
	r = row(doc, "exit-vs-syscall");
	assert_true(json_real_value(json_object_get(r, "value")) > 1);
	/* the e1000 takes at least one exit per frame, sent one at a time */
	r = row(doc, "e1000-exits");
	assert_true(json_real_value(json_object_get(r, "value")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(r, "repetitions")), 1);
	/* a rate row names what moved and checked its frames */
	assert_string_equal(json_string_value(json_object_get(r, "setup")),
			    "e1000, back-end loop, frames looped back and checked by the guest, 1514 B, batch 1, "
			    "interrupts");
	assert_true(json_is_null(json_object_get(row(doc, "exit-cost"), "setup")));
	r = row(doc, "vhost-user");
	if (have_testpmd()) {
		assert_true(json_real_value(json_object_get(r, "value")) > 0);
		assert_non_null(strstr(json_string_value(json_object_get(r, "measured")), "of 10 GbE"));
	} else {
		assert_string_equal(verdict(r), "not measurable here");
	}
	/* skipped for its missing service: the reason is the row's */
	r = row(doc, "vhost-net");
	assert_string_equal(verdict(r), "not measurable here");
	assert_non_null(strstr(json_string_value(json_object_get(r, "why")), "not installed"));
	/* not in this run at all */
	r = row(doc, "virtio-exits");
	assert_string_equal(verdict(r), "not measured");
	assert_true(json_is_null(json_object_get(r, "value")));
	if (access("/dev/vfio/vfio", F_OK)) {
		r = row(doc, "passthrough-exits");
		assert_string_equal(verdict(r), "not measurable here");
		assert_non_null(strstr(json_string_value(json_object_get(r, "why")), "VFIO"));
	}
	json_decref(doc);

	harness_run(&o, (const char *[]){ "claims", dir, "--markdown", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "| # | claim | this host | setup | verdict | why |"));
	assert_non_null(strstr(o.out, "A VM exit costs ~2400 cycles"));
	harness_free(&o);
	/* the report of a claims run opens with the table */
	{
		char html[600], *text;

		snprintf(html, sizeof(html), "%s/claims.html", harness_tmp);
		harness_run(&o, (const char *[]){ "report", dir, "-o", html, NULL });
		assert_int_equal(o.exit_code, 0);
		harness_free(&o);
		text = harness_slurp(html, NULL);
		assert_non_null(text);
		assert_non_null(strstr(text, "\">claims table</h2>"));
		assert_non_null(strstr(text, "A VM exit costs ~2400 cycles"));
		/* every claim names the published work its classic figure comes from */
		assert_non_null(strstr(text, "<th>why</th><th>source</th>"));
		/* the summary above it counts the verdicts; the contents link to the table */
		assert_true(strstr(text, "<tr><th>claims</th><td>") < strstr(text, "\">claims table</h2>"));
		assert_non_null(strstr(text, "\">claims table</a>"));
		free(text);
	}
	/* the directory above the run: its newest claims run is used */
	harness_run(&o, (const char *[]){ "claims", harness_tmp, NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "claims-out"));
	harness_free(&o);
}

static void test_claims_refusals(void **state)
{
	char empty[512];
	struct run_out o;
	(void)state;

	snprintf(empty, sizeof(empty), "%s/no-claims", harness_tmp);
	assert_int_equal(mkdir(empty, 0755), 0);
	harness_run(&o, (const char *[]){ "claims", empty, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "no run of the claims campaign"));
	assert_non_null(strstr(o.err, "scripts/campaigns/claims.yaml"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "claims", "--json", "--markdown", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "claims", "/nonexistent/claims", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_refusals),
		cmocka_unit_test(test_claims_table),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
