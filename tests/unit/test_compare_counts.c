/* SPDX-License-Identifier: MIT */
/*
 * compare --counts (analysis/compare_counts.c) on synthetic results: counts
 * per operation pooled and judged, timings ignored, strays in short phases
 * forgiven, the host's timing (interrupts, preemption) never judged, a count
 * one side did not take left unjudged, and the host context not blocking.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/compare.h"
#include "analysis/compare_counts.h"

#define CTX(params, release) \
	"{\"cpu\": {\"model_name\": \"AMD EPYC\"}, \"kvm\": {\"backend\": \"kvm_amd\", \"params\": " params "}, " \
	"\"kernel\": {\"release\": \"" release "\"}}"
#define CTX_61 CTX("{\"kvm\": {\"halt_poll_ns_shrink\": 0}}", "6.1.0-57-amd64")
#define CTX_612 CTX("{\"kvm\": {\"halt_poll_ns_shrink\": 2}}", "6.12.118+deb12-amd64")

static struct cmp_opts opts(void)
{
	return (struct cmp_opts){ .threshold = 0.05, .confidence = 0.99, .resamples = 100, .seed = 1,
				  .counts = true, .count_delta = CMP_COUNT_DELTA };
}

static void run_init(struct run_result *r, const char *ctx)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->payload, "exit-costs");
	r->context_json = strdup(ctx);
}

static void stat_add(struct kvm_stat_group *g, const char *name, int64_t delta)
{
	g->delta = realloc(g->delta, (g->ndelta + 1) * sizeof(*g->delta));
	assert_non_null(g->delta);
	snprintf(g->delta[g->ndelta].name, sizeof(g->delta->name), "%s", name);
	g->delta[g->ndelta++].delta = delta;
}

/*
 * A guest test of `iters` operations with `exits` and `vmm` exits per op, a
 * timing of `cycles` (which --counts ignores), KVM stats and, when host is
 * not NULL, its host instruments' object.
 */
static struct test_result *add(struct run_result *r, const char *name, uint64_t iters, double exits, double vmm,
			       double cycles, const char *host)
{
	struct test_result *t = results_add_test(r);

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->ring = 3;
	strcpy(t->where, "guest");
	t->status = TEST_OK;
	t->iterations = iters;
	t->has_timing = true;
	t->cycles.n = 100;
	t->cycles.median = cycles;
	t->has_exits = true;
	t->exits_per_iteration = exits;
	t->userspace_exits_per_iteration = vmm;
	stat_add(&t->vcpu_stats, "exits", (int64_t)(exits * (double)iters) + 1);
	stat_add(&t->vcpu_stats, "halt_wait_ns", 123456789); /* a time: never a count */
	if (host)
		t->host_json = strdup(host);
	return t;
}

static const struct cmp_row *row(const struct cmp_row *rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmp_test *t = rows[i].base ? rows[i].base : rows[i].cur;

		if (!strcmp(t->name, name))
			return &rows[i];
	}
	fail_msg("no row %s", name);
	return NULL;
}

static const struct cmp_count_diff *diff(const struct cmp_row *r, const char *name)
{
	for (size_t i = 0; i < r->ndiffs; i++)
		if (!strcmp(r->diffs[i].name, name))
			return &r->diffs[i];
	return NULL;
}

static void side_of(struct cmp_side *s, struct run_result *r)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	assert_int_equal(cmp_side_add_run(s, r, err, sizeof(err)), 0);
	results_free(r);
}

static void compare(struct run_result *rb, struct run_result *rc, const struct cmp_opts *o, struct cmp_side *b,
		    struct cmp_side *c, struct cmp_row **rows, size_t *n)
{
	char err[256];

	side_of(b, rb);
	side_of(c, rc);
	assert_int_equal(cmp_compare(b, c, o, rows, n, err, sizeof(err)), 0);
}

static void done(struct cmp_side *b, struct cmp_side *c, struct cmp_row *rows, size_t n)
{
	cmp_rows_free(rows, n);
	cmp_side_free(b);
	cmp_side_free(c);
}

#define TP(exit, pio) "{\"tracepoints\": {\"counts\": {\"kvm:kvm_exit\": " #exit ", \"kvm:kvm_pio\": " #pio "}}}"

static void test_verdicts(void **state)
{
	struct run_result rb, rc;
	struct cmp_side b, c;
	struct cmp_row *rows;
	struct cmp_opts o = opts();
	size_t n;
	const struct cmp_row *x;
	(void)state;

	run_init(&rb, CTX_61);
	run_init(&rc, CTX_612);
	/* twice the exits per op: regressed, whatever the cycles say */
	add(&rb, "cpuid", 1000, 1, 0, 2000, TP(1001, 0));
	add(&rc, "cpuid", 1000, 2, 0, 1000, TP(2001, 0));
	/* half the exits to the VMM: improved */
	add(&rb, "pio", 1000, 1, 1, 8000, TP(1001, 1001));
	add(&rc, "pio", 1000, 1, 0.5, 8000, TP(1001, 1001));
	/* the exits held, a KVM stat moved: changed */
	stat_add(&add(&rb, "mmio", 1000, 1, 1, 9000, NULL)->vcpu_stats, "pf_taken", 10);
	stat_add(&add(&rc, "mmio", 1000, 1, 1, 9000, NULL)->vcpu_stats, "pf_taken", 1000);
	/* only the host's interrupts and the timing moved: unchanged */
	stat_add(&add(&rb, "hlt", 1000, 1, 0, 5000, TP(1001, 0))->vcpu_stats, "irq_exits", 3);
	stat_add(&add(&rc, "hlt", 1000, 1, 0, 50000, TP(1001, 0))->vcpu_stats, "irq_exits", 900);
	/* more exits per op, all of them interrupt windows (the interrupt landed otherwise): unchanged */
	stat_add(&add(&rb, "irq_device", 1000, 3.09, 0, 7000, TP(3091, 0))->vcpu_stats, "irq_window_exits", 90);
	stat_add(&add(&rc, "irq_device", 1000, 3.42, 0, 7000, TP(3421, 0))->vcpu_stats, "irq_window_exits", 420);
	/* more exits per op besides the windows: regressed */
	stat_add(&add(&rb, "ipi", 1000, 2, 0, 7000, NULL)->vcpu_stats, "irq_window_exits", 10);
	stat_add(&add(&rc, "ipi", 1000, 3, 0, 7000, NULL)->vcpu_stats, "irq_window_exits", 10);
	compare(&rb, &rc, &o, &b, &c, &rows, &n);
	assert_int_equal(n, 6);

	x = row(rows, n, "cpuid");
	assert_int_equal(x->verdict, CMP_REGRESSED);
	assert_false(x->has_stats);
	assert_non_null(strstr(x->reason, "exits 1 -> 2"));
	assert_true(diff(x, "tp.kvm_exit")->differs);
	assert_null(diff(x, "kvm.exits"));          /* "exits" is that count */
	assert_null(diff(x, "kvm.halt_wait_ns"));   /* a time */
	x = row(rows, n, "pio");
	assert_int_equal(x->verdict, CMP_IMPROVED);
	assert_non_null(strstr(x->reason, "vmm_exits 1 -> 0.5"));
	x = row(rows, n, "mmio");
	assert_int_equal(x->verdict, CMP_CHANGED);
	assert_true(fabs(diff(x, "kvm.pf_taken")->base - 0.01) < 1e-12);
	assert_true(fabs(diff(x, "kvm.pf_taken")->cur - 1) < 1e-12);
	assert_non_null(strstr(x->reason, "kvm.pf_taken"));
	x = row(rows, n, "irq_device");
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	assert_false(diff(x, "exits")->differs);
	assert_false(diff(x, "tp.kvm_exit")->differs);
	assert_true(diff(x, "kvm.irq_window_exits")->noise);
	x = row(rows, n, "ipi");
	assert_int_equal(x->verdict, CMP_REGRESSED);
	x = row(rows, n, "hlt");
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	assert_true(diff(x, "kvm.irq_exits")->noise);
	assert_false(diff(x, "kvm.irq_exits")->differs);
	/* the kernels are recorded, the KVM parameters that differ do not stop the comparison */
	assert_string_equal(b.release, "6.1.0-57-amd64");
	assert_string_equal(c.release, "6.12.118+deb12-amd64");
	assert_string_equal(cmp_ctx_differs(&b, rows[0].base, &c, rows[0].cur), "KVM backend parameters differ");
	assert_string_equal(cmp_verdict_name(CMP_CHANGED), "changed");
	done(&b, &c, rows, n);
}

/* A few stray exits in a short phase are not a change; the same share of a long one is. */
static void test_strays_and_delta(void **state)
{
	struct run_result rb, rc;
	struct cmp_side b, c;
	struct cmp_row *rows;
	struct cmp_opts o = opts();
	size_t n;
	(void)state;

	run_init(&rb, CTX_61);
	run_init(&rc, CTX_61);
	add(&rb, "short", 8, 1, 0, 100, NULL);
	add(&rc, "short", 8, 2, 0, 100, NULL);      /* 8 events more: within the 16 strays */
	add(&rb, "long", 1000, 1, 0, 100, NULL);
	add(&rc, "long", 1000, 2, 0, 100, NULL);
	add(&rb, "slight", 1000, 1, 0, 100, NULL);
	add(&rc, "slight", 1000, 1.03, 0, 100, NULL); /* 30 events, but 0.03 per op: under --count-delta */
	compare(&rb, &rc, &o, &b, &c, &rows, &n);
	assert_int_equal(row(rows, n, "short")->verdict, CMP_UNCHANGED);
	assert_int_equal(row(rows, n, "long")->verdict, CMP_REGRESSED);
	assert_int_equal(row(rows, n, "slight")->verdict, CMP_UNCHANGED);
	done(&b, &c, rows, n);

	/* a finer --count-delta and threshold see the slight one */
	o.count_delta = 0.01;
	o.threshold = 0.01;
	run_init(&rb, CTX_61);
	run_init(&rc, CTX_61);
	add(&rb, "slight", 1000, 1, 0, 100, NULL);
	add(&rc, "slight", 1000, 1.03, 0, 100, NULL);
	compare(&rb, &rc, &o, &b, &c, &rows, &n);
	assert_int_equal(row(rows, n, "slight")->verdict, CMP_REGRESSED);
	done(&b, &c, rows, n);
}

#define TRACE "{\"trace\": {\"exit_reasons\": [{\"name\": \"ioio\", \"count\": 500}, {\"name\": \"intr\", \"count\": 3}]," \
	" \"userspace_exits\": [{\"name\": \"IO\", \"count\": 501}]}, " \
	"\"devices\": {\"e1000\": {\"tx_frames\": 500, \"mmio_writes\": 800}, \"netdev\": {\"rx_frames\": 500}}}"
#define TRACE2 "{\"trace\": {\"exit_reasons\": [{\"name\": \"ioio\", \"count\": 500}, {\"name\": \"npf\", \"count\": 500}," \
	" {\"name\": \"intr\", \"count\": 400}], \"userspace_exits\": [{\"name\": \"IO\", \"count\": 501}]}, " \
	"\"devices\": {\"e1000\": {\"tx_frames\": 500, \"mmio_writes\": 400}, \"netdev\": {\"rx_frames\": 500}}}"

/* Per exit reason, per VMM exit reason, per device counter; a family one side lacks is not judged. */
static void test_families(void **state)
{
	struct run_result rb, rc;
	struct cmp_side b, c;
	struct cmp_row *rows;
	struct cmp_opts o = opts();
	size_t n;
	const struct cmp_row *x;
	const struct cmp_count_diff *d;
	(void)state;

	run_init(&rb, CTX_61);
	run_init(&rc, CTX_61);
	add(&rb, "tx", 500, 1, 1, 100, TRACE);
	add(&rc, "tx", 500, 1, 1, 100, TRACE2);
	add(&rb, "traced", 500, 1, 0, 100, TP(501, 0));
	add(&rc, "traced", 500, 1, 0, 100, NULL);   /* no tracepoints on this side */
	compare(&rb, &rc, &o, &b, &c, &rows, &n);

	x = row(rows, n, "tx");
	assert_int_equal(x->verdict, CMP_CHANGED);
	d = diff(x, "exit.npf");                   /* only in current: 0 in baseline, which traced */
	assert_non_null(d);
	assert_true(d->base == 0 && d->cur == 1 && d->differs);
	assert_false(diff(x, "exit.ioio")->differs);
	assert_true(diff(x, "exit.intr")->noise && !diff(x, "exit.intr")->differs);
	assert_true(diff(x, "vmm_exit.IO")->cur > 1);
	d = diff(x, "dev.e1000.mmio_writes");
	assert_true(d->base == 1.6 && d->cur == 0.8 && d->differs);
	assert_false(diff(x, "dev.netdev.rx_frames")->differs);

	x = row(rows, n, "traced");
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	d = diff(x, "tp.kvm_exit");
	assert_true(d->base > 1 && isnan(d->cur) && !d->differs);
	done(&b, &c, rows, n);
}

/* Pooled files add their events and their operations; a skipped test or one without counts is not comparable. */
static void test_pooling_and_not_comparable(void **state)
{
	struct run_result r;
	struct cmp_side b = { 0 }, c = { 0 };
	struct cmp_row *rows;
	struct cmp_opts o = opts();
	char err[256];
	size_t n;
	const struct cmp_row *x;
	(void)state;

	for (int i = 0; i < 2; i++) {
		run_init(&r, CTX_61);
		add(&r, "cpuid", i ? 300 : 100, i ? 2 : 1, 0, 100, NULL);
		add(&r, "skipped", 100, 1, 0, 100, NULL);
		assert_int_equal(cmp_side_add_run(&b, &r, err, sizeof(err)), 0);
		results_free(&r);
	}
	run_init(&r, CTX_612);
	add(&r, "cpuid", 400, 1.75, 0, 100, NULL);   /* (100 + 600) / 400 on the baseline too */
	add(&r, "skipped", 100, 1, 0, 100, NULL)->status = TEST_SKIPPED;
	add(&r, "nocounts", 100, 1, 0, 100, NULL);
	assert_int_equal(cmp_side_add_run(&c, &r, err, sizeof(err)), 0);
	results_free(&r);
	run_init(&r, CTX_61);
	add(&r, "nocounts", 0, 0, 0, 100, NULL)->has_exits = false; /* e.g. a host test: no operations counted */
	assert_int_equal(cmp_side_add_run(&b, &r, err, sizeof(err)), 0);
	results_free(&r);
	assert_string_equal(b.release, "6.1.0-57-amd64");

	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	x = row(rows, n, "cpuid");
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	assert_true(fabs(diff(x, "exits")->base - 1.75) < 1e-12);
	x = row(rows, n, "skipped");
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_non_null(strstr(x->reason, "current skipped"));
	x = row(rows, n, "nocounts");
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_string_equal(x->reason, "no counts on baseline");
	done(&b, &c, rows, n);
}

static void test_noise_names(void **state)
{
	(void)state;
	assert_true(cmp_count_is_noise("kvm.irq_exits"));
	assert_true(cmp_count_is_noise("kvm.halt_wakeup"));
	assert_true(cmp_count_is_noise("kvm_vm.preemption_other"));
	assert_true(cmp_count_is_noise("exit.intr"));
	assert_true(cmp_count_is_noise("exit.EXTERNAL_INTERRUPT"));
	assert_true(cmp_count_is_noise("kvm.irq_window_exits"));
	assert_true(cmp_count_is_noise("exit.vintr"));
	assert_false(cmp_count_is_noise("kvm.pf_taken"));
	assert_false(cmp_count_is_noise("exits"));
	assert_false(cmp_count_is_noise("dev.e1000.interrupts"));
	assert_false(cmp_count_is_noise("tp.kvm_exit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_strays_and_delta),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_pooling_and_not_comparable),
		cmocka_unit_test(test_noise_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
