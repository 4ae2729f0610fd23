// SPDX-License-Identifier: MIT
/*
 * Lab specs: read, validate, find.  A spec is written by hand: every key is
 * checked (a misspelt "rnages" would otherwise check nothing), and keys that
 * start with '_' are comments.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/lab_spec.h"
#include "analysis/results.h"
#include "util/input_file.h"

/* Field paths and messages are short; one cut at its buffer is still a clear message. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (where && *where)
		snprintf(c->err, c->errlen, "%s: %s: %s", c->file, where, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->file, msg);
	return -1;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* where.key, or key at the top: how an error names a member. */
static void member_path(char *w, size_t len, const char *where, const char *key)
{
	snprintf(w, len, "%s%s%s", where, *where ? "." : "", key);
}

/* Every key of o is one of keys (NULL-terminated) or a '_' comment. */
static int only_keys(struct ctx *c, const char *where, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		bool ok = k[0] == '_';

		for (size_t i = 0; !ok && keys[i]; i++)
			ok = !strcmp(k, keys[i]);
		if (!ok) {
			char w[256], list[256] = "";
			size_t l = 0;

			for (size_t i = 0; keys[i] && l < sizeof(list); i++)
				l += snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "", keys[i]);
			member_path(w, sizeof(w), where, k);
			return fail(c, w, "unknown key (expected one of: %s)", list);
		}
	}
	return 0;
}

/* A string member into buf; required or not. */
static int get_str(struct ctx *c, const char *where, json_t *o, const char *key, bool required,
		   char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);
	char w[256];

	member_path(w, sizeof(w), where, key);
	if (!v) {
		if (required)
			return fail(c, w, "missing");
		buf[0] = 0;
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, w, "expected a string, got %s", type_name(v));
	if (json_string_length(v) >= len || !json_string_length(v))
		return fail(c, w, "must be 1 to %zu characters", len - 1);
	snprintf(buf, len, "%s", json_string_value(v));
	return 0;
}

static int get_int(struct ctx *c, const char *where, json_t *o, const char *key, bool required,
		   int lo, int hi, int *out)
{
	json_t *v = json_object_get(o, key);
	char w[256];

	member_path(w, sizeof(w), where, key);
	if (!v) {
		if (required)
			return fail(c, w, "missing");
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v))
		return fail(c, w, "expected an integer, got %s", type_name(v));
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return fail(c, w, "%lld is out of range %d..%d", (long long)json_integer_value(v), lo, hi);
	*out = (int)json_integer_value(v);
	return 0;
}

static const char *const stats_keys[] = { "n", "min", "max", "median", "p1", "p99", "mean", "stddev", "mad", NULL };
static const char *const plain_fields[] = { "iterations", "ring", "exits_per_iteration",
	"userspace_exits_per_iteration", "overhead_cycles", "phase_s", "resolution_cycles", NULL };

bool lab_field_known(const char *f)
{
	for (size_t i = 0; plain_fields[i]; i++)
		if (!strcmp(f, plain_fields[i]))
			return true;
	if (!strncmp(f, "cycles.", 7) || !strncmp(f, "ns.", 3)) {
		const char *k = strchr(f, '.') + 1;

		for (size_t i = 0; stats_keys[i]; i++)
			if (!strcmp(k, stats_keys[i]))
				return true;
		return false;
	}
	return (!strncmp(f, "metrics.", 8) && f[8]) || (!strncmp(f, "params.", 7) && f[7]) ||
	       (!strncmp(f, "kvm_stats.", 10) && f[10]);
}

static const char *const backends[] = { "any", "kvm_intel", "kvm_amd", "kvm_pvm", NULL };

static int parse_ranges(struct ctx *c, const char *where, json_t *o, struct lab_test *t)
{
	const char *b, *f;
	json_t *bv, *rv;
	char w[256];

	if (!json_is_object(o))
		return fail(c, where, "expected an object {backend: {field: [lo, hi]}}, got %s", type_name(o));
	t->ranges = calloc(json_object_size(o) + 1, sizeof(*t->ranges));
	if (!t->ranges)
		return fail(c, where, "out of memory");
	json_object_foreach(o, b, bv) {
		struct lab_ranges *rs;
		bool known = false;

		if (b[0] == '_')
			continue;
		snprintf(w, sizeof(w), "%s.%s", where, b);
		for (size_t i = 0; backends[i]; i++)
			known |= !strcmp(b, backends[i]);
		if (!known)
			return fail(c, w, "unknown backend (any, kvm_intel, kvm_amd or kvm_pvm)");
		if (!json_is_object(bv))
			return fail(c, w, "expected an object {field: [lo, hi]}, got %s", type_name(bv));
		rs = &t->ranges[t->nranges++];
		snprintf(rs->backend, sizeof(rs->backend), "%s", b);
		rs->r = calloc(json_object_size(bv) + 1, sizeof(*rs->r));
		if (!rs->r)
			return fail(c, w, "out of memory");
		json_object_foreach(bv, f, rv) {
			struct lab_range *r;

			if (f[0] == '_')
				continue;
			snprintf(w, sizeof(w), "%s.%s.%s", where, b, f);
			if (strlen(f) >= sizeof(r->field) || !lab_field_known(f))
				return fail(c, w, "unknown field (a test row's: exits_per_iteration, "
					    "userspace_exits_per_iteration, iterations, cycles.median, ns.p99, "
					    "metrics.NAME, params.NAME, kvm_stats.NAME, ...: labs/README.md)");
			if (!json_is_array(rv) || json_array_size(rv) != 2 || !json_is_number(json_array_get(rv, 0)) ||
			    !json_is_number(json_array_get(rv, 1)))
				return fail(c, w, "expected [lo, hi] (two numbers), got %s", type_name(rv));
			r = &rs->r[rs->n++];
			snprintf(r->field, sizeof(r->field), "%s", f);
			r->lo = json_number_value(json_array_get(rv, 0));
			r->hi = json_number_value(json_array_get(rv, 1));
			if (r->lo > r->hi)
				return fail(c, w, "lo %g is above hi %g", r->lo, r->hi);
		}
	}
	return 0;
}

static int parse_statuses(struct ctx *c, const char *where, json_t *v, unsigned int *out)
{
	static const char *const names[] = { [TEST_OK] = "ok", [TEST_SKIPPED] = "skipped", [TEST_FAILED] = "failed" };
	size_t i;
	json_t *s;

	*out = 1u << TEST_OK;
	if (!v)
		return 0;
	if (!json_is_array(v) || !json_array_size(v))
		return fail(c, where, "expected a non-empty array of \"ok\", \"skipped\", \"failed\", got %s",
			    type_name(v));
	*out = 0;
	json_array_foreach(v, i, s) {
		unsigned int bit = 0;

		for (size_t k = 0; k < 3; k++)
			if (json_is_string(s) && !strcmp(json_string_value(s), names[k]))
				bit = 1u << k;
		if (!bit) {
			char w[256];

			snprintf(w, sizeof(w), "%s[%zu]", where, i);
			return fail(c, w, "expected \"ok\", \"skipped\" or \"failed\"");
		}
		*out |= bit;
	}
	return 0;
}

static int parse_test(struct ctx *c, const char *where, json_t *o, struct lab_test *t)
{
	static const char *const keys[] = { "name", "ring", "status", "ranges", "valid", "declared_exits",
		"not_in_catalogue", NULL };
	char w[256];
	json_t *v;

	if (!json_is_object(o))
		return fail(c, where, "expected an object, got %s", type_name(o));
	if (only_keys(c, where, o, keys) || get_str(c, where, o, "name", true, t->name, sizeof(t->name)) ||
	    get_str(c, where, o, "not_in_catalogue", false, t->not_in, sizeof(t->not_in)))
		return -1;
	t->ring = -1;
	if ((v = json_object_get(o, "ring"))) {
		snprintf(w, sizeof(w), "%s.ring", where);
		if (!json_is_integer(v) || (json_integer_value(v) != 0 && json_integer_value(v) != 3))
			return fail(c, w, "expected 0 or 3");
		t->ring = (int)json_integer_value(v);
	}
	snprintf(w, sizeof(w), "%s.status", where);
	if (parse_statuses(c, w, json_object_get(o, "status"), &t->statuses))
		return -1;
	t->valid = -1;
	if ((v = json_object_get(o, "valid"))) {
		snprintf(w, sizeof(w), "%s.valid", where);
		if (!json_is_boolean(v))
			return fail(c, w, "expected a boolean, got %s", type_name(v));
		t->valid = json_is_true(v);
	}
	if ((v = json_object_get(o, "declared_exits"))) {
		snprintf(w, sizeof(w), "%s.declared_exits", where);
		if (!json_is_boolean(v))
			return fail(c, w, "expected a boolean, got %s", type_name(v));
		t->declared_exits = json_is_true(v);
	}
	if ((v = json_object_get(o, "ranges"))) {
		snprintf(w, sizeof(w), "%s.ranges", where);
		if (parse_ranges(c, w, v, t))
			return -1;
	}
	return 0;
}

static int parse_item(struct ctx *c, const char *where, json_t *o, struct lab_item *it)
{
	static const char *const keys[] = { "file", "what", "payload", "params", "tests", NULL };
	char w[256];
	const char *k;
	json_t *v, *pv;
	size_t i;

	if (!json_is_object(o))
		return fail(c, where, "expected an object, got %s", type_name(o));
	if (only_keys(c, where, o, keys) || get_str(c, where, o, "file", true, it->file, sizeof(it->file)) ||
	    get_str(c, where, o, "what", false, it->what, sizeof(it->what)) ||
	    get_str(c, where, o, "payload", true, it->payload, sizeof(it->payload)))
		return -1;
	snprintf(w, sizeof(w), "%s.file", where);
	if (it->file[0] == '/' || strstr(it->file, ".."))
		return fail(c, w, "must be a path inside the hand-in directory (no '/' first, no '..')");
	if ((pv = json_object_get(o, "params"))) {
		snprintf(w, sizeof(w), "%s.params", where);
		if (!json_is_object(pv))
			return fail(c, w, "expected an object {key: \"value\"}, got %s", type_name(pv));
		json_object_foreach(pv, k, v)
			if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
				snprintf(w, sizeof(w), "%s.params.%s", where, k);
				return fail(c, w, "expected a string, number or boolean, got %s", type_name(v));
			}
		it->params = json_incref(pv);
	}
	v = json_object_get(o, "tests");
	if (!v)
		return 0;
	snprintf(w, sizeof(w), "%s.tests", where);
	if (!json_is_array(v))
		return fail(c, w, "expected an array, got %s", type_name(v));
	it->tests = calloc(json_array_size(v) + 1, sizeof(*it->tests));
	if (!it->tests)
		return fail(c, w, "out of memory");
	for (i = 0; i < json_array_size(v); i++) {
		snprintf(w, sizeof(w), "%s.tests[%zu]", where, i);
		if (parse_test(c, w, json_array_get(v, i), &it->tests[it->ntests++]))
			return -1;
	}
	return 0;
}

/* The lab number a spec's file name starts with (NN-), or -1. */
static int number_of(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	if (b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' || b[2] != '-')
		return -1;
	return (b[0] - '0') * 10 + (b[1] - '0');
}

static int parse_spec(struct ctx *c, json_t *root, struct lab_spec *s)
{
	static const char *const keys[] = { "lab", "title", "handout", "minutes", "questions", "items", NULL };
	char w[64], hpath[PATH_MAX];
	const char *slash;
	struct stat st;
	json_t *items;
	int n;

	if (!json_is_object(root))
		return fail(c, NULL, "expected a JSON object, got %s", type_name(root));
	if (only_keys(c, "", root, keys) || get_int(c, "", root, "lab", true, 1, LAB_MAX, &s->lab) ||
	    get_str(c, "", root, "title", true, s->title, sizeof(s->title)) ||
	    get_str(c, "", root, "handout", true, s->handout, sizeof(s->handout)) ||
	    get_int(c, "", root, "minutes", true, 0, 24 * 60, &s->minutes) ||
	    get_int(c, "", root, "questions", false, 0, 50, &s->questions))
		return -1;
	n = number_of(c->file);
	if (n >= 0 && n != s->lab)
		return fail(c, "lab", "%d, but the file name says lab %d", s->lab, n);
	if (strchr(s->handout, '/'))
		return fail(c, "handout", "a file name beside the spec, without '/'");
	slash = strrchr(c->file, '/');
	snprintf(hpath, sizeof(hpath), "%.*s%s", slash ? (int)(slash - c->file + 1) : 0, c->file, s->handout);
	if (stat(hpath, &st) || !S_ISREG(st.st_mode))
		return fail(c, "handout", "%s: %s", hpath, errno ? strerror(errno) : "not a regular file");
	items = json_object_get(root, "items");
	if (!items)
		return fail(c, "items", "missing");
	if (!json_is_array(items))
		return fail(c, "items", "expected an array, got %s", type_name(items));
	s->items = calloc(json_array_size(items) + 1, sizeof(*s->items));
	if (!s->items)
		return fail(c, "items", "out of memory");
	for (size_t i = 0; i < json_array_size(items); i++) {
		snprintf(w, sizeof(w), "items[%zu]", i);
		if (parse_item(c, w, json_array_get(items, i), &s->items[s->nitems++]))
			return -1;
	}
	return 0;
}

int lab_spec_load(const char *path, struct lab_spec *s, char *err, size_t errlen)
{
	struct ctx c = { .file = path, .err = err, .errlen = errlen };
	json_error_t je;
	json_t *root;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	root = input_file_json(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 0)
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
		return -1;
	}
	s->root = root;
	errno = 0;
	if (parse_spec(&c, root, s)) {
		lab_spec_free(s);
		return -1;
	}
	return 0;
}

void lab_spec_free(struct lab_spec *s)
{
	for (size_t i = 0; i < s->nitems; i++) {
		struct lab_item *it = &s->items[i];

		for (size_t t = 0; t < it->ntests; t++) {
			for (size_t b = 0; b < it->tests[t].nranges; b++)
				free(it->tests[t].ranges[b].r);
			free(it->tests[t].ranges);
		}
		free(it->tests);
		json_decref(it->params);
	}
	free(s->items);
	json_decref(s->root);
	memset(s, 0, sizeof(*s));
}

/* Whether p is a directory; if so, p made canonical in place (messages name it plainly). */
static int is_dir_canon(char *p, size_t len)
{
	char real[PATH_MAX];
	struct stat st;

	if (stat(p, &st) || !S_ISDIR(st.st_mode))
		return 0;
	if (realpath(p, real) && strlen(real) < len)
		strcpy(p, real);
	return 1;
}

int lab_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("EXITLAB_LABS");
	char exe[PATH_MAX / 2], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		if (is_dir_canon(buf, len))
			return 0;
		snprintf(err, errlen, "EXITLAB_LABS=%s: not a directory", env);
		return -1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		if ((slash = strrchr(exe, '/')))
			*slash = 0;
		/* build/exitlab in the repository: labs/ beside build/ */
		snprintf(buf, len, "%s/../labs", exe);
		if (is_dir_canon(buf, len))
			return 0;
		/* $(PREFIX)/bin/exitlab installed */
		snprintf(buf, len, "%s/../share/exitlab/labs", exe);
		if (is_dir_canon(buf, len))
			return 0;
	}
	snprintf(buf, len, "labs");
	if (is_dir_canon(buf, len))
		return 0;
	snprintf(err, errlen, "no labs directory: not beside the binary (../labs, ../share/exitlab/labs), "
		 "not ./labs; set EXITLAB_LABS=DIR");
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_spec_paths(const char *dir, char ***paths, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	*paths = NULL;
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (number_of(e->d_name) < 0 || l < 5 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || asprintf(&nv[n], "%s/%s", dir, e->d_name) < 0) {
			v = nv ? nv : v;
			lab_spec_paths_free(v, n);
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*paths = v;
	return n;
}

void lab_spec_paths_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int lab_spec_path(const char *dir, int lab, char *path, size_t len, char *err, size_t errlen)
{
	char **paths;
	int n = lab_spec_paths(dir, &paths, err, errlen), found = -1;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *b = strrchr(paths[i], '/') + 1;

		if (number_of(b) == lab) {
			if (found >= 0) {
				snprintf(err, errlen, "%s: two specs for lab %d: %s and %s", dir, lab,
					 strrchr(paths[found], '/') + 1, b);
				lab_spec_paths_free(paths, n);
				return -1;
			}
			found = i;
		}
	}
	if (found < 0)
		snprintf(err, errlen, "no lab %d in %s (exitlab lab list)", lab, dir);
	else
		snprintf(path, len, "%s", paths[found]);
	lab_spec_paths_free(paths, n);
	return found < 0 ? -1 : 0;
}

int lab_list(FILE *out, FILE *errs, const char *dir, char *err, size_t errlen)
{
	char **paths, why[1024];
	int n = lab_spec_paths(dir, &paths, err, errlen), bad = 0;

	if (n < 0)
		return -1;
	fprintf(out, "lab  minutes  title\n");
	for (int i = 0; i < n; i++) {
		struct lab_spec s;

		if (lab_spec_load(paths[i], &s, why, sizeof(why))) {
			fprintf(errs, "exitlab lab: %s\n", why);
			bad++;
			continue;
		}
		fprintf(out, "%3d  %7d  %s\n", s.lab, s.minutes, s.title);
		lab_spec_free(&s);
	}
	if (!n)
		fprintf(out, "(no labs in %s)\n", dir);
	lab_spec_paths_free(paths, n);
	return bad;
}
