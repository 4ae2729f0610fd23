/* SPDX-License-Identifier: MIT */
/*
 * exitlab plot on device results from real runs: the net payload with an
 * e1000 and with a virtio-net (a few frames each), both drawn into one chart;
 * the PNG, one data row per (series, batch), and the refusals (mixed
 * payloads, a corrupt file).  Counts and structure only, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static bool have_runs;

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", harness_tmp, name);
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

static void run_net(const char *device, const char *json)
{
	struct run_out o;

	harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--device", device, "--param", "frames=32",
					  "--param", "batch=1,8", "--param", "dir=tx", "--timeout", "120",
					  "--json", json, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
}

/* Two runs, e1000 and virtio-net, tx at batch 1 and 8. */
static void test_net_runs(void **state)
{
	char e[512], v[512];
	(void)state;

	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	path_in(e, sizeof(e), "e1000.json");
	path_in(v, sizeof(v), "virtio.json");
	run_net("e1000", e);
	run_net("virtio-net", v);
	have_runs = true;
}

/* Both files in one chart: the PNG, and the data file's blocks and rows. */
static void test_plot_two_nics(void **state)
{
	static const char *const series[2] = { "\"e1000 tx\"", "\"virtio-net tx\"" };
	char e[512], v[512], png[512], dat[512], line[512];
	bool seen[2][2] = { { false } };
	int block = -1, rows = 0;
	struct run_out o;
	FILE *f;
	(void)state;

	if (!have_runs)
		skip();
	path_in(e, sizeof(e), "e1000.json");
	path_in(v, sizeof(v), "virtio.json");
	path_in(png, sizeof(png), "net.png");
	path_in(dat, sizeof(dat), "net.dat");
	harness_run(&o, (const char *[]){ "plot", e, v, "-o", png, NULL });
	if (o.exit_code == 3 && strstr(o.err, "gnuplot not found")) {
		fprintf(stderr, "skipped: %s", o.err);
		harness_free(&o);
		skip();
	}
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, png));
	assert_non_null(strstr(o.out, "2 series"));
	harness_free(&o);
	assert_png(png);

	f = fopen(dat, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		long long batch;
		char exits[32], fps[32];

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (line[0] == '"') {
			block++;
			assert_true(block < 2);
			assert_string_equal(line, series[block]);
			continue;
		}
		assert_true(block >= 0);
		/* batch exits user_exits exits_drawn user_drawn frames_per_s ... */
		assert_int_equal(sscanf(line, "%lld %31s %*s %*s %*s %31s", &batch, exits, fps), 3);
		assert_true(batch == 1 || batch == 8);
		assert_false(seen[block][batch == 8]);
		seen[block][batch == 8] = true;
		/* counted and timed: numbers, and the driver exits at least once per batch it kicks */
		assert_true(strtod(exits, NULL) > 0);
		assert_true(strtod(fps, NULL) > 0);
		/* ascending batch inside a block */
		if (batch == 8)
			assert_true(seen[block][0]);
		rows++;
	}
	fclose(f);
	assert_int_equal(block, 1);
	assert_int_equal(rows, 4);

	/* one file alone still plots, next to itself by default */
	harness_run(&o, (const char *[]){ "plot", v, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	path_in(png, sizeof(png), "virtio.png");
	assert_png(png);
}

/* Another payload's results with net's, or a corrupt file: exit 2, the file named, no chart. */
static void test_plot_refusals(void **state)
{
	char e[512], v[512], other[512], bad[512], png[512];
	struct run_out o;
	json_t *doc;
	FILE *f;
	(void)state;

	if (!have_runs)
		skip();
	path_in(e, sizeof(e), "e1000.json");
	path_in(v, sizeof(v), "virtio.json");
	path_in(other, sizeof(other), "other.json");
	path_in(bad, sizeof(bad), "corrupt.json");
	path_in(png, sizeof(png), "refused.png");

	/* the same results relabelled as another payload: well-formed, but not net */
	doc = json_load_file(e, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_object_set_new(doc, "payload", json_string("exit-costs")), 0);
	assert_int_equal(json_dump_file(doc, other, JSON_INDENT(1)), 0);
	json_decref(doc);
	harness_run(&o, (const char *[]){ "plot", e, other, "-o", png, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, other));
	assert_non_null(strstr(o.err, "one payload per chart"));
	harness_free(&o);
	assert_int_equal(access(png, F_OK), -1);

	/* several files of a payload without a multi-file chart */
	harness_run(&o, (const char *[]){ "plot", other, other, "-o", png, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "only net or blk"));
	harness_free(&o);

	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("{\"schema\": \"exitlab-results\", \"payload\": \"net\", \"tests\": [", f);
	fclose(f);
	harness_run(&o, (const char *[]){ "plot", e, bad, "-o", png, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, bad));
	harness_free(&o);
	assert_int_equal(access(png, F_OK), -1);

	/* an input is never overwritten by the chart or its data, the second file no more than the first */
	harness_run(&o, (const char *[]){ "plot", v, e, "-o", e, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "refusing to overwrite"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_runs),
		cmocka_unit_test(test_plot_two_nics),
		cmocka_unit_test(test_plot_refusals),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
