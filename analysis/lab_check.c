// SPDX-License-Identifier: MIT
/*
 * exitlab lab check: a hand-in against its spec.  Each item is a results
 * file, read with results_read_json (the same checks as every reader); the
 * items' failures are independent, so a student sees every problem at once.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "analysis/lab_check.h"
#include "util/input_file.h"
#include "vmm/catalogue.h"
#include "vmm/payload_path.h"

/* Feedback of one check run. */
/* Field paths and messages are short; one cut at its buffer is still a clear message. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

struct fb {
	FILE *out;
	const char *dir;
	int fails;                    /* failure lines of the current item */
};

__attribute__((format(printf, 3, 4)))
static void bad(struct fb *f, const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(f->out, "  FAIL  %s/%s: ", f->dir, file);
	va_start(ap, fmt);
	vfprintf(f->out, fmt, ap);
	va_end(ap);
	fputc('\n', f->out);
	f->fails++;
}

static json_t *parse(const char *s)
{
	return s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
}

/* o's member at a dotted path, or NULL. */
static json_t *dotted(json_t *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	return o;
}

void lab_run_backend(const struct run_result *r, char *buf, size_t len)
{
	json_t *c = parse(r->context_json), *b = dotted(c, "kvm.backend");

	snprintf(buf, len, "%s", json_is_string(b) ? json_string_value(b) : "");
	json_decref(c);
}

static int stats_value(const struct sample_stats *s, const char *k, double *v)
{
	static const struct { const char *k; size_t off; } f[] = {
		{ "min", offsetof(struct sample_stats, min) }, { "max", offsetof(struct sample_stats, max) },
		{ "median", offsetof(struct sample_stats, median) }, { "p1", offsetof(struct sample_stats, p1) },
		{ "p99", offsetof(struct sample_stats, p99) }, { "mean", offsetof(struct sample_stats, mean) },
		{ "stddev", offsetof(struct sample_stats, stddev) }, { "mad", offsetof(struct sample_stats, mad) },
	};

	if (!strcmp(k, "n")) {
		*v = (double)s->n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!strcmp(k, f[i].k)) {
			*v = *(const double *)((const char *)s + f[i].off);
			return isnan(*v) ? -1 : 0;
		}
	return -1;
}

static int json_member_value(const char *json, const char *path, double *v)
{
	json_t *o = parse(json), *m = dotted(o, path);
	int rc = -1;

	if (json_is_number(m)) {
		*v = json_number_value(m);
		rc = 0;
	} else if (json_is_boolean(m)) {
		*v = json_is_true(m);
		rc = 0;
	}
	json_decref(o);
	return rc;
}

int lab_row_value(const struct test_result *t, const char *f, double *v)
{
	if (!strcmp(f, "iterations")) {
		*v = (double)t->iterations;
		return 0;
	}
	if (!strcmp(f, "ring")) {
		*v = t->ring;
		return 0;
	}
	if (!strcmp(f, "exits_per_iteration") || !strcmp(f, "userspace_exits_per_iteration")) {
		if (!t->has_exits)
			return -1;
		*v = f[0] == 'e' ? t->exits_per_iteration : t->userspace_exits_per_iteration;
		return isnan(*v) ? -1 : 0;
	}
	if (!strcmp(f, "overhead_cycles")) {
		*v = t->overhead_cycles;
		return t->has_timing ? 0 : -1;
	}
	if (!strcmp(f, "phase_s")) {
		*v = t->phase_s;
		return t->has_phase ? 0 : -1;
	}
	if (!strcmp(f, "resolution_cycles")) {
		*v = t->calib.resolution_cycles;
		return t->has_timing && !isnan(*v) ? 0 : -1;
	}
	if (!strncmp(f, "cycles.", 7))
		return t->has_timing ? stats_value(&t->cycles, f + 7, v) : -1;
	if (!strncmp(f, "ns.", 3))
		return t->has_timing && t->ns.n ? stats_value(&t->ns, f + 3, v) : -1;
	if (!strncmp(f, "metrics.", 8))
		return json_member_value(t->metrics_json, f + 8, v);
	if (!strncmp(f, "params.", 7))
		return json_member_value(t->params_json, f + 7, v);
	if (!strncmp(f, "kvm_stats.", 10)) {
		/* the vCPU stat's change over the phase; results keep only those that moved */
		if (!t->has_phase)
			return -1;
		*v = 0;
		for (size_t i = 0; i < t->vcpu_stats.ndelta; i++)
			if (!strcmp(t->vcpu_stats.delta[i].name, f + 10))
				*v = (double)t->vcpu_stats.delta[i].delta;
		return 0;
	}
	return -1;
}

const struct lab_ranges *lab_ranges_for(const struct lab_test *t, const char *backend)
{
	const struct lab_ranges *any = NULL;

	for (size_t i = 0; i < t->nranges; i++) {
		if (backend && *backend && !strcmp(t->ranges[i].backend, backend))
			return &t->ranges[i];
		if (!strcmp(t->ranges[i].backend, "any"))
			any = &t->ranges[i];
	}
	return any;
}

static bool is_pattern(const char *name)
{
	return strpbrk(name, "*?[") != NULL;
}

static const char *ring_name(int ring)
{
	return ring == 0 ? "cpl0" : ring == 3 ? "cpl3" : ring < 0 ? "host" : "cpl?";
}

/* A spec value as the string it is compared as. */
static void value_str(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_array(v) || json_is_object(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, len, "%s", s ? s : "(out of memory)");
		free(s);
	} else
		snprintf(buf, len, "%s", v ? "(not a value)" : "(absent)");
}

static bool same_value(const char *a, const char *b)
{
	char *ea, *eb;
	double x, y;

	if (!strcmp(a, b))
		return true;
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	return *a && *b && !*ea && !*eb && x == y;
}

/*
 * The run's value for a required parameter: a test row's params first, then
 * the run's config (a dotted path: "iterations", "vmm.backing"); "device"
 * is the models of config.devices, any of which may match.
 */
static void check_params(struct fb *f, const struct lab_item *it, const struct run_result *r)
{
	json_t *cfg = parse(r->config_json), *want;
	const char *key;

	json_object_foreach(it->params, key, want) {
		char w[128], got[128] = "(absent)";
		bool seen = false, ok = true;

		if (key[0] == '_')
			continue;
		value_str(want, w, sizeof(w));
		for (size_t i = 0; i < r->ntests; i++) {
			json_t *p = parse(r->tests[i].params_json), *v = dotted(p, key);

			if (v) {
				value_str(v, got, sizeof(got));
				seen = true;
				if (!same_value(got, w)) {
					bad(f, it->file, "%s %s: param %s is %s, expected %s", r->tests[i].name,
					    ring_name(r->tests[i].ring), key, got, w);
					ok = false;
				}
			}
			json_decref(p);
			if (!ok)
				break;
		}
		if (seen)
			continue;
		if (!strcmp(key, "device")) {
			json_t *devs = json_object_get(cfg, "devices"), *d;
			size_t i, l = 0;

			got[0] = 0;
			json_array_foreach(devs, i, d) {
				json_t *m = json_object_get(d, "model");

				if (json_is_string(m) && !strcmp(json_string_value(m), w))
					seen = true;
				if (json_is_string(m) && l < sizeof(got))
					l += snprintf(got + l, sizeof(got) - l, "%s%s", l ? "," : "", json_string_value(m));
			}
			if (!seen)
				bad(f, it->file, "device %s expected (--device %s), the run had %s", w, w,
				    got[0] ? got : "none");
			continue;
		}
		value_str(dotted(cfg, key), got, sizeof(got));
		if (!same_value(got, w))
			bad(f, it->file, "%s is %s, expected %s (the run's configuration)", key, got, w);
	}
	json_decref(cfg);
}

/* A payload's catalogue, loaded once per check. */
struct cat_cache {
	char payload[PATH_MAX];
	struct catalogue c;
	char err[256];
	int rc;                       /* 0 loaded, -1 failed, 1 not tried */
};

static const struct catalogue *cat_get(struct cat_cache *k, const char *path)
{
	if (k->rc != 1 && !strcmp(k->payload, path))
		return k->rc ? NULL : &k->c;
	if (k->rc == 0)
		catalogue_free(&k->c);
	snprintf(k->payload, sizeof(k->payload), "%s", path);
	k->rc = catalogue_load(path, &k->c, k->err, sizeof(k->err));
	if (!k->rc && !k->c.present) {
		snprintf(k->err, sizeof(k->err), "%s: no catalogue in it (not built with measure.h?)", path);
		catalogue_free(&k->c);
		k->rc = -1;
	}
	return k->rc ? NULL : &k->c;
}

/* Where the run's ELF is now: as recorded, or beside the hand-in (a folder moved as a whole). */
static void payload_elf(const struct run_result *r, const char *dir, char *out, size_t len)
{
	json_t *cfg = parse(r->config_json), *p = json_object_get(cfg, "payload_path");
	const char *rec = json_is_string(p) ? json_string_value(p) : "";
	char parent[PATH_MAX];
	const char *slash;
	struct stat st;

	snprintf(out, len, "%s", rec);
	if (*rec && rec[0] != '/' && stat(rec, &st)) {
		slash = strrchr(dir, '/');
		snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dir) : 1, slash ? dir : ".");
		snprintf(out, len, "%s/%s", parent, rec);
	}
	json_decref(cfg);
}

struct row_ctx {
	struct fb *f;
	const struct lab_item *it;
	const struct run_result *r;
	const char *backend;
	struct cat_cache *own, *other;
	char why[320];                /* the first reason a row fails, for patterns */
};

/* Whether row t meets test spec s; the reason in x->why when not. */
static bool row_ok(struct row_ctx *x, const struct lab_test *s, const struct test_result *t)
{
	const struct lab_ranges *rs;
	char elf[PATH_MAX];

	x->why[0] = 0;
	if (!(s->statuses & (1u << t->status))) {
		char allowed[32] = "";

		for (int k = TEST_OK; k <= TEST_FAILED; k++)
			if (s->statuses & (1u << k))
				snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s",
					 allowed[0] ? " or " : "", test_status_name((enum test_status)k));
		snprintf(x->why, sizeof(x->why), "status %s%s%s%s, expected %s", test_status_name(t->status),
			 t->reason[0] ? " (" : "", t->reason, t->reason[0] ? ")" : "", allowed);
		return false;
	}
	if (s->valid >= 0 && t->invalid == s->valid) {
		snprintf(x->why, sizeof(x->why), "valid is %s, expected %s%s%s", t->invalid ? "false" : "true",
			 s->valid ? "true" : "false", t->invalid ? ": " : "", t->invalid ? t->invalid_reason : "");
		return false;
	}
	if (s->not_in[0]) {
		char path[PATH_MAX];
		const struct catalogue *c;

		if (payload_resolve(s->not_in, path, sizeof(path))) {
			snprintf(x->why, sizeof(x->why), "cannot find the %s payload to compare names with", s->not_in);
			return false;
		}
		if (!(c = cat_get(x->other, path))) {
			snprintf(x->why, sizeof(x->why), "%s", x->other->err);
			return false;
		}
		if (catalogue_test_find(c, t->name)) {
			snprintf(x->why, sizeof(x->why), "already in %s's catalogue (exitlab list %s): measure "
				 "something new", s->not_in, s->not_in);
			return false;
		}
	}
	if (s->declared_exits) {
		const struct catalogue *c;
		const struct catalogue_test *d;

		payload_elf(x->r, x->f->dir, elf, sizeof(elf));
		if (!elf[0] || !(c = cat_get(x->own, elf))) {
			snprintf(x->why, sizeof(x->why), "cannot read the payload's catalogue (config.payload_path): %s",
				 elf[0] ? x->own->err : "not recorded");
			return false;
		}
		d = catalogue_test_find(c, t->name);
		if (!d || !(d->expect & CATALOGUE_EXPECT_EXITS)) {
			snprintf(x->why, sizeof(x->why), "%s declares no EXITS(k, u) for it (exitlab list %s shows '-')",
				 elf, elf);
			return false;
		}
	}
	rs = t->status == TEST_OK ? lab_ranges_for(s, x->backend) : NULL;
	for (size_t i = 0; rs && i < rs->n; i++) {
		const struct lab_range *g = &rs->r[i];
		double v;

		if (lab_row_value(t, g->field, &v)) {
			snprintf(x->why, sizeof(x->why), "%s missing, expected in [%g, %g] (%s)", g->field, g->lo, g->hi,
				 rs->backend);
			return false;
		}
		if (v < g->lo || v > g->hi) {
			snprintf(x->why, sizeof(x->why), "%s %.6g outside [%g, %g] (%s)", g->field, v, g->lo, g->hi,
				 rs->backend);
			return false;
		}
	}
	return true;
}

/*
 * A plain name: every row of it must pass.  A pattern: one row must; when
 * none does, the reason of the first row worth naming (not one that is
 * merely in the other payload's catalogue, such as the built-in "empty").
 */
static void check_test(struct row_ctx *x, const struct lab_test *s)
{
	const struct run_result *r = x->r;
	char first[sizeof(x->why) + 64] = "", incat[160] = "";
	size_t candidates = 0, passed = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		if (fnmatch(s->name, t->name, 0) || (s->ring >= 0 && t->ring != s->ring))
			continue;
		candidates++;
		if (row_ok(x, s, t)) {
			passed++;
			continue;
		}
		if (!is_pattern(s->name))
			bad(x->f, x->it->file, "%s %s: %s", t->name, ring_name(t->ring), x->why);
		else if (strstr(x->why, "already in ") && !strstr(incat, t->name))
			snprintf(incat + strlen(incat), sizeof(incat) - strlen(incat), "%s%s", incat[0] ? ", " : "",
				 t->name);
		else if (!first[0] && !strstr(x->why, "already in "))
			snprintf(first, sizeof(first), "%s %s: %s", t->name, ring_name(t->ring), x->why);
	}
	if (!candidates)
		bad(x->f, x->it->file, "%s test %s%s%s missing", is_pattern(s->name) ? "no" : "the",
		    s->name, s->ring >= 0 ? " at " : "", s->ring >= 0 ? ring_name(s->ring) : "");
	else if (is_pattern(s->name) && !passed && first[0])
		bad(x->f, x->it->file, "no test matching '%s' passes; %s", s->name, first);
	else if (is_pattern(s->name) && !passed)
		bad(x->f, x->it->file, "no test matching '%s' passes: %s already in %s's catalogue (exitlab list %s): "
		    "measure something new", s->name, incat, s->not_in, s->not_in);
}

static bool check_item(struct fb *f, const struct lab_item *it, struct cat_cache *own, struct cat_cache *other,
		       size_t *ntests)
{
	char path[PATH_MAX], err[512], backend[32];
	struct run_result r = { 0 };
	struct stat st;

	f->fails = 0;
	snprintf(path, sizeof(path), "%s/%s", f->dir, it->file);
	if (stat(path, &st) && errno == ENOENT) {
		bad(f, it->file, "missing (%s: the step of the handout that writes it)", it->what[0] ? it->what : "results");
		return false;
	}
	if (results_read_json(path, &r, err, sizeof(err))) {
		size_t pl = strlen(path);

		/* the reader's message starts with the path, which the line already names */
		bad(f, it->file, "not exitlab results: %s",
		    !strncmp(err, path, pl) && err[pl] == ':' ? err + pl + 1 + (err[pl + 1] == ' ') : err);
		return false;
	}
	if (strcmp(it->payload, "*") && strcmp(r.payload, it->payload)) {
		bad(f, it->file, "payload is %s, expected %s (results from another lab or run?)", r.payload, it->payload);
		results_free(&r);
		return false;
	}
	if (it->params)
		check_params(f, it, &r);
	lab_run_backend(&r, backend, sizeof(backend));
	{
		struct row_ctx x = { .f = f, .it = it, .r = &r, .backend = backend, .own = own, .other = other };

		for (size_t i = 0; i < it->ntests; i++)
			check_test(&x, &it->tests[i]);
	}
	*ntests = r.ntests;
	results_free(&r);
	return f->fails == 0;
}

/* answers.md: "Qn:" starts answer n, which runs to the next "Qm:"; each of Q1..Qk non-empty. */
static bool check_answers(struct fb *f, int questions)
{
	char path[PATH_MAX], why[128], line[4096];
	bool have[64] = { 0 };
	int cur = 0, missing = 0;
	char list[256] = "";
	size_t l = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/answers.md", f->dir);
	if (!(in = input_file_fopen(path, why, sizeof(why)))) {
		bad(f, "answers.md", "%s (one paragraph per question, starting Q1: ... Q%d:)", why, questions);
		return false;
	}
	while (fgets(line, sizeof(line), in)) {
		char *p = line, *end;
		long n;

		while (*p == ' ' || *p == '*' || *p == '#')
			p++;
		if (*p == 'Q' && (n = strtol(p + 1, &end, 10)) > 0 && *end == ':') {
			cur = n < 64 ? (int)n : 0;
			p = end + 1;
		}
		if (cur && strspn(p, " \t\r\n") != strlen(p))
			have[cur] = true;
	}
	fclose(in);
	for (int q = 1; q <= questions && q < 64; q++)
		if (!have[q]) {
			missing++;
			if (l < sizeof(list))
				l += snprintf(list + l, sizeof(list) - l, "%sQ%d", l ? ", " : "", q);
		}
	if (missing)
		bad(f, "answers.md", "%s missing or empty (expected Q1..Q%d, each a paragraph starting 'Qn:')", list,
		    questions);
	return !missing;
}

int lab_check(const struct lab_spec *s, const char *dir, FILE *out, char *err, size_t errlen)
{
	struct cat_cache own = { .rc = 1 }, other = { .rc = 1 };
	char d[PATH_MAX];
	struct fb f = { .out = out, .dir = d };
	struct stat st;
	size_t n = strlen(dir), total = s->nitems + (s->questions > 0), failed = 0;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	snprintf(d, sizeof(d), "%.*s", (int)n, dir);
	if (stat(d, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s (the hand-in directory: run the lab's steps from the directory "
			 "that holds it)", d, errno ? strerror(errno) : "not a directory");
		return -1;
	}
	fprintf(out, "lab %d: %s: checking %s/\n", s->lab, s->title, d);
	for (size_t i = 0; i < s->nitems; i++) {
		size_t nt = 0;

		if (check_item(&f, &s->items[i], &own, &other, &nt))
			fprintf(out, "  ok    %s/%s: %s (%zu tests)\n", d, s->items[i].file,
				s->items[i].what[0] ? s->items[i].what : "results", nt);
		else
			failed++;
	}
	if (s->questions > 0) {
		if (check_answers(&f, s->questions))
			fprintf(out, "  ok    %s/answers.md: Q1..Q%d answered\n", d, s->questions);
		else
			failed++;
	}
	if (own.rc == 0)
		catalogue_free(&own.c);
	if (other.rc == 0)
		catalogue_free(&other.c);
	fprintf(out, "lab %d: %zu of %zu items pass: %s\n", s->lab, total - failed, total,
		failed ? "not yet (each FAIL line says what is expected)" : "hand-in complete");
	return (int)failed;
}
