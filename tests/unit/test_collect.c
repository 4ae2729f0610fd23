/* SPDX-License-Identifier: MIT */
/* Bench records to results: overhead subtraction, exits per iteration, statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <linux/kvm.h>
#include <math.h>
#include <stdio.h>

#include "run/collect.h"

static void add_rec(struct bench_dev *b, const char *name, int ring, uint32_t flags, int status,
		    const uint64_t *samples, size_t n, uint64_t user_exits, uint64_t exits)
{
	struct bench_record *r;

	b->recs = realloc(b->recs, (b->nrecs + 1) * sizeof(*r));
	r = &b->recs[b->nrecs++];
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->ring = ring;
	r->flags = flags;
	r->status = status;
	if (!samples)
		return;
	r->has_phase = true;
	r->samples = malloc(n * sizeof(uint64_t));
	memcpy(r->samples, samples, n * sizeof(uint64_t));
	r->nsamples = r->iterations = n;
	r->ops_per_sample = 1;
	r->before = calloc(1, sizeof(*r->before) + (SNAP_STATS_BASE + 1) * sizeof(uint64_t));
	r->after = calloc(1, sizeof(*r->after) + (SNAP_STATS_BASE + 1) * sizeof(uint64_t));
	r->before->n = r->after->n = SNAP_STATS_BASE + 1;
	r->before->v[SNAP_USER_EXITS] = 1000;
	r->after->v[SNAP_USER_EXITS] = 1000 + user_exits;
	r->before->v[SNAP_HOST_NS] = 5000000000ull;
	r->after->v[SNAP_HOST_NS] = 5000000000ull + n * 1000; /* 1 us per iteration */
	r->before->v[SNAP_STATS_BASE] = 50;
	r->after->v[SNAP_STATS_BASE] = 50 + exits;
}

static void test_overhead_and_exits(void **state)
{
	struct bench_dev b;
	struct run_result r;
	/* A fake stats table with one stat, "exits". */
	struct kvm_stat_desc desc = { .name = "exits", .type = KVM_STATS_TYPE_CUMULATIVE, .size = 1 };
	struct kvm_stats st = { .fd = -1, .desc = &desc, .ndesc = 1, .nvalues = 1 };
	struct collect_ctx c = { .vcpu_stats = &st, .tsc_khz = 1e6, .pvm = true };
	const uint64_t empty[] = { 40, 40, 50, 40, 40 };      /* median 40 */
	const uint64_t op[] = { 140, 150, 160, 140, 1040 };   /* median 150 -> 110 */
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	add_rec(&b, "empty", 3, BENCH_TF_OVERHEAD, BENCH_STATUS_OK, empty, 5, 1, 1);
	/* 5 iterations, each one userspace exit, plus the PHASE_END doorbell */
	add_rec(&b, "pio_vmm", 3, 0, BENCH_STATUS_OK, op, 5, 6, 6);
	strcpy(b.recs[1].params, "working_set=65536 guest_page=4k ratio=1.5");
	strcpy(b.recs[1].metrics, "accesses=320 checksum=0x1f");
	add_rec(&b, "rdtscp", 0, 0, BENCH_STATUS_SKIPPED, NULL, 0, 0, 0);
	strcpy(b.recs[2].reason, "no RDTSCP");
	add_rec(&b, "cpuid", 0, 0, -1, NULL, 0, 0, 0); /* never finished */
	c.stop_reason = "timed out after 1.0 s";
	assert_int_equal(collect_records(&c, &b, &r), 0);
	/* key=value lists become objects: decimal numbers as numbers, the rest as strings */
	assert_string_equal(r.tests[1].params_json, "{\"working_set\":65536,\"guest_page\":\"4k\",\"ratio\":1.5}");
	assert_string_equal(r.tests[1].metrics_json, "{\"accesses\":320,\"checksum\":\"0x1f\"}");
	assert_null(r.tests[0].params_json);
	assert_int_equal(r.ntests, 4);

	assert_true(r.tests[0].has_timing);
	assert_float_equal(r.tests[0].overhead_cycles, 0, 1e-9);
	assert_float_equal(r.tests[0].cycles.median, 40, 1e-9);

	assert_float_equal(r.tests[1].overhead_cycles, 40, 1e-9);
	assert_float_equal(r.tests[1].cycles.median, 110, 1e-9);
	assert_float_equal(r.tests[1].cycles.min, 100, 1e-9);
	assert_float_equal(r.tests[1].ns.median, 110, 1e-9); /* 1 GHz: 1 ns per cycle */
	assert_true(r.tests[1].has_exits);
	assert_float_equal(r.tests[1].userspace_exits_per_iteration, 1.0, 1e-9);
	assert_float_equal(r.tests[1].exits_per_iteration, 1.0, 1e-9);
	/* the phase's host wall time: 1 us per iteration, so 1e6 operations per second */
	assert_true(r.tests[1].has_phase);
	assert_float_equal(r.tests[1].phase_s, r.tests[1].iterations * 1e-6, 1e-12);
	assert_float_equal(test_ops_per_s(&r.tests[1]), 1e6, 1e-3);
	assert_int_equal(r.tests[1].vcpu_stats.ndelta, 1);
	assert_string_equal(r.tests[1].vcpu_stats.delta[0].name, "exits");
	assert_int_equal(r.tests[1].vcpu_stats.delta[0].delta, 6);
	assert_int_equal(r.tests[1].vm_stats.ndelta, 0);
	assert_null(r.tests[1].host_json);
	assert_false(r.tests[1].emulated); /* CPL3 runs natively on PVM */

	assert_int_equal(r.tests[2].status, TEST_SKIPPED);
	assert_string_equal(r.tests[2].reason, "no RDTSCP");
	assert_false(r.tests[2].has_timing);
	assert_true(r.tests[2].emulated);

	assert_int_equal(r.tests[3].status, TEST_FAILED);
	assert_non_null(strstr(r.tests[3].reason, "timed out"));

	results_free(&r);
	bench_destroy(&b);
}

static void load_stats(const char *path, struct kvm_stats *s)
{
	static uint8_t buf[1 << 16];
	char err[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (kvm_stats_parse(s, buf, n, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

static uint64_t *slot(struct bench_snapshot *sn, size_t base, const struct kvm_stats *s,
		      const char *name)
{
	int i = kvm_stats_find(s, name);

	assert_true(i >= 0);
	return &sn->v[base + s->desc[i].index];
}

/*
 * The real vCPU and VM descriptors recorded on PVM: cumulative deltas,
 * instant/peak end values and histogram bucket deltas land in the right
 * groups, and the "host" string of the phase is copied.
 */
static void test_vcpu_and_vm_stats(void **state)
{
	struct kvm_stats vcpu, vm;
	struct collect_ctx c = { .vcpu_stats = &vcpu, .vm_stats = &vm, .tsc_khz = 1e6 };
	struct snap_layout l;
	struct bench_dev b;
	struct run_result r;
	struct bench_record *rec;
	struct test_result *t;
	const uint64_t op[] = { 100, 100, 100, 100 };
	json_t *schema;
	(void)state;

	load_stats("tests/data/kvm_stats/vcpu.bin", &vcpu);
	load_stats("tests/data/kvm_stats/vm.bin", &vm);
	snap_layout_init(&l, &vcpu, &vm);
	assert_int_equal(l.vcpu_base, SNAP_STATS_BASE);
	assert_int_equal(l.vm_base, SNAP_STATS_BASE + vcpu.nvalues);
	assert_int_equal(l.nvalues, SNAP_STATS_BASE + vcpu.nvalues + vm.nvalues);

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	add_rec(&b, "hlt", 3, 0, BENCH_STATUS_OK, op, 4, 0, 0);
	rec = &b.recs[0];
	free(rec->before);
	free(rec->after);
	rec->before = calloc(1, sizeof(*rec->before) + l.nvalues * sizeof(uint64_t));
	rec->after = calloc(1, sizeof(*rec->after) + l.nvalues * sizeof(uint64_t));
	rec->before->n = rec->after->n = l.nvalues;
	rec->before->v[SNAP_USER_EXITS] = 7;
	rec->after->v[SNAP_USER_EXITS] = 7 + 5;            /* 4 iterations + doorbell */
	*slot(rec->before, l.vcpu_base, &vcpu, "exits") = 100;
	*slot(rec->after, l.vcpu_base, &vcpu, "exits") = 109; /* 2 per iteration + doorbell */
	*slot(rec->after, l.vcpu_base, &vcpu, "halt_exits") = 4;
	*slot(rec->before, l.vcpu_base, &vcpu, "blocking") = 1;     /* instant: end value kept */
	*slot(rec->after, l.vcpu_base, &vcpu, "blocking") = 0;
	slot(rec->before, l.vcpu_base, &vcpu, "halt_wait_hist")[3] = 10;
	slot(rec->after, l.vcpu_base, &vcpu, "halt_wait_hist")[3] = 13;
	slot(rec->after, l.vcpu_base, &vcpu, "halt_wait_hist")[31] = 1;
	*slot(rec->before, l.vm_base, &vm, "mmu_shadow_zapped") = 5;
	*slot(rec->after, l.vm_base, &vm, "mmu_shadow_zapped") = 8;
	*slot(rec->after, l.vm_base, &vm, "pages_4k") = 267;
	*slot(rec->after, l.vm_base, &vm, "max_mmu_rmap_size") = UINT64_MAX; /* clamped */
	rec->host_json = strdup("{\"tracepoints\":{\"kvm:kvm_pio\":4}}");

	assert_int_equal(collect_records(&c, &b, &r), 0);
	t = &r.tests[0];
	assert_true(t->has_exits);
	assert_float_equal(t->exits_per_iteration, 2.0, 1e-9);
	assert_float_equal(t->userspace_exits_per_iteration, 1.0, 1e-9);

	assert_int_equal(t->vcpu_stats.ndelta, 2);
	assert_string_equal(t->vcpu_stats.delta[0].name, "exits");
	assert_int_equal(t->vcpu_stats.delta[0].delta, 9);
	assert_string_equal(t->vcpu_stats.delta[1].name, "halt_exits");
	assert_int_equal(t->vcpu_stats.nlevel, 2); /* blocking, guest_mode: all levels kept */
	assert_string_equal(t->vcpu_stats.level[0].name, "blocking");
	assert_int_equal(t->vcpu_stats.level[0].value, 0);
	assert_int_equal(t->vcpu_stats.nhist, 1);
	assert_string_equal(t->vcpu_stats.hist[0].name, "halt_wait_hist");
	assert_int_equal(t->vcpu_stats.hist[0].nbuckets, 32);
	assert_int_equal(t->vcpu_stats.hist[0].buckets[3], 3);
	assert_int_equal(t->vcpu_stats.hist[0].buckets[31], 1);
	assert_int_equal(t->vcpu_stats.hist[0].buckets[0], 0);

	assert_int_equal(t->vm_stats.ndelta, 1);
	assert_string_equal(t->vm_stats.delta[0].name, "mmu_shadow_zapped");
	assert_int_equal(t->vm_stats.delta[0].delta, 3);
	assert_int_equal(t->vm_stats.nhist, 0);
	for (size_t i = 0; i < t->vm_stats.nlevel; i++) {
		if (!strcmp(t->vm_stats.level[i].name, "pages_4k"))
			assert_int_equal(t->vm_stats.level[i].value, 267);
		if (!strcmp(t->vm_stats.level[i].name, "max_mmu_rmap_size"))
			assert_int_equal(t->vm_stats.level[i].value, INT64_MAX);
	}
	assert_string_equal(t->host_json, rec->host_json);

	/* The run-level schema names every descriptor with its unit. */
	schema = json_loads(r.kvm_stats_schema_json, 0, NULL);
	assert_non_null(schema);
	assert_int_equal(json_object_size(json_object_get(schema, "vcpu")), vcpu.ndesc);
	assert_int_equal(json_object_size(json_object_get(schema, "vm")), vm.ndesc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(schema, "vcpu"),
		"halt_wait_hist"), "unit")), "seconds");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(schema, "vcpu"),
		"halt_wait_hist"), "exponent")), -9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(schema, "vm"),
		"max_mmu_rmap_size"), "type")), "peak");
	json_decref(schema);
	results_free(&r);

	/* Snapshots of another shape than the descriptors (a clamped device): no counts, no crash. */
	memset(&r, 0, sizeof(r));
	rec->before->n = 1;
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_false(r.tests[0].has_exits);
	assert_int_equal(r.tests[0].vcpu_stats.ndelta, 0);
	results_free(&r);

	bench_destroy(&b);
	kvm_stats_close(&vcpu);
	kvm_stats_close(&vm);
}

/* A moved stat's delta in a group, or -1. */
static long long delta_of(const struct kvm_stat_group *g, const char *name)
{
	for (size_t i = 0; i < g->ndelta; i++)
		if (!strcmp(g->delta[i].name, name))
			return g->delta[i].delta;
	return -1;
}

/*
 * Three vCPUs: vCPU 0's stats stay the test's "kvm_stats" (exits per
 * iteration from them alone), and "vcpus" has each vCPU's userspace exits
 * and moved cumulative stats, and their sum. A Linux guest's (whole_guest)
 * are the sum.
 */
static void test_per_vcpu_sum(void **state)
{
	struct kvm_stats vcpu, vm;
	struct collect_ctx c = { .vcpu_stats = &vcpu, .vm_stats = &vm, .tsc_khz = 1e6, .nvcpus = 3 };
	struct snap_layout l, l1;
	struct bench_dev b;
	struct run_result r;
	struct bench_record *rec;
	const uint64_t op[] = { 100, 100, 100, 100 };
	json_t *o, *per, *sum;
	(void)state;

	load_stats("tests/data/kvm_stats/vcpu.bin", &vcpu);
	load_stats("tests/data/kvm_stats/vm.bin", &vm);
	snap_layout_init_vcpus(&l, &vcpu, &vm, 3);
	snap_layout_init(&l1, &vcpu, &vm);
	/* vCPU 0 and the VM where they always were; the APs after. */
	assert_int_equal(l.vcpu_base, l1.vcpu_base);
	assert_int_equal(l.vm_base, l1.vm_base);
	assert_int_equal(l.ap_base, l1.nvalues);
	assert_int_equal(l.nap, 2);
	assert_int_equal(l.ap_stride, 1 + vcpu.nvalues);
	assert_int_equal(l.nvalues, l1.nvalues + 2 * (1 + vcpu.nvalues));
	assert_int_equal(l1.nap, 0);

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	add_rec(&b, "ipi", 0, 0, BENCH_STATUS_OK, op, 4, 0, 0);
	rec = &b.recs[0];
	free(rec->before);
	free(rec->after);
	rec->before = calloc(1, sizeof(*rec->before) + l.nvalues * sizeof(uint64_t));
	rec->after = calloc(1, sizeof(*rec->after) + l.nvalues * sizeof(uint64_t));
	rec->before->n = rec->after->n = l.nvalues;
	rec->after->v[SNAP_USER_EXITS] = 1;                     /* the doorbell */
	*slot(rec->after, l.vcpu_base, &vcpu, "exits") = 5;     /* 4 ICR writes + doorbell */
	/* vCPU 1: 4 IPIs taken (an exit each), 4 EOIs; vCPU 2: 2 userspace exits, 3 halts. */
	*slot(rec->before, l.ap_base + 1, &vcpu, "exits") = 10;
	*slot(rec->after, l.ap_base + 1, &vcpu, "exits") = 18;
	rec->before->v[l.ap_base + l.ap_stride] = 3;
	rec->after->v[l.ap_base + l.ap_stride] = 5;
	*slot(rec->after, l.ap_base + l.ap_stride + 1, &vcpu, "exits") = 2;
	*slot(rec->after, l.ap_base + l.ap_stride + 1, &vcpu, "halt_exits") = 3;
	*slot(rec->after, l.ap_base + l.ap_stride + 1, &vcpu, "blocking") = 1; /* a level: not summed */

	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_float_equal(r.tests[0].exits_per_iteration, 1.0, 1e-9);
	assert_non_null(r.tests[0].vcpus_json);
	o = json_loads(r.tests[0].vcpus_json, 0, NULL);
	per = json_object_get(o, "per_vcpu");
	sum = json_object_get(o, "sum");
	assert_int_equal(json_array_size(per), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(per, 0), "userspace_exits")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(per, 0), "kvm_stats"),
							    "exits")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(per, 1), "kvm_stats"),
							    "exits")), 8);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(per, 2), "vcpu")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(per, 2), "userspace_exits")), 2);
	assert_null(json_object_get(json_object_get(json_array_get(per, 2), "kvm_stats"), "blocking"));
	assert_int_equal(json_integer_value(json_object_get(sum, "userspace_exits")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "kvm_stats"), "exits")), 15);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "kvm_stats"), "halt_exits")), 3);
	json_decref(o);
	results_free(&r);

	/* A Linux guest (whole_guest): the test's figures are every vCPU's, summed; "vcpus" is unchanged. */
	memset(&r, 0, sizeof(r));
	c.whole_guest = true;
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_float_equal(r.tests[0].exits_per_iteration, (15.0 - 1) / 4, 1e-9);
	assert_float_equal(r.tests[0].userspace_exits_per_iteration, (3.0 - 1) / 4, 1e-9);
	assert_int_equal(delta_of(&r.tests[0].vcpu_stats, "exits"), 15);
	assert_int_equal(delta_of(&r.tests[0].vcpu_stats, "halt_exits"), 3);
	for (size_t i = 0; i < r.tests[0].vcpu_stats.nlevel; i++)
		if (!strcmp(r.tests[0].vcpu_stats.level[i].name, "blocking"))
			assert_int_equal(r.tests[0].vcpu_stats.level[i].value, 0); /* vCPU 0's, not added */
	o = json_loads(r.tests[0].vcpus_json, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(json_object_get(o,
		"per_vcpu"), 0), "kvm_stats"), "exits")), 5);
	json_decref(o);
	results_free(&r);
	c.whole_guest = false;

	/* One vCPU: no "vcpus" at all, as before. */
	memset(&r, 0, sizeof(r));
	c.nvcpus = 1;
	rec->before->n = rec->after->n = l1.nvalues;
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_null(r.tests[0].vcpus_json);
	results_free(&r);

	bench_destroy(&b);
	kvm_stats_close(&vcpu);
	kvm_stats_close(&vm);
}

/* No stats at all (kernel without a stats fd): no schema, no counts. */
static void test_no_stats(void **state)
{
	struct bench_dev b;
	struct run_result r;
	struct collect_ctx c = { .tsc_khz = 1e6 };
	const uint64_t op[] = { 100, 100 };
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	add_rec(&b, "cpuid", 3, 0, BENCH_STATUS_OK, op, 2, 0, 0);
	b.recs[0].before->n = b.recs[0].after->n = 1;
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_null(r.kvm_stats_schema_json);
	assert_false(r.tests[0].has_exits);
	results_free(&r);
	bench_destroy(&b);
}

/*
 * A shape once recorded: one ring-0 run whose single `empty`
 * estimate came out high (11856 against ~9300 in the other runs); tests whose
 * median sits below it must not come out as negative costs with status ok.
 */
static void fill_around(uint64_t *v, size_t n, uint64_t centre, uint64_t spread)
{
	for (size_t i = 0; i < n; i++)
		v[i] = centre - spread + (i * 7919) % (2 * spread + 1);
}

static void test_high_empty_gives_no_negative_ok(void **state)
{
	struct bench_dev b;
	struct run_result r;
	struct collect_ctx c = { .tsc_khz = 2.5e6, .pvm = true };
	uint64_t empty[96], cr8[96], rdtsc[96];
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	fill_around(empty, 96, 11856, 300);
	fill_around(cr8, 96, 11024, 300);   /* 11856 - 832 */
	fill_around(rdtsc, 96, 11128, 300); /* 11856 - 728 */
	add_rec(&b, "empty", 0, BENCH_TF_OVERHEAD, BENCH_STATUS_OK, empty, 96, 1, 1);
	add_rec(&b, "mov_from_cr8", 0, 0, BENCH_STATUS_OK, cr8, 96, 1, 1);
	add_rec(&b, "rdtsc", 0, 0, BENCH_STATUS_OK, rdtsc, 96, 1, 1);
	assert_int_equal(collect_records(&c, &b, &r), 0);
	/* A median below the overhead is no cost: below resolution, with its bound. */
	for (size_t i = 1; i < r.ntests; i++) {
		assert_int_equal(r.tests[i].status, TEST_OK);
		assert_true(r.tests[i].cycles.median >= 0 || r.tests[i].calib.below_resolution);
		assert_true(r.tests[i].calib.below_resolution);
		assert_int_equal(r.tests[i].calib.overhead.method, OVERHEAD_RING);
		assert_true(r.tests[i].calib.resolution_cycles > 0);
		/* the bound is the overhead interval's width */
		assert_float_equal(r.tests[i].calib.resolution_cycles,
				   r.tests[i].calib.overhead.hi - r.tests[i].calib.overhead.lo, 1e-9);
	}
	results_free(&r);
	bench_destroy(&b);
}

static void add_bracket(struct bench_record *r, uint64_t centre, uint64_t spread, size_t m)
{
	r->ovh_samples = malloc(2 * m * sizeof(uint64_t));
	fill_around(r->ovh_samples, 2 * m, centre, spread);
	r->ovh_before = r->ovh_after = m;
}

/* With the overhead measured next to each test, the noisy ring estimate no longer matters. */
static void test_bracket_overhead_resolves(void **state)
{
	struct bench_dev b;
	struct run_result r;
	struct collect_ctx c = { .tsc_khz = 2.5e6, .pvm = true };
	uint64_t empty[96], cr8[96], same[96];
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	fill_around(empty, 96, 11856, 300);
	fill_around(cr8, 96, 11024, 10);
	fill_around(same, 96, 9300, 10);
	add_rec(&b, "empty", 0, BENCH_TF_OVERHEAD, BENCH_STATUS_OK, empty, 96, 1, 1);
	add_rec(&b, "mov_from_cr8", 0, 0, BENCH_STATUS_OK, cr8, 96, 1, 1);
	add_bracket(&b.recs[1], 9300, 20, 96);
	add_rec(&b, "nothing_much", 0, 0, BENCH_STATUS_OK, same, 96, 1, 1);
	add_bracket(&b.recs[2], 9300, 20, 96);
	assert_int_equal(collect_records(&c, &b, &r), 0);

	assert_int_equal(r.tests[1].calib.overhead.method, OVERHEAD_BRACKET);
	assert_float_equal(r.tests[1].overhead_cycles, 9300, 1);
	assert_false(r.tests[1].calib.below_resolution);
	assert_float_equal(r.tests[1].cycles.median, 11024 - 9300, 1);
	assert_true(r.tests[1].calib.overhead.lo <= 9300 && r.tests[1].calib.overhead.hi >= 9300);
	assert_true(isfinite(r.tests[1].calib.overhead.before_median));

	/* a test as fast as its own overhead: below resolution, never a figure */
	assert_true(r.tests[2].calib.below_resolution);
	assert_true(r.tests[2].calib.resolution_cycles >= 1);
	/* 96 samples support neither p1 nor p99 */
	assert_true(r.tests[1].calib.p99_small_sample);
	assert_true(r.tests[1].calib.p1_small_sample);
	results_free(&r);
	bench_destroy(&b);
}

/* --repeat: the repetitions of a test pool into one row with their medians' interval. */
static void test_repeat_pools(void **state)
{
	struct bench_dev b;
	struct run_result r;
	struct kvm_stat_desc desc = { .name = "exits", .type = KVM_STATS_TYPE_CUMULATIVE, .size = 1 };
	struct kvm_stats st = { .fd = -1, .desc = &desc, .ndesc = 1, .nvalues = 1 };
	struct collect_ctx c = { .vcpu_stats = &st, .tsc_khz = 1e6, .repeat = 3 };
	uint64_t s[3][50];
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	for (int k = 0; k < 3; k++) {
		uint64_t e[50];

		fill_around(e, 50, 100, 2);
		fill_around(s[k], 50, 1100 + 100 * k, 5); /* medians 1000, 1100, 1200 */
		add_rec(&b, "empty", 3, BENCH_TF_OVERHEAD, BENCH_STATUS_OK, e, 50, 1, 1);
		/* 50 iterations, one exit each, plus the doorbell */
		add_rec(&b, "cpuid", 3, 0, BENCH_STATUS_OK, s[k], 50, 51, 51);
		add_bracket(&b.recs[b.nrecs - 1], 100, 2, 50);
	}
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_int_equal(r.ntests, 2);
	assert_string_equal(r.tests[1].name, "cpuid");
	assert_int_equal(r.tests[1].iterations, 150);
	assert_int_equal(r.tests[1].cycles.n, 150);
	assert_int_equal(r.tests[1].calib.repeats, 3);
	assert_float_equal(r.tests[1].calib.rep_min, 1000, 2);
	assert_float_equal(r.tests[1].calib.rep_max, 1200, 2);
	/* three medians: the interval is min..max, covering 75 % */
	assert_float_equal(r.tests[1].calib.rep_ci_conf, 0.75, 1e-9);
	/* the doorbell of each of the three phases is left out */
	assert_float_equal(r.tests[1].exits_per_iteration, 1.0, 1e-9);
	assert_float_equal(r.tests[1].userspace_exits_per_iteration, 1.0, 1e-9);
	assert_int_equal(r.tests[1].vcpu_stats.delta[0].delta, 153);
	results_free(&r);
	bench_destroy(&b);
}

/*
 * Where the time goes: the CPU-time slots are summed over the repetitions'
 * phases; a slot that is unknown (0) at either end of any phase, or that
 * went back, leaves the figure unknown (never 0); the guest's phase and
 * wait cycles come from each phase's metrics.
 */
static void test_cpu_time(void **state)
{
	struct kvm_stat_desc desc = { .name = "exits", .type = KVM_STATS_TYPE_CUMULATIVE, .size = 1 };
	struct kvm_stats st = { .fd = -1, .desc = &desc, .ndesc = 1, .nvalues = 1 };
	struct collect_ctx c = { .vcpu_stats = &st, .tsc_khz = 2e6, .repeat = 2 }; /* 2 cycles per ns */
	const uint64_t op[] = { 100, 100, 100, 100 };
	struct bench_dev b;
	struct run_result r;
	(void)state;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	/* two repetitions of tx: device 3000 + 5000 ns, vCPU 4000 + 4000 ns */
	for (int k = 0; k < 2; k++) {
		add_rec(&b, "tx", 3, 0, BENCH_STATUS_OK, op, 4, 5, 5);
		b.recs[k].before->v[SNAP_DEVICE_CPU_NS] = 10000;
		b.recs[k].after->v[SNAP_DEVICE_CPU_NS] = 10000 + (k ? 5000 : 3000);
		b.recs[k].before->v[SNAP_VCPU_CPU_NS] = 20000;
		b.recs[k].after->v[SNAP_VCPU_CPU_NS] = 24000;
		strcpy(b.recs[k].metrics, k ? "frames=4 phase_cycles=6000 wait_cycles=2000"
					    : "frames=4 phase_cycles=10000 wait_cycles=0");
	}
	/* rx: the device side unknown at the end, the vCPU's went back, no guest figures */
	add_rec(&b, "rx", 3, 0, BENCH_STATUS_OK, op, 4, 5, 5);
	b.recs[2].before->v[SNAP_DEVICE_CPU_NS] = 10000;
	b.recs[2].after->v[SNAP_DEVICE_CPU_NS] = SNAP_CPU_UNKNOWN;
	b.recs[2].before->v[SNAP_VCPU_CPU_NS] = 20000;
	b.recs[2].after->v[SNAP_VCPU_CPU_NS] = 19000;
	strcpy(b.recs[2].metrics, "frames=4 phase_cycles=100");
	assert_int_equal(collect_records(&c, &b, &r), 0);
	assert_int_equal(r.ntests, 2);

	assert_true(r.tests[0].cpu.has_device);
	assert_float_equal(r.tests[0].cpu.device_ns, 8000, 1e-9);
	assert_true(r.tests[0].cpu.has_vcpu);
	assert_float_equal(r.tests[0].cpu.vcpu_ns, 8000, 1e-9);
	assert_true(r.tests[0].cpu.has_guest);
	assert_float_equal(r.tests[0].cpu.guest_phase_ns, 8000, 1e-9);
	assert_float_equal(r.tests[0].cpu.guest_wait_ns, 1000, 1e-9);

	assert_false(r.tests[1].cpu.has_device);
	assert_false(r.tests[1].cpu.has_vcpu);
	assert_false(r.tests[1].cpu.has_guest);
	results_free(&r);
	bench_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overhead_and_exits),
		cmocka_unit_test(test_vcpu_and_vm_stats),
		cmocka_unit_test(test_per_vcpu_sum),
		cmocka_unit_test(test_no_stats),
		cmocka_unit_test(test_high_empty_gives_no_negative_ok),
		cmocka_unit_test(test_bracket_overhead_resolves),
		cmocka_unit_test(test_repeat_pools),
		cmocka_unit_test(test_cpu_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
