// SPDX-License-Identifier: MIT
/*
 * exitlab plot for payload net, from one or several results files: exits per
 * frame vs batch size (all exits solid, userspace exits dashed, log axes) and
 * frames per second below, one series per (device, notify mode, direction).
 * The numbers go to OUT.dat first, documented in scripts/plot-net.gp.
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
#include "analysis/report_devices.h"

/* The payload allows 1..256; anything up to this is still a batch size a chart can place. */
#define MAX_BATCH (1ll << 20)

static const char *const dir_names[2] = { "tx", "rx" };

struct net_point {
	char base[64];              /* the device's legend name */
	char extra[64];             /* ", event_idx=0" etc. when the base's rows differ in it */
	char label[160];            /* base, dir, extra: the series */
	int dir;                    /* 0 tx, 1 rx */
	long long batch;
	long long size, event_idx, irq; /* -1: not given */
	double exits, user;         /* per frame; NAN: not counted */
	double ns;                  /* per frame, median; NAN: untimed */
	double kicks, irqs;         /* per frame, device counters; NAN: none */
	uint64_t frames;
	size_t run, order;          /* which file, place in it (the sort's tie-break) */
};

bool plot_net_is_frame_test(const struct test_result *t)
{
	return (!strcmp(t->name, "tx") || !strcmp(t->name, "rx")) && t->status == TEST_OK;
}

static long long int_param(json_t *p, const char *key)
{
	json_t *v = json_object_get(p, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long long)json_integer_value(v) : -1;
}

static double finite_or_nan(bool have, double v)
{
	return have && isfinite(v) && v >= 0 ? v : NAN;
}

/* The legend name of run r's NIC: its config, else the tests' nic param, else "unknown NIC". */
static void nic_label(const struct run_result *r, json_t *params, char *buf, size_t len)
{
	struct plot_device d;
	const char *nic;

	if (plot_run_device(r, false, &d)) {
		plot_device_label(&d, buf, len);
		return;
	}
	nic = json_string_value(json_object_get(params, "nic"));
	if (nic && !strcmp(nic, "virtio"))
		snprintf(buf, len, "virtio-net");
	else if (nic && !strcmp(nic, "e1000"))
		snprintf(buf, len, "e1000");
	else
		snprintf(buf, len, "unknown NIC");
}

/* One tx/rx test as a point; false (and a word on stderr) if the chart cannot place it. */
static bool point_of(const struct run_result *r, const char *file, const struct test_result *t,
		     struct net_point *pt)
{
	json_t *p = t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
	json_t *b = json_object_get(p, "batch");
	struct device_row row;
	bool ok = false;

	memset(pt, 0, sizeof(*pt));
	pt->dir = !strcmp(t->name, "rx");
	if (!json_is_integer(b) || json_integer_value(b) < 1 || json_integer_value(b) > MAX_BATCH) {
		fprintf(stderr, "exitlab plot: %s: a %s test without a batch size in 1..%lld: not drawn\n", file,
			t->name, MAX_BATCH);
		goto out;
	}
	pt->batch = json_integer_value(b);
	pt->size = int_param(p, "size");
	pt->event_idx = int_param(p, "event_idx");
	pt->irq = int_param(p, "irq");
	pt->exits = finite_or_nan(t->has_exits, t->exits_per_iteration);
	pt->user = finite_or_nan(t->has_exits, t->userspace_exits_per_iteration);
	/* ns per frame by throughput: the phase's wall time over its frames where known */
	pt->ns = isfinite(test_ops_per_s(t)) ? 1e9 / test_ops_per_s(t) : NAN;
	if (pt->ns == 0)
		pt->ns = NAN;
	pt->kicks = pt->irqs = NAN;
	if (report_device_row(t, &row)) {
		pt->kicks = row.kicks;
		pt->irqs = row.interrupts;
	}
	pt->frames = t->iterations;
	if (isnan(pt->exits) && isnan(pt->ns)) {
		fprintf(stderr, "exitlab plot: %s: %s batch=%lld has neither exit counts nor timing: not drawn\n",
			file, t->name, pt->batch);
		goto out;
	}
	nic_label(r, p, pt->base, sizeof(pt->base));
	ok = true;
out:
	json_decref(p);
	return ok;
}

static int point_cmp(const void *a, const void *b)
{
	const struct net_point *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	if (!c)
		c = strcmp(x->extra, y->extra);
	if (!c)
		c = x->dir - y->dir;
	if (!c)
		c = x->batch < y->batch ? -1 : x->batch > y->batch;
	if (!c)
		c = x->run != y->run ? (x->run < y->run ? -1 : 1) : (x->order < y->order ? -1 : x->order > y->order);
	return c;
}

/*
 * Series are (device, dir); where the rows of one device differ in frame
 * size, event_idx or irq, that goes into the name too, so that no two
 * configurations share a line.
 */
static void name_series(struct net_point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool size = false, ev = false, irq = false;
		size_t len = 0;

		for (size_t j = 0; j < n; j++) {
			if (strcmp(pts[i].base, pts[j].base))
				continue;
			size |= pts[j].size != pts[i].size;
			ev |= pts[j].event_idx != pts[i].event_idx;
			irq |= pts[j].irq != pts[i].irq;
		}
		pts[i].extra[0] = '\0';
		if (size)
			len += snprintf(pts[i].extra + len, sizeof(pts[i].extra) - len, ", size=%lld", pts[i].size);
		if (ev && len < sizeof(pts[i].extra))
			len += snprintf(pts[i].extra + len, sizeof(pts[i].extra) - len, ", event_idx=%lld",
					pts[i].event_idx);
		if (irq && len < sizeof(pts[i].extra))
			snprintf(pts[i].extra + len, sizeof(pts[i].extra) - len, ", irq=%lld", pts[i].irq);
		snprintf(pts[i].label, sizeof(pts[i].label), "%s %s%s", pts[i].base, dir_names[pts[i].dir],
			 pts[i].extra);
	}
}

/* Every placeable point of every run, sorted into series, duplicates dropped; count or -1 (errno). */
static int collect(const struct run_result *runs, const char *const *names, size_t nruns,
		   struct net_point **out)
{
	struct net_point *pts;
	size_t total = 0, n = 0, k = 0;

	*out = NULL;
	for (size_t i = 0; i < nruns; i++) {
		if (!payload_view_draws(runs[i].payload, plot_net_chart)) {
			errno = EINVAL;
			return -1;
		}
		total += runs[i].ntests;
	}
	pts = calloc(total + 1, sizeof(*pts));
	if (!pts)
		return -1;
	*out = pts;
	for (size_t i = 0; i < nruns; i++) {
		const char *file = names && names[i] ? names[i] : "results";

		for (size_t j = 0; j < runs[i].ntests; j++) {
			if (!plot_net_is_frame_test(&runs[i].tests[j]) ||
			    !point_of(&runs[i], file, &runs[i].tests[j], &pts[n]))
				continue;
			pts[n].run = i;
			pts[n++].order = j;
		}
	}
	name_series(pts, n);
	qsort(pts, n, sizeof(*pts), point_cmp);
	/* repetitions of a point (a campaign's repN files) are drawn as their median */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(pts[j].label, pts[i].label) && pts[j].batch == pts[i].batch; j++)
			;
		pts[k] = pts[i];
		if (j - i > 1) {
			static const size_t fields[] = { offsetof(struct net_point, exits),
							 offsetof(struct net_point, user),
							 offsetof(struct net_point, ns),
							 offsetof(struct net_point, kicks),
							 offsetof(struct net_point, irqs) };

			for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
				double m = plot_pooled_median(&pts[i], j - i, sizeof(*pts), fields[f]);

				memcpy((char *)&pts[k] + fields[f], &m, sizeof(m));
			}
			fprintf(stderr, "exitlab plot: %zu results of '%s' at batch %lld: drawing their median\n",
				j - i, pts[i].label, pts[i].batch);
		}
		k++;
	}
	return (int)k;
}

static void fmt(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.6g", v);
}

static void fmt_int(char *buf, size_t len, long long v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", v);
}

int plot_net_write_data(const struct run_result *runs, const char *const *names, size_t nruns,
			const char *path, struct plot_net_info *info)
{
	struct net_point *pts;
	int n, e, s = -1;
	double minpos = INFINITY, rlo = INFINITY, rhi = -INFINITY;
	bool size_known = false;
	FILE *f;

	memset(info, 0, sizeof(*info));
	info->size = -1;
	n = collect(runs, names, nruns, &pts);
	if (n < 0) {
		e = errno;
		free(pts);
		errno = e;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (pts[i].exits > 0)
			minpos = fmin(minpos, pts[i].exits);
		if (pts[i].user > 0)
			minpos = fmin(minpos, pts[i].user);
		if (pts[i].size >= 0 && !size_known) {
			info->size = pts[i].size;
			size_known = true;
		} else if (pts[i].size >= 0 && pts[i].size != info->size) {
			info->size = 0;
		}
	}
	info->floor = plot_log_floor(minpos);
	for (size_t i = 0; i < nruns; i++) {
		struct plot_device d;

		if (plot_run_device(&runs[i], false, &d) && d.netdev[0]) {
			/* the kind only (tap, not its ifname...): the title must fit the chart */
			d.netdev[strcspn(d.netdev, ",")] = 0;
			plot_add_distinct(info->netdev, sizeof(info->netdev), d.netdev);
		}
	}

	f = fopen(path, "we");
	if (!f) {
		e = errno;
		free(pts);
		errno = e;
		return -1;
	}
	fprintf(f, "# exitlab plot data: payload net, %zu results file%s: exits per frame and frames per second "
		   "vs batch size\n", nruns, nruns == 1 ? "" : "s");
	for (size_t i = 0; i < nruns; i++) {
		struct plot_device d;
		char dev[96];

		if (!plot_run_device(&runs[i], false, &d))
			snprintf(dev, sizeof(dev), "no NIC in its config");
		else
			plot_device_label(&d, dev, sizeof(dev));
		fprintf(f, "# file %zu: %s, started %.32s, %s%s%s\n", i, names && names[i] ? names[i] : "-",
			runs[i].started_at, dev, d.netdev[0] ? ", netdev " : "", d.netdev);
	}
	fprintf(f, "# One block per series (two blank lines between blocks): its first line the series name\n"
		   "# in double quotes, then one row per batch size, ascending.  '-': no value.\n"
		   "# exits, user_exits: per frame over the timed phase, KVM's `exits` stat and the exits\n"
		   "#   that reached userspace (the VMM); exits_drawn, user_drawn: the same with 0 replaced\n"
		   "#   by %g for the log axis.\n"
		   "# frames_per_s: frames over the phase wall time; ns_median: 1e9 / frames_per_s.\n"
		   "# kicks, irqs: per frame, the device's own counters (driver notifications, interrupts).\n"
		   "# batch exits user_exits exits_drawn user_drawn frames_per_s ns_median kicks irqs size event_idx "
		   "irq frames\n", info->floor);
	for (int i = 0; i < n; i++) {
		const struct net_point *p = &pts[i];
		char c[9][32];

		if (!i || strcmp(p->label, pts[i - 1].label)) {
			if (info->nseries == PLOT_NET_MAX_SERIES) {
				fprintf(stderr, "exitlab plot: more than %d series: '%s' and later ones not drawn\n",
					PLOT_NET_MAX_SERIES, p->label);
				break;
			}
			s = info->nseries++;
			snprintf(info->series[s], sizeof(info->series[s]), "%s", p->label);
			fprintf(f, "%s\"%s\"\n", i ? "\n\n" : "", p->label);
		}
		fmt(c[0], sizeof(c[0]), p->exits);
		fmt(c[1], sizeof(c[1]), p->user);
		fmt(c[2], sizeof(c[2]), p->exits == 0 ? info->floor : p->exits);
		fmt(c[3], sizeof(c[3]), p->user == 0 ? info->floor : p->user);
		fmt(c[4], sizeof(c[4]), isnan(p->ns) ? NAN : 1e9 / p->ns);
		fmt(c[5], sizeof(c[5]), p->ns);
		fmt(c[6], sizeof(c[6]), p->kicks);
		fmt(c[7], sizeof(c[7]), p->irqs);
		info->nclamped += (p->exits == 0) + (p->user == 0);
		info->nexits += !isnan(p->exits);
		if (!isnan(p->ns)) {
			info->ntimed++;
			rlo = fmin(rlo, 1e9 / p->ns);
			rhi = fmax(rhi, 1e9 / p->ns);
		}
		fprintf(f, "%lld %s %s %s %s %s %s %s %s", p->batch, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
		fmt_int(c[0], sizeof(c[0]), p->size);
		fmt_int(c[1], sizeof(c[1]), p->event_idx);
		fmt_int(c[2], sizeof(c[2]), p->irq);
		fprintf(f, " %s %s %s %llu\n", c[0], c[1], c[2], (unsigned long long)p->frames);
		info->npoints[s]++;
		info->rows++;
	}
	/* frames per second spans decades between e1000 at batch 1 and virtio at 256 on real hardware */
	info->logy_rate = info->ntimed > 1 && rlo > 0 && rhi / rlo > 10;
	free(pts);
	if (plot_data_close(f))
		return -1;
	return info->rows;
}

int plot_net_draw(const struct run_result *runs, size_t nruns, const char *dat, const char *png,
		  const char *script, const struct plot_net_info *info)
{
	char title[640], ctx[320], size[48], floornote[64] = "", vars[192];
	size_t keychars = strlen("userspace exits");

	plot_runs_context(runs, nruns, ctx, sizeof(ctx));
	if (info->size > 0)
		snprintf(size, sizeof(size), "%lld-byte frames", info->size);
	else
		snprintf(size, sizeof(size), info->size ? "frame size unknown" : "frame sizes differ (see key)");
	snprintf(title, sizeof(title), "exitlab net vs batch size - %s%s%s - %s",
		 ctx, info->netdev[0] ? " - netdev " : "", info->netdev, size);
	if (info->nclamped)
		snprintf(floornote, sizeof(floornote), "0 drawn at %g (log axis)", info->floor);
	for (int i = 0; i < info->nseries; i++)
		if (strlen(info->series[i]) > keychars)
			keychars = strlen(info->series[i]);
	if (strlen(floornote) > keychars)
		keychars = strlen(floornote);
	snprintf(vars, sizeof(vars), "nseries=%d; nexits=%d; ntimed=%d; logy_rate=%d; floor=%g; keychars=%zu",
		 info->nseries, info->nexits, info->ntimed, info->logy_rate, info->floor, keychars);
	{
		/* PVM emulates every guest CPL0 instruction: the driver's own work is slowed by ~1000x */
		const struct gp_var v[] = {
			{ "datafile", dat }, { "outfile", png }, { "plottitle", title },
			{ "note", plot_runs_emulated(runs, nruns, plot_net_is_frame_test) ?
				  "CPL0 instruction-emulated (PVM): the guest driver's code is emulated, so frames "
				  "per second measure the emulator; the exit counts are what the device protocol "
				  "costs." : "" },
			{ "floornote", floornote },
		};

		return plot_run_script(script, v, sizeof(v) / sizeof(v[0]), vars);
	}
}

static int net_write(const struct chart_job *j, void *info)
{
	return plot_net_write_data(j->runs, j->names, j->n, j->dat, info);
}

static int net_draw(const struct chart_job *j, const char *script, const void *info)
{
	return plot_net_draw(j->runs, j->n, j->dat, j->out, script, info);
}

static void net_describe(char *buf, size_t len, const struct chart_job *j, int rows, const void *info)
{
	const struct plot_net_info *i = info;

	(void)j;
	snprintf(buf, len, "%d series, %d points", i->nseries, rows);
}

/*
 * The net view: the exits-per-frame chart of every file.  One file without a
 * tx/rx test gets the bars instead; several must all have some.
 */
int plot_net_chart(const struct chart_job *j)
{
	static const struct device_chart c = {
		.script = "plot-net.gp", .tests = "tx or rx",
		.write_data = net_write, .draw = net_draw, .describe = net_describe,
	};
	struct plot_net_info info;

	return plot_device_chart(j, &c, &info);
}
