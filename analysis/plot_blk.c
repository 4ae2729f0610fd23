// SPDX-License-Identifier: MIT
/*
 * exitlab plot for payload blk, from one or several results files: I/Os per
 * second (top) and exits per I/O (bottom, log, userspace exits as points) as
 * bars clustered by (block size, queue depth), one bar per (disk model,
 * notify mode, read/write).  The numbers go to OUT.dat first, documented in
 * scripts/plot-blk.gp.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/outcome.h"
#include "analysis/charts.h"
#include "analysis/gnuplot.h"
#include "analysis/payload_views.h"
#include "analysis/plot.h"
#include "analysis/plot_device.h"

struct blk_point {
	char base[64];           /* the device's legend name */
	char label[128];         /* base, rw, differing params: the series */
	int write;               /* 0 read, 1 write (read first) */
	long long bs, qd, event_idx, irq;
	int cat;                 /* index into info->cats */
	double exits, user, ns;  /* per I/O; NAN: none */
	uint64_t ios;
	size_t run, order;
};

bool plot_blk_is_io_test(const struct test_result *t)
{
	return (!strcmp(t->name, "read") || !strcmp(t->name, "write")) && t->status == TEST_OK;
}

static long long int_param(json_t *p, const char *key)
{
	json_t *v = json_object_get(p, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long long)json_integer_value(v) : -1;
}

static double value_or_nan(bool have, double v)
{
	return have && isfinite(v) && v >= 0 ? v : NAN;
}

static bool point_of(const struct run_result *r, const char *file, const struct test_result *t,
		     struct blk_point *pt)
{
	json_t *p = t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
	struct plot_device d;
	bool ok = false;

	memset(pt, 0, sizeof(*pt));
	pt->write = !strcmp(t->name, "write");
	pt->bs = int_param(p, "bs");
	pt->qd = int_param(p, "qd");
	pt->event_idx = int_param(p, "event_idx");
	pt->irq = int_param(p, "irq");
	if (pt->bs < 1 || pt->bs > (1ll << 30) || pt->qd < 1 || pt->qd > 65536) {
		fprintf(stderr, "exitlab plot: %s: a %s test without a block size bs and a queue depth qd: "
			"not drawn\n", file, t->name);
		goto out;
	}
	pt->exits = value_or_nan(t->has_exits, t->exits_per_iteration);
	pt->user = value_or_nan(t->has_exits, t->userspace_exits_per_iteration);
	/* ns per I/O by throughput (I/Os overlap at qd > 1): the phase's wall time over its I/Os */
	pt->ns = isfinite(test_ops_per_s(t)) ? 1e9 / test_ops_per_s(t) : NAN;
	if (pt->ns == 0)
		pt->ns = NAN;
	if (isnan(pt->exits) && isnan(pt->ns)) {
		fprintf(stderr, "exitlab plot: %s: %s bs=%lld qd=%lld has neither exit counts nor timing: "
			"not drawn\n", file, t->name, pt->bs, pt->qd);
		goto out;
	}
	pt->ios = t->iterations;
	if (plot_run_device(r, true, &d))
		plot_device_label(&d, pt->base, sizeof(pt->base));
	else
		snprintf(pt->base, sizeof(pt->base), "unknown disk");
	ok = true;
out:
	json_decref(p);
	return ok;
}

static int point_cmp(const void *a, const void *b)
{
	const struct blk_point *x = a, *y = b;
	int c = strcmp(x->label, y->label);

	if (!c)
		c = x->bs < y->bs ? -1 : x->bs > y->bs;
	if (!c)
		c = x->qd < y->qd ? -1 : x->qd > y->qd;
	if (!c)
		c = x->run != y->run ? (x->run < y->run ? -1 : 1) : (x->order < y->order ? -1 : x->order > y->order);
	return c;
}

/* As for net: rows of one device differing in event_idx or irq are separate series. */
static void name_series(struct blk_point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool ev = false, irq = false;
		char extra[64] = "";
		size_t len = 0;

		for (size_t j = 0; j < n; j++)
			if (!strcmp(pts[i].base, pts[j].base)) {
				ev |= pts[j].event_idx != pts[i].event_idx;
				irq |= pts[j].irq != pts[i].irq;
			}

		if (ev)
			len += snprintf(extra, sizeof(extra), ", event_idx=%lld", pts[i].event_idx);
		if (irq && len < sizeof(extra))
			snprintf(extra + len, sizeof(extra) - len, ", irq=%lld", pts[i].irq);
		snprintf(pts[i].label, sizeof(pts[i].label), "%s %s%s", pts[i].base, pts[i].write ? "write" : "read",
			 extra);
	}
}

static void bs_text(char *buf, size_t len, long long bs)
{
	if (bs % (1024 * 1024) == 0)
		snprintf(buf, len, "%lldMiB", bs / (1024 * 1024));
	else if (bs % 1024 == 0)
		snprintf(buf, len, "%lldKiB", bs / 1024);
	else
		snprintf(buf, len, "%lldB", bs);
}

/* The clusters: each distinct (bs, qd), ascending; a point's index into them. */
static int cat_cmp(const void *a, const void *b)
{
	const long long *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int make_cats(struct blk_point *pts, size_t n, struct plot_blk_info *info)
{
	long long (*c)[2] = calloc(n + 1, sizeof(*c));
	size_t k = 0;

	if (!c)
		return -1;
	for (size_t i = 0; i < n; i++) {
		c[i][0] = pts[i].bs;
		c[i][1] = pts[i].qd;
	}
	qsort(c, n, sizeof(*c), cat_cmp);
	for (size_t i = 0; i < n; i++)
		if (!k || cat_cmp(c[k - 1], c[i]))
			memmove(c[k++], c[i], sizeof(c[i]));
	for (size_t i = 0; i < n; i++) {
		pts[i].cat = -1;
		for (size_t j = 0; j < k && j < PLOT_BLK_MAX_CATS; j++)
			if (c[j][0] == pts[i].bs && c[j][1] == pts[i].qd)
				pts[i].cat = (int)j;
	}
	for (size_t j = 0; j < k && j < PLOT_BLK_MAX_CATS; j++) {
		char bs[24];

		bs_text(bs, sizeof(bs), c[j][0]);
		snprintf(info->cats[j], sizeof(info->cats[j]), "%s/qd=%lld", bs, c[j][1]);
		info->ncats++;
	}
	if (k > PLOT_BLK_MAX_CATS)
		fprintf(stderr, "exitlab plot: more than %d (bs, qd) pairs: the first %d drawn\n", PLOT_BLK_MAX_CATS,
			PLOT_BLK_MAX_CATS);
	free(c);
	return 0;
}

static void fmt(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.6g", v);
}

int plot_blk_write_data(const struct run_result *runs, const char *const *names, size_t nruns,
			const char *path, struct plot_blk_info *info)
{
	struct blk_point *pts = NULL;
	size_t total = 0, n = 0, k = 0;
	double minpos = INFINITY, lo = INFINITY, hi = -INFINITY;
	int e, s = -1;
	FILE *f = NULL;

	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < nruns; i++) {
		if (!payload_view_draws(runs[i].payload, plot_blk_chart)) {
			errno = EINVAL;
			return -1;
		}
		total += runs[i].ntests;
	}
	pts = calloc(total + 1, sizeof(*pts));
	if (!pts)
		return -1;
	for (size_t i = 0; i < nruns; i++)
		for (size_t j = 0; j < runs[i].ntests; j++) {
			if (!plot_blk_is_io_test(&runs[i].tests[j]) ||
			    !point_of(&runs[i], names && names[i] ? names[i] : "results", &runs[i].tests[j], &pts[n]))
				continue;
			pts[n].run = i;
			pts[n++].order = j;
		}
	name_series(pts, n);
	qsort(pts, n, sizeof(*pts), point_cmp);
	/* repetitions of a point (a campaign's repN files) are drawn as their median */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(pts[j].label, pts[i].label) && pts[j].bs == pts[i].bs &&
				pts[j].qd == pts[i].qd;
		     j++)
			;
		pts[k] = pts[i];
		if (j - i > 1) {
			static const size_t fields[] = { offsetof(struct blk_point, exits),
							 offsetof(struct blk_point, user),
							 offsetof(struct blk_point, ns) };

			for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
				double m = plot_pooled_median(&pts[i], j - i, sizeof(*pts), fields[f]);

				memcpy((char *)&pts[k] + fields[f], &m, sizeof(m));
			}
			fprintf(stderr, "exitlab plot: %zu results of '%s' at bs=%lld qd=%lld: drawing their median\n",
				j - i, pts[i].label, pts[i].bs, pts[i].qd);
		}
		k++;
	}
	n = k;
	if (make_cats(pts, n, info))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (pts[i].exits > 0)
			minpos = fmin(minpos, pts[i].exits);
		if (pts[i].user > 0)
			minpos = fmin(minpos, pts[i].user);
	}
	info->floor = plot_log_floor(minpos);

	f = fopen(path, "we");
	if (!f)
		goto fail;
	fprintf(f, "# exitlab plot data: payload blk, %zu results file%s: I/Os per second and exits per I/O\n"
		   "# One block per series (two blank lines between blocks): its first line the series name\n"
		   "# in double quotes, then one row per (bs, qd), by bs then qd.  '-': no value.\n"
		   "# cat: index of (bs, qd) among those present (the cluster); exits, user_exits: per I/O over\n"
		   "# the timed phase (KVM's `exits` stat, exits that reached the VMM); *_drawn: 0 replaced by %g.\n"
		   "# cat bs qd iops ns_median exits user_exits exits_drawn user_drawn event_idx irq ios\n",
		nruns, nruns == 1 ? "" : "s", info->floor);
	for (size_t i = 0; i < n; i++) {
		const struct blk_point *p = &pts[i];
		char c[7][32];

		if (p->cat < 0)
			continue;
		if (s < 0 || strcmp(p->label, info->series[s])) {
			if (info->nseries == PLOT_BLK_MAX_SERIES) {
				fprintf(stderr, "exitlab plot: more than %d series: '%s' and later ones not drawn\n",
					PLOT_BLK_MAX_SERIES, p->label);
				break;
			}
			s = info->nseries++;
			snprintf(info->series[s], sizeof(info->series[s]), "%s", p->label);
			fprintf(f, "%s\"%s\"\n", s ? "\n\n" : "", p->label);
		}
		fmt(c[0], sizeof(c[0]), isnan(p->ns) ? NAN : 1e9 / p->ns);
		fmt(c[1], sizeof(c[1]), p->ns);
		fmt(c[2], sizeof(c[2]), p->exits);
		fmt(c[3], sizeof(c[3]), p->user);
		fmt(c[4], sizeof(c[4]), p->exits == 0 ? info->floor : p->exits);
		fmt(c[5], sizeof(c[5]), p->user == 0 ? info->floor : p->user);
		info->nclamped += (p->exits == 0) + (p->user == 0);
		info->nexits += !isnan(p->exits);
		if (!isnan(p->ns)) {
			info->ntimed++;
			lo = fmin(lo, 1e9 / p->ns);
			hi = fmax(hi, 1e9 / p->ns);
		}
		fprintf(f, "%d %lld %lld %s %s %s %s %s %s ", p->cat, p->bs, p->qd, c[0], c[1], c[2], c[3], c[4], c[5]);
		fmt(c[0], sizeof(c[0]), p->event_idx < 0 ? NAN : (double)p->event_idx);
		fmt(c[1], sizeof(c[1]), p->irq < 0 ? NAN : (double)p->irq);
		fprintf(f, "%s %s %llu\n", c[0], c[1], (unsigned long long)p->ios);
		info->rows++;
	}
	info->logy_iops = info->ntimed > 1 && lo > 0 && hi / lo > 30;
	free(pts);
	if (plot_data_close(f))
		return -1;
	return info->rows;
fail:
	e = errno;
	free(pts);
	errno = e;
	return -1;
}

int plot_blk_draw(const struct run_result *runs, size_t nruns, const char *dat, const char *png,
		  const char *script, const struct plot_blk_info *info)
{
	char title[512], ctx[320], floornote[64] = "", cats[PLOT_BLK_MAX_CATS * 33 + 1] = "", vars[192];
	size_t used = 0, keychars = strlen("userspace exits (points)");

	plot_runs_context(runs, nruns, ctx, sizeof(ctx));
	snprintf(title, sizeof(title), "exitlab blk: I/Os per second and exits per I/O - %s", ctx);
	for (int i = 0; i < info->ncats; i++)
		used += snprintf(cats + used, sizeof(cats) - used, "%s%s", i ? " " : "", info->cats[i]);
	for (int i = 0; i < info->nseries; i++)
		if (strlen(info->series[i]) > keychars)
			keychars = strlen(info->series[i]);
	if (info->nclamped)
		snprintf(floornote, sizeof(floornote), "0 drawn at %g (log axis)", info->floor);
	snprintf(vars, sizeof(vars), "nseries=%d; ncats=%d; nexits=%d; ntimed=%d; logy_iops=%d; floor=%g; "
		 "keychars=%zu", info->nseries, info->ncats, info->nexits, info->ntimed, info->logy_iops,
		 info->floor, keychars);
	{
		const struct gp_var v[] = {
			{ "datafile", dat }, { "outfile", png }, { "plottitle", title },
			{ "note", plot_runs_emulated(runs, nruns, plot_blk_is_io_test) ?
				  "CPL0 instruction-emulated (PVM): the guest driver's code is emulated, so I/Os "
				  "per second measure the emulator; the exit counts are what the device protocol "
				  "costs." : "" },
			{ "floornote", floornote }, { "catlist", cats },
		};

		return plot_run_script(script, v, sizeof(v) / sizeof(v[0]), vars);
	}
}

static int blk_write(const struct chart_job *j, void *info)
{
	return plot_blk_write_data(j->runs, j->names, j->n, j->dat, info);
}

static int blk_draw(const struct chart_job *j, const char *script, const void *info)
{
	return plot_blk_draw(j->runs, j->n, j->dat, j->out, script, info);
}

static void blk_describe(char *buf, size_t len, const struct chart_job *j, int rows, const void *info)
{
	const struct plot_blk_info *i = info;

	(void)j;
	snprintf(buf, len, "%d series at %d (bs, qd)", i->nseries, i->ncats);
	(void)rows;
}

/* The blk view: the same shape as net, bars by (bs, qd). */
int plot_blk_chart(const struct chart_job *j)
{
	static const struct device_chart c = {
		.script = "plot-blk.gp", .tests = "read or write",
		.write_data = blk_write, .draw = blk_draw, .describe = blk_describe,
	};
	struct plot_blk_info info;

	return plot_device_chart(j, &c, &info);
}
