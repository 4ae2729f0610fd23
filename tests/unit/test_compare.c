/* SPDX-License-Identifier: MIT */
/*
 * compare.c: pooling results into sides, matching tests by (payload, name,
 * ring, params), verdicts (regressed, improved, unchanged, not comparable with
 * its reason) on synthetic results, and loading files, campaigns and baselines.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/compare.h"
#include "analysis/compare_stats.h"

#define CTX(cpu, backend, ept) \
	"{\"cpu\": {\"model_name\": \"" cpu "\"}, \"kvm\": {\"backend\": \"" backend "\", " \
	"\"params\": {\"kvm\": {\"halt_poll_ns\": 200000}, \"x\": {\"ept\": " ept "}}}, \"hostname\": \"h\"}"
#define CTX_A CTX("AMD EPYC", "kvm_pvm", "true")

static const struct cmp_opts opts = { .threshold = 0.05, .confidence = 0.99, .resamples = 500, .seed = 1 };

static void run_init(struct run_result *r, const char *ctx)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->payload, "exit-costs");
	r->context_json = ctx ? strdup(ctx) : NULL;
}

/* A test with n samples around mu (seeded), or no samples when n == 0 (median mu). */
static struct test_result *add(struct run_result *r, const char *name, int ring, double mu, size_t n,
			       uint64_t seed)
{
	struct test_result *t = results_add_test(r);
	struct cmp_rng g;

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->ring = ring;
	strcpy(t->where, ring < 0 ? "host" : "guest");
	t->status = TEST_OK;
	t->has_timing = true;
	t->cycles.n = n ? n : 100;
	t->cycles.median = mu;
	if (n) {
		cmp_rng_seed(&g, seed);
		t->samples = malloc(n * sizeof(double));
		assert_non_null(t->samples);
		for (size_t i = 0; i < n; i++)
			t->samples[i] = round(mu + mu * 0.02 * cmp_rng_normal(&g));
		t->nsamples = n;
	}
	return t;
}

static void side_of(struct cmp_side *s, struct run_result *r)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	assert_int_equal(cmp_side_add_run(s, r, err, sizeof(err)), 0);
	results_free(r);
}

static const struct cmp_row *row(const struct cmp_row *rows, size_t n, const char *name, int ring)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmp_test *t = rows[i].base ? rows[i].base : rows[i].cur;

		if (!strcmp(t->name, name) && t->ring == ring)
			return &rows[i];
	}
	fail_msg("no row %s ring %d", name, ring);
	return NULL;
}

static void compare(const char *cb, const char *cc, void (*fill_b)(struct run_result *),
		    void (*fill_c)(struct run_result *), struct cmp_row **rows, size_t *n,
		    struct cmp_side *b, struct cmp_side *c)
{
	struct run_result rb, rc;
	char err[256];

	run_init(&rb, cb);
	run_init(&rc, cc);
	fill_b(&rb);
	fill_c(&rc);
	side_of(b, &rb);
	side_of(c, &rc);
	assert_int_equal(cmp_compare(b, c, &opts, rows, n, err, sizeof(err)), 0);
}

static void fill_base(struct run_result *r)
{
	add(r, "cpuid", 3, 2000, 400, 1);
	add(r, "pio", 3, 8000, 400, 2);
	add(r, "hlt", 3, 5000, 400, 3);
	add(r, "host_syscall", -1, 500, 0, 0);
}

/* cpuid twice as slow, pio 20 % faster, hlt the same distribution (other seed), host no samples. */
static void fill_cur(struct run_result *r)
{
	add(r, "cpuid", 3, 4000, 400, 11);
	add(r, "pio", 3, 6400, 400, 12);
	add(r, "hlt", 3, 5000, 400, 13);
	add(r, "host_syscall", -1, 520, 0, 0);
}

static void test_verdicts(void **state)
{
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t n;
	const struct cmp_row *x;
	(void)state;

	compare(CTX_A, CTX_A, fill_base, fill_cur, &rows, &n, &b, &c);
	assert_int_equal(n, 4);
	x = row(rows, n, "cpuid", 3);
	assert_int_equal(x->verdict, CMP_REGRESSED);
	assert_true(x->has_stats && x->p < 0.01 && x->ci_lo > 0.9 && x->ci_hi < 1.1);
	assert_true(fabs(x->change - 1.0) < 0.03);
	x = row(rows, n, "pio", 3);
	assert_int_equal(x->verdict, CMP_IMPROVED);
	assert_true(x->ci_hi < 0);
	x = row(rows, n, "hlt", 3);
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	/* no samples: medians only, never a verdict of significance */
	x = row(rows, n, "host_syscall", -1);
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_false(x->has_stats);
	assert_true(x->has_change && fabs(x->change - 0.04) < 1e-9);
	assert_non_null(strstr(x->reason, "no samples kept (run with --raw)"));
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

static void fill_small_shift(struct run_result *r)
{
	add(r, "cpuid", 3, 2040, 400, 11);  /* +2 %: significant, but within the 5 % threshold */
	add(r, "pio", 3, 8000, 400, 12);
	add(r, "hlt", 3, 5000, 400, 13);
	add(r, "host_syscall", -1, 500, 0, 0);
}

static void test_threshold(void **state)
{
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t n;
	const struct cmp_row *x;
	(void)state;

	compare(CTX_A, CTX_A, fill_base, fill_small_shift, &rows, &n, &b, &c);
	x = row(rows, n, "cpuid", 3);
	assert_true(x->p < 0.01 && x->ci_lo > 0);
	assert_int_equal(x->verdict, CMP_UNCHANGED);
	assert_non_null(strstr(x->reason, "within"));
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

static void expect_all_not_comparable(const char *ctx_cur, const char *why)
{
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t n;

	compare(CTX_A, ctx_cur, fill_base, fill_cur, &rows, &n, &b, &c);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rows[i].verdict, CMP_NOT_COMPARABLE);
		assert_false(rows[i].has_stats);
		assert_string_equal(rows[i].reason, why);
	}
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

static void test_hosts_not_comparable(void **state)
{
	(void)state;
	expect_all_not_comparable(CTX("Intel Xeon", "kvm_pvm", "true"), "host CPU model differs");
	expect_all_not_comparable(CTX("AMD EPYC", "kvm_amd", "true"), "KVM backend differs");
	expect_all_not_comparable(CTX("AMD EPYC", "kvm_pvm", "false"), "KVM backend parameters differ");
	expect_all_not_comparable(NULL, "host CPU model differs");
	/* the hostname alone does not matter, nor the order of keys */
	{
		struct cmp_side b, c;
		struct cmp_row *rows;
		size_t n;

		compare(CTX_A, "{\"hostname\": \"other\", \"kvm\": {\"params\": {\"x\": {\"ept\": true}, "
			"\"kvm\": {\"halt_poll_ns\": 200000}}, \"backend\": \"kvm_pvm\"}, "
			"\"cpu\": {\"model_name\": \"AMD EPYC\"}}", fill_base, fill_cur, &rows, &n, &b, &c);
		assert_int_equal(row(rows, n, "cpuid", 3)->verdict, CMP_REGRESSED);
		free(rows);
		cmp_side_free(&b);
		cmp_side_free(&c);
	}
}

static void fill_other_tests(struct run_result *r)
{
	struct test_result *t;

	add(r, "cpuid", 0, 2000, 400, 1);       /* other ring */
	t = add(r, "pio", 3, 8000, 400, 2);     /* params differ */
	t->params_json = strdup("{\"batch\": 32}");
	t = add(r, "hlt", 3, 5000, 400, 3);
	t->status = TEST_SKIPPED;
	strcpy(t->reason, "no hlt here");
	add(r, "newtest", 3, 100, 400, 4);
}

static void test_matching(void **state)
{
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t n;
	const struct cmp_row *x;
	(void)state;

	compare(CTX_A, CTX_A, fill_base, fill_other_tests, &rows, &n, &b, &c);
	assert_int_equal(n, 5);
	x = row(rows, n, "cpuid", 3);
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_string_equal(x->reason, "ring differs");
	x = row(rows, n, "pio", 3);
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_string_equal(x->reason, "params differ");
	x = row(rows, n, "hlt", 3);
	assert_int_equal(x->verdict, CMP_NOT_COMPARABLE);
	assert_string_equal(x->reason, "current skipped: no hlt here");
	x = row(rows, n, "host_syscall", -1);
	assert_string_equal(x->reason, "only in baseline");
	assert_null(x->cur);
	x = row(rows, n, "newtest", 3);
	assert_string_equal(x->reason, "only in current");
	assert_null(x->base);
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

/* Repetitions pool their samples; params in another key order are the same test. */
static void test_pooling(void **state)
{
	struct cmp_side s = { 0 };
	struct run_result r;
	struct test_result *t;
	char err[256];
	(void)state;

	for (int rep = 0; rep < 3; rep++) {
		run_init(&r, CTX_A);
		t = add(&r, "tx", 3, 1000 + rep, 100, (uint64_t)rep);
		t->params_json = strdup(rep ? "{\"dir\": \"tx\", \"batch\": 1}" : "{\"batch\":1,\"dir\":\"tx\"}");
		assert_int_equal(cmp_side_add_run(&s, &r, err, sizeof(err)), 0);
		results_free(&r);
	}
	assert_int_equal(s.nfiles, 3);
	assert_int_equal(s.ntests, 1);
	assert_int_equal(s.tests[0].nsamples, 300);
	assert_int_equal(s.tests[0].nmedians, 3);
	assert_int_equal(s.nctx, 1);
	/* a fourth file from another host makes the pooled test mixed */
	run_init(&r, CTX("Intel Xeon", "kvm_intel", "true"));
	t = add(&r, "tx", 3, 1000, 100, 9);
	t->params_json = strdup("{\"batch\": 1, \"dir\": \"tx\"}");
	assert_int_equal(cmp_side_add_run(&s, &r, err, sizeof(err)), 0);
	results_free(&r);
	assert_int_equal(s.tests[0].ctx, CMP_CTX_MIXED);
	cmp_side_free(&s);
}

/* A side names the VMM of its files (config.vmm.name; exitlab when absent), "mixed" across VMMs. */
static void test_side_vmm(void **state)
{
	static const char *const cfg[] = { NULL, "{\"vmm\": {\"name\": \"exitlab\"}}",
					   "{\"vmm\": {\"name\": \"qemu\"}}" };
	struct cmp_side s = { 0 }, q = { 0 };
	struct run_result r;
	char err[256];
	(void)state;

	for (int i = 0; i < 3; i++) {
		run_init(&r, CTX_A);
		add(&r, "cpuid", 3, 1000, 100, (uint64_t)i);
		r.config_json = cfg[i] ? strdup(cfg[i]) : NULL;
		assert_int_equal(cmp_side_add_run(i < 2 ? &s : &q, &r, err, sizeof(err)), 0);
		results_free(&r);
		if (i == 0)
			assert_string_equal(s.vmm, "exitlab");
	}
	assert_string_equal(s.vmm, "exitlab");
	assert_string_equal(q.vmm, "qemu");
	run_init(&r, CTX_A);
	add(&r, "cpuid", 3, 1000, 100, 7);
	r.config_json = strdup(cfg[2]);
	assert_int_equal(cmp_side_add_run(&s, &r, err, sizeof(err)), 0);
	results_free(&r);
	assert_string_equal(s.vmm, "mixed");
	cmp_side_free(&s);
	cmp_side_free(&q);
}

/* Files, campaign directories and baseline names; corrupt input is named. */
static void test_load(void **state)
{
	char dir[] = "/tmp/exitlab-test-compare-XXXXXX", p[512], err[512];
	struct cmp_side s = { 0 };
	struct run_result r;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/entries", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	for (int i = 0; i < 2; i++) {
		run_init(&r, CTX_A);
		add(&r, "cpuid", 3, 2000, 50, (uint64_t)i);
		snprintf(p, sizeof(p), "%s/entries/00%d.json", dir, i);
		if (results_write_json(&r, p, err, sizeof(err)))
			fail_msg("%s", err);
		results_free(&r);
	}
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"entries\": ["
		"{\"id\": 0, \"status\": \"done\", \"results\": \"entries/000.json\"},"
		"{\"id\": 1, \"status\": \"done\", \"results\": \"entries/001.json\"},"
		"{\"id\": 2, \"status\": \"failed\", \"results\": null},"
		"{\"id\": 3, \"status\": \"pending\", \"results\": \"entries/003.json\"}]}");
	fclose(f);
	/* the campaign directory: two done entries pooled */
	assert_int_equal(cmp_side_load(&s, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.nfiles, 2);
	assert_int_equal(s.tests[0].nsamples, 100);
	cmp_side_free(&s);
	/* one results file */
	snprintf(p, sizeof(p), "%s/entries/000.json", dir);
	assert_int_equal(cmp_side_load(&s, p, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.nfiles, 1);
	cmp_side_free(&s);
	/* a baseline name: DIR/NAME.json, then DIR/NAME/ */
	snprintf(p, sizeof(p), "%s/entries", dir);
	assert_int_equal(cmp_side_load(&s, "000", p, err, sizeof(err)), 0);
	assert_int_equal(s.nfiles, 1);
	cmp_side_free(&s);
	snprintf(p, sizeof(p), "/tmp");
	assert_int_equal(cmp_side_load(&s, dir + 5, p, err, sizeof(err)), 0);
	assert_int_equal(s.nfiles, 2);
	cmp_side_free(&s);
	/* no such name */
	assert_int_equal(cmp_side_load(&s, "nosuch", p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuch"));
	cmp_side_free(&s);
	/* a corrupt entry file: refused, and named */
	snprintf(p, sizeof(p), "%s/entries/001.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"schema\": \"exitlab-results\", \"tests\": [");
	fclose(f);
	assert_int_equal(cmp_side_load(&s, dir, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entries/001.json"));
	cmp_side_free(&s);
	/* a manifest whose results path leaves the directory */
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"entries\": ["
		"{\"status\": \"done\", \"results\": \"../../etc/passwd\"}]}");
	fclose(f);
	assert_int_equal(cmp_side_load(&s, dir, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "leaves the directory"));
	cmp_side_free(&s);
	/* not a manifest at all */
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"something-else\", \"entries\": []}");
	fclose(f);
	assert_int_equal(cmp_side_load(&s, dir, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an exitlab campaign manifest"));
	cmp_side_free(&s);
	/* a directory without a manifest */
	unlink(p);
	assert_int_equal(cmp_side_load(&s, dir, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "without manifest.json"));
	cmp_side_free(&s);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/*
 * Runs that each look tight but sit apart (a shared host's run-to-run drift):
 * side s (0 baseline, 1 current) of nruns runs with medians spread evenly
 * over +-spread, the current side one step of that spread higher (drift, not
 * a change of the code), times shift.
 */
static void drifting_side(struct cmp_side *s, int side, int nruns, double spread, double shift)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	for (int k = 0; k < nruns; k++) {
		struct run_result r;
		double step = nruns > 1 ? 2 * spread / (nruns - 1) : 0;
		double f = 1 - spread + k * step + side * step;

		run_init(&r, CTX_A);
		add(&r, "cpuid", 3, round(2000 * f * shift), 200, (uint64_t)(100 * side + k + 1));
		assert_int_equal(cmp_side_add_run(s, &r, err, sizeof(err)), 0);
		results_free(&r);
	}
}

static void test_levels(void **state)
{
	struct cmp_opts o = opts;
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t n;
	char err[256];
	(void)state;

	/* +-15 % drift between runs, 2 % within, current one step (6 %) up: samples call it a regression */
	drifting_side(&b, 0, 6, 0.15, 1.0);
	drifting_side(&c, 1, 6, 0.15, 1.0);
	o.level = CMP_LEVEL_SAMPLES;
	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_false(rows[0].by_runs);
	assert_true(rows[0].p < 0.01); /* 1200 samples against 1200: any drift is "significant" */
	assert_int_equal(rows[0].verdict, CMP_REGRESSED);
	free(rows);
	o.level = CMP_LEVEL_AUTO;      /* 6 runs a side: over runs */
	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	assert_true(rows[0].by_runs);
	assert_int_equal(rows[0].verdict, CMP_UNCHANGED);
	assert_true(rows[0].ci_lo < 0 && rows[0].ci_hi > 0);
	assert_non_null(strstr(rows[0].reason, "over runs: 6 vs 6"));
	free(rows);
	cmp_side_free(&c);

	/* a real +60 % on every run is found over runs too */
	drifting_side(&c, 1, 6, 0.15, 1.6);
	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	assert_true(rows[0].by_runs);
	assert_int_equal(rows[0].verdict, CMP_REGRESSED);
	assert_true(rows[0].change > 0.4);
	free(rows);
	cmp_side_free(&c);
	cmp_side_free(&b);

	/* fewer than CMP_MIN_RUNS: auto stays with the samples; runs is refused with one run */
	drifting_side(&b, 0, 3, 0.1, 1.0);
	drifting_side(&c, 1, 1, 0.0, 1.0);
	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	assert_false(rows[0].by_runs);
	assert_true(rows[0].has_stats);
	free(rows);
	o.level = CMP_LEVEL_RUNS;
	assert_int_equal(cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err)), 0);
	assert_int_equal(rows[0].verdict, CMP_NOT_COMPARABLE);
	assert_non_null(strstr(rows[0].reason, "fewer than 2 runs on current"));
	free(rows);
	cmp_side_free(&c);
	cmp_side_free(&b);
}

/* One net run on a device (notify "ioeventfd" or "exit"): tx at batch 1 and 32, and host_syscall. */
static void net_run(struct cmp_side *s, const char *notify, const char *file)
{
	struct run_result r;
	struct test_result *t;
	char cfg[256], err[256];

	run_init(&r, CTX_A);
	strcpy(r.payload, "net");
	snprintf(cfg, sizeof(cfg), "{\"devices\": [{\"model\": \"virtio-net\", \"notify\": \"%s\", "
		 "\"file\": \"%s\"}], \"vmm\": {\"backing\": \"4k\", \"mem_bytes\": 67108864}}", notify, file);
	r.config_json = strdup(cfg);
	for (int b = 1; b <= 32; b += 31) {
		t = add(&r, "tx", 3, 1000, 50, (uint64_t)b);
		snprintf(cfg, sizeof(cfg), "{\"batch\": %d, \"nic\": \"virtio\"}", b);
		t->params_json = strdup(cfg);
	}
	add(&r, "host_syscall", -1, 500, 50, 7);
	assert_int_equal(cmp_side_add_run(s, &r, err, sizeof(err)), 0);
	results_free(&r);
}

/*
 * The run's setup keeps tests apart that their params do not (kicks by
 * ioeventfd or by exit), but not a run's own file paths, nor host-side tests;
 * each row is named by what tells it from its namesakes.
 */
static void test_setup_and_labels(void **state)
{
	struct cmp_side b = { 0 }, c = { 0 };
	struct cmp_row *rows;
	size_t n, seen = 0;
	char err[256];
	(void)state;

	net_run(&b, "ioeventfd", "/tmp/a.img");
	net_run(&b, "exit", "/tmp/b.img");
	net_run(&c, "ioeventfd", "/tmp/c.img");
	net_run(&c, "exit", "/tmp/d.img");
	assert_int_equal(b.ntests, 5);   /* 2 tx x 2 setups, one pooled host_syscall */
	assert_int_equal(cmp_compare(&b, &c, &opts, &rows, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(rows[i].cur);   /* every test matched, the paths notwithstanding */
		if (!strcmp(rows[i].label, "tx[batch=1,dev.notify=ioeventfd]") ||
		    !strcmp(rows[i].label, "tx[batch=32,dev.notify=exit]"))
			seen++;
		if (!strcmp(rows[i].base->name, "host_syscall"))
			assert_string_equal(rows[i].label, "host_syscall");
	}
	assert_int_equal(seen, 2);
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

/* A run median at or below zero (a cost within the loop overhead): said so, not "Invalid argument". */
static void test_nonpositive_baseline(void **state)
{
	static const double base[] = { 8000, 5500, -208, 11400, 8600 }, cur[] = { 4361, 4288, 4361, 4385, 833 };
	struct cmp_side b = { 0 }, c = { 0 };
	struct run_result r;
	struct cmp_row *rows;
	size_t n;
	char err[256];
	(void)state;

	for (int i = 0; i < 5; i++) {
		run_init(&r, CTX_A);
		add(&r, "cr3_switch", 0, base[i], 0, 0);
		assert_int_equal(cmp_side_add_run(&b, &r, err, sizeof(err)), 0);
		results_free(&r);
		run_init(&r, CTX_A);
		add(&r, "cr3_switch", 0, cur[i], 0, 0);
		assert_int_equal(cmp_side_add_run(&c, &r, err, sizeof(err)), 0);
		results_free(&r);
	}
	assert_int_equal(cmp_compare(&b, &c, &opts, &rows, &n, err, sizeof(err)), 0);
	assert_int_equal(rows[0].verdict, CMP_NOT_COMPARABLE);
	assert_non_null(strstr(rows[0].reason, "at or below 0 cycles"));
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nonpositive_baseline),
		cmocka_unit_test(test_setup_and_labels),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_hosts_not_comparable),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_pooling),
		cmocka_unit_test(test_side_vmm),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
