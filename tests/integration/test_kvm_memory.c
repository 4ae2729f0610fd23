/* SPDX-License-Identifier: MIT */
/*
 * The memory payloads in real KVM, at small sizes: structure, counts and the
 * chase's own checks, never timings; and a working set larger than the VM is
 * exit code 3 with the fix named, not a quiet partial result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static json_t *load(const char *path)
{
	json_error_t je;
	json_t *d = json_load_file(path, 0, &je);

	if (!d)
		fprintf(stderr, "%s: %s\n", path, je.text);
	assert_non_null(d);
	return d;
}

static json_int_t obj_int(json_t *t, const char *obj, const char *key)
{
	json_t *v = json_object_get(json_object_get(t, obj), key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_mem_walk_small(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *t;
	size_t i, guest = 0, native = 0;
	static const json_int_t sets[] = { 4096, 65536, 1048576 };
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	snprintf(json, sizeof(json), "%s/mem-walk.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("mem-walk"), "--quick", "--no-baseline",
					  "--param", "sizes=4k,64k,1m", "--param", "guest_page=4k,2m",
					  "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "chase 64K/2m"));
	harness_free(&o);

	doc = load(json);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		json_int_t ws;
		bool known = false;

		if (!strcmp(name, "empty"))
			continue;
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		ws = obj_int(t, "params", "working_set");
		for (size_t k = 0; k < 3; k++)
			known |= ws == sets[k];
		assert_true(known);
		assert_int_equal(obj_int(t, "params", "pages"), ws / 4096);
		/* every timed load was counted, and the guest checked where the walk ended */
		assert_int_equal(obj_int(t, "metrics", "accesses"),
				 json_integer_value(json_object_get(t, "iterations")));
		if (!strcmp(name, "chase")) {
			assert_int_equal(obj_int(t, "metrics", "verified"), 1);
			assert_int_equal(json_integer_value(json_object_get(t, "ring")), 3);
			guest++;
		} else {
			assert_string_equal(name, "native_chase");
			assert_string_equal(json_string_value(json_object_get(t, "where")), "host");
			native++;
		}
	}
	assert_int_equal(guest, 6);  /* 3 sets x 2 guest page sizes */
	assert_int_equal(native, 6); /* 3 sets x (4 KiB, THP) */
	json_decref(doc);
}

static void test_mem_walk_too_big(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *t;
	size_t i;
	bool skipped = false;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	snprintf(json, sizeof(json), "%s/too-big.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("mem-walk"), "--quick", "--no-baseline",
					  "--mem", "32", "--param", "sizes=4k,1g", "--param", "guest_page=4k",
					  "--json", json, NULL });
	assert_int_equal(o.exit_code, 3);
	assert_non_null(strstr(o.err, "lacks"));
	assert_non_null(strstr(o.out, "needs --mem >="));
	harness_free(&o);
	doc = load(json);
	assert_int_equal(json_integer_value(json_object_get(doc, "exit_code")), 3);
	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), "chase") &&
		    obj_int(t, "params", "working_set") == (1 << 30)) {
			assert_string_equal(json_string_value(json_object_get(t, "status")), "skipped");
			assert_non_null(strstr(json_string_value(json_object_get(t, "reason")), "--mem"));
			skipped = true;
		}
	assert_true(skipped);
	json_decref(doc);

	/* malformed params: the payload refuses them, nothing is measured */
	harness_run(&o, (const char *[]){ "run", harness_payload("mem-walk"), "--quick", "--param",
					  "sizes=4k,12345", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "bad params"));
	harness_free(&o);
}

static json_int_t stat_of(json_t *t, const char *name)
{
	json_t *v = json_object_get(json_object_get(t, "kvm_stats"), name);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* First touches fault (and KVM counts them), present pages do not; dirty logging write-faults. */
static void test_mem_fault(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *t, *ctx;
	size_t i, seen = 0;
	const char *backend;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	snprintf(json, sizeof(json), "%s/mem-fault.json", harness_tmp);
	/* RAM above 4 GiB: its own slot, where dirty logging is allowed */
	harness_run(&o, (const char *[]){ "run", harness_payload("mem-fault"), "--quick", "--no-baseline",
					  "--mem", "3200", "--param", "pages=64", "--param", "regions=4",
					  "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = load(json);
	ctx = json_object_get(doc, "context");
	backend = json_string_value(json_object_get(json_object_get(ctx, "kvm"), "backend"));
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		json_int_t touches;

		if (!strcmp(name, "empty"))
			continue;
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		assert_string_equal(json_string_value(json_object_get(json_object_get(t, "params"), "placement")), "high");
		touches = obj_int(t, "params", "touches");
		assert_int_equal(obj_int(t, "metrics", "touches"), touches);
		assert_int_equal(json_integer_value(json_object_get(t, "iterations")), touches);
		if (!strcmp(name, "present_4k")) {
			assert_int_equal(stat_of(t, "pf_fixed"), 0);
		} else if (backend && !strcmp(backend, "kvm_pvm")) {
			/* shadow paging over 4 KiB host pages: exactly one fixed fault per touch */
			assert_int_equal(stat_of(t, "pf_fixed"), touches);
		} else {
			assert_true(stat_of(t, "pf_fixed") + stat_of(t, "pf_taken") > 0);
		}
		seen++;
	}
	assert_int_equal(seen, 4); /* first_touch_4k, present_4k, first_touch_2m, dirty_log_write_4k */
	json_decref(doc);
}

/* The TLB payload: every variant runs; exits and INVLPGs are where they must be. */
static void test_tlb(void **state)
{
	struct run_out o;
	char json[512];
	json_t *doc, *t;
	size_t i, refills = 0;
	const char *backend;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	snprintf(json, sizeof(json), "%s/tlb.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", harness_payload("tlb"), "--quick", "--no-baseline",
					  "--param", "n=8,64", "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = load(json);
	backend = json_string_value(json_object_get(json_object_get(json_object_get(doc, "context"), "kvm"),
						    "backend"));
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		json_int_t samples;

		if (!strcmp(name, "cr3_switch") &&
		    !strcmp(json_string_value(json_object_get(t, "status")), "skipped")) {
			/* PCID is the CPU's (and the backend's CPUID's) to give: skipped, with the reason */
			assert_true(strlen(json_string_value(json_object_get(t, "reason"))) > 0);
			continue;
		}
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		if (!strcmp(name, "empty"))
			continue;
		samples = obj_int(t, "metrics", "samples");
		if (!strcmp(name, "refill")) {
			const char *exit = json_string_value(json_object_get(json_object_get(t, "params"), "exit"));

			/* one pass of n pages per sample */
			assert_int_equal(json_integer_value(json_object_get(t, "iterations")),
					 samples * obj_int(t, "params", "n"));
			if (!strcmp(exit, "pio"))
				assert_true(stat_of(t, "exits") >= samples); /* one exit per sample */
			refills++;
		} else if (!strcmp(name, "invlpg") && backend && !strcmp(backend, "kvm_pvm")) {
			/* shadow paging: every guest INVLPG reaches KVM */
			assert_int_equal(stat_of(t, "invlpg"), samples);
		}
	}
	assert_int_equal(refills, 6); /* n = 8, 64 x exit = none, pio, cpuid */
	json_decref(doc);
}

/* --ring 0 and --ring 3 each keep to their ring: no test of the other ring runs. */
static void test_tlb_ring(void **state)
{
	static const char *const rings[] = { "0", "3" };
	struct run_out o;
	char json[512];
	json_t *doc, *t;
	size_t i;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	for (int r = 0; r < 2; r++) {
		size_t mine = 0;

		snprintf(json, sizeof(json), "%s/tlb-ring%s.json", harness_tmp, rings[r]);
		harness_run(&o, (const char *[]){ "run", harness_payload("tlb"), "--quick", "--no-baseline",
						  "--ring", rings[r], "--param", "n=8", "--param", "exit=none",
						  "--json", json, NULL });
		if (o.exit_code)
			fprintf(stderr, "%s%s", o.out, o.err);
		assert_int_equal(o.exit_code, 0);
		harness_free(&o);
		doc = load(json);
		json_array_foreach(json_object_get(doc, "tests"), i, t) {
			json_int_t ring = json_integer_value(json_object_get(t, "ring"));

			if (json_is_null(json_object_get(t, "ring")))
				continue; /* a host row */
			if (ring != atoi(rings[r]))
				fprintf(stderr, "--ring %s ran %s at ring %lld\n", rings[r],
					json_string_value(json_object_get(t, "name")), (long long)ring);
			assert_int_equal(ring, atoi(rings[r]));
			mine++;
		}
		assert_true(mine >= 2); /* the ring's empty and at least one test */
		json_decref(doc);
	}
}

/* The PNG signature: 0x89 'P' 'N' 'G' CR LF 0x1a LF. */
static void assert_png(const char *path)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[8];
	FILE *f = fopen(path, "rb");

	if (!f)
		fprintf(stderr, "%s: not written\n", path);
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	assert_memory_equal(head, magic, sizeof(magic));
}

/* exitlab plot on the tlb results: the refill chart, its data, and the other tests' chart. */
static void test_tlb_plot(void **state)
{
	static const char *const exits[] = { "none", "pio", "cpuid" };
	struct run_out o;
	char json[512], png[512], ops[512], path[512], line[256], ex[32];
	bool seen[2][3] = { { false } };
	int rows = 0;
	long long n;
	FILE *f;
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	/* test_tlb ran the payload with n=8,64 */
	snprintf(json, sizeof(json), "%s/tlb.json", harness_tmp);
	snprintf(png, sizeof(png), "%s/tlb.png", harness_tmp);
	snprintf(ops, sizeof(ops), "%s/tlb-ops.png", harness_tmp);
	harness_run(&o, (const char *[]){ "plot", json, NULL });
	if (o.exit_code == 3 && strstr(o.err, "gnuplot not found")) {
		fprintf(stderr, "skipped: %s", o.err);
		harness_free(&o);
		skip();
	}
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	/* both paths are named */
	assert_non_null(strstr(o.out, png));
	assert_non_null(strstr(o.out, ops));
	harness_free(&o);
	assert_png(png);
	assert_png(ops);

	/* one row per (N, exit) refill test, at the N asked for */
	snprintf(path, sizeof(path), "%s/tlb.dat", harness_tmp);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		int k, c;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%lld %31s", &n, ex), 2);
		assert_true(n == 8 || n == 64);
		for (k = 0; k < 3 && strcmp(ex, exits[k]); k++)
			;
		assert_true(k < 3);
		c = n == 8 ? 0 : 1;
		assert_false(seen[c][k]);
		seen[c][k] = true;
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 6);

	/* the other tests went to the -ops chart, no refill among them */
	snprintf(path, sizeof(path), "%s/tlb-ops.dat", harness_tmp);
	f = fopen(path, "r");
	assert_non_null(f);
	rows = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		assert_null(strstr(line, "refill"));
		rows += strstr(line, "invlpg") != NULL;
	}
	fclose(f);
	assert_int_equal(rows, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_walk_small),
		cmocka_unit_test(test_mem_walk_too_big),
		cmocka_unit_test(test_mem_fault),
		cmocka_unit_test(test_tlb),
		cmocka_unit_test(test_tlb_plot),
		cmocka_unit_test(test_tlb_ring),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
