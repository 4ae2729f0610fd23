/* SPDX-License-Identifier: MIT */
/* The device view of a test: which model drove it, per-operation counts, exits by kind, throughput. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "analysis/report_devices.h"

static void fill(struct test_result *t, const char *host)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->name, "tx");
	t->status = TEST_OK;
	t->iterations = 100;
	t->has_exits = true;
	t->exits_per_iteration = 0.5;
	t->userspace_exits_per_iteration = 0.25;
	t->has_phase = true;
	t->phase_s = 0.001;
	t->host_json = host ? strdup(host) : NULL;
}

static void test_row(void **state)
{
	struct test_result t;
	struct device_row r;
	struct kvm_stat_delta d[3] = { { .name = "mmio_exits", .delta = 25 }, { .name = "exits", .delta = 51 },
				       { .name = "irq_injections", .delta = 10 } };
	(void)state;

	/* the model whose counters moved is the one reported, not the backend (netdev) */
	fill(&t, "{\"devices\": {\"netdev\": {\"tx_frames\": 100}, \"virtio-net\": {\"tx_kicks\": 4, "
		 "\"rx_kicks\": 1, \"interrupts\": 20, \"tx_frames\": 100}}}");
	t.vcpu_stats.delta = d;
	t.vcpu_stats.ndelta = 3;
	assert_true(report_device_row(&t, &r));
	assert_string_equal(r.device, "virtio-net");
	assert_float_equal(r.kicks, 0.05, 1e-12);
	assert_float_equal(r.interrupts, 0.2, 1e-12);
	assert_float_equal(r.exits, 0.5, 1e-12);
	assert_float_equal(r.user_exits, 0.25, 1e-12);
	assert_float_equal(r.ops_per_s, 100000, 1e-6); /* 100 over 1 ms: throughput, not latency */
	assert_string_equal(r.by_kind, "mmio 0.25 inj 0.1");
	/* where the time goes: unknown figures stay unknown */
	assert_float_equal(r.wall_ns, 10000, 1e-6);
	assert_true(isnan(r.device_ns) && isnan(r.guest_ns));
	t.cpu = (struct test_cpu){ .has_device = true, .device_ns = 300000, .has_guest = true,
				   .guest_phase_ns = 900000, .guest_wait_ns = 200000 };
	assert_true(report_device_row(&t, &r));
	assert_float_equal(r.device_ns, 3000, 1e-9);
	assert_float_equal(r.guest_ns, 7000, 1e-9);
	free(t.host_json);
}

/* The printed table: the time columns, with '-' for what was not measured. */
static void test_print(void **state)
{
	struct run_result run = { 0 };
	struct test_result t[2];
	char *buf = NULL;
	size_t n = 0;
	FILE *m;
	(void)state;

	fill(&t[0], "{\"devices\": {\"virtio-net\": {\"tx_kicks\": 4}}}");
	t[0].cpu = (struct test_cpu){ .has_device = true, .device_ns = 300000, .has_guest = true,
				      .guest_phase_ns = 900000, .guest_wait_ns = 200000 };
	fill(&t[1], "{\"devices\": {\"virtio-net\": {\"tx_kicks\": 4}}}");
	strcpy(t[1].name, "rx");
	run.tests = t;
	run.ntests = 2;
	m = open_memstream(&buf, &n);
	report_devices_print(m, &run);
	fclose(m);
	assert_non_null(strstr(buf, "wall ns   dev cpu  guest ns"));
	assert_non_null(strstr(buf, "    10000      3000      7000 "));
	assert_non_null(strstr(buf, "    10000         -         - "));
	free(buf);
	free(t[0].host_json);
	free(t[1].host_json);
}

static void test_not_a_device_test(void **state)
{
	static const char *const hosts[] = {
		NULL, "not json", "{}", "{\"devices\": {}}", "{\"devices\": {\"netdev\": {\"tx_frames\": 3}}}",
		"{\"devices\": {\"e1000\": {\"tx_frames\": 0, \"interrupts\": 0}}}", /* nothing moved */
		"{\"devices\": \"e1000\"}", "{\"devices\": {\"e1000\": [1, 2]}}",
	};
	struct test_result t;
	struct device_row r;
	(void)state;

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		fill(&t, hosts[i]);
		assert_false(report_device_row(&t, &r));
		free(t.host_json);
	}
	/* a skipped test or one without iterations is never a row */
	fill(&t, "{\"devices\": {\"e1000\": {\"tx_frames\": 5}}}");
	t.status = TEST_SKIPPED;
	assert_false(report_device_row(&t, &r));
	t.status = TEST_OK;
	t.iterations = 0;
	assert_false(report_device_row(&t, &r));
	free(t.host_json);
}

/* vhost: none of the VMM's counters move; the guest driver's own counts stand in, marked. */
static void test_guest_counted(void **state)
{
	struct test_result t;
	struct device_row r;
	(void)state;

	fill(&t, "{\"devices\": {\"vhost-user-net\": {\"messages_sent\": 0, \"calls_relayed\": 0}}}");
	t.metrics_json = strdup("{\"frames\": 100, \"kicks\": 2, \"interrupts\": 5}");
	assert_true(report_device_row(&t, &r));
	assert_string_equal(r.device, "vhost-user-net");
	assert_true(r.guest_counted);
	assert_float_equal(r.kicks, 0.02, 1e-12);
	assert_float_equal(r.interrupts, 0.05, 1e-12);
	free(t.host_json);
	free(t.metrics_json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_not_a_device_test),
		cmocka_unit_test(test_guest_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
