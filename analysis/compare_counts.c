// SPDX-License-Identifier: MIT
/*
 * exitlab compare --counts: pool each test's event counts per operation and
 * judge them side against side, timings ignored (compare_counts.h).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_counts.h"

enum { CF_EXITS, CF_KVM, CF_KVM_VM, CF_TP, CF_EXIT, CF_VMM_EXIT, CF_DEV };

static const char *const family_prefix[CMP_COUNT_FAMILIES] = {
	[CF_EXITS] = "", [CF_KVM] = "kvm.", [CF_KVM_VM] = "kvm_vm.", [CF_TP] = "tp.",
	[CF_EXIT] = "exit.", [CF_VMM_EXIT] = "vmm_exit.", [CF_DEV] = "dev.",
};

static int family_of(const char *name)
{
	for (int f = CMP_COUNT_FAMILIES - 1; f > CF_EXITS; f--)
		if (!strncmp(name, family_prefix[f], strlen(family_prefix[f])))
			return f;
	return CF_EXITS;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);

	return n >= m && !strcmp(s + n - m, x);
}

bool cmp_count_is_noise(const char *name)
{
	static const char *const stats[] = { "irq_exits", "irq_window_exits", "preemption_reported",
					     "preemption_other", "signal_exits", "halt_", "directed_yield_" };
	static const char *const other[] = { "tp.kvm_vcpu_wakeup", "exit.intr", "exit.EXTERNAL_INTERRUPT",
					     "exit.vintr", "exit.INTERRUPT_WINDOW", "vmm_exit.INTR" };
	const char *s = NULL;

	if (has_prefix(name, "kvm."))
		s = name + 4;
	else if (has_prefix(name, "kvm_vm."))
		s = name + 7;
	for (size_t i = 0; s && i < sizeof(stats) / sizeof(stats[0]); i++)
		if (has_prefix(s, stats[i]))
			return true;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (!strcmp(name, other[i]))
			return true;
	return false;
}

static int add_count(struct cmp_test *t, const char *name, double events)
{
	struct cmp_count *n;

	for (size_t i = 0; i < t->ncounts; i++)
		if (!strcmp(t->counts[i].name, name)) {
			t->counts[i].events += events;
			return 0;
		}
	if (!(n = realloc(t->counts, (t->ncounts + 1) * sizeof(*n))))
		return -1;
	t->counts = n;
	snprintf(n[t->ncounts].name, sizeof(n->name), "%s", name);
	n[t->ncounts++].events = events;
	return 0;
}

/* A KVM stat that counts events (not a time, not the exits "exits" already has). */
static bool stat_counts(const char *name)
{
	return strcmp(name, "exits") && !has_suffix(name, "_ns") && !has_suffix(name, "_us") &&
	       !has_suffix(name, "_cycles");
}

static int add_stats(struct cmp_test *t, const struct kvm_stat_group *g, const char *prefix, bool *had)
{
	char name[96];

	*had = g->ndelta || g->nlevel || g->nhist;
	for (size_t i = 0; i < g->ndelta; i++) {
		if (!stat_counts(g->delta[i].name))
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, g->delta[i].name);
		if (add_count(t, name, (double)g->delta[i].delta))
			return -1;
	}
	return 0;
}

/* Every number under v, named prefix.key.key... (device counters). */
static int add_numbers(struct cmp_test *t, const char *prefix, json_t *v)
{
	char name[96];
	const char *k;
	json_t *x;

	if (json_is_number(v))
		return add_count(t, prefix, json_number_value(v));
	json_object_foreach(v, k, x) {
		snprintf(name, sizeof(name), "%s.%s", prefix, k);
		if (add_numbers(t, name, x))
			return -1;
	}
	return 0;
}

/* The "count" of each row of a trace view, named prefix + the row's "name". */
static int add_rows(struct cmp_test *t, const char *prefix, json_t *rows)
{
	char name[96];
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		const char *n = json_string_value(json_object_get(r, "name"));
		json_t *c = json_object_get(r, "count");

		if (!n || !json_is_number(c))
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, n);
		if (add_count(t, name, json_number_value(c)))
			return -1;
	}
	return 0;
}

static int add_host(struct cmp_test *t, const char *host_json, bool had[CMP_COUNT_FAMILIES])
{
	json_t *h = host_json ? json_loads(host_json, 0, NULL) : NULL;
	json_t *tp = json_object_get(json_object_get(h, "tracepoints"), "counts");
	json_t *trace = json_object_get(h, "trace"), *v;
	json_t *dev = json_object_get(h, "devices");
	const char *k;
	char name[96];
	int rc = 0;

	if (json_is_object(tp)) {
		had[CF_TP] = true;
		json_object_foreach(tp, k, v) {
			/* kvm:kvm_exit -> tp.kvm_exit */
			const char *e = strchr(k, ':');

			snprintf(name, sizeof(name), "tp.%s", e ? e + 1 : k);
			if (json_is_number(v) && (rc = add_count(t, name, json_number_value(v))))
				break;
		}
	}
	if (!rc && json_is_array(json_object_get(trace, "exit_reasons"))) {
		had[CF_EXIT] = true;
		rc = add_rows(t, "exit.", json_object_get(trace, "exit_reasons"));
	}
	if (!rc && json_is_array(json_object_get(trace, "userspace_exits"))) {
		had[CF_VMM_EXIT] = true;
		rc = add_rows(t, "vmm_exit.", json_object_get(trace, "userspace_exits"));
	}
	if (!rc && json_is_object(dev)) {
		had[CF_DEV] = true;
		rc = add_numbers(t, "dev", dev);
	}
	json_decref(h);
	return rc;
}

int cmp_counts_add(struct cmp_test *t, const struct test_result *tr)
{
	bool had[CMP_COUNT_FAMILIES] = { false };
	double ops = (double)tr->iterations;

	if (tr->status != TEST_OK || !tr->iterations)
		return 0;
	if (tr->has_exits && isfinite(tr->exits_per_iteration)) {
		had[CF_EXITS] = true;
		if (add_count(t, "exits", tr->exits_per_iteration * ops))
			return -1;
		if (isfinite(tr->userspace_exits_per_iteration) &&
		    add_count(t, "vmm_exits", tr->userspace_exits_per_iteration * ops))
			return -1;
	}
	if (add_stats(t, &tr->vcpu_stats, "kvm.", &had[CF_KVM]) ||
	    add_stats(t, &tr->vm_stats, "kvm_vm.", &had[CF_KVM_VM]) || add_host(t, tr->host_json, had))
		return -1;
	for (int f = 0; f < CMP_COUNT_FAMILIES; f++)
		if (had[f])
			t->count_ops[f] += ops;
	return 0;
}

void cmp_counts_free(struct cmp_test *t)
{
	free(t->counts);
	t->counts = NULL;
	t->ncounts = 0;
}

/* The count per operation on one side: 0 when its family was counted but not this one; NAN if not counted. */
static double per_op(const struct cmp_test *t, const char *name)
{
	double ops = t->count_ops[family_of(name)];

	if (!(ops > 0))
		return NAN;
	for (size_t i = 0; i < t->ncounts; i++)
		if (!strcmp(t->counts[i].name, name))
			return t->counts[i].events / ops;
	return 0;
}

static bool counted(const struct cmp_test *t)
{
	for (int f = 0; f < CMP_COUNT_FAMILIES; f++)
		if (t->count_ops[f] > 0)
			return true;
	return false;
}

static bool in_diffs(const struct cmp_row *row, const char *name)
{
	for (size_t i = 0; i < row->ndiffs; i++)
		if (!strcmp(row->diffs[i].name, name))
			return true;
	return false;
}

static void judge_one(struct cmp_count_diff *d, const struct cmp_test *tb, const struct cmp_test *tc,
		      const struct cmp_opts *o)
{
	int f = family_of(d->name);
	double allow = fmax(o->count_delta, CMP_COUNT_STRAY / fmin(tb->count_ops[f], tc->count_ops[f])), diff;

	d->base = per_op(tb, d->name);
	d->cur = per_op(tc, d->name);
	d->noise = cmp_count_is_noise(d->name);
	diff = fabs(d->cur - d->base);
	d->differs = !d->noise && isfinite(diff) && diff > allow &&
		     diff > o->threshold * fmax(fabs(d->base), fabs(d->cur));
}

static void note(char *buf, size_t len, size_t *used, const struct cmp_count_diff *d)
{
	if (*used < len)
		*used += (size_t)snprintf(buf + *used, len - *used, "%s%s %.3g -> %.3g", *used ? ", " : "",
					  d->name, d->base, d->cur);
}

/*
 * The exits that follow the host's timing (an interrupt, its window, a halt,
 * a signal), per operation on one side: what "exits" and the kvm_exit and
 * kvm_entry tracepoints are judged without, so that a test whose interrupts land otherwise is not a
 * regression of KVM (irq_device between two runs of one kernel moved 3.09 ->
 * 3.42 exits per op, all of it irq_window_exits).
 */
static double timing_exits(const struct cmp_row *row, bool cur)
{
	static const char *const names[] = { "kvm.irq_exits", "kvm.irq_window_exits", "kvm.halt_exits",
					     "kvm.signal_exits" };
	double sum = 0;

	for (size_t i = 0; i < row->ndiffs; i++)
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(row->diffs[i].name, names[k])) {
				double v = cur ? row->diffs[i].cur : row->diffs[i].base;

				sum += isfinite(v) ? v : 0;
			}
	return sum;
}

/* Judge d again on its count less the timing's exits on each side. */
static void judge_net(struct cmp_count_diff *d, const struct cmp_row *row, const struct cmp_test *tb,
		      const struct cmp_test *tc, const struct cmp_opts *o)
{
	int f = family_of(d->name);
	double allow = fmax(o->count_delta, CMP_COUNT_STRAY / fmin(tb->count_ops[f], tc->count_ops[f]));
	double b = d->base - timing_exits(row, false), c = d->cur - timing_exits(row, true);
	double diff = fabs(c - b);

	d->differs = isfinite(diff) && diff > allow && diff > o->threshold * fmax(fabs(b), fabs(c));
}

int cmp_counts_judge(struct cmp_row *row, const struct cmp_opts *o)
{
	const struct cmp_test *tb = row->base, *tc = row->cur;
	const struct cmp_test *sides[2] = { tb, tc };
	size_t ndiff = 0, used = 0, shown = 0;
	int up = 0, down = 0;
	char more[256] = "";

	row->has_change = row->has_stats = false;
	if (!counted(tb) || !counted(tc)) {
		row->verdict = CMP_NOT_COMPARABLE;
		snprintf(row->reason, sizeof(row->reason), "no counts on %s", counted(tb) ? "current" : "baseline");
		return 0;
	}
	row->diffs = calloc(tb->ncounts + tc->ncounts + 1, sizeof(*row->diffs));
	if (!row->diffs)
		return -1;
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sides[s]->ncounts; i++) {
			const char *name = sides[s]->counts[i].name;

			if (in_diffs(row, name))
				continue;
			snprintf(row->diffs[row->ndiffs].name, sizeof(row->diffs->name), "%s", name);
			judge_one(&row->diffs[row->ndiffs++], tb, tc, o);
		}
	for (size_t i = 0; i < row->ndiffs; i++)
		if (row->diffs[i].differs &&
		    (!strcmp(row->diffs[i].name, "exits") || !strcmp(row->diffs[i].name, "tp.kvm_exit") ||
		     !strcmp(row->diffs[i].name, "tp.kvm_entry")))
			judge_net(&row->diffs[i], row, tb, tc, o);
	row->reason[0] = 0;
	/* the exits and the exits to the VMM first: they decide regressed or improved */
	for (size_t i = 0; i < row->ndiffs; i++) {
		const struct cmp_count_diff *d = &row->diffs[i];
		bool key = !strcmp(d->name, "exits") || !strcmp(d->name, "vmm_exits");

		if (!d->differs)
			continue;
		ndiff++;
		if (key) {
			up += d->cur > d->base;
			down += d->cur < d->base;
			note(row->reason, sizeof(row->reason), &used, d);
			shown++;
		}
	}
	for (size_t i = 0; i < row->ndiffs && shown < 3; i++) {
		const struct cmp_count_diff *d = &row->diffs[i];

		if (d->differs && strcmp(d->name, "exits") && strcmp(d->name, "vmm_exits")) {
			note(row->reason, sizeof(row->reason), &used, d);
			shown++;
		}
	}
	if (ndiff > shown)
		snprintf(more, sizeof(more), " (+%zu more)", ndiff - shown);
	if (used < sizeof(row->reason))
		snprintf(row->reason + used, sizeof(row->reason) - used, "%s", more);
	if (up)
		row->verdict = CMP_REGRESSED;
	else if (down)
		row->verdict = CMP_IMPROVED;
	else if (ndiff)
		row->verdict = CMP_CHANGED;
	else {
		row->verdict = CMP_UNCHANGED;
		snprintf(row->reason, sizeof(row->reason), "same %zu counts per op", row->ndiffs);
	}
	return 0;
}
