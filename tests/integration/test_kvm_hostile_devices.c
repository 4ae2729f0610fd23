/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest against exitlab's device models in real KVM: the
 * hostile-dev payload misprograms virtio-net, virtio-blk and the e1000
 * (loops, chains longer than the queue, buffers and rings outside RAM or
 * wrapping at 2^64, bad indirect tables, refused register values, BARs moved
 * where they must not be, MSI-X accesses of bad sizes, ...) under the
 * ASan+UBSan build.  Each run must end normally with every attack handled
 * (exit 0, each test ok), the sanitizers silent, the devices' one-line
 * diagnostics on stderr, and after every attack one good frame or request
 * through the device (its counters in host.devices).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static void assert_diags(const struct run_out *o, const char *const *want)
{
	for (; *want; want++) {
		if (!strstr(o->err, *want))
			fprintf(stderr, "no diagnostic '%s' in stderr:\n%s", *want, o->err);
		assert_non_null(strstr(o->err, *want));
	}
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(none)";
}

static json_int_t metric(json_t *t, const char *key)
{
	json_t *v = json_object_get(json_object_get(t, "metrics"), key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static json_int_t counter(json_t *t, const char *model, const char *key)
{
	json_t *d = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), model);
	json_t *v = json_object_get(d, key);

	if (!json_is_integer(v))
		fprintf(stderr, "%s: no host.devices.%s.%s\n", json_string_value(json_object_get(t, "name")),
			model, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/*
 * Run hostile-dev with args; assert a normal exit with code `want`, quiet
 * sanitizers and the diagnostics; return the results (NULL-terminated lists).
 */
static json_t *run_hostile(const char *json, int want, const char *const *args, const char *const *diags)
{
	const char *argv[32] = { "run", harness_payload("hostile-dev"), "--ring", "3", "--no-baseline",
				 "--json", json };
	struct run_out o;
	json_error_t je;
	size_t n = 7;
	json_t *d;

	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	harness_run(&o, argv);
	if (o.exit_code != want)
		fprintf(stderr, "exit %d, wanted %d\n%s%s", o.exit_code, want, o.out, o.err);
	assert_int_equal(o.exit_code, want);
	harness_assert_sanitizers_silent(&o);
	assert_diags(&o, diags);
	harness_free(&o);
	d = json_load_file(json, 0, &je);
	if (!d)
		fprintf(stderr, "%s: %s\n", json, je.text);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "exit_code")), want);
	return d;
}

/* Does the attack break the ring (NEEDS_RESET expected) or must the device go on without a reset? */
static bool breaks_ring(const char *name)
{
	static const char *const keep[] = {
		"vq-size-npot", "status-early-ok", "features-unoffered", "vq-live-rewrite", "vq-select-range",
		"vq-notify-bad", "devcfg-write", "vq-reset-busy", "status-clear-bits", "blk-", "pci-",
		"msix-bad-size",
	};

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (!strncmp(name, keep[i], strlen(keep[i])))
			return false;
	return !strncmp(name, "vq-", 3) || !strncmp(name, "vnet-", 5) || !strcmp(name, "msix-bad-address");
}

/*
 * Every guest test: ok, the good operation after it went through (recovered=1
 * and the device's counter moved in that test's phase), NEEDS_RESET where the
 * attack breaks a virtio ring.  The number of tests.
 */
static size_t check_tests(json_t *doc, const char *model, const char *good_counter, bool virtio)
{
	size_t i, n = 0;
	json_t *t;

	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *st = json_string_value(json_object_get(t, "status"));

		if (strcmp(json_string_value(json_object_get(t, "where")), "guest"))
			continue;
		n++;
		if (strcmp(st, "ok"))
			fprintf(stderr, "%s: %s (%s)\n", name, st,
				json_string_value(json_object_get(t, "reason")));
		assert_string_equal(st, "ok");
		assert_int_equal(json_integer_value(json_object_get(t, "ring")), 3);
		assert_string_equal(str(json_object_get(t, "params"), "device"), model);
		if (metric(t, "recovered") != 1)
			fprintf(stderr, "%s: recovered=%lld\n", name, (long long)metric(t, "recovered"));
		assert_int_equal(metric(t, "recovered"), 1);
		if (counter(t, model, good_counter) < 1)
			fprintf(stderr, "%s: %s.%s = 0 in its phase\n", name, model, good_counter);
		assert_true(counter(t, model, good_counter) >= 1);
		if (virtio && breaks_ring(name)) {
			if (metric(t, "needs_reset") != 1)
				fprintf(stderr, "%s: needs_reset=%lld\n", name,
					(long long)metric(t, "needs_reset"));
			assert_int_equal(metric(t, "needs_reset"), 1);
		}
	}
	return n;
}

static json_t *find(json_t *doc, const char *name)
{
	json_t *t = harness_find_test(doc, name, 3);

	if (!t)
		fprintf(stderr, "no test %s\n", name);
	assert_non_null(t);
	return t;
}

static void test_virtio_net(void **state)
{
	static const char *const diags[] = {
		"virtio-net: device needs reset: chain 0: longer than its descriptor table of 256 (a loop?)",
		"virtio-net: device needs reset: chain 0: more than 64 device-readable segments",
		"out of range (descriptor table of 256)",
		"avail idx 1000 runs 1000 ahead",
		"holds head 261, queue size 256",
		"device-readable descriptor 1 after a device-writable one",
		"buffer 0xfffffffffffffff0+32 (descriptor 1) outside guest RAM",
		"indirect table length 24 is not a multiple of 16",
		"nested INDIRECT descriptor",
		"longer than its indirect table of 2",
		"indirect table 0xfffffffffffffff0+32 outside guest RAM",
		"queue 1: descriptor table",
		"queue 1: avail ring 0xfffffffffffffffc",
		"queue 1: misaligned rings",
		"device-writable bytes, less than the 12-byte header",
		NULL,
	};
	char json[512];
	json_t *doc;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/net.json", harness_tmp);
	doc = run_hostile(json, 0, (const char *[]){ "--device", "virtio-net", "--netdev", "loop",
		"--param", "loopback=1", NULL }, diags);
	assert_true(check_tests(doc, "virtio-net", "tx_frames", true) >= 35);
	/* The attacks' own frames never reached the backend; the good ones did. */
	assert_int_equal(counter(find(doc, "vq-buf-wrap"), "virtio-net", "tx_frames"), 1);
	assert_int_equal(counter(find(doc, "vq-buf-wrap"), "netdev", "tx_frames"), 1);
	assert_int_equal(metric(find(doc, "vq-ring-outside"), "queue_enable"), 0);
	assert_int_equal(metric(find(doc, "vq-size-npot"), "queue_size"), 256);
	json_decref(doc);
}

static void test_virtio_blk(void **state)
{
	static const char *const diags[] = {
		"virtio-blk: device needs reset: chain 0: longer than its descriptor table of 256 (a loop?)",
		"virtio-blk: device needs reset: chain 0: buffer 0xbffffff8+64 (descriptor 1) outside",
		"virtio-blk: device needs reset: queue 0: used ring",
		"nested INDIRECT descriptor",
		NULL,
	};
	char json[512], img[512], dev[600];
	json_t *doc, *t;
	FILE *f;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/blk.json", harness_tmp);
	snprintf(img, sizeof(img), "%s/disk.img", harness_tmp);
	f = fopen(img, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 1 << 20), 0);
	fclose(f);
	snprintf(dev, sizeof(dev), "virtio-blk,file=%s", img);
	doc = run_hostile(json, 0, (const char *[]){ "--device", dev, NULL }, diags);
	assert_true(check_tests(doc, "virtio-blk", "reads", true) >= 30);
	/* Six requests past the end or of a bad length: six IOERRs, then the good read. */
	t = find(doc, "blk-sector-past");
	assert_int_equal(metric(t, "capacity"), 2048);
	assert_int_equal(counter(t, "virtio-blk", "errors"), 6);
	assert_int_equal(counter(t, "virtio-blk", "reads"), 1);
	assert_int_equal(metric(find(doc, "blk-short-header"), "status"), 1);
	assert_int_equal(metric(find(doc, "blk-no-status"), "used_len"), 0);
	json_decref(doc);
}

static void test_e1000(void **state)
{
	static const char *const diags[] = {
		"e1000: TX ring at 0xfffffffffffff000, TDLEN 4096: not inside guest RAM",
		"length not a non-zero multiple of 128; TX stopped",
		"e1000: TDH 0 / TDT 300 beyond the 256-descriptor TX ring",
		"e1000: TX frame over 16288 bytes: dropped",
		"e1000: TX buffer [0xfffffffffffffff0, +64) outside guest RAM",
		"without EOP went round the ring",
		"e1000: RX ring at",
		"e1000: RDH 0 / RDT 1000 beyond the 256-descriptor RX ring",
		"e1000: RX buffer [",
		NULL,
	};
	char json[512];
	json_t *doc, *t;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/e1000.json", harness_tmp);
	doc = run_hostile(json, 0, (const char *[]){ "--device", "e1000", "--netdev", "loop", "--param",
		"loopback=1", NULL }, diags);
	assert_true(check_tests(doc, "e1000", "tx_frames", false) >= 18);
	/* A bad descriptor is dropped and counted, DD still written, and the ring goes on. */
	t = find(doc, "e1000-tx-wrap");
	assert_int_equal(metric(t, "dd"), 1);
	assert_int_equal(counter(t, "e1000", "tx_dropped_frames"), 1);
	assert_int_equal(counter(t, "e1000", "tx_frames"), 1);
	assert_int_equal(metric(find(doc, "e1000-tdba-outside"), "tdh"), 0);
	/* 16 TSO bursts of 65000 one-byte segments, all sent past one TDT write's budget; the good frame */
	assert_int_equal(counter(find(doc, "e1000-tso-ring"), "e1000", "tx_frames"), 16 * 65000 + 1);
	t = find(doc, "e1000-rx-buf-outside");
	assert_string_equal(str(json_object_get(t, "metrics"), "rx_errors"), "0x80");
	json_decref(doc);
}

/* attack=LIST picks the tests; RX attacks without a loopback are skipped, not failed; a bad name fails. */
static void test_selection(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const loop_diag[] = { "(a loop?)", NULL };
	char json[512];
	size_t i, n = 0;
	json_t *doc, *t;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/sel.json", harness_tmp);
	doc = run_hostile(json, 0, (const char *[]){ "--device", "virtio-net", "--param",
		"attack=vq-loop,vnet-rx-short,pci-ro-fields", NULL }, loop_diag);
	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "where")), "guest"))
			n++;
	assert_int_equal(n, 3);
	assert_string_equal(str(find(doc, "vq-loop"), "status"), "ok");
	assert_string_equal(str(find(doc, "vnet-rx-short"), "status"), "skipped");
	json_decref(doc);

	snprintf(json, sizeof(json), "%s/bad.json", harness_tmp);
	doc = run_hostile(json, 1, (const char *[]){ "--device", "e1000", "--param", "attack=no-such-attack",
		NULL }, none);
	json_decref(doc);
	snprintf(json, sizeof(json), "%s/rings.json", harness_tmp);
	doc = run_hostile(json, 1, (const char *[]){ "--device", "virtio-net", "--param", "rings=sideways",
		NULL }, none);
	json_decref(doc);

	/* The rings rewritten at random while our own worker walks them: contained, works after reset. */
	snprintf(json, sizeof(json), "%s/race.json", harness_tmp);
	doc = run_hostile(json, 0, (const char *[]){ "--device", "virtio-net", "--netdev", "loop", "--param",
		"attack=vq-race-rewrite", NULL }, none);
	t = find(doc, "vq-race-rewrite");
	assert_string_equal(str(t, "status"), "ok");
	assert_int_equal(metric(t, "recovered"), 1);
	assert_true(metric(t, "needs_reset") == 0 || metric(t, "needs_reset") == 1);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_net),
		cmocka_unit_test(test_virtio_blk),
		cmocka_unit_test(test_e1000),
		cmocka_unit_test(test_selection),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
