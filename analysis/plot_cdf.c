// SPDX-License-Identifier: MIT
/*
 * exitlab plot --cdf / --ccdf: the distribution of the raw samples a results
 * file kept (exitlab run --raw, "samples_cycles"), one step line per test,
 * drawn by scripts/plot-cdf.gp.  Large sample sets are thinned to evenly
 * spaced ranks so the data file and the chart stay small.  With many tests
 * each line differs from the others in colour, dash and point symbol, so
 * that they are told apart in print too; the complementary CDF on a log axis
 * shows the tails that a CDF squeezes against 1.
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
#include "analysis/report_table.h"
#include "analysis/results.h"

#define CDF_MAX_POINTS 2000
#define CDF_MARKS 10

bool plot_test_is_latency(const struct test_result *t)
{
	return !strcmp(t->where, "guest") && (!strcmp(t->name, "irq_device") || !strcmp(t->name, "irq_device_halt"));
}

const char *plot_cdf_xlabel(const struct plot_cdf_info *info)
{
	if (info->nlatency && info->nlatency == info->ntests)
		return "latency in cycles: host eventfd write (TSC-stamped) to the guest interrupt handler "
		       "(raw sample, nothing subtracted)";
	if (info->nlatency)
		return "cycles: per operation, loop overhead subtracted; lines marked latency: host eventfd write "
		       "to the guest handler, nothing subtracted";
	return "cycles per operation (raw sample, loop overhead subtracted)";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int plot_cdf_write_data(const struct run_result *r, const char *path, struct plot_cdf_info *info)
{
	FILE *f = fopen(path, "we");

	double min_positive = 0;

	memset(info, 0, sizeof(*info));
	if (!f)
		return -1;
	fprintf(f, "# exitlab CDF: payload %.32s, started %.32s\n"
		   "# one block per test: cycles_per_op fraction_at_or_below fraction_at_or_above mark\n"
		   "# mark: 1 on the rows where the chart draws the line's point symbol\n"
		   "# a block named \"... latency\" (irq_device, irq_device_halt): cycles from the host's eventfd write\n"
		   "# to the guest's handler, the loop overhead the collector subtracted added back\n",
		r->payload, r->started_at);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		size_t n = t->nsamples, step, rows, every, offset;
		char label[128], key[112];
		double *s;

		/* "empty" is the loop overhead the other samples had subtracted, as in the bars */
		if (t->status != TEST_OK || !t->samples || !n || !strcmp(t->name, "empty"))
			continue;
		s = malloc(n * sizeof(*s));
		if (!s) {
			fclose(f);
			errno = ENOMEM;
			return -1;
		}
		memcpy(s, t->samples, n * sizeof(*s));
		/* a latency has no loop in it: undo the collector's subtraction */
		if (plot_test_is_latency(t) && isfinite(t->overhead_cycles))
			for (size_t k = 0; k < n; k++)
				s[k] += t->overhead_cycles;
		qsort(s, n, sizeof(*s), cmp_double);
		for (size_t k = 0; k < n && s[k] <= 0; k++)
			info->nonpositive++;
		if (info->nonpositive < n && (min_positive <= 0 || s[info->nonpositive] < min_positive))
			min_positive = s[info->nonpositive];
		if (n > info->max_samples)
			info->max_samples = n;
		report_test_label(label, sizeof(label), t);
		for (char *p = label; *p; p++)
			if (*p == '"' || *p == '\\' || *p < ' ')
				*p = '_';
		snprintf(key, sizeof(key), "%.96s/%s%s", label,
			 strncmp(t->where, "host", sizeof(t->where)) ? (t->ring == 0 ? "cpl0" : "cpl3") : "host",
			 plot_test_is_latency(t) ? " latency" : "");
		info->nlatency += plot_test_is_latency(t);
		if (info->ntests < PLOT_CDF_MAX_KEYS)
			snprintf(info->key[info->ntests], sizeof(info->key[0]), "%s", key);
		fprintf(f, "%s\"%s\"\n", info->ntests ? "\n\n" : "", key);
		step = n > CDF_MAX_POINTS ? n / CDF_MAX_POINTS : 1;
		rows = (n + step - 1) / step + ((n - 1) % step ? 1 : 0);
		/* about CDF_MARKS marked rows per line, staggered by the line's index so that lines' marks do not stack */
		every = rows > CDF_MARKS ? rows / CDF_MARKS : 1;
		offset = ((size_t)info->ntests * every) / 7 % every;
		for (size_t k = 0, row = 0; k < n; k += step, row++)
			fprintf(f, "%.6g %.6g %.6g %d\n", s[k], (double)(k + 1) / (double)n, (double)(n - k) / (double)n,
				(row + every - offset) % every == 0);
		if ((n - 1) % step)
			fprintf(f, "%.6g 1 %.6g 0\n", s[n - 1], 1.0 / (double)n);
		free(s);
		info->ntests++;
	}
	info->logx = min_positive > 0;
	info->xfloor = min_positive / 10;
	if (plot_data_close(f))
		return -1;
	return info->ntests;
}

void plot_free_args(char **args)
{
	for (size_t i = 0; args && args[i]; i++)
		free(args[i]);
	free(args);
}

char **plot_cdf_args(const struct run_result *r, const char *dat, const char *out,
		     const struct plot_cdf_info *info, bool ccdf)
{
	int nkeys = info->ntests < PLOT_CDF_MAX_KEYS ? info->ntests : PLOT_CDF_MAX_KEYS;
	char **a = calloc((size_t)nkeys + 7, sizeof(*a));
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *cpu = plot_find_string(ctx, "model_name"), *backend = plot_find_string(ctx, "backend");
	char title[640], hk[200], vars[192];
	size_t n = 0;
	bool ok = a != NULL;

	plot_host_kernel(ctx, hk, sizeof(hk));
	snprintf(title, sizeof(title), "exitlab %.32s: %s of raw samples - %s - %s - %s - %.32s", r->payload,
		 ccdf ? "CCDF (fraction at or above x)" : "CDF", hk, cpu ? cpu : "unknown CPU",
		 backend ? backend : "unknown backend", r->started_at);
	snprintf(vars, sizeof(vars), "n_tests=%d; n_keys=%d; logx=%d; ccdf=%d; max_samples=%zu; xfloor=%.6g; "
		 "n_nonpositive=%zu", info->ntests, nkeys, info->logx ? 1 : 0, ccdf ? 1 : 0, info->max_samples,
		 info->xfloor, info->nonpositive);
	if (ok) {
		ok = (a[n++] = plot_gp_assign("datafile", dat)) && (a[n++] = plot_gp_assign("outfile", out)) &&
		     (a[n++] = plot_gp_assign("plottitle", title)) &&
		     (a[n++] = plot_gp_assign("xtitle", plot_cdf_xlabel(info))) && (a[n++] = strdup(vars));
		for (int i = 0; ok && i < nkeys; i++) {
			char var[16];

			snprintf(var, sizeof(var), "key_%d", i);
			ok = (a[n++] = plot_gp_assign(var, info->key[i])) != NULL;
		}
	}
	json_decref(ctx);
	if (!ok) {
		plot_free_args(a);
		return NULL;
	}
	return a;
}

int plot_cdf_draw(const struct run_result *r, const char *dat, const char *out, const char *script,
		  const struct plot_cdf_info *info, bool ccdf)
{
	char **a = plot_cdf_args(r, dat, out, info, ccdf), **argv = NULL;
	size_t n = 0;
	int rc = EXIT_FAILED;

	while (a && a[n])
		n++;
	if (a)
		argv = calloc(2 * n + 3, sizeof(*argv));
	if (argv) {
		argv[0] = "gnuplot";
		for (size_t i = 0; i < n; i++) {
			argv[1 + 2 * i] = "-e";
			argv[2 + 2 * i] = a[i];
		}
		argv[1 + 2 * n] = (char *)script;
		rc = plot_run_gnuplot(argv);
	} else {
		fprintf(stderr, "exitlab plot: out of memory\n");
	}
	free(argv);
	plot_free_args(a);
	return rc;
}

bool plot_has_samples(const struct run_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].status == TEST_OK && r->tests[i].samples && r->tests[i].nsamples &&
		    strcmp(r->tests[i].name, "empty"))
			return true;
	return false;
}

int plot_cdf_chart(const struct chart_job *j, bool ccdf)
{
	char *script = plot_find_script("plot-cdf.gp");
	struct plot_cdf_info *info = malloc(sizeof(*info));
	int rc, n;

	if (!script || !info) {
		if (script)
			fprintf(stderr, "exitlab plot: out of memory\n");
		free(script);
		free(info);
		return script ? EXIT_FAILED : EXIT_NOHOST;
	}
	n = plot_cdf_write_data(&j->runs[0], j->dat, info);
	if (n <= 0) {
		if (n < 0)
			fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		else
			fprintf(stderr, "exitlab plot: %s kept no raw samples (run it with exitlab run --raw)\n",
				j->names[0]);
		unlink(j->dat);
		free(script);
		free(info);
		return n < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	rc = plot_cdf_draw(&j->runs[0], j->dat, j->out, script, info, ccdf);
	if (rc == EXIT_OK) {
		printf("wrote %s (%d tests; numbers in %s)\n", j->out, info->ntests, j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), j->runs[0].payload,
					       CHART_CDF))
			rc = EXIT_FAILED;
	}
	free(script);
	free(info);
	return rc;
}
