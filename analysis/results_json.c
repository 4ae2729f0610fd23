// SPDX-License-Identifier: MIT
/*
 * Results files: the in-memory run_result <-> the JSON schema documented in
 * docs/results-schema.md. Writing is atomic (a reader never sees half a
 * file); reading validates every field, since results files travel between
 * hosts and get hand-edited.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/json_out.h"
#include "analysis/results.h"
#include "analysis/results_calib.h"
#include "analysis/results_cpu.h"

#define SCHEMA_NAME "exitlab-results"

/* ---- in-memory helpers ------------------------------------------------- */

struct test_result *results_add_test(struct run_result *r)
{
	struct test_result *t;

	t = realloc(r->tests, (r->ntests + 1) * sizeof(*t));
	if (!t)
		return NULL;
	r->tests = t;
	t = &r->tests[r->ntests++];
	memset(t, 0, sizeof(*t));
	return t;
}

void results_free(struct run_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntests; i++) {
		results_free_stat_group(&r->tests[i].vcpu_stats);
		results_free_stat_group(&r->tests[i].vm_stats);
		free(r->tests[i].host_json);
		free(r->tests[i].params_json);
		free(r->tests[i].metrics_json);
		free(r->tests[i].vcpus_json);
		free(r->tests[i].samples);
	}
	free(r->tests);
	free(r->context_json);
	free(r->config_json);
	free(r->vmm_json);
	free(r->kvm_stats_schema_json);
	memset(r, 0, sizeof(*r));
}

void results_free_stat_group(struct kvm_stat_group *g)
{
	for (size_t i = 0; g->hist && i < g->nhist; i++)
		free(g->hist[i].buckets);
	free(g->delta);
	free(g->level);
	free(g->hist);
	memset(g, 0, sizeof(*g));
}

const char *test_status_name(enum test_status s)
{
	switch (s) {
	case TEST_OK:
		return "ok";
	case TEST_SKIPPED:
		return "skipped";
	case TEST_FAILED:
		return "failed";
	}
	return "unknown";
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- writing ----------------------------------------------------------- */

/* JSON has no NaN/Inf: a non-finite number is stored as null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/*
 * Fixed-size string fields may hold bytes a guest sent us; jansson refuses
 * invalid UTF-8, so fall back to an ASCII-only copy rather than fail the run.
 */
static json_t *str(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap);
	json_t *j = json_stringn(s, len);
	char buf[256];

	if (j || len >= sizeof(buf))
		return j;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	return json_stringn(buf, len);
}

#define STR(field) str(field, sizeof(field))

static json_t *stats_to_json(const struct sample_stats *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "n", (json_int_t)s->n,
			 "min", num(s->min), "median", num(s->median),
			 "p1", num(s->p1), "p99", num(s->p99),
			 "max", num(s->max), "mean", num(s->mean),
			 "stddev", num(s->stddev), "mad", num(s->mad));
}

/* NULL text gives JSON null; otherwise it must parse as an object. */
static int embedded_object(const char *text, const char *what, json_t **out,
			   char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;

	if (!text) {
		*out = json_null();
		return 0;
	}
	j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		seterr(err, errlen, "results: %s is not valid JSON: %s", what, je.text);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		seterr(err, errlen, "results: %s is not a JSON object", what);
		return -1;
	}
	*out = j;
	return 0;
}

/* {name: integer} from an array of {char name[64]; int64_t value} at value_off. */
static json_t *int_map(const void *arr, size_t n, size_t elem, size_t value_off)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++) {
		const char *e = (const char *)arr + i * elem;
		char name[65];
		int64_t v;

		snprintf(name, sizeof(name), "%.*s", 64, e);
		memcpy(&v, e + value_off, sizeof(v));
		if (json_object_set_new(o, name, json_integer(v))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* {name: [bucket deltas]} */
static json_t *hist_map(const struct kvm_stat_hist *h, size_t n)
{
	json_t *o = json_object(), *a;
	int rc = 0;

	for (size_t i = 0; o && i < n; i++) {
		char name[sizeof(h[i].name) + 1];

		snprintf(name, sizeof(name), "%.*s", (int)sizeof(h[i].name), h[i].name);
		a = json_array();
		for (size_t k = 0; a && k < h[i].nbuckets; k++)
			rc |= json_array_append_new(a, json_integer(h[i].buckets[k]));
		rc |= json_object_set_new(o, name, a);
	}
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The six stats members of a test, in schema order. */
static int kvm_stats_to_json(json_t *o, const struct test_result *t)
{
	const struct {
		const char *prefix;
		const struct kvm_stat_group *g;
	} sets[] = { { "kvm_stats", &t->vcpu_stats }, { "kvm_vm_stats", &t->vm_stats } };
	int rc = 0;

	for (size_t i = 0; i < 2; i++) {
		const struct kvm_stat_group *g = sets[i].g;
		char key[32];

		rc |= json_object_set_new(o, sets[i].prefix,
			int_map(g->delta, g->ndelta, sizeof(*g->delta), offsetof(struct kvm_stat_delta, delta)));
		snprintf(key, sizeof(key), "%s_instant", sets[i].prefix);
		rc |= json_object_set_new(o, key,
			int_map(g->level, g->nlevel, sizeof(*g->level), offsetof(struct kvm_stat_level, value)));
		snprintf(key, sizeof(key), "%s_hist", sets[i].prefix);
		rc |= json_object_set_new(o, key, hist_map(g->hist, g->nhist));
	}
	return rc;
}

static json_t *test_to_json(const struct test_result *t, size_t idx, char *err, size_t errlen)
{
	json_t *o, *a, *host, *params, *metrics, *vcpus;
	int rc = 0;
	char what[48];

	if (strncmp(t->where, "guest", sizeof(t->where)) &&
	    strncmp(t->where, "host", sizeof(t->where))) {
		seterr(err, errlen, "results: tests[%zu]: where is '%.16s', want guest or host",
		       idx, t->where);
		return NULL;
	}
	if (t->status != TEST_OK && t->status != TEST_SKIPPED && t->status != TEST_FAILED) {
		seterr(err, errlen, "results: tests[%zu]: bad status %d", idx, (int)t->status);
		return NULL;
	}
	if (t->iterations > INT64_MAX) {
		seterr(err, errlen, "results: tests[%zu]: iterations out of range", idx);
		return NULL;
	}

	snprintf(what, sizeof(what), "tests[%zu].host", idx);
	if (embedded_object(t->host_json, what, &host, err, errlen))
		return NULL;
	snprintf(what, sizeof(what), "tests[%zu].params", idx);
	if (embedded_object(t->params_json, what, &params, err, errlen)) {
		json_decref(host);
		return NULL;
	}
	snprintf(what, sizeof(what), "tests[%zu].metrics", idx);
	if (embedded_object(t->metrics_json, what, &metrics, err, errlen)) {
		json_decref(host);
		json_decref(params);
		return NULL;
	}
	snprintf(what, sizeof(what), "tests[%zu].vcpus", idx);
	if (embedded_object(t->vcpus_json, what, &vcpus, err, errlen)) {
		json_decref(host);
		json_decref(params);
		json_decref(metrics);
		return NULL;
	}

	o = json_pack("{s:o, s:o, s:o, s:s, s:o, s:I, s:b, s:o, s:o, s:o, s:o, s:o}",
		      "name", STR(t->name),
		      "where", STR(t->where),
		      "ring", t->ring < 0 ? json_null() : json_integer(t->ring),
		      "status", test_status_name(t->status),
		      "reason", t->reason[0] ? STR(t->reason) : json_null(),
		      "iterations", (json_int_t)t->iterations,
		      "emulated", (int)t->emulated,
		      "overhead_cycles", t->has_timing ? num(t->overhead_cycles) : json_null(),
		      "cycles", t->has_timing ? stats_to_json(&t->cycles) : json_null(),
		      "ns", t->has_timing ? stats_to_json(&t->ns) : json_null(),
		      "exits_per_iteration",
		      t->has_exits ? num(t->exits_per_iteration) : json_null(),
		      "userspace_exits_per_iteration",
		      t->has_exits ? num(t->userspace_exits_per_iteration) : json_null());
	if (o) {
		rc |= json_object_set_new(o, "phase_s", t->has_phase ? num(t->phase_s) : json_null());
		rc |= json_object_set_new(o, "valid", json_boolean(!t->invalid));
		rc |= json_object_set_new(o, "invalid_reason",
					  t->invalid ? STR(t->invalid_reason) : json_null());
		rc |= kvm_stats_to_json(o, t);
		rc |= json_object_set(o, "host", host);
		rc |= json_object_set(o, "params", params);
		rc |= json_object_set(o, "metrics", metrics);
		/* Only with several vCPUs: one-vCPU files stay as they were. */
		if (!json_is_null(vcpus))
			rc |= json_object_set(o, "vcpus", vcpus);
		rc |= results_calib_to_json(o, t);
		rc |= results_cpu_to_json(o, t);
	}
	json_decref(host);
	json_decref(params);
	json_decref(metrics);
	json_decref(vcpus);
	if (o && t->samples) {
		a = json_array();
		for (size_t i = 0; a && i < t->nsamples; i++)
			rc |= json_array_append_new(a, num(t->samples[i]));
		rc |= json_object_set_new(o, "samples_cycles", a);
	}
	if (!o || rc) {
		json_decref(o);
		seterr(err, errlen, "results: out of memory building tests[%zu]", idx);
		return NULL;
	}
	return o;
}

static json_t *run_to_json(const struct run_result *r, char *err, size_t errlen)
{
	json_t *root, *ctx, *cfg, *vmm, *schema, *tests, *t;

	if (embedded_object(r->context_json, "context", &ctx, err, errlen))
		return NULL;
	if (embedded_object(r->config_json, "config", &cfg, err, errlen)) {
		json_decref(ctx);
		return NULL;
	}
	if (embedded_object(r->vmm_json, "vmm", &vmm, err, errlen)) {
		json_decref(ctx);
		json_decref(cfg);
		return NULL;
	}
	if (embedded_object(r->kvm_stats_schema_json, "kvm_stats_schema", &schema, err, errlen)) {
		json_decref(ctx);
		json_decref(cfg);
		json_decref(vmm);
		return NULL;
	}
	tests = json_array();
	root = json_pack("{s:s, s:i, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o}",
			 "schema", SCHEMA_NAME,
			 "schema_version", RESULTS_SCHEMA_VERSION,
			 "payload", STR(r->payload),
			 "started_at", STR(r->started_at),
			 "duration_s", num(r->duration_s),
			 "exit_code", r->exit_code,
			 "context", ctx, "config", cfg, "vmm", vmm,
			 "kvm_stats_schema", schema, "tests", tests);
	if (!root || !tests) {
		json_decref(root);
		seterr(err, errlen, "results: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < r->ntests; i++) {
		t = test_to_json(&r->tests[i], i, err, errlen);
		if (!t || json_array_append_new(tests, t)) {
			if (t)
				seterr(err, errlen, "results: out of memory");
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

int results_write_json(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	char *text;
	json_t *root;
	int ret;

	if (!r || !path || !*path) {
		seterr(err, errlen, "results: no output path");
		return -1;
	}
	root = run_to_json(r, err, errlen);
	if (!root)
		return -1;
	text = json_dumps(root, JSON_INDENT(2) | EXITLAB_JSON_REALS);
	json_decref(root);
	if (!text) {
		seterr(err, errlen, "results: out of memory serializing");
		return -1;
	}
	ret = atomic_write_text(path, text, err, errlen);
	free(text);
	return ret;
}

/* ---- reading ----------------------------------------------------------- */

/*
 * Parsing context: the file name and the JSON path of the value being
 * read, so every message says exactly where a file went wrong.
 */
struct rd {
	const char *file;
	char *err;
	size_t errlen;
};

static const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

static int bad(struct rd *rd, const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct rd *rd, const char *where, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	seterr(rd->err, rd->errlen, "%s: %s%s%s: %s", rd->file, where, *where ? "." : "", key,
	       msg);
	return -1;
}

/* Look up a required member; missing members are an error. */
static json_t *member(struct rd *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		bad(rd, where, key, "missing");
	return v;
}

static int get_string(struct rd *rd, json_t *obj, const char *where, const char *key,
		      bool nullable, char *dst, size_t cap)
{
	json_t *v = member(rd, obj, where, key);

	if (!v)
		return -1;
	if (nullable && json_is_null(v)) {
		dst[0] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return bad(rd, where, key, "expected a string%s, got %s",
			   nullable ? " or null" : "", type_name(v));
	if (json_string_length(v) >= cap)
		return bad(rd, where, key, "longer than %zu bytes", cap - 1);
	/* Embedded NULs would silently truncate. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(rd, where, key, "contains a NUL byte");
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* A number; null reads as NaN when nullable (that is how NaN is written). */
static int get_number(struct rd *rd, json_t *obj, const char *where, const char *key,
		      bool nullable, double *dst, bool *was_null)
{
	json_t *v = member(rd, obj, where, key);

	if (!v)
		return -1;
	if (was_null)
		*was_null = json_is_null(v);
	if (nullable && json_is_null(v)) {
		*dst = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return bad(rd, where, key, "expected a number%s, got %s",
			   nullable ? " or null" : "", type_name(v));
	*dst = json_number_value(v);
	return 0;
}

static int get_int(struct rd *rd, json_t *obj, const char *where, const char *key,
		   json_int_t lo, json_int_t hi, json_int_t *dst)
{
	json_t *v = member(rd, obj, where, key);

	if (!v)
		return -1;
	if (!json_is_integer(v))
		return bad(rd, where, key, "expected an integer, got %s", type_name(v));
	*dst = json_integer_value(v);
	if (*dst < lo || *dst > hi)
		return bad(rd, where, key, "%lld out of range [%lld, %lld]", (long long)*dst,
			   (long long)lo, (long long)hi);
	return 0;
}

/* The whole sub-object, re-serialized, or NULL for JSON null. */
static int get_embedded(struct rd *rd, json_t *obj, const char *key, char **dst)
{
	json_t *v = member(rd, obj, "", key);

	if (!v)
		return -1;
	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(rd, "", key, "expected an object or null, got %s", type_name(v));
	*dst = json_dumps(v, JSON_COMPACT);
	if (!*dst)
		return bad(rd, "", key, "out of memory");
	return 0;
}

static int get_stats(struct rd *rd, json_t *obj, const char *where, const char *key,
		     struct sample_stats *s, bool *present)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "min", offsetof(struct sample_stats, min) },
		{ "median", offsetof(struct sample_stats, median) },
		{ "p1", offsetof(struct sample_stats, p1) },
		{ "p99", offsetof(struct sample_stats, p99) },
		{ "max", offsetof(struct sample_stats, max) },
		{ "mean", offsetof(struct sample_stats, mean) },
		{ "stddev", offsetof(struct sample_stats, stddev) },
		{ "mad", offsetof(struct sample_stats, mad) },
	};
	json_t *v = member(rd, obj, where, key);
	char path[64];
	json_int_t n;

	if (!v)
		return -1;
	*present = !json_is_null(v);
	if (!*present)
		return 0;
	if (!json_is_object(v))
		return bad(rd, where, key, "expected an object or null, got %s", type_name(v));
	snprintf(path, sizeof(path), "%s.%s", where, key);
	if (get_int(rd, v, path, "n", 0, INT64_MAX, &n))
		return -1;
	s->n = (size_t)n;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (get_number(rd, v, path, fields[i].name, true,
			       (double *)((char *)s + fields[i].off), NULL))
			return -1;
	return 0;
}

/*
 * {name: integer} into an array of {char name[64]; int64_t value} (value at
 * value_off). Absent is an error only when required (the stats members added
 * after kvm_stats are optional, so older version-1 files still read).
 */
static int get_int_map(struct rd *rd, json_t *obj, const char *where, const char *key,
		       bool required, size_t elem, size_t value_off, void **out, size_t *n)
{
	json_t *v = json_object_get(obj, key), *val;
	char path[64];
	const char *k;

	if (!v)
		return required ? bad(rd, where, key, "missing") : 0;
	if (!json_is_object(v))
		return bad(rd, where, key, "expected an object, got %s", type_name(v));
	if (!json_object_size(v))
		return 0;
	snprintf(path, sizeof(path), "%s.%s", where, key);
	*out = calloc(json_object_size(v), elem);
	if (!*out)
		return bad(rd, where, key, "out of memory");
	json_object_foreach(v, k, val) {
		char *e = (char *)*out + *n * elem;
		int64_t x;

		if (!*k || strlen(k) >= 64)
			return bad(rd, path, k, "name empty or longer than 63 bytes");
		if (!json_is_integer(val))
			return bad(rd, path, k, "expected an integer, got %s", type_name(val));
		strcpy(e, k);
		x = json_integer_value(val);
		memcpy(e + value_off, &x, sizeof(x));
		(*n)++;
	}
	return 0;
}

/* {name: [integer, ...]}, each array non-empty; optional. */
static int get_hist_map(struct rd *rd, json_t *obj, const char *where, const char *key,
			struct kvm_stat_group *g)
{
	json_t *v = json_object_get(obj, key), *val, *e;
	char path[64], idx[96];
	const char *k;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(rd, where, key, "expected an object, got %s", type_name(v));
	if (!json_object_size(v))
		return 0;
	snprintf(path, sizeof(path), "%s.%s", where, key);
	g->hist = calloc(json_object_size(v), sizeof(*g->hist));
	if (!g->hist)
		return bad(rd, where, key, "out of memory");
	json_object_foreach(v, k, val) {
		struct kvm_stat_hist *h = &g->hist[g->nhist];

		if (!*k || strlen(k) >= sizeof(h->name))
			return bad(rd, path, k, "name empty or longer than %zu bytes", sizeof(h->name) - 1);
		if (!json_is_array(val) || !json_array_size(val) || json_array_size(val) > UINT16_MAX)
			return bad(rd, path, k, "expected an array of 1 to %u integers, got %s",
				   UINT16_MAX, type_name(val));
		h->buckets = malloc(json_array_size(val) * sizeof(*h->buckets));
		if (!h->buckets)
			return bad(rd, path, k, "out of memory");
		g->nhist++;
		strcpy(h->name, k);
		json_array_foreach(val, i, e) {
			if (!json_is_integer(e)) {
				snprintf(idx, sizeof(idx), "%s[%zu]", k, i);
				return bad(rd, path, idx, "expected an integer, got %s", type_name(e));
			}
			h->buckets[i] = json_integer_value(e);
		}
		h->nbuckets = json_array_size(val);
	}
	return 0;
}

static int get_stat_group(struct rd *rd, json_t *obj, const char *where, const char *prefix,
			  bool required, struct kvm_stat_group *g)
{
	char key[32];

	if (get_int_map(rd, obj, where, prefix, required, sizeof(*g->delta),
			offsetof(struct kvm_stat_delta, delta), (void **)&g->delta, &g->ndelta))
		return -1;
	snprintf(key, sizeof(key), "%s_instant", prefix);
	if (get_int_map(rd, obj, where, key, false, sizeof(*g->level),
			offsetof(struct kvm_stat_level, value), (void **)&g->level, &g->nlevel))
		return -1;
	snprintf(key, sizeof(key), "%s_hist", prefix);
	return get_hist_map(rd, obj, where, key, g);
}

/* An optional member that is an object (kept serialized) or null: host, params, metrics. */
static int get_opt_object(struct rd *rd, json_t *obj, const char *where, const char *key, char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(rd, where, key, "expected an object or null, got %s", type_name(v));
	*out = json_dumps(v, JSON_COMPACT);
	return *out ? 0 : bad(rd, where, key, "out of memory");
}

static int get_samples(struct rd *rd, json_t *obj, const char *where, struct test_result *t)
{
	json_t *v = json_object_get(obj, "samples_cycles"), *e;
	size_t i, n;

	if (!v)
		return 0; /* optional */
	if (!json_is_array(v))
		return bad(rd, where, "samples_cycles", "expected an array, got %s", type_name(v));
	n = json_array_size(v);
	/* An empty array still means "raw samples were kept": keep samples non-NULL. */
	t->samples = malloc(n ? n * sizeof(*t->samples) : 1);
	if (!t->samples)
		return bad(rd, where, "samples_cycles", "out of memory");
	json_array_foreach(v, i, e) {
		if (json_is_null(e)) {
			t->samples[i] = NAN;
		} else if (json_is_number(e)) {
			t->samples[i] = json_number_value(e);
		} else {
			char key[48];

			snprintf(key, sizeof(key), "samples_cycles[%zu]", i);
			return bad(rd, where, key, "expected a number, got %s", type_name(e));
		}
	}
	t->nsamples = n;
	return 0;
}

static int get_test(struct rd *rd, json_t *o, size_t idx, struct test_result *t)
{
	char where[32], status[16], msg[120];
	bool cyc, ns, null_exits;
	json_t *v;
	json_int_t i;

	snprintf(where, sizeof(where), "tests[%zu]", idx);
	if (!json_is_object(o))
		return bad(rd, "", where, "expected an object, got %s", type_name(o));

	if (get_string(rd, o, where, "name", false, t->name, sizeof(t->name)) ||
	    get_string(rd, o, where, "where", false, t->where, sizeof(t->where)))
		return -1;
	if (strcmp(t->where, "guest") && strcmp(t->where, "host"))
		return bad(rd, where, "where", "'%s' is neither guest nor host", t->where);

	v = member(rd, o, where, "ring");
	if (!v)
		return -1;
	if (json_is_null(v)) {
		t->ring = -1;
	} else if (!json_is_integer(v)) {
		return bad(rd, where, "ring", "expected 0, 3 or null, got %s", type_name(v));
	} else if (get_int(rd, o, where, "ring", 0, 3, &i)) {
		return -1;
	} else {
		t->ring = (int)i;
	}

	if (get_string(rd, o, where, "status", false, status, sizeof(status)))
		return -1;
	if (!strcmp(status, "ok"))
		t->status = TEST_OK;
	else if (!strcmp(status, "skipped"))
		t->status = TEST_SKIPPED;
	else if (!strcmp(status, "failed"))
		t->status = TEST_FAILED;
	else
		return bad(rd, where, "status", "unknown status '%s'", status);

	if (get_string(rd, o, where, "reason", true, t->reason, sizeof(t->reason)) ||
	    get_int(rd, o, where, "iterations", 0, INT64_MAX, &i))
		return -1;
	t->iterations = (uint64_t)i;

	v = member(rd, o, where, "emulated");
	if (!v)
		return -1;
	if (!json_is_boolean(v))
		return bad(rd, where, "emulated", "expected a boolean, got %s", type_name(v));
	t->emulated = json_is_true(v);

	if (get_number(rd, o, where, "overhead_cycles", true, &t->overhead_cycles, NULL) ||
	    get_stats(rd, o, where, "cycles", &t->cycles, &cyc) ||
	    get_stats(rd, o, where, "ns", &t->ns, &ns))
		return -1;
	if (cyc != ns)
		return bad(rd, where, "ns", "cycles and ns must both be objects or both null");
	t->has_timing = cyc;
	if (!t->has_timing)
		t->overhead_cycles = 0;

	if (get_number(rd, o, where, "exits_per_iteration", true, &t->exits_per_iteration,
		       &null_exits) ||
	    get_number(rd, o, where, "userspace_exits_per_iteration", true,
		       &t->userspace_exits_per_iteration, NULL))
		return -1;
	t->has_exits = !null_exits;
	if (!t->has_exits)
		t->exits_per_iteration = t->userspace_exits_per_iteration = 0;
	/* phase_s came later: optional, a number or null */
	if (json_object_get(o, "phase_s")) {
		bool null_phase;

		if (get_number(rd, o, where, "phase_s", true, &t->phase_s, &null_phase))
			return -1;
		t->has_phase = !null_phase && t->phase_s >= 0;
	}

	/* valid came later: optional (files before it read as valid) */
	v = json_object_get(o, "valid");
	if (v) {
		if (!json_is_boolean(v))
			return bad(rd, where, "valid", "expected a boolean, got %s", type_name(v));
		t->invalid = json_is_false(v);
		if (json_object_get(o, "invalid_reason") &&
		    get_string(rd, o, where, "invalid_reason", true, t->invalid_reason,
			       sizeof(t->invalid_reason)))
			return -1;
	}

	if (get_stat_group(rd, o, where, "kvm_stats", true, &t->vcpu_stats) ||
	    get_stat_group(rd, o, where, "kvm_vm_stats", false, &t->vm_stats) ||
	    get_opt_object(rd, o, where, "host", &t->host_json) ||
	    get_opt_object(rd, o, where, "params", &t->params_json) ||
	    get_opt_object(rd, o, where, "metrics", &t->metrics_json) ||
	    get_opt_object(rd, o, where, "vcpus", &t->vcpus_json) || get_samples(rd, o, where, t))
		return -1;
	if (results_calib_from_json(o, t, msg, sizeof(msg)))
		return bad(rd, where, "calibration", "%s", msg);
	if (results_cpu_from_json(o, t, msg, sizeof(msg)))
		return bad(rd, where, "cpu", "%s", msg);
	return 0;
}

static int one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

/* One descriptor of kvm_stats_schema: {type, unit, base, exponent, size, bucket_size}. */
static int get_stat_desc(struct rd *rd, json_t *d, const char *path, const char *name)
{
	static const char *const types[] = { "cumulative", "instant", "peak", "linear_hist", "log_hist", NULL };
	static const char *const units[] = { "none", "bytes", "seconds", "cycles", "boolean", NULL };
	char where[160], type[16], unit[16];
	json_int_t i;

	snprintf(where, sizeof(where), "%s.%s", path, name);
	if (!*name || strlen(name) >= 64)
		return bad(rd, path, name, "name empty or longer than 63 bytes");
	if (!json_is_object(d))
		return bad(rd, path, name, "expected an object, got %s", type_name(d));
	if (get_string(rd, d, where, "type", false, type, sizeof(type)) ||
	    get_string(rd, d, where, "unit", false, unit, sizeof(unit)))
		return -1;
	if (!one_of(type, types))
		return bad(rd, where, "type", "unknown type '%s'", type);
	if (!one_of(unit, units))
		return bad(rd, where, "unit", "unknown unit '%s'", unit);
	if (get_int(rd, d, where, "base", 2, 10, &i))
		return -1;
	if (i != 2 && i != 10)
		return bad(rd, where, "base", "%lld is neither 2 nor 10", (long long)i);
	if (get_int(rd, d, where, "exponent", -64, 64, &i) ||
	    get_int(rd, d, where, "size", 1, UINT16_MAX, &i) ||
	    get_int(rd, d, where, "bucket_size", 0, UINT32_MAX, &i))
		return -1;
	return 0;
}

/* kvm_stats_schema: optional (older files), null, or {"vcpu": {...}, "vm": {...}}. */
static int get_stats_schema(struct rd *rd, json_t *root, struct run_result *r)
{
	static const char *const sets[] = { "vcpu", "vm" };
	json_t *v = json_object_get(root, "kvm_stats_schema"), *set, *d;
	const char *k;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(rd, "", "kvm_stats_schema", "expected an object or null, got %s", type_name(v));
	for (size_t i = 0; i < 2; i++) {
		char path[48];

		snprintf(path, sizeof(path), "kvm_stats_schema.%s", sets[i]);
		set = member(rd, v, "kvm_stats_schema", sets[i]);
		if (!set)
			return -1;
		if (!json_is_object(set))
			return bad(rd, "kvm_stats_schema", sets[i], "expected an object, got %s", type_name(set));
		json_object_foreach(set, k, d)
			if (get_stat_desc(rd, d, path, k))
				return -1;
	}
	r->kvm_stats_schema_json = json_dumps(v, JSON_COMPACT);
	return r->kvm_stats_schema_json ? 0 : bad(rd, "", "kvm_stats_schema", "out of memory");
}

static int get_run(struct rd *rd, json_t *root, struct run_result *r)
{
	json_t *v, *tests, *e;
	json_int_t i;
	size_t idx;

	if (!json_is_object(root)) {
		seterr(rd->err, rd->errlen, "%s: not an exitlab results file (top level is %s)",
		       rd->file, type_name(root));
		return -1;
	}
	v = json_object_get(root, "schema");
	if (!json_is_string(v) || strcmp(json_string_value(v), SCHEMA_NAME)) {
		seterr(rd->err, rd->errlen, "%s: not an exitlab results file (schema is %s%s%s)",
		       rd->file, json_is_string(v) ? "'" : "",
		       json_is_string(v) ? json_string_value(v) : v ? type_name(v) : "missing",
		       json_is_string(v) ? "'" : "");
		return -1;
	}
	if (get_int(rd, root, "", "schema_version", INT_MIN, INT_MAX, &i))
		return -1;
	if (i != RESULTS_SCHEMA_VERSION)
		return bad(rd, "", "schema_version", "unsupported version %lld (this exitlab reads %d)",
			   (long long)i, RESULTS_SCHEMA_VERSION);

	if (get_string(rd, root, "", "payload", false, r->payload, sizeof(r->payload)) ||
	    get_string(rd, root, "", "started_at", false, r->started_at, sizeof(r->started_at)) ||
	    get_number(rd, root, "", "duration_s", true, &r->duration_s, NULL) ||
	    get_int(rd, root, "", "exit_code", INT_MIN, INT_MAX, &i))
		return -1;
	r->exit_code = (int)i;
	if (get_embedded(rd, root, "context", &r->context_json) ||
	    get_embedded(rd, root, "config", &r->config_json) ||
	    get_embedded(rd, root, "vmm", &r->vmm_json) ||
	    get_stats_schema(rd, root, r))
		return -1;

	tests = member(rd, root, "", "tests");
	if (!tests)
		return -1;
	if (!json_is_array(tests))
		return bad(rd, "", "tests", "expected an array, got %s", type_name(tests));
	json_array_foreach(tests, idx, e) {
		struct test_result *t = results_add_test(r);

		if (!t)
			return bad(rd, "", "tests", "out of memory");
		if (get_test(rd, e, idx, t))
			return -1;
	}
	return 0;
}

int results_read_json(const char *path, struct run_result *r, char *err, size_t errlen)
{
	struct rd rd = { .file = path, .err = err, .errlen = errlen };
	struct run_result tmp = { 0 };
	json_error_t je;
	json_t *root;
	int rc;

	if (!path || !r) {
		seterr(err, errlen, "results: no input path");
		return -1;
	}
	root = input_file_json(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 0)	/* could not open or read */
			seterr(err, errlen, "%s: %s", path, je.text);
		else
			seterr(err, errlen, "%s:%d:%d: not valid JSON (truncated or corrupt?): %s",
			       path, je.line, je.column, je.text);
		return -1;
	}
	rc = get_run(&rd, root, &tmp);
	json_decref(root);
	if (rc) {
		results_free(&tmp);
		return -1;
	}
	*r = tmp;
	return 0;
}
