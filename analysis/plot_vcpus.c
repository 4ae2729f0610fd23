// SPDX-License-Identifier: MIT
/*
 * exit-costs results run at several vCPU counts (exitlab run --vcpus N), one
 * chart: the SMP tests' cycles per operation against N (median, whisker p1..p99
 * as the bars), and below it the KVM exits per operation summed over every
 * vCPU (each test's vcpus.sum): the counts stay meaningful where the timings
 * do not (a nested or PVM host).  scripts/plot-vcpus.gp draws it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/gnuplot.h"
#include "analysis/plot.h"

/* The tests whose cost depends on N, in the legend's order. */
static const char *const smp_tests[] = { "ipi_broadcast", "tlb_shootdown", "ple_round_robin", "ipi", "ipi_halt" };
#define NSMP (sizeof(smp_tests) / sizeof(smp_tests[0]))

long long plot_vcpus_of(const struct run_result *r)
{
	json_t *cfg = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	json_t *v = json_object_get(json_object_get(cfg, "vmm"), "vcpus");
	long long n = json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 1;

	json_decref(cfg); /* a file without the key ran before --vcpus: one vCPU */
	return n;
}

int plot_vcpus_distinct(const struct run_result *runs, size_t nruns, long long *n, int max)
{
	int k = 0;

	for (size_t i = 0; i < nruns; i++) {
		long long v = plot_vcpus_of(&runs[i]);
		int at = 0;

		while (at < k && n[at] < v)
			at++;
		if ((at < k && n[at] == v) || k == max)
			continue;
		memmove(&n[at + 1], &n[at], (size_t)(k - at) * sizeof(*n));
		n[at] = v;
		k++;
	}
	return k;
}

bool plot_vcpus_is_smp_test(const struct test_result *t)
{
	if (t->status != TEST_OK || !t->has_timing || !t->cycles.n || strncmp(t->where, "guest", sizeof(t->where)))
		return false;
	for (size_t i = 0; i < NSMP; i++)
		if (!strcmp(t->name, smp_tests[i]))
			return true;
	return false;
}

/* KVM exits per operation summed over the vCPUs (vcpus.sum.kvm_stats.exits), NAN when the file has none. */
static double exits_sum(const struct test_result *t)
{
	json_t *o = t->vcpus_json && t->iterations ? json_loads(t->vcpus_json, 0, NULL) : NULL;
	json_t *e = json_object_get(json_object_get(json_object_get(o, "sum"), "kvm_stats"), "exits");
	double v = json_is_integer(e) ? (double)json_integer_value(e) / (double)t->iterations : NAN;

	json_decref(o);
	return v;
}

struct vrow {
	long long n;
	size_t file;
	const struct test_result *t;
};

static int vrow_cmp(const void *a, const void *b)
{
	const struct vrow *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return (x->file > y->file) - (x->file < y->file);
}

int plot_vcpus_write_data(const struct run_result *runs, const char *const *names, size_t nruns, const char *path,
			  struct plot_vcpus_info *info)
{
	struct vrow *rows = NULL;
	FILE *f;
	size_t cap = 0;

	memset(info, 0, sizeof(*info));
	info->nn = plot_vcpus_distinct(runs, nruns, info->n, (int)(sizeof(info->n) / sizeof(info->n[0])));
	f = fopen(path, "we");
	if (!f)
		return -1;
	for (size_t i = 0; i < nruns; i++)
		cap += runs[i].ntests;
	rows = calloc(cap + 1, sizeof(*rows));
	if (!rows) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	fprintf(f, "# exitlab vCPUs: exit-costs at several --vcpus, from %zu file%s\n", nruns, nruns == 1 ? "" : "s");
	for (size_t i = 0; i < nruns; i++)
		fprintf(f, "# file %zu: %s (vcpus %lld)\n", i, names && names[i] ? names[i] : "?",
			plot_vcpus_of(&runs[i]));
	fprintf(f, "# one block per test: vcpus median p1 p99 kvm_exits_per_op_all_vcpus file\n"
		   "# (cycles per operation; exits: vcpus.sum.kvm_stats.exits / iterations, vCPU 0's phase-end\n"
		   "#  doorbell included; NaN without a vcpus object, i.e. one vCPU)\n");
	for (size_t s = 0; s < NSMP; s++) {
		for (int ring = 0; ring <= 3; ring++) {
			size_t k = 0;

			for (size_t i = 0; i < nruns; i++)
				for (size_t j = 0; j < runs[i].ntests; j++) {
					const struct test_result *t = &runs[i].tests[j];

					if (plot_vcpus_is_smp_test(t) && t->ring == ring && !strcmp(t->name, smp_tests[s]))
						rows[k++] = (struct vrow){ plot_vcpus_of(&runs[i]), i, t };
				}
			if (!k)
				continue;
			qsort(rows, k, sizeof(*rows), vrow_cmp);
			if (info->nseries < PLOT_VCPUS_MAX_SERIES) {
				snprintf(info->series[info->nseries], sizeof(info->series[0]), "%s cpl%d", smp_tests[s],
					 ring);
				info->npoints[info->nseries] = (int)k;
			}
			fprintf(f, "%s\"%s cpl%d\"\n", info->nseries ? "\n\n" : "", smp_tests[s], ring);
			for (size_t r = 0; r < k; r++) {
				double e = exits_sum(rows[r].t);

				fprintf(f, "%lld %.6g %.6g %.6g %.6g %zu\n", rows[r].n, rows[r].t->cycles.median,
					rows[r].t->cycles.p1, rows[r].t->cycles.p99, e, rows[r].file);
				info->nexits += !isnan(e);
				info->emulated |= rows[r].t->emulated;
				info->rows++;
			}
			info->nseries++;
		}
	}
	free(rows);
	if (plot_data_close(f))
		return -1;
	return info->rows;
}

static int draw(const struct chart_job *j, const char *script, const struct plot_vcpus_info *info)
{
	char title[512], ctx[320], xtics[64 * 24] = "", vars[128];
	size_t used = 0;

	plot_runs_context(j->runs, j->n, ctx, sizeof(ctx));
	snprintf(title, sizeof(title), "exitlab exit-costs: cost and KVM exits against the number of vCPUs - %s", ctx);
	for (int i = 0; i < info->nn && used < sizeof(xtics); i++)
		used += snprintf(xtics + used, sizeof(xtics) - used, "%s%lld", i ? " " : "", info->n[i]);
	snprintf(vars, sizeof(vars), "nseries=%d; nexits=%d", info->nseries < PLOT_VCPUS_MAX_SERIES ? info->nseries :
		 PLOT_VCPUS_MAX_SERIES, info->nexits);
	{
		struct gp_var v[4 + PLOT_VCPUS_MAX_SERIES + 1] = { /* the four, the keys, the note */
			{ "datafile", j->dat }, { "outfile", j->out }, { "plottitle", title }, { "vcpulist", xtics },
		};
		char keys[PLOT_VCPUS_MAX_SERIES][16];
		size_t nv = 4;

		for (int i = 0; i < info->nseries && i < PLOT_VCPUS_MAX_SERIES; i++) {
			snprintf(keys[i], sizeof(keys[i]), "key_%d", i);
			v[nv++] = (struct gp_var){ keys[i], info->series[i] };
		}
		if (info->emulated)
			v[nv++] = (struct gp_var){ "note", "CPL0 instruction-emulated (PVM): the cycles measure the "
							    "emulator; the exit counts are what the protocol costs." };
		return plot_run_script(script, v, nv, vars);
	}
}

int plot_vcpus_chart(const struct chart_job *j)
{
	char *script;
	struct plot_vcpus_info info;
	int rows, rc;

	if (plot_vcpus_distinct(j->runs, j->n, info.n, 2) < 2) {
		fprintf(stderr, "exitlab plot: the %zu exit-costs files all ran with --vcpus %lld: the chart against "
			"the number of vCPUs needs runs at two counts or more (one file gets the bar chart)\n", j->n,
			plot_vcpus_of(&j->runs[0]));
		return EXIT_USAGE;
	}
	script = plot_find_script("plot-vcpus.gp");
	if (!script)
		return EXIT_NOHOST;
	rows = plot_vcpus_write_data(j->runs, j->names, j->n, j->dat, &info);
	if (rows <= 0) {
		if (rows < 0)
			fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		else
			fprintf(stderr, "exitlab plot: no ipi, ipi_halt, ipi_broadcast, tlb_shootdown or "
				"ple_round_robin test with status ok in these files (exitlab run exit-costs "
				"--vcpus N, N >= 2, runs them)\n");
		unlink(j->dat);
		free(script);
		return rows < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	rc = draw(j, script, &info);
	if (rc == EXIT_OK) {
		printf("wrote %s (%d tests at %d vCPU counts from %zu files; numbers in %s)\n", j->out, info.nseries,
		       info.nn, j->n, j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), j->runs[0].payload,
					       j->kind))
			rc = EXIT_FAILED;
	}
	free(script);
	return rc;
}

bool plot_vcpus_applies(const struct run_result *runs, size_t n)
{
	long long v[2];

	if (plot_vcpus_distinct(runs, n, v, 2) < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < runs[i].ntests; k++)
			if (plot_vcpus_is_smp_test(&runs[i].tests[k]))
				return true;
	return false;
}
