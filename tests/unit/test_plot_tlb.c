// SPDX-License-Identifier: MIT
/*
 * Unit tests for analysis/plot_tlb.c: the refill chart's data file (rows, order,
 * the derived refill cost, what it refuses to draw) and the TLB tagging named
 * from a host context.  No gnuplot needed.
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
	snprintf(dat, sizeof(dat), "/tmp/test_plot_tlb.XXXXXX");
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

static struct test_result *add(struct run_result *r, const char *name, const char *params, double median,
			       double p99)
{
	struct test_result *t = results_add_test(r);

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 3;
	t->status = TEST_OK;
	t->has_timing = true;
	t->cycles.n = 64;
	t->cycles.median = median;
	t->cycles.p1 = median / 2;
	t->cycles.p99 = p99;
	t->params_json = params ? strdup(params) : NULL;
	return t;
}

static struct test_result *refill(struct run_result *r, long long n, const char *exit, double median,
				  double p99)
{
	char p[96];

	snprintf(p, sizeof(p), "{\"n\": %lld, \"exit\": \"%s\"}", n, exit);
	return add(r, "refill", p, median, p99);
}

/* The data rows (comments skipped) of the file, each a NUL-terminated line without its newline. */
static int read_rows(char rows[][160], int max)
{
	FILE *f = fopen(dat, "r");
	char line[160];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		assert_true(n < max);
		snprintf(rows[n++], 160, "%s", line);
	}
	fclose(f);
	return n;
}

static void test_rows_sorted_with_refill_cost(void **state)
{
	struct run_result r = { .payload = "tlb", .started_at = "2026-01-01T00:00:00Z" };
	struct plot_tlb_info info;
	char rows[16][160];
	struct test_result *t;
	(void)state;

	/* the payload's order (exit kind outer, N inner), plus tests the chart must leave alone */
	add(&r, "empty", NULL, 50, 60);
	refill(&r, 64, "none", 3, 4);
	refill(&r, 8, "none", 3, 18);
	refill(&r, 64, "pio", 4, 5)->has_exits = true;
	r.tests[r.ntests - 1].exits_per_iteration = 1.0 / 64;
	refill(&r, 8, "pio", 6.5, 16);
	refill(&r, 8, "cpuid", 2, 63);   /* faster than none: a negative refill cost is kept */
	refill(&r, 64, "cpuid", 5, 6);
	t = refill(&r, 512, "pio", 9, 9);
	t->status = TEST_SKIPPED;       /* not ok: not drawn */
	add(&r, "invlpg", "{\"pages\": 1}", 14000, 23000);

	assert_int_equal(plot_tlb_write_data(&r, dat, &info), 6);
	assert_int_equal(info.rows, 6);
	assert_int_equal(info.nn, 2);
	assert_int_equal(info.n[0], 8);
	assert_int_equal(info.n[1], 64);
	assert_true(info.kind[PLOT_TLB_NONE] && info.kind[PLOT_TLB_PIO] && info.kind[PLOT_TLB_CPUID]);
	assert_int_equal(info.nrefill, 4);
	assert_true(info.logy);          /* medians from 2, whiskers to 63 */
	assert_true(fabs(info.exits_per_pass[PLOT_TLB_PIO] - 1.0) < 1e-9); /* only one pio row counted */
	assert_true(info.exits_per_pass[PLOT_TLB_NONE] < 0); /* not counted: unknown */

	assert_int_equal(read_rows(rows, 16), 6);
	/* n exit kind cluster slot median p1 p99 exits_per_pass refill_per_access refill_per_exit */
	assert_string_equal(rows[0], "8 none 0 0 0 3 1.5 18 - - -");
	assert_string_equal(rows[1], "8 pio 1 0 1 6.5 3.25 16 - 3.5 28");
	assert_string_equal(rows[2], "8 cpuid 2 0 2 2 1 63 - -1 -8");
	assert_string_equal(rows[3], "64 none 0 1 0 3 1.5 4 - - -");
	assert_string_equal(rows[4], "64 pio 1 1 1 4 2 5 1 1 64");
	assert_string_equal(rows[5], "64 cpuid 2 1 2 5 2.5 6 - 2 128");
	results_free(&r);
}

/* Only the kinds present get a slot; without a none pass there is no refill cost. */
static void test_no_none_pass(void **state)
{
	struct run_result r = { .payload = "tlb" };
	struct plot_tlb_info info;
	char rows[4][160];
	(void)state;

	refill(&r, 4096, "cpuid", 8, 9);
	refill(&r, 8, "cpuid", 7, 8);
	assert_int_equal(plot_tlb_write_data(&r, dat, &info), 2);
	assert_int_equal(info.nrefill, 0);
	assert_false(info.logy);         /* 7 .. 9 cycles: linear */
	assert_false(info.kind[PLOT_TLB_NONE] || info.kind[PLOT_TLB_PIO]);
	assert_int_equal(read_rows(rows, 4), 2);
	assert_string_equal(rows[0], "8 cpuid 2 0 0 7 3.5 8 - - -");
	assert_string_equal(rows[1], "4096 cpuid 2 1 0 8 4 9 - - -");
	results_free(&r);
}

/* A results file is input: params the chart cannot place are dropped, never crash it. */
static void test_hostile_params(void **state)
{
	struct run_result r = { .payload = "tlb" };
	struct plot_tlb_info info;
	char rows[4][160];
	(void)state;

	add(&r, "refill", NULL, 3, 4);
	add(&r, "refill", "{", 3, 4);
	add(&r, "refill", "[1, 2]", 3, 4);
	add(&r, "refill", "{\"exit\": \"none\"}", 3, 4);
	add(&r, "refill", "{\"n\": 0, \"exit\": \"none\"}", 3, 4);
	add(&r, "refill", "{\"n\": -8, \"exit\": \"none\"}", 3, 4);
	add(&r, "refill", "{\"n\": \"8\", \"exit\": \"none\"}", 3, 4);
	add(&r, "refill", "{\"n\": 9223372036854775807, \"exit\": \"none\"}", 3, 4);
	add(&r, "refill", "{\"n\": 8}", 3, 4);
	add(&r, "refill", "{\"n\": 8, \"exit\": 1}", 3, 4);
	add(&r, "refill", "{\"n\": 8, \"exit\": \"vmcall\"}", 3, 4);
	add(&r, "refill", "{\"n\": 8, \"exit\": \"none\"}", NAN, 4);
	add(&r, "refill", "{\"n\": 8, \"exit\": \"none\"}", 3, INFINITY);
	refill(&r, 8, "none", 3, 4)->has_timing = false;
	refill(&r, 8, "none", 3, 4)->cycles.n = 0;
	assert_int_equal(plot_tlb_write_data(&r, dat, &info), 0);
	assert_int_equal(info.nn, 0);
	assert_int_equal(read_rows(rows, 4), 0);

	/* the same (N, exit) twice: the first in the file is drawn */
	refill(&r, 8, "pio", 5, 6);
	refill(&r, 8, "pio", 50, 60);
	assert_int_equal(plot_tlb_write_data(&r, dat, &info), 1);
	assert_int_equal(read_rows(rows, 4), 1);
	assert_string_equal(rows[0], "8 pio 1 0 0 5 2.5 6 - - -");
	results_free(&r);
}

static void test_unwritable(void **state)
{
	struct run_result r = { .payload = "tlb" };
	struct plot_tlb_info info;
	(void)state;

	refill(&r, 8, "none", 3, 4);
	errno = 0;
	assert_int_equal(plot_tlb_write_data(&r, "/nonexistent-dir/x.dat", &info), -1);
	assert_int_equal(errno, ENOENT);
	results_free(&r);
}

static void tagging_of(const char *ctx_text, const char *want)
{
	json_t *ctx = ctx_text ? json_loads(ctx_text, 0, NULL) : NULL;
	char buf[96];

	if (ctx_text)
		assert_non_null(ctx);
	plot_tlb_tagging(ctx, buf, sizeof(buf));
	assert_string_equal(buf, want);
	json_decref(ctx);
}

static void test_tagging(void **state)
{
	(void)state;
	tagging_of("{\"kvm\": {\"backend\": \"kvm_intel\", \"params\": {\"kvm_intel\": "
		   "{\"vpid\": false, \"ept\": true}}}}", "VPID off, EPT on");
	tagging_of("{\"kvm\": {\"backend\": \"kvm_intel\", \"params\": {\"kvm_intel\": "
		   "{\"vpid\": 1, \"ept\": null, \"ept_error\": \"no such parameter\"}}}}", "VPID on, EPT unknown");
	tagging_of("{\"kvm\": {\"backend\": \"kvm_intel\"}}", "VPID unknown, EPT unknown");
	tagging_of("{\"kvm\": {\"backend\": \"kvm_amd\", \"params\": {\"kvm_amd\": {\"npt\": 0}}}}",
		   "ASID tagging (always on SVM), NPT off");
	tagging_of("{\"kvm\": {\"backend\": \"kvm_pvm\"}}", "no VPID/ASID (software backend), shadow paging");
	tagging_of("{\"kvm\": {\"backend\": 7}}", "TLB tagging unknown");
	tagging_of("[]", "TLB tagging unknown");
	tagging_of(NULL, "TLB tagging unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_sorted_with_refill_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_none_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
		cmocka_unit_test(test_tagging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
