// SPDX-License-Identifier: MIT
/*
 * Every chart of results files or a results directory, as `exitlab plot`
 * draws them and the report embeds them: a file's chart is its payload
 * view's (payload_views.c; the exit-cost bars when it has none); a campaign
 * run directory gets every done entry's chart, the CDF of the entries that
 * kept raw samples and one combined chart per device payload; a directory of
 * several runs gets the regression timeline (plot_timeline.c).  Each chart
 * drawn goes on the caller's list, so nobody guesses file names.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/input_file.h"
#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/fleet_manifest.h"
#include "analysis/payload_views.h"
#include "analysis/results_store.h"

int chart_list_add(struct chart_list *l, const char *path, const char *dat, const char *results,
		   const char *payload, enum chart_kind kind)
{
	struct chart_file *v, *c;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0; /* gnuplot said yes but left no file: nothing was written */
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		goto oom;
	l->v = v;
	c = &v[l->n];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	c->dat = strdup(dat);
	c->results = results ? strdup(results) : NULL;
	snprintf(c->payload, sizeof(c->payload), "%s", payload);
	c->kind = kind;
	if (!c->path || !c->dat || (results && !c->results)) {
		free(c->path);
		free(c->dat);
		free(c->results);
		goto oom;
	}
	l->n++;
	return 0;
oom:
	fprintf(stderr, "exitlab plot: out of memory\n");
	return -1;
}

void chart_list_free(struct chart_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].dat);
		free(l->v[i].results);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The chart(s) of runs[0..nruns) (one payload) in out, the numbers in dat: an EXIT_* code. */
static int plot_runs(const struct run_result *runs, const char *const *names, size_t nruns, const char *dat,
		     const char *out, enum chart_kind kind, struct chart_list *wrote)
{
	const struct payload_view *v = payload_view_find(runs[0].payload);
	struct chart_job j = { .runs = runs, .names = names, .n = nruns, .dat = dat, .out = out, .kind = kind,
			       .wrote = wrote };

	if (nruns > 1 && v && v->chart_many)
		return v->chart_many(&j);
	return (v && v->chart ? v->chart : plot_bars_chart)(&j);
}

/* OUTDIR/BASE.EXT and OUTDIR/BASE.dat; 0, or -1 out of memory. */
static int out_names(const char *outdir, const char *base, char **png, char **dat)
{
	*png = *dat = NULL;
	if (asprintf(png, "%s/%s%s", outdir, base, plot_format_ext()) < 0) {
		*png = NULL;
		return -1;
	}
	if (asprintf(dat, "%s/%s.dat", outdir, base) < 0) {
		*dat = NULL;
		return -1;
	}
	return 0;
}

/*
 * The combined chart of every entry of the run of payload v: a device
 * payload's as OUTDIR/<payload>-all.EXT, a chart_many view's as
 * OUTDIR/<payload>-<many_suffix>.EXT when its many_applies says the entries fit.
 */
static int plot_dir_combined(const struct run_result *res, const char *const *names, size_t n,
			     const struct payload_view *v, const char *outdir, struct chart_list *wrote)
{
	struct run_result *sel = calloc(n + 1, sizeof(*sel));
	const char **sel_names = calloc(n + 1, sizeof(*sel_names));
	char *png = NULL, *dat = NULL, base[48];
	size_t k = 0;
	int rc = EXIT_OK;

	if (!sel || !sel_names) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(res[i].payload, v->name)) {
			sel[k] = res[i]; /* shallow: the charts only read */
			sel_names[k++] = names[i];
		}
	if (!k || (!v->device && (k < 2 || !v->many_applies || !v->many_applies(sel, k))))
		goto out;
	snprintf(base, sizeof(base), "%s-%s", v->name, v->device ? "all" : v->many_suffix);
	if (out_names(outdir, base, &png, &dat)) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	rc = plot_runs(sel, sel_names, k, dat, png, CHART_COMBINED, wrote);
out:
	free(png);
	free(dat);
	free(sel);
	free(sel_names);
	return rc;
}

/*
 * A campaign run directory: every done entry's chart as OUTDIR/<entry file
 * name>.EXT, then one combined chart per device payload.  A corrupt entry is
 * named and skipped (exit 1); a chart that fails makes the exit code too.
 */
static int plot_dir(const char *dir, const char *outdir_opt, struct chart_list *wrote)
{
	struct store_run run = { 0 };
	struct run_result *res = NULL;
	const char **names = NULL;
	char err[512], *outdir = NULL;
	size_t n = 0;
	int rc = EXIT_OK, r, nskipped = 0;

	if (store_read_manifest(dir, &run, err, sizeof(err))) {
		fprintf(stderr, "exitlab plot: %s/manifest.json: %s\n", dir, err);
		return EXIT_USAGE;
	}
	if (outdir_opt)
		outdir = strdup(outdir_opt);
	else if (asprintf(&outdir, "%s/plots", dir) < 0)
		outdir = NULL;
	res = calloc(run.nentries + 1, sizeof(*res));
	names = calloc(run.nentries + 1, sizeof(*names));
	if (!outdir || !res || !names) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	if (mkdir(outdir, 0777) && errno != EEXIST) {
		fprintf(stderr, "exitlab plot: cannot create %s: %s\n", outdir, strerror(errno));
		rc = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < run.nentries; i++) {
		const struct store_entry *e = &run.entries[i];

		if (strcmp(e->status, "done") || !e->results)
			continue;
		r = store_load_entry(e, &res[n], err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "exitlab plot: skipped entry %s: %s\n", e->name, err);
			results_free(&res[n]);
			memset(&res[n], 0, sizeof(res[n]));
			nskipped++;
			continue;
		}
		if (r == 0)
			continue;
		names[n++] = e->results;
	}
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(names[i], '/');
		char *png = NULL, *dat = NULL, *base = strdup(slash ? slash + 1 : names[i]), *dot;

		if (base && (dot = strrchr(base, '.')) && !strcmp(dot, ".json"))
			*dot = '\0';
		if (!base || out_names(outdir, base, &png, &dat)) {
			free(png);
			free(dat);
			fprintf(stderr, "exitlab plot: out of memory\n");
			free(base);
			rc = EXIT_FAILED;
			goto out;
		}
		r = plot_runs(&res[i], &names[i], 1, dat, png, CHART_MAIN, wrote);
		if (r != EXIT_OK && rc == EXIT_OK)
			rc = r;
		free(png);
		free(dat);
		png = dat = NULL;
		/* an entry that kept its raw samples (exitlab run --raw): their CDF as well */
		if (plot_has_samples(&res[i])) {
			char *cdf_base = NULL;

			if (asprintf(&cdf_base, "%s-cdf", base) < 0 || out_names(outdir, cdf_base, &png, &dat)) {
				fprintf(stderr, "exitlab plot: out of memory\n");
				r = EXIT_FAILED;
			} else {
				struct chart_job j = { .runs = &res[i], .names = &names[i], .n = 1, .dat = dat, .out = png,
						       .kind = CHART_CDF, .wrote = wrote };

				r = plot_cdf_chart(&j, false);
			}
			if (r != EXIT_OK && rc == EXIT_OK)
				rc = r;
			free(cdf_base);
			free(png);
			free(dat);
		}
		free(base);
	}
	for (size_t k = 0; k < npayload_views; k++) {
		if (!payload_views[k].device && !payload_views[k].chart_many)
			continue;
		r = plot_dir_combined(res, names, n, &payload_views[k], outdir, wrote);
		if (r != EXIT_OK && rc == EXIT_OK)
			rc = r;
	}
	if (nskipped && rc == EXIT_OK)
		rc = EXIT_FAILED;
	if (!n)
		fprintf(stderr, "exitlab plot: %s has no done entry to draw\n", dir);
out:
	for (size_t i = 0; i < n; i++)
		results_free(&res[i]);
	free(res);
	free(names);
	free(outdir);
	store_run_free(&run);
	return rc;
}

static bool is_run_dir(const char *dir)
{
	char *m = NULL;
	bool yes;

	if (asprintf(&m, "%s/manifest.json", dir) < 0)
		return true; /* plot_dir then says what is wrong */
	yes = access(m, F_OK) == 0;
	free(m);
	return yes;
}

/* A directory of several runs (a campaign directory, a store root): the regression timeline. */
static int plot_dir_timeline(const char *dir, const char *outdir_opt, enum plot_scale scale,
			     struct chart_list *wrote)
{
	char *script = plot_find_script("plot-timeline.gp"), *outdir = NULL;
	int rc;

	if (!script)
		return EXIT_NOHOST;
	if (outdir_opt)
		outdir = strdup(outdir_opt);
	else if (asprintf(&outdir, "%s/plots", dir) < 0)
		outdir = NULL;
	if (!outdir) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		free(script);
		return EXIT_FAILED;
	}
	rc = plot_timeline(dir, outdir, script, plot_format_ext(), scale, wrote);
	free(outdir);
	free(script);
	return rc;
}

/*
 * A fleet run directory (docs/fleet.md): each host's campaign run drawn as
 * `exitlab plot RUNDIR` draws it, into OUTDIR/<host>/ (default DIR/plots/):
 * the charts grouped by host, never a timeline across hosts.
 */
static int plot_fleet(const char *dir, const char *outdir_opt, struct chart_list *wrote)
{
	struct fleet_manifest m;
	char err[600], *outdir = NULL;
	int rc = EXIT_OK, r, drawn = 0;

	if (fleet_manifest_read(dir, &m, err, sizeof(err))) {
		fprintf(stderr, "exitlab plot: %s\n", err);
		return EXIT_USAGE;
	}
	if (outdir_opt)
		outdir = strdup(outdir_opt);
	else if (asprintf(&outdir, "%s/plots", dir) < 0)
		outdir = NULL;
	if (!outdir || (mkdir(outdir, 0777) && errno != EEXIST)) {
		fprintf(stderr, "exitlab plot: cannot create %s: %s\n", outdir ? outdir : "?",
			outdir ? strerror(errno) : "out of memory");
		free(outdir);
		fleet_manifest_free(&m);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < m.nhosts; i++) {
		char *hdir = NULL, *hout = NULL;

		if (!m.hosts[i].has_results) {
			fprintf(stderr, "exitlab plot: host %s: no results (%s%s%s)\n", m.hosts[i].name,
				fleet_state_name(m.hosts[i].state), *m.hosts[i].reason ? ": " : "", m.hosts[i].reason);
			continue;
		}
		if (asprintf(&hdir, "%s/%s/%s", dir, m.hosts[i].name, FLEET_HOST_RESULTS) < 0 ||
		    asprintf(&hout, "%s/%s", outdir, m.hosts[i].name) < 0) {
			free(hdir);
			rc = EXIT_FAILED;
			break;
		}
		r = plot_dir(hdir, hout, wrote);
		drawn++;
		if (r != EXIT_OK && rc == EXIT_OK)
			rc = r;
		free(hdir);
		free(hout);
	}
	if (!drawn)
		fprintf(stderr, "exitlab plot: %s: no host has results to draw\n", dir);
	free(outdir);
	fleet_manifest_free(&m);
	return rc;
}

/* A directory: a run directory's charts, or the timeline of several runs. */
static int plot_directory(const char *const *inputs, size_t n, const struct plot_opts *o, struct chart_list *wrote)
{
	const char *in = inputs[0];

	if (o->cdf) {
		fprintf(stderr, "exitlab plot: --cdf takes one results file\n");
		return EXIT_USAGE;
	}
	if (n > 1) {
		fprintf(stderr, "exitlab plot: a run directory is plotted alone\n");
		return EXIT_USAGE;
	}
	if (o->scale_given && is_run_dir(in)) {
		fprintf(stderr, "exitlab plot: --scale is for the timeline of several runs "
				"(a directory without manifest.json), not for a run directory\n");
		return EXIT_USAGE;
	}
	if (fleet_dir_is_fleet(in)) {
		if (o->scale_given) {
			fprintf(stderr, "exitlab plot: --scale is for the timeline of several runs, not for a fleet "
					"run (its hosts are drawn each on its own)\n");
			return EXIT_USAGE;
		}
		return plot_fleet(in, o->out, wrote);
	}
	return is_run_dir(in) ? plot_dir(in, o->out, wrote) : plot_dir_timeline(in, o->out, o->scale, wrote);
}

/* Results files: their chart, or with --cdf the CDF of one file's raw samples. */
static int plot_files(const char *const *names, size_t nfiles, const struct plot_opts *o, struct chart_list *wrote)
{
	const char *in = names[0], *ext = plot_format_ext();
	char *png = NULL, *dat = NULL, err[512];
	struct run_result *runs = calloc(nfiles, sizeof(*runs));
	size_t nruns = 0;
	int rc = EXIT_USAGE;

	if (!runs) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		return EXIT_FAILED;
	}
	for (; nruns < nfiles; nruns++) {
		if (results_read_json(names[nruns], &runs[nruns], err, sizeof(err))) {
			fprintf(stderr, "exitlab plot: %s\n", err);
			results_free(&runs[nruns]);
			goto out;
		}
	}
	if (plot_same_payload(runs, names, nruns, err, sizeof(err))) {
		fprintf(stderr, "exitlab plot: %s\n", err);
		goto out;
	}
	if (o->scale_given) {
		fprintf(stderr, "exitlab plot: --scale is for the timeline of several runs (exitlab plot DIR)\n");
		goto out;
	}
	if (o->cdf && nruns > 1) {
		fprintf(stderr, "exitlab plot: --cdf takes one results file\n");
		goto out;
	}
	if (o->cdf && !o->out) {
		char cdf_ext[16];

		snprintf(cdf_ext, sizeof(cdf_ext), "%s%s", o->ccdf ? "-ccdf" : "-cdf", ext);
		png = plot_swap_ext(in, ".json", cdf_ext);
	} else {
		png = o->out ? strdup(o->out) : plot_swap_ext(in, ".json", ext);
	}
	dat = png ? plot_swap_ext(png, ext, ".dat") : NULL;
	if (!png || !dat) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		rc = EXIT_FAILED;
		goto out;
	}
	/* by device and inode too: ./F.json is F.json */
	for (size_t i = 0; i < nruns; i++)
		if (!strcmp(png, names[i]) || !strcmp(dat, names[i]) || input_file_same(png, names[i]) ||
		    input_file_same(dat, names[i])) {
			fprintf(stderr, "exitlab plot: refusing to overwrite the results file %s (%s)\n",
				names[i], !strcmp(png, names[i]) || input_file_same(png, names[i]) ? png : dat);
			goto out;
		}
	if (o->cdf) {
		struct chart_job j = { .runs = runs, .names = names, .n = 1, .dat = dat, .out = png, .kind = CHART_CDF,
				       .wrote = wrote };

		rc = plot_cdf_chart(&j, o->ccdf);
	} else {
		rc = plot_runs(runs, names, nruns, dat, png, CHART_MAIN, wrote);
	}
out:
	free(png);
	free(dat);
	for (size_t i = 0; i < nruns; i++)
		results_free(&runs[i]);
	free(runs);
	return rc;
}

int plot_charts(const char *const *inputs, size_t n, const struct plot_opts *o, struct chart_list *wrote)
{
	struct stat st;

	plot_set_format(o->term, o->ext);
	if (!stat(inputs[0], &st) && S_ISDIR(st.st_mode))
		return plot_directory(inputs, n, o, wrote);
	return plot_files(inputs, n, o, wrote);
}
