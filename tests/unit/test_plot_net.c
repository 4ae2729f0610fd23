// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/plot_net.c and analysis/plot_dev.c: the net chart's data file
 * from synthetic results (series by device, notify mode and direction, rows
 * sorted by batch, zeros clamped for the log axis, duplicates, hostile params
 * and values), the blk chart's rows, and the rule on which results files may
 * share a chart.  No
 * gnuplot needed.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/plot.h"
#include "analysis/results.h"

static char dat[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(dat, sizeof(dat), "/tmp/test_plot_net.XXXXXX");
	fd = mkstemp(dat);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(dat);
	return 0;
}

/* A net run whose config names one device ("" model: no devices in the config at all). */
static void net_run(struct run_result *r, const char *model, const char *notify)
{
	char cfg[256];

	memset(r, 0, sizeof(*r));
	snprintf(r->payload, sizeof(r->payload), "net");
	snprintf(r->started_at, sizeof(r->started_at), "2026-01-01T00:00:00Z");
	if (!*model)
		snprintf(cfg, sizeof(cfg), "{\"params\": \"frames=64\"}");
	else if (notify)
		snprintf(cfg, sizeof(cfg), "{\"devices\": [{\"model\": \"%s\", \"notify\": \"%s\", \"netdev\": \"loop\"}]}",
			 model, notify);
	else
		snprintf(cfg, sizeof(cfg), "{\"devices\": [{\"model\": \"%s\", \"netdev\": \"loop\"}]}", model);
	r->config_json = strdup(cfg);
	assert_non_null(r->config_json);
}

/* A frame test: 64 frames, exits and userspace exits per frame, ns per frame (<0: untimed). */
static struct test_result *frame_test(struct run_result *r, const char *dir, const char *params, double exits,
				      double user, double ns)
{
	struct test_result *t = results_add_test(r);

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "%s", dir);
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 0;
	t->status = TEST_OK;
	t->iterations = 64;
	t->has_exits = true;
	t->exits_per_iteration = exits;
	t->userspace_exits_per_iteration = user;
	if (ns >= 0) {
		t->has_timing = true;
		t->ns.n = t->cycles.n = 64;
		t->ns.median = ns;
		t->cycles.median = ns * 2.6;
	}
	t->params_json = params ? strdup(params) : NULL;
	return t;
}

static struct test_result *frames(struct run_result *r, const char *dir, int batch, double exits, double user,
				  double ns)
{
	char p[160];

	snprintf(p, sizeof(p), "{\"nic\": \"virtio\", \"dir\": \"%s\", \"size\": 1514, \"batch\": %d, "
		 "\"event_idx\": 1, \"irq\": 1}", dir, batch);
	return frame_test(r, dir, p, exits, user, ns);
}

/* Every non-comment, non-empty line of the data file, newline cut. */
static int read_lines(char lines[][200], int max)
{
	FILE *f = fopen(dat, "r");
	char line[200];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		assert_true(n < max);
		snprintf(lines[n++], 200, "%s", line);
	}
	fclose(f);
	return n;
}

static void free_runs(struct run_result *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		results_free(&runs[i]);
}

/* Series by (model, notify mode, dir) across files; rows ascending by batch; device counters per frame. */
static void test_series_and_sorting(void **state)
{
	static const char *const names[] = { "e.json", "v.json", "vx.json" };
	struct run_result runs[3];
	struct plot_net_info info;
	char lines[32][200];
	struct test_result *t;
	(void)state;

	net_run(&runs[0], "e1000", NULL);
	frames(&runs[0], "tx", 32, 16, 0.0625, 2e6);
	frames(&runs[0], "rx", 1, 17.5, 2, 1e6);
	t = frames(&runs[0], "tx", 1, 17, 1.5, 1e6);
	t->host_json = strdup("{\"devices\": {\"netdev\": {\"tx_frames\": 64}, "
			      "\"e1000\": {\"tdt_writes\": 64, \"interrupts\": 2}}}");
	results_add_test(&runs[0]); /* an empty test (name "") of the baseline kind: ignored */
	runs[0].tests[runs[0].ntests - 1].status = TEST_OK;
	net_run(&runs[1], "virtio-net", "ioeventfd");
	frames(&runs[1], "tx", 8, 16.5, 0.25, 4e6);
	frames(&runs[1], "tx", 1, 18, 2, 5e5);
	net_run(&runs[2], "virtio-net", "exit");
	frames(&runs[2], "tx", 1, 18, 3, 8e5);

	assert_int_equal(plot_net_write_data(runs, names, 3, dat, &info), 6);
	assert_int_equal(info.rows, 6);
	assert_int_equal(info.nseries, 4);
	assert_string_equal(info.series[0], "e1000 tx");
	assert_string_equal(info.series[1], "e1000 rx");
	assert_string_equal(info.series[2], "virtio-net tx");
	assert_string_equal(info.series[3], "virtio-net (notify=exit) tx");
	assert_int_equal(info.npoints[0], 2);
	assert_int_equal(info.npoints[1], 1);
	assert_int_equal(info.npoints[2], 2);
	assert_int_equal(info.npoints[3], 1);
	assert_int_equal(info.nclamped, 0);
	assert_int_equal(info.nexits, 6);
	assert_int_equal(info.ntimed, 6);
	assert_int_equal(info.size, 1514);
	assert_string_equal(info.netdev, "loop");
	assert_false(info.logy_rate);    /* 250 .. 2000 frames/s: within a decade, linear */

	assert_int_equal(read_lines(lines, 32), 10);
	/* batch exits user exits_drawn user_drawn frames_per_s ns_median kicks irqs size event_idx irq frames */
	assert_string_equal(lines[0], "\"e1000 tx\"");
	assert_string_equal(lines[1], "1 17 1.5 17 1.5 1000 1e+06 1 0.03125 1514 1 1 64");
	assert_string_equal(lines[2], "32 16 0.0625 16 0.0625 500 2e+06 - - 1514 1 1 64");
	assert_string_equal(lines[3], "\"e1000 rx\"");
	assert_string_equal(lines[4], "1 17.5 2 17.5 2 1000 1e+06 - - 1514 1 1 64");
	assert_string_equal(lines[5], "\"virtio-net tx\"");
	assert_string_equal(lines[6], "1 18 2 18 2 2000 500000 - - 1514 1 1 64");
	assert_string_equal(lines[7], "8 16.5 0.25 16.5 0.25 250 4e+06 - - 1514 1 1 64");
	assert_string_equal(lines[8], "\"virtio-net (notify=exit) tx\"");
	assert_string_equal(lines[9], "1 18 3 18 3 1250 800000 - - 1514 1 1 64");
	free_runs(runs, 3);
}

/* 0 on a log axis: drawn at the floor (a decade below the smallest value, at most 1e-4), raw 0 kept. */
static void test_zero_clamped(void **state)
{
	struct run_result r;
	struct plot_net_info info;
	char lines[8][200];
	(void)state;

	net_run(&r, "virtio-net", "ioeventfd");
	frames(&r, "tx", 256, 0.5, 0, 1e6);
	frames(&r, "tx", 32, 0, 0, 1e6);
	assert_int_equal(plot_net_write_data(&r, NULL, 1, dat, &info), 2);
	assert_int_equal(info.nclamped, 3);
	assert_true(fabs(info.floor - 1e-4) < 1e-12);
	assert_false(info.logy_rate);    /* one rate: linear */
	assert_int_equal(read_lines(lines, 8), 3);
	assert_string_equal(lines[1], "32 0 0 0.0001 0.0001 1000 1e+06 - - 1514 1 1 64");
	assert_string_equal(lines[2], "256 0.5 0 0.5 0.0001 1000 1e+06 - - 1514 1 1 64");
	results_free(&r);

	/* a smaller true value pushes the floor below it */
	net_run(&r, "virtio-net", "ioeventfd");
	frames(&r, "tx", 256, 3e-5, 0, 1e6);
	assert_int_equal(plot_net_write_data(&r, NULL, 1, dat, &info), 1);
	assert_int_equal(info.nclamped, 1);
	assert_true(fabs(info.floor - 1e-6) < 1e-15);
	assert_int_equal(read_lines(lines, 8), 2);
	assert_string_equal(lines[1], "256 3e-05 0 3e-05 1e-06 1000 1e+06 - - 1514 1 1 64");
	results_free(&r);

	/* frames per second over more than a decade: a log axis */
	net_run(&r, "virtio-net", "ioeventfd");
	frames(&r, "tx", 1, 18, 2, 1e7);
	frames(&r, "tx", 256, 0.1, 0.01, 1e5);
	assert_int_equal(plot_net_write_data(&r, NULL, 1, dat, &info), 2);
	assert_true(info.logy_rate);
	assert_int_equal(info.nclamped, 0);
	results_free(&r);

	assert_true(fabs(plot_log_floor(0) - 1e-4) < 1e-12);
	assert_true(fabs(plot_log_floor(NAN) - 1e-4) < 1e-12);
	assert_true(fabs(plot_log_floor(INFINITY) - 1e-4) < 1e-12);
	assert_true(fabs(plot_log_floor(17) - 1e-4) < 1e-12);
	assert_true(fabs(plot_log_floor(0.002) - 1e-4) < 1e-12);
	assert_true(fabs(plot_log_floor(0.0002) - 1e-5) < 1e-14);
}

/* A results file is input: tests the chart cannot place are dropped; bad values become '-', never NaN. */
static void test_hostile(void **state)
{
	struct run_result r;
	struct plot_net_info info;
	char lines[16][200];
	struct test_result *t;
	(void)state;

	net_run(&r, "e1000", NULL);
	frame_test(&r, "tx", NULL, 1, 1, 1e6);
	frame_test(&r, "tx", "{", 1, 1, 1e6);
	frame_test(&r, "tx", "[1, 2]", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"dir\": \"tx\"}", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"batch\": \"8\"}", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"batch\": 1.5}", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"batch\": 0}", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"batch\": -4}", 1, 1, 1e6);
	frame_test(&r, "tx", "{\"batch\": 9223372036854775807}", 1, 1, 1e6);
	frame_test(&r, "rx", "{\"batch\": null}", 1, 1, 1e6);
	/* neither exits nor timing: nothing to draw */
	t = frame_test(&r, "tx", "{\"batch\": 2}", 1, 1, -1);
	t->has_exits = false;
	/* not ok, or not a frame test: left alone */
	frame_test(&r, "tx", "{\"batch\": 4}", 1, 1, 1e6)->status = TEST_FAILED;
	frame_test(&r, "tx", "{\"batch\": 4}", 1, 1, 1e6)->status = TEST_SKIPPED;
	frame_test(&r, "empty", "{\"batch\": 4}", 1, 1, 1e6);
	frame_test(&r, "txx", "{\"batch\": 4}", 1, 1, 1e6);
	assert_int_equal(plot_net_write_data(&r, NULL, 1, dat, &info), 0);
	assert_int_equal(info.nseries, 0);
	assert_int_equal(read_lines(lines, 16), 0);

	/* what can be drawn is, with '-' for what cannot: NaN exits, untimed, NaN and 0 ns, odd params */
	frame_test(&r, "tx", "{\"batch\": 8, \"size\": \"big\", \"event_idx\": -1}", NAN, INFINITY, 1e6);
	frame_test(&r, "tx", "{\"batch\": 16}", 2, 0.5, -1);
	frame_test(&r, "tx", "{\"batch\": 32}", 2, -1, NAN);
	frame_test(&r, "tx", "{\"batch\": 64}", 2, 0.5, 0);
	assert_int_equal(plot_net_write_data(&r, NULL, 1, dat, &info), 4);
	assert_int_equal(info.nseries, 1);
	assert_int_equal(info.nexits, 3);
	assert_int_equal(info.ntimed, 1);
	assert_int_equal(info.size, -1);
	assert_int_equal(read_lines(lines, 16), 5);
	assert_string_equal(lines[0], "\"e1000 tx\"");
	assert_string_equal(lines[1], "8 - - - - 1000 1e+06 - - - - - 64");
	assert_string_equal(lines[2], "16 2 0.5 2 0.5 - - - - - - - 64");
	assert_string_equal(lines[3], "32 2 - 2 - - - - - - - - 64");
	assert_string_equal(lines[4], "64 2 0.5 2 0.5 - - - - - - - 64");
	for (int i = 0; i < 5; i++)
		assert_null(strcasestr(lines[i], "nan"));
	results_free(&r);
}

/* The same point in several files (a campaign's repetitions): their median is drawn. */
static void test_duplicates_and_differing_params(void **state)
{
	static const char *const names[] = { "a.json", "b.json", "c.json" };
	struct run_result runs[3];
	struct plot_net_info info;
	char lines[16][200];
	(void)state;

	net_run(&runs[0], "virtio-net", "ioeventfd");
	frames(&runs[0], "tx", 1, 18, 2, 1e6);
	net_run(&runs[1], "virtio-net", "ioeventfd");
	frames(&runs[1], "tx", 1, 99, 9, 4e6);
	net_run(&runs[2], "virtio-net", "ioeventfd");
	frames(&runs[2], "tx", 1, 30, 4, 2e6);
	assert_int_equal(plot_net_write_data(runs, names, 3, dat, &info), 1);
	assert_int_equal(read_lines(lines, 16), 2);
	assert_string_equal(lines[1], "1 30 4 30 4 500 2e+06 - - 1514 1 1 64");
	free_runs(runs, 3);

	/* rows of one device that differ in event_idx are two series, named by it */
	net_run(&runs[0], "virtio-net", "ioeventfd");
	frames(&runs[0], "tx", 1, 18, 2, 1e6);
	frame_test(&runs[0], "tx", "{\"batch\": 1, \"size\": 1514, \"event_idx\": 0, \"irq\": 1}", 20, 2, 1e6);
	frame_test(&runs[0], "rx", "{\"batch\": 1, \"size\": 1514, \"event_idx\": 0, \"irq\": 1}", 20, 2, 1e6);
	assert_int_equal(plot_net_write_data(runs, NULL, 1, dat, &info), 3);
	assert_int_equal(info.nseries, 3);
	assert_string_equal(info.series[0], "virtio-net tx, event_idx=0");
	assert_string_equal(info.series[1], "virtio-net rx, event_idx=0");
	assert_string_equal(info.series[2], "virtio-net tx, event_idx=1");
	free_runs(runs, 1);

	/* no devices in the config: the tests' nic param names the model */
	net_run(&runs[0], "", NULL);
	frames(&runs[0], "rx", 1, 18, 2, 1e6);
	frame_test(&runs[0], "tx", "{\"batch\": 1, \"nic\": 7}", 20, 2, 1e6);
	assert_int_equal(plot_net_write_data(runs, NULL, 1, dat, &info), 2);
	assert_string_equal(info.series[0], "unknown NIC tx");
	assert_string_equal(info.series[1], "virtio-net rx");
	assert_string_equal(info.netdev, "");
	free_runs(runs, 1);
}

/* Results of another payload never reach the net chart; files may share a chart only for net and blk. */
static void test_mixed_payloads(void **state)
{
	static const char *const names[] = { "net.json", "tlb.json", "net2.json" };
	struct run_result runs[3];
	struct plot_net_info info;
	char err[256];
	(void)state;

	net_run(&runs[0], "e1000", NULL);
	frames(&runs[0], "tx", 1, 18, 2, 1e6);
	net_run(&runs[1], "e1000", NULL);
	snprintf(runs[1].payload, sizeof(runs[1].payload), "tlb");
	frames(&runs[1], "tx", 8, 18, 2, 1e6);
	net_run(&runs[2], "virtio-net", NULL);

	errno = 0;
	assert_int_equal(plot_net_write_data(runs, names, 2, dat, &info), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(plot_net_write_data(&runs[1], names, 1, dat, &info), -1);

	assert_int_equal(plot_same_payload(runs, names, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "net.json"));
	assert_non_null(strstr(err, "tlb.json"));
	assert_non_null(strstr(err, "one payload per chart"));
	assert_int_equal(plot_same_payload(runs, names, 1, err, sizeof(err)), 0);
	assert_int_equal(plot_same_payload(&runs[1], names, 1, err, sizeof(err)), 0); /* one tlb file: fine */
	snprintf(runs[0].payload, sizeof(runs[0].payload), "tlb");
	assert_int_equal(plot_same_payload(runs, names, 2, err, sizeof(err)), -1); /* two tlb files: no */
	assert_non_null(strstr(err, "only net or blk"));
	snprintf(runs[0].payload, sizeof(runs[0].payload), "net");
	snprintf(runs[1].payload, sizeof(runs[1].payload), "net");
	assert_int_equal(plot_same_payload(runs, names, 3, err, sizeof(err)), 0);
	snprintf(runs[2].payload, sizeof(runs[2].payload), "blk");
	assert_int_equal(plot_same_payload(runs, names, 3, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "net2.json"));
	free_runs(runs, 3);
}

static void test_device_names(void **state)
{
	struct plot_device d;
	struct run_result r = { .payload = "blk" };
	char buf[64];
	(void)state;

	r.config_json = strdup("{\"devices\": [{\"model\": \"virtio-net\", \"notify\": \"exit\", \"netdev\": "
			       "\"sink,check=1\"}, {\"model\": \"virtio-blk\", \"notify\": \"ioeventfd\", "
			       "\"file\": \"d.img\"}, {\"model\": 5}]}");
	assert_true(plot_run_device(&r, false, &d));
	plot_device_label(&d, buf, sizeof(buf));
	assert_string_equal(buf, "virtio-net (notify=exit)");
	assert_string_equal(d.netdev, "sink,check=1");
	assert_true(plot_run_device(&r, true, &d));
	plot_device_label(&d, buf, sizeof(buf));
	assert_string_equal(buf, "virtio-blk");
	free(r.config_json);

	/* hostile: quotes and control characters cannot break the data file or the gnuplot string */
	r.config_json = strdup("{\"devices\": [{\"model\": \"e\\\"1\\n000\"}]}");
	assert_true(plot_run_device(&r, false, &d));
	assert_string_equal(d.model, "e_1_000");
	free(r.config_json);
	r.config_json = strdup("{\"devices\": {\"model\": \"e1000\"}}");
	assert_false(plot_run_device(&r, false, &d));
	free(r.config_json);
	r.config_json = NULL;
	assert_false(plot_run_device(&r, true, &d));
}

/* blk: rows by (bs, qd) clusters, read before write, hostile params dropped, and only blk runs. */
static void test_blk_rows(void **state)
{
	static const char *const names[] = { "q1.json", "q8.json" };
	struct run_result runs[2];
	struct plot_blk_info info;
	char lines[16][200];
	(void)state;

	for (int i = 0; i < 2; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		snprintf(runs[i].payload, sizeof(runs[i].payload), "blk");
		runs[i].config_json = strdup("{\"devices\": [{\"model\": \"virtio-blk\", \"notify\": \"exit\"}]}");
	}
	frame_test(&runs[0], "write", "{\"rw\": \"write\", \"bs\": 65536, \"qd\": 1}", 500, 2, 5e5);
	frame_test(&runs[0], "read", "{\"rw\": \"read\", \"bs\": 4096, \"qd\": 1}", 26, 2, 4e5);
	frame_test(&runs[0], "read", "{\"bs\": \"4096\", \"qd\": 1}", 26, 2, 4e5);  /* not an integer */
	frame_test(&runs[0], "read", "{\"bs\": 4096, \"qd\": 0}", 26, 2, 4e5);      /* no queue */
	frame_test(&runs[0], "read", "{\"bs\": 4096}", 26, 2, 4e5);
	frame_test(&runs[0], "read", NULL, 26, 2, 4e5);
	frame_test(&runs[1], "read", "{\"rw\": \"read\", \"bs\": 4096, \"qd\": 8}", 25, 0, 1e6);
	assert_int_equal(plot_blk_write_data(runs, names, 2, dat, &info), 3);
	assert_int_equal(info.nseries, 2);
	assert_string_equal(info.series[0], "virtio-blk (notify=exit) read");
	assert_string_equal(info.series[1], "virtio-blk (notify=exit) write");
	assert_int_equal(info.ncats, 3);
	assert_string_equal(info.cats[0], "4KiB/qd=1");
	assert_string_equal(info.cats[1], "4KiB/qd=8");
	assert_string_equal(info.cats[2], "64KiB/qd=1");
	assert_int_equal(info.nclamped, 1);
	assert_int_equal(read_lines(lines, 16), 5);
	/* cat bs qd iops ns_median exits user_exits exits_drawn user_drawn event_idx irq ios */
	assert_string_equal(lines[1], "0 4096 1 2500 400000 26 2 26 2 - - 64");
	assert_string_equal(lines[2], "1 4096 8 1000 1e+06 25 0 25 0.0001 - - 64");
	assert_string_equal(lines[4], "2 65536 1 2000 500000 500 2 500 2 - - 64");

	errno = 0;
	snprintf(runs[1].payload, sizeof(runs[1].payload), "net");
	assert_int_equal(plot_blk_write_data(runs, names, 2, dat, &info), -1);
	assert_int_equal(errno, EINVAL);
	free_runs(runs, 2);

	/* the same point in two files (repetitions): the mean of the two middle values */
	for (int i = 0; i < 2; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		snprintf(runs[i].payload, sizeof(runs[i].payload), "blk");
		runs[i].config_json = strdup("{\"devices\": [{\"model\": \"virtio-blk\"}]}");
		frame_test(&runs[i], "read", "{\"rw\": \"read\", \"bs\": 4096, \"qd\": 1}", 20 + 10 * i, 2,
			   4e5);
	}
	assert_int_equal(plot_blk_write_data(runs, names, 2, dat, &info), 1);
	assert_int_equal(read_lines(lines, 16), 2);
	assert_string_equal(lines[1], "0 4096 1 2500 400000 25 2 25 2 - - 64");
	free_runs(runs, 2);
}

static void test_unwritable(void **state)
{
	struct run_result r;
	struct plot_net_info info;
	(void)state;

	net_run(&r, "e1000", NULL);
	frames(&r, "tx", 1, 18, 2, 1e6);
	errno = 0;
	assert_int_equal(plot_net_write_data(&r, NULL, 1, "/nonexistent-dir/x.dat", &info), -1);
	assert_int_equal(errno, ENOENT);
	results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_series_and_sorting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_differing_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blk_rows, setup, teardown),
		cmocka_unit_test(test_device_names),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
