/* SPDX-License-Identifier: MIT */
/*
 * claims_figures.c and claims.c: each figure from synthetic results (the
 * cheapest in-kernel exit, the syscall ratio, mem-walk overhead, exits and
 * packets/s of a net test, the TLB refill per exit, the host's paging), and
 * whole tables from a hand-made claims run: verdicts, pooling over
 * repetitions, skipped and failed entries, hosts that cannot measure a claim.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/claims.h"

#define CTX(backend, params) \
	"{\"hostname\": \"h\", \"kvm\": {\"backend\": \"" backend "\", \"params\": " params "}, " \
	"\"devices\": {\"/dev/vfio/vfio\": {\"exists\": false}}}"
#define CTX_PVM CTX("kvm_pvm", "{}")

static void run_init(struct run_result *r, const char *payload, const char *ctx)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->payload, sizeof(r->payload), "%s", payload);
	snprintf(r->started_at, sizeof(r->started_at), "2026-12-01T00:00:00Z");
	r->context_json = strdup(ctx);
}

static struct test_result *timed(struct run_result *r, const char *name, const char *where, double cycles,
				 double exits, double user)
{
	struct test_result *t = results_add_test(r);

	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "%s", where);
	t->ring = strcmp(where, "host") ? 3 : -1;
	t->status = TEST_OK;
	t->iterations = 1000;
	t->has_timing = true;
	t->cycles.n = t->ns.n = 1000;
	t->cycles.median = cycles;
	t->ns.median = cycles / 2.6;
	if (exits >= 0) {
		t->has_exits = true;
		t->exits_per_iteration = exits;
		t->userspace_exits_per_iteration = user;
	}
	return t;
}

static void exit_costs(struct run_result *r, double ioeventfd, double syscall)
{
	run_init(r, "exit-costs", CTX_PVM);
	timed(r, "cpuid", "guest", 900, 0.002, 0);        /* no exit counted: not an exit figure */
	timed(r, "pio_vmm", "guest", 80000, 1.0, 1.0);     /* reaches the VMM: not in-kernel */
	timed(r, "mmio_ioeventfd", "guest", ioeventfd, 1.0, 0);
	timed(r, "pio_ioeventfd", "guest", ioeventfd + 500, 1.0, 0);
	timed(r, "host_syscall", "host", syscall, -1, 0);
}

static void test_exit_figure(void **state)
{
	struct run_result r;
	double c, ns, sys;
	char name[32];

	(void)state;
	exit_costs(&r, 2000, 100);
	assert_true(claims_figure_exit(&r, &c, &ns, name, sizeof(name)));
	assert_float_equal(c, 2000, 1e-9);
	assert_string_equal(name, "mmio_ioeventfd");
	assert_true(claims_figure_syscall(&r, &sys));
	assert_float_equal(sys, 100, 1e-9);
	/* an emulated (CPL0 on PVM) test is not an exit figure */
	r.tests[2].emulated = true;
	assert_true(claims_figure_exit(&r, &c, &ns, name, sizeof(name)));
	assert_string_equal(name, "pio_ioeventfd");
	/* nor is a row whose exit counts contradict its test (validity.h) */
	r.tests[2].emulated = false;
	r.tests[2].invalid = true;
	assert_true(claims_figure_exit(&r, &c, &ns, name, sizeof(name)));
	assert_string_equal(name, "pio_ioeventfd");
	results_free(&r);

	run_init(&r, "exit-costs", CTX_PVM);
	timed(&r, "pio_vmm", "guest", 80000, 1.0, 1.0);
	assert_false(claims_figure_exit(&r, &c, &ns, name, sizeof(name)));
	assert_false(claims_figure_syscall(&r, &sys));
	results_free(&r);
}

static void chase(struct run_result *r, const char *name, long long ws, const char *gpage, const char *hpage,
		  double cycles)
{
	struct test_result *t = timed(r, name, strcmp(name, "chase") ? "host" : "guest", cycles, 0, 0);
	char p[160];

	if (!strcmp(name, "chase"))
		snprintf(p, sizeof(p), "{\"working_set\": %lld, \"guest_page\": \"%s\", \"host_page\": \"%s\"}", ws,
			 gpage, hpage);
	else
		snprintf(p, sizeof(p), "{\"working_set\": %lld, \"host_page\": \"%s\"}", ws, hpage);
	t->params_json = strdup(p);
}

static void test_mem_figures(void **state)
{
	struct run_result r;
	double o, g;
	long long ws;
	int pairs;

	(void)state;
	run_init(&r, "mem-walk", CTX_PVM);
	chase(&r, "chase", 65536, "4k", "4k", 3);
	chase(&r, "chase", 1 << 28, "4k", "4k", 600);
	chase(&r, "chase", 1 << 28, "2m", "4k", 500);
	chase(&r, "native_chase", 65536, NULL, "4k", 3);
	chase(&r, "native_chase", 1 << 28, NULL, "4k", 400);
	/* the largest working set with a native twin */
	assert_true(claims_figure_mem(&r, "4k", "4k", &o, &ws));
	assert_int_equal(ws, 1 << 28);
	assert_float_equal(o, 0.5, 1e-9);
	assert_false(claims_figure_mem(&r, "4k", "thp", &o, &ws));
	/* best pages per working set: 64K 1.0x, 256M 500/400 = 1.25x: geomean sqrt(1.25) */
	assert_true(claims_figure_mem_geomean(&r, &g, &pairs));
	assert_int_equal(pairs, 2);
	assert_float_equal(g, sqrt(1.25), 1e-9);
	results_free(&r);
}

static struct test_result *net_test(struct run_result *r, const char *dir, double exits, double phase_s,
				    int batch)
{
	struct test_result *t = timed(r, dir, "guest", 1000, exits, 0);
	char p[96];

	t->has_phase = true;
	t->phase_s = phase_s;
	snprintf(p, sizeof(p), "{\"nic\": \"e1000\", \"size\": 1514, \"batch\": %d}", batch);
	t->params_json = strdup(p);
	t->host_json = strdup("{\"devices\": {\"e1000\": {\"tx_frames\": 1000, \"tdt_writes\": 1000}}}");
	return t;
}

static void test_net_and_tlb_figures(void **state)
{
	struct run_result r;
	double e, fps, size, extra;
	long long pages;
	struct test_result *t;

	(void)state;
	run_init(&r, "net", CTX_PVM);
	net_test(&r, "rx", 2.0, 1.0, 1);
	net_test(&r, "tx", 6.0, 0.01, 1);
	assert_true(claims_figure_net(&r, "tx", 1, &e, &fps, &size));
	assert_float_equal(e, 6.0, 1e-9);
	assert_float_equal(fps, 1000 / 0.01, 1e-6);
	assert_float_equal(size, 1514, 1e-9);
	assert_false(claims_figure_net(&r, "bidi", 0, &e, &fps, &size));
	/* only the batch asked for */
	assert_false(claims_figure_net(&r, "tx", 32, &e, &fps, &size));
	results_free(&r);

	/* the setup behind a rate: model, back-end, what checks the frames */
	{
		static const struct {
			const char *config, *want;
		} cases[] = {
			{ "{\"devices\": [{\"model\": \"virtio-net\", \"notify\": \"ioeventfd\", \"backend\": \"vmm\", "
			  "\"netdev\": \"sink,check=1\"}], \"params\": \"frames=1000 dir=tx\"}",
			  "virtio-net (kicks by ioeventfd), back-end sink,check=1, sink checks every frame, 1514 B, "
			  "batch 1, polling" },
			{ "{\"devices\": [{\"model\": \"virtio-net\", \"notify\": \"exit\", \"backend\": \"vmm\", "
			  "\"netdev\": \"sink,check=0\"}]}",
			  "virtio-net (kicks by exit), back-end sink,check=0, sink check off, 1514 B, batch 1, polling" },
			{ "{\"devices\": [{\"model\": \"e1000\", \"netdev\": \"loop\"}], \"params\": \"loopback=1 "
			  "frames=9\"}",
			  "e1000, back-end loop, frames looped back and checked by the guest, 1514 B, batch 1, polling" },
			{ "{\"devices\": [{\"model\": \"virtio-net\", \"backend\": \"vhost-user\"}]}",
			  "virtio-net, back-end vhost-user, back-end's own check, 1514 B, batch 1, polling" },
		};
		char buf[200];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			run_init(&r, "net", CTX_PVM);
			net_test(&r, "tx", 0.01, 0.01, 1);
			r.config_json = strdup(cases[i].config);
			assert_true(claims_net_setup(&r, "tx", 1, buf, sizeof(buf)));
			assert_string_equal(buf, cases[i].want);
			/* no such test, or no device in the configuration: no setup */
			assert_false(claims_net_setup(&r, "tx", 32, buf, sizeof(buf)));
			results_free(&r);
		}
		run_init(&r, "net", CTX_PVM);
		net_test(&r, "tx", 0.01, 0.01, 1);
		assert_false(claims_net_setup(&r, "tx", 1, buf, sizeof(buf)));
		results_free(&r);
	}

	/* 1514-byte frames on 10 GbE: 10e9 / (1538 * 8) */
	assert_float_equal(claims_line_rate_fps(1514), 10e9 / (1538 * 8.0), 1e-6);

	run_init(&r, "tlb", CTX_PVM);
	t = timed(&r, "refill", "guest", 10, 0, 0);
	t->params_json = strdup("{\"n\": 64, \"exit\": \"none\"}");
	t = timed(&r, "refill", "guest", 12, 0, 0);
	t->params_json = strdup("{\"n\": 64, \"exit\": \"pio\"}");
	t = timed(&r, "refill", "guest", 11, 0, 0);
	t->params_json = strdup("{\"n\": 4096, \"exit\": \"none\"}");
	t = timed(&r, "refill", "guest", 13.5, 0, 0);
	t->params_json = strdup("{\"n\": 4096, \"exit\": \"pio\"}");
	t = timed(&r, "refill", "guest", 99, 0, 0);
	t->params_json = strdup("{\"n\": 8192, \"exit\": \"pio\"}"); /* no exit=none twin: unused */
	assert_true(claims_figure_tlb(&r, "pio", &extra, &pages));
	assert_int_equal(pages, 4096);
	assert_float_equal(extra, 2.5 * 4096, 1e-9);
	assert_false(claims_figure_tlb(&r, "cpuid", &extra, &pages));
	results_free(&r);
}

static void test_paging(void **state)
{
	struct run_result r;

	(void)state;
	run_init(&r, "x", CTX_PVM);
	assert_string_equal(claims_paging(&r), "shadow");
	results_free(&r);
	run_init(&r, "x", CTX("kvm_amd", "{\"kvm_amd\": {\"npt\": true}}"));
	assert_string_equal(claims_paging(&r), "npt");
	results_free(&r);
	run_init(&r, "x", CTX("kvm_amd", "{\"kvm_amd\": {\"npt\": false}}"));
	assert_string_equal(claims_paging(&r), "shadow");
	results_free(&r);
	run_init(&r, "x", CTX("kvm_intel", "{\"kvm_intel\": {\"ept\": 1}}"));
	assert_string_equal(claims_paging(&r), "ept");
	results_free(&r);
	run_init(&r, "x", CTX("kvm_intel", "{}"));
	assert_string_equal(claims_paging(&r), "unknown");
	results_free(&r);
}

/* A hand-made run of the claims campaign in a temp dir: entries written as results files. */
struct fixture {
	char dir[64];
	struct store_run run;
	size_t cap;
};

static void add_entry(struct fixture *f, const char *name, const char *status, const char *reason,
		      struct run_result *r)
{
	struct store_entry *e;
	char path[256], err[256];

	if (f->run.nentries == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->run.entries = realloc(f->run.entries, f->cap * sizeof(*f->run.entries));
	}
	e = &f->run.entries[f->run.nentries];
	memset(e, 0, sizeof(*e));
	e->id = (int)f->run.nentries++;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->status, sizeof(e->status), "%s", status);
	snprintf(e->reason, sizeof(e->reason), "%s", reason ? reason : "");
	if (r) {
		snprintf(path, sizeof(path), "%s/%03d.json", f->dir, e->id);
		assert_int_equal(results_write_json(r, path, err, sizeof(err)), 0);
		e->results = strdup(path);
		results_free(r);
	}
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/exitlab-claims-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->run.path = strdup(f->dir);
	snprintf(f->run.campaign, sizeof(f->run.campaign), "claims");
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	store_run_free(&f->run);
	free(f);
	return 0;
}

static const struct claim_row *row(const struct claim_row *rows, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].id, id))
			return &rows[i];
	fail_msg("no row %s", id);
	return NULL;
}

static int problems;

static void count_problem(void *ctx, const char *path, const char *reason)
{
	(void)ctx;
	(void)path;
	(void)reason;
	problems++;
}

static void test_table(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	const struct claim_row *x;
	size_t n;
	FILE *bad;
	char path[128];

	/* three repetitions of the exit costs: the median of 2000, 3000 and 9000 is judged */
	exit_costs(&r, 2000, 100);
	/* the cheapest "exit" of all, but its counts were judged invalid: never the figure */
	timed(&r, "hypercall", "guest", 100, 1.0, 0)->invalid = true;
	add_entry(f, "exit-cost/rep1", "done", NULL, &r);
	exit_costs(&r, 9000, 100);
	add_entry(f, "exit-cost/rep2", "done", NULL, &r);
	exit_costs(&r, 3000, 100);
	add_entry(f, "exit-cost/rep3", "done", NULL, &r);
	/* e1000 at batch 1: 6 exits per packet; batch 32 must not be pooled in */
	run_init(&r, "net", CTX_PVM);
	net_test(&r, "tx", 6.0, 1.0, 1);
	add_entry(f, "net-e1000/e1000/batch=1/rep1", "done", NULL, &r);
	run_init(&r, "net", CTX_PVM);
	net_test(&r, "tx", 60.0, 1.0, 32);
	add_entry(f, "net-e1000/e1000/batch=32/rep1", "done", NULL, &r);
	add_entry(f, "net-vhost-net/vhost-net/batch=256/rep1", "skipped", "no /dev/vhost-net: modprobe vhost_net",
		  NULL);
	add_entry(f, "net-vhost-user/vhost-user/batch=256/rep1", "failed", "exit 1: the back-end hung up", NULL);
	/* a corrupt results file of a done entry: named once, left out */
	add_entry(f, "tlb-vpid/rep1", "done", NULL, NULL);
	snprintf(path, sizeof(path), "%s/corrupt.json", f->dir);
	bad = fopen(path, "w");
	fputs("{\"schema\": ", bad);
	fclose(bad);
	f->run.entries[f->run.nentries - 1].results = strdup(path);

	problems = 0;
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, count_problem, NULL);
	assert_true(n >= 12);
	assert_int_equal(problems, 1);

	x = row(rows, n, "exit-cost");
	assert_int_equal(x->n, 3);
	assert_float_equal(x->value, 3000, 1e-9);
	assert_float_equal(x->lo, 2000, 1e-9);
	assert_float_equal(x->hi, 9000, 1e-9);
	assert_int_equal(x->verdict, CLAIM_HOLDS);
	assert_non_null(strstr(x->why, "1 invalid row not used (hypercall cpl3"));
	x = row(rows, n, "exit-vs-syscall");
	assert_float_equal(x->value, 30, 1e-9);
	assert_int_equal(x->verdict, CLAIM_HOLDS);

	x = row(rows, n, "e1000-exits");
	assert_int_equal(x->n, 1);
	assert_float_equal(x->value, 6.0, 1e-9);
	assert_int_equal(x->verdict, CLAIM_DIFFERS);
	assert_non_null(strstr(x->why, ">= 7"));
	x = row(rows, n, "e1000-rate");
	assert_float_equal(x->value, 1000, 1e-6);
	assert_int_equal(x->verdict, CLAIM_DIFFERS);

	x = row(rows, n, "vhost-net");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURABLE);
	assert_non_null(strstr(x->why, "vhost_net"));
	x = row(rows, n, "vhost-user");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "hung up"));
	/* no EPT/NPT on PVM; no VFIO; a claim whose entry the run lacks */
	assert_int_equal(row(rows, n, "mem-tdp")->verdict, CLAIM_NOT_MEASURABLE);
	assert_non_null(strstr(row(rows, n, "passthrough-exits")->why, "VFIO"));
	assert_int_equal(row(rows, n, "passthrough-exits")->verdict, CLAIM_NOT_MEASURABLE);
	x = row(rows, n, "virtio-exits");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "no 'net-virtio' entry"));
	assert_true(isnan(x->value));
	/* the rate has an entry of its own: the sink checking every frame */
	assert_non_null(strstr(row(rows, n, "virtio-rate")->why, "no 'net-virtio-rate' entry"));
	/* the TLB claim's only entry is corrupt: not measurable on PVM all the same, with no figure */
	x = row(rows, n, "vpid");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURABLE);
	assert_string_equal(x->measured, "-");
}

/*
 * One figure per test: over three repetitions the exit row shows the rate
 * the rate row judges (the median rate, 2000/s), not the rate of the run
 * with the median exit count (4000/s); and every claim names its source.
 */
static void test_one_rate_per_test(void **state)
{
	static const double exits[] = { 6, 8, 7 }, phase[] = { 1.0, 0.5, 0.25 };
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	const struct claim_row *x, *y;
	char name[64];
	size_t n;

	for (int i = 0; i < 3; i++) {
		run_init(&r, "net", CTX_PVM);
		net_test(&r, "tx", exits[i], phase[i], 1);
		snprintf(name, sizeof(name), "net-e1000/e1000/batch=1/rep%d", i + 1);
		add_entry(f, name, "done", NULL, &r);
	}
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	x = row(rows, n, "e1000-exits");
	y = row(rows, n, "e1000-rate");
	assert_float_equal(x->value, 7, 1e-9);
	assert_float_equal(y->value, 2000, 1e-6);
	assert_non_null(strstr(x->measured, "(2000 packets/s)"));
	assert_non_null(strstr(y->measured, "(7.000 exits/packet)"));
	for (size_t i = 0; i < n; i++)
		if (!rows[i].source || !*rows[i].source)
			fail_msg("claim %s cites no source", rows[i].id);
}

/* Passthrough's count from the testbed: exits less host interrupts, into its row only. */
static void test_testbed_counts(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	struct test_result *t;
	char path[128], err[256];
	double e;
	size_t n;

	run_init(&r, "net", CTX("kvm_amd", "{\"kvm_amd\": {\"npt\": true}}"));
	t = net_test(&r, "tx", 0.008, 1.0, 1);
	t->vcpu_stats.delta = calloc(1, sizeof(*t->vcpu_stats.delta));
	snprintf(t->vcpu_stats.delta[0].name, sizeof(t->vcpu_stats.delta[0].name), "irq_exits");
	t->vcpu_stats.delta[0].delta = 8;   /* 8 of the 1000 frames' exits were host interrupts */
	t->vcpu_stats.ndelta = 1;
	assert_true(claims_figure_device_exits(&r, "tx", 1, &e));
	assert_float_equal(e, 0, 1e-12);
	assert_false(claims_figure_device_exits(&r, "tx", 32, &e));
	snprintf(path, sizeof(path), "%s/ladder-vfio.json", f->dir);
	assert_int_equal(results_write_json(&r, path, err, sizeof(err)), 0);
	results_free(&r);

	/* an empty run: every row not measured, then the testbed fills passthrough-exits */
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	assert_int_equal(row(rows, n, "passthrough-exits")->verdict, CLAIM_NOT_MEASURABLE);
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 1);
	assert_int_equal(row(rows, n, "passthrough-exits")->verdict, CLAIM_HOLDS);
	assert_float_equal(row(rows, n, "passthrough-exits")->value, 0, 1e-12);
	assert_non_null(strstr(row(rows, n, "passthrough-exits")->why, "nested testbed"));
	assert_int_equal(row(rows, n, "passthrough-overhead")->verdict, CLAIM_NOT_MEASURABLE);
	assert_int_equal(row(rows, n, "exit-cost")->verdict, CLAIM_NOT_MEASURED);
	/* no testbed results there: nothing changes */
	assert_int_equal(claims_from_testbed("/nonexistent", rows, n, NULL, NULL), 0);
}

/*
 * The testbed-only rows: "not measured" without --testbed, and with the
 * trimmed real files of tests/data/testbed (a linux.list and a
 * linux-guest.list run) their verdicts, computed from the counts.
 */
static void test_testbed_linux(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	const struct claim_row *x;
	double want = 100 * (1 - 66620.0 / 168321.0);
	size_t n;

	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "--testbed DIR with linux-boot.json (npt=1) and linux-npt0.json (npt=0)"));
	x = row(rows, n, "e1000-exits-linux");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "--testbed DIR with lguest-e1000.json"));
	assert_non_null(x->source);

	/* no ladder-vfio.json there: passthrough stays as it was */
	assert_int_equal(claims_from_testbed("tests/data/testbed", rows, n, NULL, NULL), 2);
	assert_int_equal(row(rows, n, "passthrough-exits")->verdict, CLAIM_NOT_MEASURABLE);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_DIFFERS);
	assert_float_equal(x->value, want, 1e-9);
	assert_int_equal(x->n, 1);
	assert_non_null(strstr(x->measured, "60.4% fewer (66620 vs 168321 exits)"));
	/* net of the 33846 exits to the VMM either way: 1 - 32774/134475 */
	assert_non_null(strstr(x->measured, "75.6% net of exits to the VMM (33846 vs 33846)"));
	assert_non_null(strstr(x->why, "holds within 90..97.5%"));
	x = row(rows, n, "e1000-exits-linux");
	assert_int_equal(x->verdict, CLAIM_HOLDS);
	assert_float_equal(x->value, 9.235, 1e-9);
	assert_non_null(strstr(x->measured, "6.15 to the VMM"));
	assert_non_null(strstr(x->setup, "Linux's e1000 driver"));
	assert_non_null(strstr(x->setup, "1514 B"));
	assert_non_null(strstr(x->setup, "back-end loop"));
	/* the payload's own e1000 row is a different one, left alone */
	assert_int_equal(row(rows, n, "e1000-exits")->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(row(rows, n, "e1000-exits")->why, "no 'net-e1000' entry"));
}

/*
 * --testbed build/testbed: each boot of test_testbed writes a folder of its
 * own, so a file not in DIR is taken from the newest DIR/SUB/ holding it.
 */
static void test_testbed_subfolders(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	char dir[] = "/tmp/exitlab-claims-tb-XXXXXX", cmd[512];
	const struct claim_row *x;
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/itest-linux %s/itest-linux-guest && "
		 "cp tests/data/testbed/linux-boot.json tests/data/testbed/linux-npt0.json %s/itest-linux/ && "
		 "cp tests/data/testbed/lguest-e1000.json %s/itest-linux-guest/", dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	assert_int_equal(claims_from_testbed(dir, rows, n, NULL, NULL), 2);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_DIFFERS);
	assert_non_null(strstr(x->why, "/itest-linux/linux-boot.json and "));
	x = row(rows, n, "e1000-exits-linux");
	assert_int_equal(x->verdict, CLAIM_HOLDS);
	assert_non_null(strstr(x->why, "/itest-linux-guest/lguest-e1000.json: kvm_amd"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A boot's totals as exitlab run linux writes them. */
static void write_boot(const char *dir, const char *name, bool npt, long long exits, long long user,
		       const char *end)
{
	struct run_result r;
	char path[256], err[256], vmm[256];

	run_init(&r, "linux", npt ? CTX("kvm_amd", "{\"kvm_amd\": {\"npt\": true}}") :
				    CTX("kvm_amd", "{\"kvm_amd\": {\"npt\": false}}"));
	snprintf(vmm, sizeof(vmm), "{\"userspace_exits\": %lld, \"linux\": {\"end\": \"%s\", "
		 "\"kvm_stats_totals\": {\"vcpus_sum\": {\"exits\": %lld}}}}", user, end, exits);
	r.vmm_json = strdup(vmm);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	assert_int_equal(results_write_json(&r, path, err, sizeof(err)), 0);
	results_free(&r);
}

/* tdp-exits' window and its refusals: files missing, the wrong paging, a boot that did not end. */
static void test_testbed_tdp(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	const struct claim_row *x;
	double e, u;
	struct run_result r;
	char path[256], err[256];
	size_t n;

	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 0);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "has neither linux-boot.json nor linux-npt0.json"));
	assert_non_null(strstr(row(rows, n, "e1000-exits-linux")->why, "has no lguest-e1000.json"));

	/* 95% fewer exits, 96% net of the 1000 to the VMM: holds */
	write_boot(f->dir, "linux-boot", true, 5000, 1000, "poweroff");
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 0);
	assert_non_null(strstr(row(rows, n, "tdp-exits")->why, "has no linux-npt0.json"));
	write_boot(f->dir, "linux-npt0", false, 100000, 1000, "poweroff");
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 1);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_HOLDS);
	assert_float_equal(x->value, 95, 1e-9);
	assert_non_null(strstr(x->measured, "95.0% fewer (5000 vs 100000 exits); 96.0% net"));

	/* 99% fewer: beyond the "~5% left" window (1% left is 5x less) */
	write_boot(f->dir, "linux-boot", true, 1000, 100, "poweroff");
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 1);
	assert_int_equal(row(rows, n, "tdp-exits")->verdict, CLAIM_DIFFERS);

	/* the two files the wrong way round: refused, never judged */
	write_boot(f->dir, "linux-npt0", true, 100000, 1000, "poweroff");
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 0);
	x = row(rows, n, "tdp-exits");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURED);
	assert_non_null(strstr(x->why, "linux-npt0.json ran with npt paging: it must be the npt=0 boot"));

	/* a boot that panicked is no figure */
	write_boot(f->dir, "linux-npt0", false, 100000, 1000, "panic");
	snprintf(path, sizeof(path), "%s/linux-npt0.json", f->dir);
	assert_int_equal(results_read_json(path, &r, err, sizeof(err)), 0);
	assert_false(claims_figure_boot_exits(&r, &e, &u));
	results_free(&r);
	assert_int_equal(claims_from_testbed(f->dir, rows, n, NULL, NULL), 0);
	assert_non_null(strstr(row(rows, n, "tdp-exits")->why, "no boot to its poweroff"));
}

#define CTX_IV(backend, iv) \
	"{\"hostname\": \"h\", \"kvm\": {\"backend\": \"" backend "\", \"params\": {}, " \
	"\"interrupt_virtualization\": " iv "}, \"devices\": {}}"

/* exit-costs with irq_device (3 exits per interrupt, its request's included) under ctx. */
static void irq_run(struct run_result *r, const char *ctx, double exits)
{
	struct test_result *t;

	run_init(r, "exit-costs", ctx);
	t = timed(r, "irq_device", "guest", 4000, exits, 0);
	t->ring = 0;
	timed(r, "mmio_ioeventfd", "guest", 2000, 1.0, 0);
}

/*
 * posted-interrupts: exits per device interrupt besides its request, judged
 * only where the results say interrupts are posted; irq_device's latency is
 * never taken for the exit cost.
 */
static void test_posted_interrupts(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	const struct claim_row *x;
	double e, c;
	char name[32];
	size_t n;

	irq_run(&r, CTX_IV("kvm_intel", "{\"kind\": \"apicv\", \"param\": \"kvm_intel.enable_apicv\", "
			   "\"enabled\": true, \"cpu_has\": true, \"posted_interrupts\": true}"), 1.02);
	assert_true(claims_figure_irq(&r, &e, &c));
	assert_float_equal(e, 0.02, 1e-9);
	assert_float_equal(c, 4000, 1e-9);
	/* a 1-exit, 0-user-exit row, but its samples are latencies: not the exit cost */
	r.tests[0].cycles.median = 100;
	assert_true(claims_figure_exit(&r, &c, &e, name, sizeof(name)));
	assert_string_equal(name, "mmio_ioeventfd");
	r.tests[0].cycles.median = 4000;
	add_entry(f, "exit-cost/rep1", "done", NULL, &r);
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	x = row(rows, n, "posted-interrupts");
	assert_int_equal(x->verdict, CLAIM_HOLDS);
	assert_float_equal(x->value, 0.02, 1e-9);
	assert_non_null(strstr(x->measured, "exits/interrupt"));
	assert_non_null(strstr(x->why, "<= 0.1"));
	assert_non_null(x->source);
}

static void test_posted_interrupts_off(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	const struct claim_row *x;
	size_t n;

	irq_run(&r, CTX_IV("kvm_amd", "{\"kind\": \"avic\", \"param\": \"kvm_amd.avic\", \"enabled\": false, "
			   "\"cpu_has\": false, \"posted_interrupts\": false}"), 3.05);
	add_entry(f, "exit-cost/rep1", "done", NULL, &r);
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	x = row(rows, n, "posted-interrupts");
	assert_int_equal(x->verdict, CLAIM_NOT_MEASURABLE);
	assert_non_null(strstr(x->why, "avic, kvm_amd.avic off, CPU support no"));
	assert_float_equal(x->value, 2.05, 1e-9); /* the figure shown: what each costs without posting */
}

static void test_posted_interrupts_pvm(void **state)
{
	struct fixture *f = *state;
	struct claim_row rows[CLAIMS_MAX];
	struct run_result r;
	size_t n;

	irq_run(&r, CTX_PVM, 3.0);
	add_entry(f, "exit-cost/rep1", "done", NULL, &r);
	n = claims_evaluate(&f->run, rows, CLAIMS_MAX, NULL, NULL);
	assert_int_equal(row(rows, n, "posted-interrupts")->verdict, CLAIM_NOT_MEASURABLE);
	assert_non_null(strstr(row(rows, n, "posted-interrupts")->why, "kvm_pvm"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_figure),
		cmocka_unit_test(test_mem_figures),
		cmocka_unit_test(test_net_and_tlb_figures),
		cmocka_unit_test(test_paging),
		cmocka_unit_test_setup_teardown(test_table, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_testbed_counts, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_testbed_linux, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_testbed_subfolders, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_testbed_tdp, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_one_rate_per_test, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_posted_interrupts, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_posted_interrupts_off, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_posted_interrupts_pvm, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
