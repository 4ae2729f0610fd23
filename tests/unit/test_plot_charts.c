// SPDX-License-Identifier: MIT
/*
 * What the single-file charts ask gnuplot to draw (a fake gnuplot records
 * the arguments; tests/unit/fake_gnuplot.h): every title names the host and
 * its kernel (bars, CDF, net, blk context); the bar chart's CPL0 note only
 * when the chart has CPL0 bars, even on a PVM host; the CDF's data (both
 * fractions, the marked rows) and the CCDF's arguments (log axis floor for
 * samples <= 0, one legend name per line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/commands.h"
#include "tests/unit/fake_gnuplot.h"
#include "analysis/plot.h"

/* Write r to DIR/name.json, run `exitlab plot` with extra, return what gnuplot got. */
static char *plot_file(struct run_result *r, const char *name, const char *const *extra)
{
	char path[400], err[256];
	char *argv[16] = { "plot", path };
	int argc = 2, rc;

	snprintf(path, sizeof(path), "%s/%s.json", fake_dir, name);
	assert_int_equal(results_write_json(r, path, err, sizeof(err)), 0);
	for (; extra && *extra; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	free(fake_gnuplot_args());
	rc = cmd_plot(argc, argv);
	assert_int_equal(rc, EXIT_OK);
	return fake_gnuplot_args();
}

/* The bar chart on a PVM host: host and kernel in the title; the CPL0 note only with CPL0 bars. */
static void test_bars_title_and_cpl0_note(void **state)
{
	struct run_result r;
	const char *note;
	char *args;

	(void)state;
	/* ring 3 only, on kvm_pvm: no CPL0 bar, so no note */
	fake_run(&r, "exit-costs", "labhost", "6.99.1-test", "kvm_pvm", "2026-12-01T10:00:00Z");
	assert_non_null(fake_test(&r, "cpuid", 3, 50000));
	assert_non_null(fake_test(&r, "host_syscall", -1, 400));
	args = plot_file(&r, "cpl3", NULL);
	assert_non_null(fake_arg(args, "plottitle='exitlab exit-costs: cycles per operation - host labhost, "
				       "kernel 6.99.1-test - Test CPU - kvm_pvm"));
	note = fake_arg(args, "note=");
	assert_non_null(note);
	assert_true(!strncmp(note, "note=''\n", 8));
	assert_non_null(fake_arg(args, "n_cpl3=1; n_cpl0=0; n_host=1; n_invalid=0"));
	free(args);

	/* a row whose exit counts contradict its test: drawn grey, its label says INVALID */
	r.tests[0].invalid = true;
	args = plot_file(&r, "invalid", NULL);
	assert_non_null(fake_arg(args, "n_cpl3=1; n_cpl0=0; n_host=1; n_invalid=1"));
	free(args);
	{
		char dat[600], line[256];
		bool seen = false;
		FILE *f;

		snprintf(dat, sizeof(dat), "%s/invalid.dat", fake_dir);
		f = fopen(dat, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			seen |= !strncmp(line, "cpuid/cpl3(INVALID) ", 20) && strstr(line, " 1 0 1\n") != NULL;
		fclose(f);
		assert_true(seen);
	}
	r.tests[0].invalid = false;

	/* a CPL0 bar: the note is there */
	assert_non_null(fake_test(&r, "cpuid", 0, 4000));
	args = plot_file(&r, "cpl0", NULL);
	note = fake_arg(args, "note=");
	assert_non_null(note);
	assert_non_null(strstr(note, "guest CPL0 code is instruction-emulated"));
	free(args);
	results_free(&r);

	/* a context without hostname or kernel says so rather than leaving them out */
	fake_run(&r, "exit-costs", "x", "y", "kvm_intel", "2026-12-01T10:00:00Z");
	free(r.context_json);
	r.context_json = strdup("{\"kvm\": {\"backend\": \"kvm_intel\"}}");
	assert_non_null(fake_test(&r, "cpuid", 0, 1500));
	r.tests[0].emulated = false;
	args = plot_file(&r, "nohost", NULL);
	assert_non_null(strstr(args, "host unknown, kernel unknown"));
	/* CPL0 on hardware, not emulated: no note */
	assert_true(!strncmp(fake_arg(args, "note="), "note=''\n", 8));
	free(args);
	results_free(&r);
}

/* mem-walk and tlb have titles of their own: host and kernel there too. */
static void test_mem_walk_and_tlb_titles(void **state)
{
	struct run_result r;
	struct test_result *t;
	char *args;

	(void)state;
	fake_run(&r, "mem-walk", "labhost", "6.99.1-test", "kvm_pvm", "2026-12-01T10:00:00Z");
	t = fake_test(&r, "chase", 3, 300);
	assert_non_null(t);
	t->params_json = strdup("{\"working_set\": 1048576, \"guest_page\": \"4k\", \"host_page\": \"4k\"}");
	args = plot_file(&r, "mw", NULL);
	assert_non_null(fake_arg(args, "plottitle='exitlab mem-walk: pointer chase, one load per 4 KiB page - "
				       "host labhost, kernel 6.99.1-test - Test CPU"));
	free(args);
	results_free(&r);

	fake_run(&r, "tlb", "labhost", "6.99.1-test", "kvm_pvm", "2026-12-01T10:00:00Z");
	t = fake_test(&r, "refill", 3, 50);
	assert_non_null(t);
	t->params_json = strdup("{\"n\": 64, \"exit\": \"none\"}");
	args = plot_file(&r, "tlb", NULL);
	assert_non_null(fake_arg(args, "plottitle='exitlab tlb: TLB refill after one exit - host labhost, "
				       "kernel 6.99.1-test - Test CPU"));
	free(args);
	results_free(&r);
}

/* The net and blk charts' context line: host and kernel first, each distinct value once. */
static void test_runs_context(void **state)
{
	struct run_result runs[3];
	char buf[512];

	(void)state;
	fake_run(&runs[0], "net", "a", "6.1.0", "kvm_pvm", "2026-12-01T10:00:00Z");
	fake_run(&runs[1], "net", "b", "6.1.0", "kvm_pvm", "2026-12-01T10:00:00Z");
	fake_run(&runs[2], "net", "a", "6.2.0", "kvm_pvm", "2026-12-01T10:00:00Z");
	plot_runs_context(runs, 1, buf, sizeof(buf));
	assert_string_equal(buf, "host a, kernel 6.1.0 - Test CPU - kvm_pvm");
	plot_runs_context(runs, 3, buf, sizeof(buf));
	assert_string_equal(buf, "host a / b, kernel 6.1.0 / 6.2.0 - Test CPU - kvm_pvm");
	for (int i = 0; i < 3; i++)
		results_free(&runs[i]);
}

/* The context layouts a results file may carry: hostinfo's and the schema example's "host" object. */
static void test_ctx_fields(void **state)
{
	json_t *a = json_loads("{\"hostname\": \"h\", \"kernel\": {\"release\": \"6.5\"}, \"exitlab_revision\": \"r1\"}",
			       0, NULL);
	json_t *b = json_loads("{\"host\": {\"hostname\": \"h2\", \"kernel\": \"6.1.0-18-amd64\"}, \"revision\": \"r2\"}",
			       0, NULL);
	json_t *c = json_loads("{\"hostname\": \"\", \"kernel\": 7}", 0, NULL);
	char buf[128];

	(void)state;
	assert_string_equal(plot_ctx_hostname(a), "h");
	assert_string_equal(plot_ctx_kernel(a), "6.5");
	assert_string_equal(plot_ctx_revision(a), "r1");
	assert_string_equal(plot_ctx_hostname(b), "h2");
	assert_string_equal(plot_ctx_kernel(b), "6.1.0-18-amd64");
	assert_string_equal(plot_ctx_revision(b), "r2");
	assert_null(plot_ctx_hostname(c));
	assert_null(plot_ctx_kernel(c));
	assert_null(plot_ctx_kernel(NULL));
	plot_host_kernel(b, buf, sizeof(buf));
	assert_string_equal(buf, "host h2, kernel 6.1.0-18-amd64");
	plot_host_kernel(c, buf, sizeof(buf));
	assert_string_equal(buf, "host unknown, kernel unknown");
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* A test with raw samples 1..n less shift (so some are <= 0 when shift >= 1). */
static void raw_test(struct run_result *r, const char *name, int ring, size_t n, double shift)
{
	struct test_result *t = fake_test(r, name, ring, (double)n / 2);

	assert_non_null(t);
	t->samples = calloc(n, sizeof(*t->samples));
	assert_non_null(t->samples);
	t->nsamples = n;
	for (size_t i = 0; i < n; i++)
		t->samples[n - 1 - i] = (double)(i + 1) - shift; /* unsorted on purpose */
}

static void test_cdf_data_and_ccdf_args(void **state)
{
	struct plot_cdf_info *info = calloc(1, sizeof(*info));
	char dat[400], line[200], *args;
	struct run_result r;
	int rows = 0, marks = 0;
	FILE *f;

	(void)state;
	assert_non_null(info);
	fake_run(&r, "exit-costs", "labhost", "6.99.1-test", "kvm_pvm", "2026-12-01T10:00:00Z");
	raw_test(&r, "cpuid", 3, 100, 0);
	raw_test(&r, "rdtsc", 3, 40, 10); /* 10 samples <= 0 */
	snprintf(dat, sizeof(dat), "%s/cdf.dat", fake_dir);
	assert_int_equal(plot_cdf_write_data(&r, dat, info), 2);
	assert_int_equal(info->ntests, 2);
	assert_string_equal(info->key[0], "cpuid/cpl3");
	assert_string_equal(info->key[1], "rdtsc/cpl3");
	assert_int_equal(info->nonpositive, 10);
	assert_true(info->logx);
	assert_true(info->xfloor > 0.09 && info->xfloor < 0.11); /* a decade below the smallest positive, 1 */
	assert_int_equal(info->max_samples, 100);
	/* block 0: x ascending, fraction at or below k/n, at or above (n-k+1)/n, about 10 marked rows */
	f = fopen(dat, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		double x, below, above;
		int mark;

		if (line[0] == '#' || line[0] == '"')
			continue;
		if (line[0] == '\n')
			break;
		assert_int_equal(sscanf(line, "%lf %lf %lf %d", &x, &below, &above, &mark), 4);
		rows++;
		assert_true(x == rows);
		assert_true(below > rows / 100.0 - 1e-9 && below < rows / 100.0 + 1e-9);
		assert_true(above > (101 - rows) / 100.0 - 1e-9 && above < (101 - rows) / 100.0 + 1e-9);
		marks += mark;
	}
	fclose(f);
	assert_int_equal(rows, 100);
	assert_true(marks >= 9 && marks <= 11);

	args = plot_file(&r, "raw", (const char *[]){ "--ccdf", NULL });
	assert_non_null(fake_arg(args, "plottitle='exitlab exit-costs: CCDF (fraction at or above x) of raw "
				       "samples - host labhost, kernel 6.99.1-test"));
	assert_non_null(strstr(args, "ccdf=1"));
	assert_non_null(strstr(args, "logx=1"));
	assert_non_null(strstr(args, "n_nonpositive=10"));
	assert_non_null(fake_arg(args, "key_0='cpuid/cpl3'"));
	assert_non_null(fake_arg(args, "key_1='rdtsc/cpl3'"));
	free(args);
	/* the default name says which */
	snprintf(dat, sizeof(dat), "%s/raw-ccdf.dat", fake_dir);
	assert_int_equal(access(dat, F_OK), 0);
	args = plot_file(&r, "raw", (const char *[]){ "--cdf", NULL });
	assert_non_null(strstr(args, "ccdf=0"));
	assert_non_null(fake_arg(args, "plottitle='exitlab exit-costs: CDF of raw samples - host labhost"));
	free(args);
	results_free(&r);
	free(info);
}

/*
 * exit-costs' irq_device tests: samples are latencies (host eventfd write to
 * the guest's handler), so the CDF adds back the loop overhead the collector
 * subtracted and says so on its x axis; beside a round trip, both are named.
 */
static void test_cdf_latency(void **state)
{
	struct plot_cdf_info *info = calloc(1, sizeof(*info));
	char dat[400], *args, *s;
	struct run_result r;
	FILE *f;

	(void)state;
	assert_non_null(info);
	fake_run(&r, "exit-costs", "labhost", "6.99.1-test", "kvm_amd", "2026-12-01T10:00:00Z");
	raw_test(&r, "irq_device", 0, 100, 40); /* 1 - 40 .. 100 - 40, as the collector left them */
	r.tests[0].overhead_cycles = 40;
	raw_test(&r, "irq_device_halt", 0, 10, 0);
	r.tests[1].overhead_cycles = 5;
	snprintf(dat, sizeof(dat), "%s/lat.dat", fake_dir);
	assert_int_equal(plot_cdf_write_data(&r, dat, info), 2);
	assert_int_equal(info->nlatency, 2);
	assert_string_equal(info->key[0], "irq_device/cpl0 latency");
	assert_string_equal(info->key[1], "irq_device_halt/cpl0 latency");
	assert_int_equal(info->nonpositive, 0); /* 1 .. 100 once the overhead is back */
	s = calloc(1, 1 << 16);
	f = fopen(dat, "r");
	assert_non_null(f);
	assert_true(fread(s, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(s, "\"irq_device/cpl0 latency\"\n1 0.01 1 "));
	assert_non_null(strstr(s, "\n100 1 0.01 "));
	assert_non_null(strstr(s, "\"irq_device_halt/cpl0 latency\"\n6 0.1 1 ")); /* 1 + 5 */
	free(s);
	assert_non_null(strstr(plot_cdf_xlabel(info), "latency in cycles: host eventfd write"));
	args = plot_file(&r, "lat", (const char *[]){ "--cdf", NULL });
	assert_non_null(fake_arg(args, "xtitle='latency in cycles: host eventfd write (TSC-stamped) to the "
				       "guest interrupt handler (raw sample, nothing subtracted)'"));
	assert_non_null(strstr(args, "n_nonpositive=0"));
	free(args);
	/* a round trip beside them: the label names both; its samples keep their subtraction */
	raw_test(&r, "cpuid", 3, 100, 50);
	r.tests[2].overhead_cycles = 50;
	assert_int_equal(plot_cdf_write_data(&r, dat, info), 3);
	assert_int_equal(info->nlatency, 2);
	assert_string_equal(info->key[2], "cpuid/cpl3");
	assert_int_equal(info->nonpositive, 50);
	assert_non_null(strstr(plot_cdf_xlabel(info), "lines marked latency: host eventfd write"));
	info->nlatency = 0;
	assert_string_equal(plot_cdf_xlabel(info), "cycles per operation (raw sample, loop overhead subtracted)");
	results_free(&r);
	free(info);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars_title_and_cpl0_note),
		cmocka_unit_test(test_mem_walk_and_tlb_titles),
		cmocka_unit_test(test_runs_context),
		cmocka_unit_test(test_ctx_fields),
		cmocka_unit_test(test_cdf_data_and_ccdf_args),
		cmocka_unit_test(test_cdf_latency),
	};

	return cmocka_run_group_tests(tests, fake_gnuplot_group_setup, fake_gnuplot_group_teardown);
}
