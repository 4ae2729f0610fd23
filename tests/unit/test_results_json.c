// SPDX-License-Identifier: MIT
/* Unit tests for analysis/results_json.c: round trip, validation, atomic write. */
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/results.h"

#define EPS 1e-9

struct fixture {
	char dir[64];
	char path[128];
	char err[512];
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/exitlab-results-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/run.json", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void fill_stats(struct sample_stats *s, double base)
{
	s->n = 1000;
	s->min = base;
	s->p1 = base + 0.1;
	s->median = base + 1.0 / 3.0;
	s->p99 = base * 1.5;
	s->max = base * 7;
	s->mean = base + 0.123456789012345;
	s->stddev = 12.000000001;
	s->mad = 0.75;
}

/* A run with a guest test (everything set), a host baseline and a skipped test. */
static void make_run(struct run_result *r)
{
	struct test_result *t;

	memset(r, 0, sizeof(*r));
	strcpy(r->payload, "exit-costs");
	strcpy(r->started_at, "2024-05-01T12:34:56Z");
	r->duration_s = 3.14159265358979;
	r->exit_code = 1;
	r->context_json = strdup("{\"host\":{\"cpu\":\"Test CPU\",\"tsc_khz\":2500000},"
				 "\"backend\":\"kvm_pvm\",\"revision\":\"abc123\"}");
	r->config_json = strdup("{\"goal_ms\":100,\"raw\":true}");
	r->kvm_stats_schema_json = strdup(
		"{\"vcpu\":{\"exits\":{\"type\":\"cumulative\",\"unit\":\"none\",\"base\":10,"
		"\"exponent\":0,\"size\":1,\"bucket_size\":0},"
		"\"halt_wait_hist\":{\"type\":\"log_hist\",\"unit\":\"seconds\",\"base\":10,"
		"\"exponent\":-9,\"size\":32,\"bucket_size\":0}},"
		"\"vm\":{\"pages_4k\":{\"type\":\"instant\",\"unit\":\"none\",\"base\":10,"
		"\"exponent\":0,\"size\":1,\"bucket_size\":0}}}");

	t = results_add_test(r);
	assert_non_null(t);
	strcpy(t->name, "cpuid");
	strcpy(t->where, "guest");
	t->ring = 3;
	t->status = TEST_OK;
	t->iterations = 123456789012ULL;
	t->has_timing = true;
	t->overhead_cycles = 42.25;
	fill_stats(&t->cycles, 2000.5);
	fill_stats(&t->ns, 800.125);
	t->has_exits = true;
	t->exits_per_iteration = 1.000001;
	t->userspace_exits_per_iteration = 0;
	t->has_phase = true;
	t->phase_s = 0.125;
	t->cpu = (struct test_cpu){ .has_device = true, .device_ns = 1234567, .has_guest = true,
				    .guest_phase_ns = 2000000.5, .guest_wait_ns = 750000.25 }; /* vCPU unknown */
	t->emulated = true;
	t->vcpu_stats.ndelta = 2;
	t->vcpu_stats.delta = calloc(2, sizeof(*t->vcpu_stats.delta));
	assert_non_null(t->vcpu_stats.delta);
	strcpy(t->vcpu_stats.delta[0].name, "exits");
	t->vcpu_stats.delta[0].delta = 123456789012345LL;
	strcpy(t->vcpu_stats.delta[1].name, "weird_negative");
	t->vcpu_stats.delta[1].delta = -5;
	t->vcpu_stats.nlevel = 1;
	t->vcpu_stats.level = calloc(1, sizeof(*t->vcpu_stats.level));
	strcpy(t->vcpu_stats.level[0].name, "blocking");
	t->vcpu_stats.level[0].value = 1;
	t->vcpu_stats.nhist = 1;
	t->vcpu_stats.hist = calloc(1, sizeof(*t->vcpu_stats.hist));
	strcpy(t->vcpu_stats.hist[0].name, "halt_wait_hist");
	t->vcpu_stats.hist[0].nbuckets = 3;
	t->vcpu_stats.hist[0].buckets = calloc(3, sizeof(int64_t));
	t->vcpu_stats.hist[0].buckets[1] = 7;
	t->vcpu_stats.hist[0].buckets[2] = INT64_MAX;
	t->vm_stats.ndelta = 1;
	t->vm_stats.delta = calloc(1, sizeof(*t->vm_stats.delta));
	strcpy(t->vm_stats.delta[0].name, "mmu_shadow_zapped");
	t->vm_stats.delta[0].delta = 42;
	t->vm_stats.nlevel = 1;
	t->vm_stats.level = calloc(1, sizeof(*t->vm_stats.level));
	strcpy(t->vm_stats.level[0].name, "pages_4k");
	t->vm_stats.level[0].value = 267;
	t->host_json = strdup("{\"tracepoints\":{\"kvm:kvm_pio\":{\"count\":4}},\"pmu\":null}");
	t->vcpus_json = strdup("{\"per_vcpu\":[{\"vcpu\":0,\"userspace_exits\":1,\"kvm_stats\":{\"exits\":5}},"
			       "{\"vcpu\":1,\"userspace_exits\":0,\"kvm_stats\":{\"exits\":8}}],"
			       "\"sum\":{\"userspace_exits\":1,\"kvm_stats\":{\"exits\":13}}}");
	t->nsamples = 4;
	t->samples = malloc(4 * sizeof(double));
	assert_non_null(t->samples);
	t->samples[0] = 1.5;
	t->samples[1] = 2000;
	t->samples[2] = 1e-300;
	t->samples[3] = 1.0 / 3.0;

	t = results_add_test(r);
	assert_non_null(t);
	strcpy(t->name, "host_syscall");
	strcpy(t->where, "host");
	t->ring = -1;
	t->status = TEST_OK;
	t->iterations = 10;
	t->has_timing = true;
	fill_stats(&t->cycles, 100);
	fill_stats(&t->ns, 40);

	t = results_add_test(r);
	assert_non_null(t);
	strcpy(t->name, "vmcall");
	strcpy(t->where, "guest");
	t->ring = 0;
	t->status = TEST_SKIPPED;
	strcpy(t->reason, "not supported on \"PVM\"\n");
}

static void assert_stats_equal(const struct sample_stats *a, const struct sample_stats *b)
{
	assert_int_equal(a->n, b->n);
	assert_float_equal(a->min, b->min, EPS);
	assert_float_equal(a->max, b->max, EPS);
	assert_float_equal(a->median, b->median, EPS);
	assert_float_equal(a->p1, b->p1, EPS);
	assert_float_equal(a->p99, b->p99, EPS);
	assert_float_equal(a->mean, b->mean, EPS);
	assert_float_equal(a->stddev, b->stddev, EPS);
	assert_float_equal(a->mad, b->mad, EPS);
}

static void assert_json_text_equal(const char *a, const char *b)
{
	json_t *ja, *jb;

	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	ja = json_loads(a, 0, NULL);
	jb = json_loads(b, 0, NULL);
	assert_non_null(ja);
	assert_non_null(jb);
	assert_true(json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
}

static void assert_groups_equal(const struct kvm_stat_group *x, const struct kvm_stat_group *y)
{
	assert_int_equal(x->ndelta, y->ndelta);
	for (size_t k = 0; k < x->ndelta; k++) {
		assert_string_equal(x->delta[k].name, y->delta[k].name);
		assert_int_equal(x->delta[k].delta, y->delta[k].delta);
	}
	assert_int_equal(x->nlevel, y->nlevel);
	for (size_t k = 0; k < x->nlevel; k++) {
		assert_string_equal(x->level[k].name, y->level[k].name);
		assert_int_equal(x->level[k].value, y->level[k].value);
	}
	assert_int_equal(x->nhist, y->nhist);
	for (size_t k = 0; k < x->nhist; k++) {
		assert_string_equal(x->hist[k].name, y->hist[k].name);
		assert_int_equal(x->hist[k].nbuckets, y->hist[k].nbuckets);
		for (size_t i = 0; i < x->hist[k].nbuckets; i++)
			assert_int_equal(x->hist[k].buckets[i], y->hist[k].buckets[i]);
	}
}

static void assert_runs_equal(const struct run_result *a, const struct run_result *b)
{
	assert_string_equal(a->payload, b->payload);
	assert_string_equal(a->started_at, b->started_at);
	assert_float_equal(a->duration_s, b->duration_s, EPS);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_json_text_equal(a->context_json, b->context_json);
	assert_json_text_equal(a->config_json, b->config_json);
	assert_json_text_equal(a->kvm_stats_schema_json, b->kvm_stats_schema_json);
	assert_int_equal(a->ntests, b->ntests);
	for (size_t i = 0; i < a->ntests; i++) {
		const struct test_result *x = &a->tests[i], *y = &b->tests[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->where, y->where);
		assert_int_equal(x->ring, y->ring);
		assert_int_equal(x->status, y->status);
		assert_string_equal(x->reason, y->reason);
		assert_int_equal(x->iterations, y->iterations);
		assert_int_equal(x->emulated, y->emulated);
		assert_int_equal(x->has_timing, y->has_timing);
		if (x->has_timing) {
			assert_float_equal(x->overhead_cycles, y->overhead_cycles, EPS);
			assert_stats_equal(&x->cycles, &y->cycles);
			assert_stats_equal(&x->ns, &y->ns);
		}
		assert_int_equal(x->has_exits, y->has_exits);
		if (x->has_exits) {
			assert_float_equal(x->exits_per_iteration, y->exits_per_iteration, EPS);
			assert_float_equal(x->userspace_exits_per_iteration,
					   y->userspace_exits_per_iteration, EPS);
			assert_int_equal(x->has_phase, y->has_phase);
			if (x->has_phase)
				assert_float_equal(x->phase_s, y->phase_s, EPS);
		}
		assert_int_equal(x->cpu.has_device, y->cpu.has_device);
		assert_int_equal(x->cpu.has_vcpu, y->cpu.has_vcpu);
		assert_int_equal(x->cpu.has_guest, y->cpu.has_guest);
		if (x->cpu.has_device)
			assert_float_equal(x->cpu.device_ns, y->cpu.device_ns, EPS);
		if (x->cpu.has_vcpu)
			assert_float_equal(x->cpu.vcpu_ns, y->cpu.vcpu_ns, EPS);
		if (x->cpu.has_guest) {
			assert_float_equal(x->cpu.guest_phase_ns, y->cpu.guest_phase_ns, EPS);
			assert_float_equal(x->cpu.guest_wait_ns, y->cpu.guest_wait_ns, EPS);
		}
		assert_groups_equal(&x->vcpu_stats, &y->vcpu_stats);
		assert_groups_equal(&x->vm_stats, &y->vm_stats);
		assert_json_text_equal(x->host_json, y->host_json);
		assert_json_text_equal(x->vcpus_json, y->vcpus_json);
		assert_int_equal(x->samples != NULL, y->samples != NULL);
		assert_int_equal(x->nsamples, y->nsamples);
		for (size_t k = 0; k < x->nsamples; k++)
			assert_float_equal(x->samples[k], y->samples[k], EPS);
	}
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_runs_equal(&a, &b);
	/* 15 significant digits: exact for cycle counts, within 5e-15 for any other double */
	assert_true(fabs(b.tests[0].cycles.median / a.tests[0].cycles.median - 1) <= 5e-15);
	assert_true(a.tests[0].samples[1] == b.tests[0].samples[1]);
	assert_true(fabs(b.tests[0].samples[3] / a.tests[0].samples[3] - 1) <= 5e-15);
	results_free(&a);
	results_free(&b);
	assert_null(b.tests);
	assert_int_equal(b.ntests, 0);
}

/* Reals print as people write them: 0.99, not 0.98999999999999999; large integers stay exact. */
static void test_real_precision(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	size_t len;
	char *text;
	FILE *fp;

	make_run(&a);
	a.tests[0].exits_per_iteration = 0.99;
	a.tests[0].samples[0] = 123456789012345.0;
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	len = fread(text, 1, (1 << 20) - 1, fp);
	fclose(fp);
	assert_true(len > 0);
	assert_non_null(strstr(text, "0.99"));
	assert_null(strstr(text, "0.98999"));
	free(text);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_true(b.tests[0].exits_per_iteration == 0.99);
	assert_true(b.tests[0].samples[0] == 123456789012345.0);
	results_free(&a);
	results_free(&b);
}

static void test_round_trip_minimal(void **state)
{
	struct fixture *f = *state;
	struct run_result a = { 0 }, b;

	/* No context, no config, no tests. */
	strcpy(a.payload, "empty");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_runs_equal(&a, &b);
	assert_null(b.context_json);
	assert_null(b.config_json);
	results_free(&b);
}

static void test_schema_shape(void **state)
{
	struct fixture *f = *state;
	struct run_result a;
	json_t *root, *t0, *t1, *t2;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	root = json_load_file(f->path, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")), "exitlab-results");
	assert_int_equal(json_integer_value(json_object_get(root, "schema_version")), 1);
	assert_true(json_is_object(json_object_get(root, "context")));
	t0 = json_array_get(json_object_get(root, "tests"), 0);
	t1 = json_array_get(json_object_get(root, "tests"), 1);
	t2 = json_array_get(json_object_get(root, "tests"), 2);
	assert_int_equal(json_integer_value(json_object_get(t0, "ring")), 3);
	assert_true(json_is_null(json_object_get(t1, "ring")));
	assert_string_equal(json_string_value(json_object_get(t1, "where")), "host");
	assert_true(json_is_array(json_object_get(t0, "samples_cycles")));
	assert_null(json_object_get(t1, "samples_cycles"));
	assert_true(json_is_object(json_object_get(t1, "kvm_stats")));
	/* Every stats member and host are always written, empty or null when nothing moved. */
	{
		static const char *const keys[] = { "kvm_stats", "kvm_stats_instant", "kvm_stats_hist",
			"kvm_vm_stats", "kvm_vm_stats_instant", "kvm_vm_stats_hist" };

		for (size_t i = 0; i < 6; i++) {
			assert_true(json_is_object(json_object_get(t1, keys[i])));
			assert_int_equal(json_object_size(json_object_get(t1, keys[i])), 0);
		}
	}
	assert_true(json_is_null(json_object_get(t1, "host")));
	assert_true(json_is_object(json_object_get(t0, "host")));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(json_object_get(t0,
		"kvm_stats_hist"), "halt_wait_hist"), 1)), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t0, "kvm_vm_stats"),
		"mmu_shadow_zapped")), 42);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t0, "kvm_vm_stats_instant"),
		"pages_4k")), 267);
	assert_true(json_is_object(json_object_get(json_object_get(root, "kvm_stats_schema"), "vm")));
	assert_true(json_is_null(json_object_get(t1, "exits_per_iteration")));
	assert_true(json_is_null(json_object_get(t2, "cycles")));
	assert_true(json_is_null(json_object_get(t2, "ns")));
	assert_true(json_is_null(json_object_get(t2, "overhead_cycles")));
	assert_true(json_is_null(json_object_get(t1, "reason")));
	assert_string_equal(json_string_value(json_object_get(t2, "status")), "skipped");
	json_decref(root);
}

/* Write a valid file, apply edit() to its JSON, rewrite it, expect read to fail with msg. */
static void expect_error_after(struct fixture *f, void (*edit)(json_t *root, const char *arg),
			       const char *arg, const char *msg)
{
	struct run_result a, b;
	json_t *root;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	root = json_load_file(f->path, 0, NULL);
	assert_non_null(root);
	edit(root, arg);
	assert_int_equal(json_dump_file(root, f->path, 0), 0);
	json_decref(root);

	memset(&b, 0xa5, sizeof(b));
	f->err[0] = '\0';
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	if (!strstr(f->err, msg))
		fail_msg("error '%s' does not mention '%s'", f->err, msg);
}

/* arg is "key" (top level) or "N.key" (tests[N]) or "N.cycles.key". */
static json_t *resolve(json_t *root, const char *arg, const char **key)
{
	json_t *obj = root;
	char *dot;

	if (arg[0] >= '0' && arg[0] <= '9') {
		obj = json_array_get(json_object_get(root, "tests"), strtoul(arg, &dot, 10));
		arg = dot + 1;
		if (!strncmp(arg, "cycles.", 7)) {
			obj = json_object_get(obj, "cycles");
			arg += 7;
		}
	}
	assert_non_null(obj);
	*key = arg;
	return obj;
}

static void drop(json_t *root, const char *arg)
{
	const char *key;
	json_t *obj = resolve(root, arg, &key);

	assert_int_equal(json_object_del(obj, key), 0);
}

static void set_string(json_t *root, const char *arg)
{
	const char *key;
	json_t *obj = resolve(root, arg, &key);

	json_object_set_new(obj, key, json_string("surprise"));
}

static void set_array(json_t *root, const char *arg)
{
	const char *key;
	json_t *obj = resolve(root, arg, &key);

	json_object_set_new(obj, key, json_array());
}

static void set_int(json_t *root, const char *arg)
{
	const char *key;
	json_t *obj = resolve(root, arg, &key);

	json_object_set_new(obj, key, json_integer(7));
}

/* arg is "N.key.inner": replace tests[N].key.inner (an object member) with a string. */
static void set_inner_string(json_t *root, const char *arg)
{
	char key[64], *inner;
	const char *k;
	json_t *obj;

	obj = resolve(root, arg, &k);
	snprintf(key, sizeof(key), "%s", k);
	inner = strchr(key, '.');
	assert_non_null(inner);
	*inner++ = 0;
	obj = json_object_get(obj, key);
	assert_non_null(obj);
	json_object_set_new(obj, inner, json_string("surprise"));
}

static void set_hist_bucket_string(json_t *root, const char *arg)
{
	json_t *t = json_array_get(json_object_get(root, "tests"), 0);

	(void)arg;
	json_array_set_new(json_object_get(json_object_get(t, "kvm_stats_hist"), "halt_wait_hist"), 1,
			   json_string("x"));
}

static void set_hist_empty(json_t *root, const char *arg)
{
	json_t *t = json_array_get(json_object_get(root, "tests"), 0);

	(void)arg;
	json_object_set_new(json_object_get(t, "kvm_stats_hist"), "halt_wait_hist", json_array());
}

static void set_long_stat_name(json_t *root, const char *arg)
{
	json_t *t = json_array_get(json_object_get(root, "tests"), 0);
	char name[80];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	json_object_set_new(json_object_get(t, arg), name, json_integer(1));
}

/* arg is "set.stat.field=value" in kvm_stats_schema; value is JSON. */
static void edit_schema(json_t *root, const char *arg)
{
	char buf[128], *set = buf, *stat, *field, *value;
	json_t *o = json_object_get(root, "kvm_stats_schema");

	snprintf(buf, sizeof(buf), "%s", arg);
	stat = strchr(set, '.');
	*stat++ = 0;
	field = strchr(stat, '.');
	*field++ = 0;
	value = strchr(field, '=');
	*value++ = 0;
	o = json_object_get(json_object_get(o, set), stat);
	assert_non_null(o);
	json_object_set_new(o, field, json_loads(value, JSON_DECODE_ANY, NULL));
}

static void drop_schema_vm(json_t *root, const char *arg)
{
	(void)arg;
	json_object_del(json_object_get(root, "kvm_stats_schema"), "vm");
}

static void test_stats_members(void **state)
{
	struct fixture *f = *state;

	expect_error_after(f, set_array, "0.kvm_vm_stats", "tests[0].kvm_vm_stats: expected an object");
	expect_error_after(f, set_string, "0.cpu", "tests[0].cpu: expected an object or null");
	expect_error_after(f, set_inner_string, "0.cpu.device_ns", "device_ns: expected a number >= 0 or null");
	expect_error_after(f, set_string, "0.kvm_stats_instant", "tests[0].kvm_stats_instant: expected an object");
	expect_error_after(f, set_inner_string, "0.kvm_vm_stats_instant.pages_4k",
			   "tests[0].kvm_vm_stats_instant.pages_4k: expected an integer");
	expect_error_after(f, set_inner_string, "0.kvm_stats_hist.halt_wait_hist",
			   "tests[0].kvm_stats_hist.halt_wait_hist: expected an array");
	expect_error_after(f, set_hist_bucket_string, "", "tests[0].kvm_stats_hist.halt_wait_hist[1]: expected an integer");
	expect_error_after(f, set_hist_empty, "", "halt_wait_hist: expected an array of 1 to");
	expect_error_after(f, set_long_stat_name, "kvm_vm_stats", "longer than 63 bytes");
	expect_error_after(f, set_array, "0.host", "tests[0].host: expected an object or null");
	expect_error_after(f, set_int, "kvm_stats_schema", "kvm_stats_schema: expected an object or null");
	expect_error_after(f, drop_schema_vm, "", "kvm_stats_schema.vm: missing");
	expect_error_after(f, edit_schema, "vcpu.exits.unit=\"parsecs\"",
			   "kvm_stats_schema.vcpu.exits.unit: unknown unit 'parsecs'");
	expect_error_after(f, edit_schema, "vcpu.exits.type=\"gauge\"", "unknown type 'gauge'");
	expect_error_after(f, edit_schema, "vm.pages_4k.base=3", "kvm_stats_schema.vm.pages_4k.base: 3 is neither");
	expect_error_after(f, edit_schema, "vcpu.halt_wait_hist.size=0", "halt_wait_hist.size: 0 out of range");
	expect_error_after(f, edit_schema, "vcpu.exits.exponent=1.5", "exits.exponent: expected an integer");
}

/* Files written before the VM stats, histograms, host and schema existed still read. */
static void drop_new_members(json_t *root, const char *arg)
{
	static const char *const keys[] = { "kvm_stats_instant", "kvm_stats_hist", "kvm_vm_stats",
		"kvm_vm_stats_instant", "kvm_vm_stats_hist", "host", "cpu" };
	size_t i;
	json_t *t;

	(void)arg;
	json_object_del(root, "kvm_stats_schema");
	json_array_foreach(json_object_get(root, "tests"), i, t)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			json_object_del(t, keys[k]);
}

static void test_older_file(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	json_t *root;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	root = json_load_file(f->path, 0, NULL);
	drop_new_members(root, NULL);
	assert_int_equal(json_dump_file(root, f->path, 0), 0);
	json_decref(root);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_int_equal(b.tests[0].vcpu_stats.ndelta, 2);
	assert_int_equal(b.tests[0].vcpu_stats.nhist, 0);
	assert_int_equal(b.tests[0].vm_stats.ndelta, 0);
	assert_null(b.tests[0].host_json);
	assert_null(b.kvm_stats_schema_json);
	/* no "cpu": every figure unknown, none 0 */
	assert_false(b.tests[0].cpu.has_device || b.tests[0].cpu.has_vcpu || b.tests[0].cpu.has_guest);
	results_free(&b);
}

/* valid / invalid_reason: written, read back; absent in older files means valid. */
static void test_validity_members(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	json_t *root, *t;
	size_t i;

	make_run(&a);
	a.tests[0].invalid = true;
	strcpy(a.tests[0].invalid_reason, "1 KVM exit per operation expected, 0.002 counted");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_true(b.tests[0].invalid);
	assert_string_equal(b.tests[0].invalid_reason, "1 KVM exit per operation expected, 0.002 counted");
	for (i = 1; i < b.ntests; i++)
		assert_false(b.tests[i].invalid);
	results_free(&b);

	root = json_load_file(f->path, 0, NULL);
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(root, "tests"), 0), "valid")));
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(root, "tests"), 1), "valid")));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(root, "tests"), 1),
						 "invalid_reason")));
	json_array_foreach(json_object_get(root, "tests"), i, t) {
		json_object_del(t, "valid");
		json_object_del(t, "invalid_reason");
	}
	assert_int_equal(json_dump_file(root, f->path, 0), 0);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_false(b.tests[0].invalid);
	results_free(&b);

	json_object_set_new(json_array_get(json_object_get(root, "tests"), 0), "valid", json_string("no"));
	assert_int_equal(json_dump_file(root, f->path, 0), 0);
	json_decref(root);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "valid"));
}

static void test_missing_fields(void **state)
{
	struct fixture *f = *state;

	expect_error_after(f, drop, "payload", "payload: missing");
	expect_error_after(f, drop, "tests", "tests: missing");
	expect_error_after(f, drop, "context", "context: missing");
	expect_error_after(f, drop, "schema_version", "schema_version: missing");
	expect_error_after(f, drop, "1.status", "tests[1].status: missing");
	expect_error_after(f, drop, "0.kvm_stats", "tests[0].kvm_stats: missing");
	expect_error_after(f, drop, "2.ns", "tests[2].ns: missing");
	expect_error_after(f, drop, "0.cycles.p99", "tests[0].cycles.p99: missing");
	expect_error_after(f, drop, "schema", "not an exitlab results file");
}

static void test_wrong_types(void **state)
{
	struct fixture *f = *state;

	expect_error_after(f, set_string, "duration_s", "duration_s: expected a number");
	expect_error_after(f, set_int, "payload", "payload: expected a string");
	expect_error_after(f, set_array, "context", "context: expected an object or null");
	expect_error_after(f, set_string, "tests", "tests: expected an array");
	expect_error_after(f, set_string, "0.iterations", "tests[0].iterations: expected an integer");
	expect_error_after(f, set_string, "0.ring", "tests[0].ring");
	expect_error_after(f, set_int, "0.ring", "tests[0].ring: 7 out of range");
	expect_error_after(f, set_int, "0.emulated", "tests[0].emulated: expected a boolean");
	expect_error_after(f, set_string, "0.status", "unknown status 'surprise'");
	expect_error_after(f, set_string, "0.where", "neither guest nor host");
	expect_error_after(f, set_array, "1.kvm_stats", "tests[1].kvm_stats: expected an object");
	expect_error_after(f, set_string, "0.cycles.n", "tests[0].cycles.n: expected an integer");
	expect_error_after(f, set_array, "0.cycles.mad", "tests[0].cycles.mad: expected a number");
	expect_error_after(f, set_int, "schema_version", "unsupported version 7");
	expect_error_after(f, set_string, "0.samples_cycles", "samples_cycles: expected an array");
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	struct stat st;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	assert_int_equal(stat(f->path, &st), 0);
	for (off_t len = 0; len < st.st_size - 1; len += st.st_size / 7 + 1) {
		assert_int_equal(truncate(f->path, len), 0);
		assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
		assert_non_null(strstr(f->err, f->path));
		assert_non_null(strstr(f->err, "not valid JSON"));
	}
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_foreign_file(void **state)
{
	struct fixture *f = *state;
	struct run_result b;

	write_text(f->path, "[1, 2, 3]");
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "not an exitlab results file"));

	write_text(f->path, "{\"name\": \"package.json\", \"version\": \"1.0\"}");
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "schema is missing"));

	write_text(f->path, "{\"schema\": \"other-tool\", \"schema_version\": 1}");
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "'other-tool'"));

	write_text(f->path, "\x7f" "ELF\x02\x01\x01");
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "not valid JSON"));

	write_text(f->path, "");
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), -1);
}

static void test_nonexistent(void **state)
{
	struct fixture *f = *state;
	struct run_result b;
	char p[160];

	snprintf(p, sizeof(p), "%s/nope/none.json", f->dir);
	assert_int_equal(results_read_json(p, &b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, p));
}

/* read() calls this process has made so far (/proc/self/io), or -1 if the kernel does not say. */
static long long read_syscalls(void)
{
	FILE *fp = fopen("/proc/self/io", "r");
	long long n = -1;
	char line[128];

	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "syscr: %lld", &n) == 1)
			break;
	if (fp)
		fclose(fp);
	return n;
}

/*
 * The reader reads a file in blocks: jansson's json_loadfd reads one byte per
 * read(), so a 35 MB raw results file cost 35 million system calls (found by
 * the results fuzz harness, fuzz/results, at 115 inputs/s).
 */
static void test_read_is_buffered(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	struct stat st;
	long long before, after;

	make_run(&a);
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	results_free(&a);
	assert_int_equal(stat(f->path, &st), 0);
	before = read_syscalls();
	if (before < 0)
		skip();
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	after = read_syscalls();
	results_free(&b);
	/* a few blocks and the fopen of /proc/self/io, not one call per byte */
	if (after - before > 64)
		fail_msg("%lld read() calls for a %lld-byte file", after - before, (long long)st.st_size);
}

static void test_atomic_write(void **state)
{
	struct fixture *f = *state;
	struct run_result a, b;
	char nested[200];
	struct dirent *de;
	struct stat st;
	int count = 0;
	DIR *d;

	make_run(&a);
	/* Parent directories are created. */
	snprintf(nested, sizeof(nested), "%s/a/b/c/run.json", f->dir);
	assert_int_equal(results_write_json(&a, nested, f->err, sizeof(f->err)), 0);
	assert_int_equal(stat(nested, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* Overwrite twice; only the final file is left, no temp files. */
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	a.exit_code = 0;
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	d = opendir(f->dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		count++;
		if (strcmp(de->d_name, "run.json") && strcmp(de->d_name, "a"))
			fail_msg("stray file %s", de->d_name);
	}
	closedir(d);
	assert_int_equal(count, 2);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_int_equal(b.exit_code, 0);
	results_free(&b);
	results_free(&a);
}

static void test_write_errors(void **state)
{
	struct fixture *f = *state;
	struct run_result a;
	char p[200];

	make_run(&a);
	free(a.context_json);
	a.context_json = strdup("{\"broken\": ");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "context"));
	free(a.context_json);
	a.context_json = NULL;
	a.tests[0].host_json[3] = 0; /* a phase_end hook that wrote broken JSON */
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "tests[0].host"));
	free(a.tests[0].host_json);
	a.tests[0].host_json = strdup("[42]");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "tests[0].host is not a JSON object"));
	free(a.tests[0].host_json);
	a.tests[0].host_json = NULL;
	a.context_json = strdup("[1]");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "not a JSON object"));
	free(a.context_json);
	a.context_json = NULL;

	strcpy(a.tests[1].where, "moon");
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "tests[1]"));
	strcpy(a.tests[1].where, "host");

	/* A regular file where a directory should be. */
	write_text(f->path, "x");
	snprintf(p, sizeof(p), "%s/sub/out.json", f->path);
	assert_int_equal(results_write_json(&a, p, f->err, sizeof(f->err)), -1);
	results_free(&a);
	/* Nothing was written by the failed attempts. */
	assert_int_equal(access(f->path, F_OK), 0);
}

static void test_nonfinite_and_utf8(void **state)
{
	struct fixture *f = *state;
	struct run_result a = { 0 }, b;
	struct test_result *t;

	strcpy(a.payload, "p");
	a.duration_s = NAN;
	t = results_add_test(&a);
	assert_non_null(t);
	strcpy(t->name, "bad\xff\xfename");	/* invalid UTF-8 from a guest */
	strcpy(t->where, "guest");
	t->has_timing = true;
	fill_stats(&t->cycles, 1);
	t->cycles.stddev = INFINITY;
	assert_int_equal(results_write_json(&a, f->path, f->err, sizeof(f->err)), 0);
	assert_int_equal(results_read_json(f->path, &b, f->err, sizeof(f->err)), 0);
	assert_true(isnan(b.duration_s));
	assert_true(isnan(b.tests[0].cycles.stddev));
	assert_string_equal(b.tests[0].name, "bad??name");
	results_free(&a);
	results_free(&b);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(test_status_name(TEST_OK), "ok");
	assert_string_equal(test_status_name(TEST_SKIPPED), "skipped");
	assert_string_equal(test_status_name(TEST_FAILED), "failed");
	assert_string_equal(test_status_name((enum test_status)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_precision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validity_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonexistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_is_buffered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonfinite_and_utf8, setup, teardown),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
