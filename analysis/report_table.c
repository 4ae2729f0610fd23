/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_table.h"

static const struct test_result *find_host_syscall(const struct run_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, "host_syscall") && r->tests[i].has_timing)
			return &r->tests[i];
	return NULL;
}

static void fmt_num(char *buf, size_t n, double v)
{
	if (v >= 99999.5)
		snprintf(buf, n, "%.3g", v);
	else
		snprintf(buf, n, "%.0f", v);
}

/* 4096 -> "4K", 1048576 -> "1M": working sets read better that way. */
static void fmt_bytes(char *buf, size_t n, json_int_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (v >= 1024 && !(v % 1024) && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, n, "%lld", (long long)v);
	else
		snprintf(buf, n, "%lld%c", (long long)v, units[u]);
}

/* "chase 64K/4k/2m", "cr3_switch pcid=1": the name, then the params (sizes shortened, numbers named). */
void report_test_label(char *buf, size_t n, const struct test_result *t)
{
	json_t *p;
	const char *k;
	json_t *v;
	size_t used;
	int first = 1;

	snprintf(buf, n, "%s", t->name);
	if (!t->params_json || !(p = json_loads(t->params_json, 0, NULL)))
		return;
	json_object_foreach(p, k, v) {
		char val[32];

		used = strlen(buf);
		if (!strcmp(k, "pages") || used + 2 >= n)
			continue;
		if (json_is_integer(v) && (!strcmp(k, "working_set") || strstr(k, "bytes")))
			fmt_bytes(val, sizeof(val), json_integer_value(v));
		else if (json_is_integer(v) && !strcmp(k, "n"))
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		else if (json_is_integer(v)) /* a bare number says nothing: name it */
			snprintf(val, sizeof(val), "%s=%lld", k, (long long)json_integer_value(v));
		else if (json_is_string(v))
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		else
			continue;
		snprintf(buf + used, n - used, "%s%s", first ? " " : "/", val);
		first = 0;
	}
	json_decref(p);
}

/* "<12": a cost below resolution shows only its bound, never a figure. */
static void fmt_cost(char *buf, size_t n, const struct test_result *t)
{
	if (!t->calib.below_resolution)
		fmt_num(buf, n, t->cycles.median);
	else if (isfinite(t->calib.resolution_cycles))
		snprintf(buf, n, "<%.0f", ceil(t->calib.resolution_cycles));
	else
		snprintf(buf, n, "<res");
}

/* ", below resolution (< 12 cycles)", ", noisy (p99 >= 30x median)" */
static void fmt_calib_status(char *buf, size_t n, const struct test_result *t)
{
	struct test_calib cl = t->calib;
	size_t used;

	buf[0] = 0;
	if (!t->has_timing)
		return;
	calib_flag_stats(&cl, &t->cycles);
	if (t->calib.below_resolution && isfinite(t->calib.resolution_cycles))
		snprintf(buf, n, ", below resolution (< %.0f cycles)", ceil(t->calib.resolution_cycles));
	else if (t->calib.below_resolution)
		snprintf(buf, n, ", below resolution");
	used = strlen(buf);
	if (cl.noisy && used < n)
		snprintf(buf + used, n - used, ", noisy (%s)", cl.noise_reason);
}

/* "1000..1200": the repetitions' medians, or "-". */
static void fmt_repeats(char *buf, size_t n, const struct test_result *t)
{
	char lo[16], hi[16];

	if (t->calib.repeats < 2) {
		snprintf(buf, n, "-");
		return;
	}
	fmt_num(lo, sizeof(lo), t->calib.rep_min);
	fmt_num(hi, sizeof(hi), t->calib.rep_max);
	snprintf(buf, n, "%s..%s", lo, hi);
}

void report_table_print(FILE *f, const struct run_result *r, const char *backend)
{
	const struct test_result *sys = find_host_syscall(r);
	bool any_emulated = false, any_small = false, any_below = false, any_rep = false;
	int w = 20, ninvalid = 0; /* the test column fits the longest label */
	unsigned k = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		char name[64];

		report_test_label(name, sizeof(name), &r->tests[i]);
		if ((int)strlen(name) > w)
			w = strlen(name);
		if (r->tests[i].calib.repeats > 1) {
			any_rep = true;
			k = r->tests[i].calib.repeats;
		}
	}
	fprintf(f, "%-*s %-5s %9s %9s %9s %8s %10s %8s %8s %7s", w, "test", "ring", "iters",
		"median", "p99", "MAD", "median", "exits", "user", "x host");
	if (any_rep)
		fprintf(f, " %13s", "medians of");
	fprintf(f, "  %s\n%-*s %-5s %9s %9s %9s %8s %10s %8s %8s %7s", "status", w, "", "", "", "cycles",
		"cycles", "cycles", "ns", "/iter", "exits/it", "syscall");
	if (any_rep)
		fprintf(f, " %13s", "repetitions");
	fputc('\n', f);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		char name[64], ring[24], med[16] = "-", p99[16] = "-", mad[16] = "-", ns[16] = "-",
			ex[16] = "-", ux[16] = "-", ratio[16] = "-", status[160], calib[80], reps[40];

		if (t->ring < 0)
			snprintf(ring, sizeof(ring), "host");
		else
			snprintf(ring, sizeof(ring), "cpl%d%s", t->ring, t->emulated ? "*" : "");
		any_emulated |= t->emulated;
		if (t->has_timing) {
			bool below = t->calib.below_resolution;
			struct test_calib cl = t->calib;

			/* The flags follow from the stats, whoever made the row. */
			calib_flag_stats(&cl, &t->cycles);
			fmt_cost(med, sizeof(med), t);
			/* A percentile the sample count cannot support is not shown. */
			if (!cl.p99_small_sample)
				fmt_num(p99, sizeof(p99), t->cycles.p99);
			any_small |= cl.p99_small_sample;
			any_below |= below;
			fmt_num(mad, sizeof(mad), t->cycles.mad);
			if (t->ns.n && !below)
				snprintf(ns, sizeof(ns), "%.1f", t->ns.median);
			if (sys && sys->cycles.median > 0 && t != sys && strcmp(t->name, "empty") && !below)
				snprintf(ratio, sizeof(ratio), "%.2f", t->cycles.median / sys->cycles.median);
		}
		fmt_calib_status(calib, sizeof(calib), t);
		fmt_repeats(reps, sizeof(reps), t);
		if (t->has_exits)
			snprintf(ex, sizeof(ex), "%.3f", t->exits_per_iteration);
		if (t->ring >= 0 && t->has_timing)
			snprintf(ux, sizeof(ux), "%.3f", t->userspace_exits_per_iteration);
		if (t->status == TEST_OK && t->invalid)
			snprintf(status, sizeof(status), "ok%s, INVALID [%d]", calib, ++ninvalid);
		else if (t->status == TEST_OK)
			snprintf(status, sizeof(status), "ok%s", calib);
		else
			snprintf(status, sizeof(status), "%s: %s", test_status_name(t->status), t->reason);
		report_test_label(name, sizeof(name), t);
		fprintf(f, "%-*s %-5s %9llu %9s %9s %8s %10s %8s %8s %7s", w, name, ring,
			(unsigned long long)t->iterations, med, p99, mad, ns, ex, ux, ratio);
		if (any_rep)
			fprintf(f, " %13s", reps);
		fprintf(f, "  %s\n", status);
	}
	fprintf(f, "\ncycles and ns are per operation, round trip seen from the guest, with the "
		   "loop overhead (an empty loop timed right before and after each test at its ring) subtracted.\n");
	if (any_below)
		fprintf(f, "<X: below resolution, a cost the loop overhead's interval cannot resolve; it is "
			   "less than X cycles.\n");
	if (any_small)
		fprintf(f, "p99 '-': fewer than %d samples lie beyond it (it needs n >= %d).\n",
			STATS_TAIL_MIN, STATS_TAIL_MIN * 100);
	if (any_rep)
		fprintf(f, "medians of repetitions: min..max of the %u repetitions' medians (--repeat); "
			   "the other columns pool their samples.\n", k);
	if (any_emulated)
		fprintf(f, "* backend %s: guest CPL0 code is instruction-emulated, so cpl0 figures "
			   "measure the emulator, not the hardware exit path.\n", backend);
	report_table_invalid_notes(f, r);
}

void report_table_invalid_notes(FILE *f, const struct run_result *r)
{
	int k = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		if (t->status != TEST_OK || !t->invalid)
			continue;
		if (!k)
			fprintf(f, "INVALID: the exit counts contradict what the test measures, so its "
				   "figure is not that cost (exitlab list shows what each test expects):\n");
		fprintf(f, "  [%d] %s cpl%d: %s\n", ++k, t->name, t->ring, t->invalid_reason);
	}
}
