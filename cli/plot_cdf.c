// SPDX-License-Identifier: MIT
/*
 * exitlab plot --cdf: the distribution of the raw samples a results file kept
 * (exitlab run --raw, "samples_cycles"), one step line per test, drawn by
 * scripts/plot-cdf.gp.  Large sample sets are thinned to evenly spaced ranks
 * so the data file and the chart stay small.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plot.h"
#include "report_table.h"
#include "results.h"

#define CDF_MAX_POINTS 2000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int plot_cdf_write_data(const struct run_result *r, const char *path, int *ntests, bool *logx)
{
	FILE *f = fopen(path, "we");

	*ntests = 0;
	*logx = true;
	if (!f)
		return -1;
	fprintf(f, "# exitlab CDF: payload %.32s, started %.32s\n"
		   "# one block per test: cycles_per_op fraction_at_or_below\n", r->payload, r->started_at);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		size_t n = t->nsamples, step;
		char label[128];
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
		qsort(s, n, sizeof(*s), cmp_double);
		if (s[0] <= 0)
			*logx = false;
		report_test_label(label, sizeof(label), t);
		for (char *p = label; *p; p++)
			if (*p == '"' || *p < ' ')
				*p = '_';
		fprintf(f, "%s\"%s/%s\"\n", *ntests ? "\n\n" : "", label,
			strncmp(t->where, "host", sizeof(t->where)) ? (t->ring == 0 ? "cpl0" : "cpl3") : "host");
		step = n > CDF_MAX_POINTS ? n / CDF_MAX_POINTS : 1;
		for (size_t k = 0; k < n; k += step)
			fprintf(f, "%.6g %.6g\n", s[k], (double)(k + 1) / (double)n);
		if ((n - 1) % step)
			fprintf(f, "%.6g 1\n", s[n - 1]);
		free(s);
		(*ntests)++;
	}
	if (ferror(f)) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	if (fclose(f))
		return -1;
	return *ntests;
}

int plot_cdf_draw(const struct run_result *r, const char *dat, const char *out, const char *script, int ntests,
		  bool logx)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *cpu = plot_find_string(ctx, "model_name"), *backend = plot_find_string(ctx, "backend");
	char title[512], vars[64], *e[4] = { 0 };
	int rc = 1;

	snprintf(title, sizeof(title), "exitlab %.32s: CDF of raw samples - %s - %s - %.32s", r->payload,
		 cpu ? cpu : "unknown CPU", backend ? backend : "unknown backend", r->started_at);
	snprintf(vars, sizeof(vars), "n_tests=%d; logx=%d", ntests, logx ? 1 : 0);
	e[0] = plot_gp_assign("datafile", dat);
	e[1] = plot_gp_assign("outfile", out);
	e[2] = plot_gp_assign("plottitle", title);
	e[3] = strdup(vars);
	if (e[0] && e[1] && e[2] && e[3]) {
		char *argv[] = { "gnuplot", "-e", e[0], "-e", e[1], "-e", e[2], "-e", e[3], (char *)script, NULL };

		rc = plot_run_gnuplot(argv);
	} else {
		fprintf(stderr, "exitlab plot: out of memory\n");
	}
	for (int i = 0; i < 4; i++)
		free(e[i]);
	json_decref(ctx);
	return rc;
}
