// SPDX-License-Identifier: MIT
/*
 * Walking the results store (results_store.h): manifests are parsed and
 * checked here, results files through results_read_json, and everything that
 * fails either goes to the caller's problem callback by name and is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util/input_file.h"
#include "analysis/fleet_manifest.h"
#include "analysis/plot.h"
#include "analysis/results_store.h"

#define MAX_DEPTH 8

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

void store_context(const struct run_result *r, char *host, size_t hl, char *backend, size_t bl,
		   char *rev, size_t rl)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;

	copy_str(host, hl, ctx ? plot_find_string(ctx, "hostname") : NULL);
	copy_str(backend, bl, ctx ? plot_find_string(ctx, "backend") : NULL);
	copy_str(rev, rl, ctx ? plot_find_string(ctx, "exitlab_revision") : NULL);
	if (!*rev && ctx)
		copy_str(rev, rl, plot_find_string(ctx, "revision"));
	json_decref(ctx);
}

static const char *const statuses[] = { "pending", "running", "done", "failed", "timeout", "skipped" };

static bool known_status(const char *s)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(s, statuses[i]))
			return true;
	return false;
}

/* A results path inside the run directory: relative, no "..", no empty. */
static bool safe_rel_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *s = p; *s; ) {
		const char *e = strchrnul(s, '/');

		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s = *e ? e + 1 : e;
	}
	return true;
}

static int parse_entry(json_t *je, size_t idx, const char *dir, struct store_entry *e, char *err,
		       size_t errlen)
{
	json_t *v;

	if (!json_is_object(je)) {
		snprintf(err, errlen, "entries[%zu] is not an object", idx);
		return -1;
	}
	v = json_object_get(je, "id");
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "entries[%zu]: \"id\" missing or not an integer", idx);
		return -1;
	}
	e->id = (int)json_integer_value(v);
	v = json_object_get(je, "name");
	if (!json_is_string(v)) {
		snprintf(err, errlen, "entries[%zu]: \"name\" missing or not a string", idx);
		return -1;
	}
	copy_str(e->name, sizeof(e->name), json_string_value(v));
	v = json_object_get(je, "payload");
	copy_str(e->payload, sizeof(e->payload), json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(je, "status");
	if (!json_is_string(v) || !known_status(json_string_value(v))) {
		snprintf(err, errlen, "entries[%zu] (%s): \"status\" missing or unknown", idx, e->name);
		return -1;
	}
	copy_str(e->status, sizeof(e->status), json_string_value(v));
	v = json_object_get(je, "reason");
	copy_str(e->reason, sizeof(e->reason), json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(je, "results");
	if (json_is_string(v)) {
		if (!safe_rel_path(json_string_value(v))) {
			snprintf(err, errlen, "entries[%zu] (%s): \"results\" must be a path inside the run "
				 "directory, not '%s'", idx, e->name, json_string_value(v));
			return -1;
		}
		if (asprintf(&e->results, "%s/%s", dir, json_string_value(v)) < 0) {
			e->results = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else if (v && !json_is_null(v)) {
		snprintf(err, errlen, "entries[%zu] (%s): \"results\" is neither a path nor null", idx, e->name);
		return -1;
	}
	if (!strcmp(e->status, "done") && !e->results) {
		snprintf(err, errlen, "entries[%zu] (%s): done but no results file", idx, e->name);
		return -1;
	}
	return 0;
}

/* DIR is FLEET/HOST/campaign of a fleet run (FLEET/fleet.json exists): HOST, else "". */
static void fleet_host_of(const char *dir, char *host, size_t len)
{
	char *d = strdup(dir), *s1, *s2;
	size_t n;

	*host = 0;
	if (!d)
		return;
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = 0;
	s1 = strrchr(d, '/');
	if (s1 && !strcmp(s1 + 1, FLEET_HOST_RESULTS)) {
		*s1 = 0;
		s2 = strrchr(d, '/');
		if (fleet_host_name_ok(s2 ? s2 + 1 : d)) {
			char *name = strdup(s2 ? s2 + 1 : d);

			if (s2)
				*s2 = 0;
			else
				strcpy(d, ".");
			if (name && fleet_dir_is_fleet(s2 && !*d ? "/" : d))
				copy_str(host, len, name);
			free(name);
		}
	}
	free(d);
}

int store_read_manifest(const char *dir, struct store_run *run, char *err, size_t errlen)
{
	char *path = NULL;
	json_error_t je;
	json_t *root = NULL, *v, *ents;
	int rc = -1;

	memset(run, 0, sizeof(*run));
	if (asprintf(&path, "%s/manifest.json", dir) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	root = input_file_json(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 0)	/* could not open it, or not a regular file */
			snprintf(err, errlen, "%s", je.text);
		else
			snprintf(err, errlen, "not valid JSON (line %d: %s)", je.line, je.text);
		goto out;
	}
	v = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(v) || strcmp(json_string_value(v), STORE_MANIFEST_FORMAT)) {
		snprintf(err, errlen, "not an exitlab campaign manifest (\"format\" is not \"%s\")",
			 STORE_MANIFEST_FORMAT);
		goto out;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != STORE_MANIFEST_VERSION) {
		snprintf(err, errlen, "manifest version %s, this exitlab reads version %d",
			 json_is_integer(v) ? "other than 1" : "missing", STORE_MANIFEST_VERSION);
		goto out;
	}
	v = json_object_get(root, "campaign");
	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"campaign\" missing or not a string");
		goto out;
	}
	copy_str(run->campaign, sizeof(run->campaign), json_string_value(v));
	v = json_object_get(root, "started_at");
	copy_str(run->timestamp, sizeof(run->timestamp), json_is_string(v) ? json_string_value(v) : "");
	copy_str(run->host, sizeof(run->host), plot_find_string(json_object_get(root, "host"), "hostname"));
	copy_str(run->backend, sizeof(run->backend), plot_find_string(json_object_get(root, "host"), "backend"));
	if (json_is_object(json_object_get(root, "host")))
		run->host_json = json_dumps(json_object_get(root, "host"), JSON_COMPACT | JSON_SORT_KEYS);
	fleet_host_of(dir, run->fleet_host, sizeof(run->fleet_host));
	v = json_object_get(root, "exitlab_revision");
	copy_str(run->revision, sizeof(run->revision), json_is_string(v) ? json_string_value(v) : "");
	ents = json_object_get(root, "entries");
	if (!json_is_array(ents)) {
		snprintf(err, errlen, "\"entries\" missing or not an array");
		goto out;
	}
	run->entries = calloc(json_array_size(ents) + 1, sizeof(*run->entries));
	run->path = strdup(dir);
	if (!run->entries || !run->path) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(ents); i++) {
		run->nentries++;
		if (parse_entry(json_array_get(ents, i), i, dir, &run->entries[i], err, errlen))
			goto out;
	}
	rc = 0;
out:
	if (rc)
		store_run_free(run);
	json_decref(root);
	free(path);
	return rc;
}

int store_read_loose(const char *file, struct store_run *run, char *err, size_t errlen)
{
	struct run_result r = { 0 };
	const char *base = strrchr(file, '/');

	memset(run, 0, sizeof(*run));
	if (results_read_json(file, &r, err, errlen))
		return -1;
	run->loose = true;
	copy_str(run->campaign, sizeof(run->campaign), "-");
	copy_str(run->timestamp, sizeof(run->timestamp), r.started_at);
	store_context(&r, run->host, sizeof(run->host), run->backend, sizeof(run->backend), run->revision,
		      sizeof(run->revision));
	run->entries = calloc(1, sizeof(*run->entries));
	run->path = strdup(file);
	if (!run->entries || !run->path || !(run->entries[0].results = strdup(file))) {
		results_free(&r);
		store_run_free(run);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	run->nentries = 1;
	copy_str(run->entries[0].name, sizeof(run->entries[0].name), base ? base + 1 : file);
	copy_str(run->entries[0].payload, sizeof(run->entries[0].payload), r.payload);
	copy_str(run->entries[0].status, sizeof(run->entries[0].status), "done");
	results_free(&r);
	return 0;
}

int store_load_entry(const struct store_entry *e, struct run_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	if (!e->results || strcmp(e->status, "done"))
		return 0;
	if (results_read_json(e->results, res, err, errlen))
		return -1;
	return 1;
}

size_t store_run_done(const struct store_run *run)
{
	size_t n = 0;

	for (size_t i = 0; i < run->nentries; i++)
		n += !strcmp(run->entries[i].status, "done");
	return n;
}

const char *store_run_status(const struct store_run *run)
{
	bool open = false, bad = false;

	for (size_t i = 0; i < run->nentries; i++) {
		const char *s = run->entries[i].status;

		if (!strcmp(s, "pending") || !strcmp(s, "running"))
			open = true;
		else if (strcmp(s, "done"))
			bad = true;
	}
	return open ? "incomplete" : bad ? "failures" : "complete";
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

static int add_run(struct store_list *l, const struct store_run *run)
{
	struct store_run *n = realloc(l->runs, (l->nruns + 1) * sizeof(*n));

	if (!n)
		return -1;
	l->runs = n;
	l->runs[l->nruns++] = *run;
	return 0;
}

struct walk {
	struct store_list *out;
	store_problem_fn problem;
	void *ctx;
	int skipped;
};

static void skip(struct walk *w, const char *path, const char *reason)
{
	w->skipped++;
	if (w->problem)
		w->problem(w->ctx, path, reason);
}

static void visit_file(struct walk *w, const char *path)
{
	struct store_run run;
	char err[256];

	if (store_read_loose(path, &run, err, sizeof(err)))
		skip(w, path, err);
	else if (add_run(w->out, &run))
		store_run_free(&run), skip(w, path, "out of memory");
}

static void visit_dir(struct walk *w, const char *dir, int depth);

/* A fleet run: each host's campaign directory, nothing else (status.json is not a results file). */
static void visit_fleet(struct walk *w, const char *dir, int depth)
{
	struct fleet_manifest m;
	char err[600], **nf;

	if (fleet_manifest_read(dir, &m, err, sizeof(err))) {
		skip(w, dir, err);
		return;
	}
	nf = realloc(w->out->fleets, (w->out->nfleets + 1) * sizeof(*nf));
	if (nf) {
		w->out->fleets = nf;
		if ((nf[w->out->nfleets] = strdup(dir)))
			w->out->nfleets++;
	}
	for (size_t i = 0; i < m.nhosts; i++) {
		char *hdir = NULL;

		if (!m.hosts[i].has_results)
			continue;
		if (asprintf(&hdir, "%s/%s/%s", dir, m.hosts[i].name, FLEET_HOST_RESULTS) < 0)
			continue;
		visit_dir(w, hdir, depth + 1);
		free(hdir);
	}
	fleet_manifest_free(&m);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void visit_dir(struct walk *w, const char *dir, int depth)
{
	char *mpath = NULL, **names = NULL, err[256];
	size_t nnames = 0;
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (asprintf(&mpath, "%s/manifest.json", dir) < 0)
		return;
	if (!stat(mpath, &st)) {
		struct store_run run;

		/* A run directory: its entries belong to it, they are not loose files. */
		if (store_read_manifest(dir, &run, err, sizeof(err)))
			skip(w, mpath, err);
		else if (add_run(w->out, &run))
			store_run_free(&run), skip(w, mpath, "out of memory");
		free(mpath);
		return;
	}
	free(mpath);
	if (depth > MAX_DEPTH)
		return;
	if (fleet_dir_is_fleet(dir)) {
		visit_fleet(w, dir, depth);
		return;
	}
	d = opendir(dir);
	if (!d) {
		snprintf(err, sizeof(err), "cannot open directory: %s", strerror(errno));
		skip(w, dir, err);
		return;
	}
	while ((de = readdir(d))) {
		char **n;

		if (de->d_name[0] == '.')
			continue;
		n = realloc(names, (nnames + 1) * sizeof(*n));
		if (!n)
			break;
		names = n;
		if (asprintf(&names[nnames], "%s/%s", dir, de->d_name) < 0)
			break;
		nnames++;
	}
	closedir(d);
	if (nnames) /* qsort's base must not be NULL, even for no elements */
		qsort(names, nnames, sizeof(*names), name_cmp);
	for (size_t i = 0; i < nnames; i++) {
		if (!stat(names[i], &st)) {
			if (S_ISDIR(st.st_mode))
				visit_dir(w, names[i], depth + 1);
			else if (S_ISREG(st.st_mode) && has_suffix(names[i], ".json"))
				visit_file(w, names[i]);
		}
		free(names[i]);
	}
	free(names);
}

int store_walk(const char *root, struct store_list *out, store_problem_fn problem, void *ctx,
	       char *err, size_t errlen)
{
	struct walk w = { .out = out, .problem = problem, .ctx = ctx };
	struct stat st;
	size_t n = strlen(root);
	char *r = strdup(root);

	memset(out, 0, sizeof(*out));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (n > 1 && r[n - 1] == '/')
		r[--n] = 0;
	if (stat(r, &st)) {
		snprintf(err, errlen, "%s: %s", r, strerror(errno));
		free(r);
		return -1;
	}
	/* a FIFO or a device named as the store is bad usage, not a file to skip (nor to wait on) */
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file or a directory", r);
		free(r);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		visit_dir(&w, r, 0);
	else if (has_suffix(r, "manifest.json") || has_suffix(r, FLEET_MANIFEST_NAME)) {
		char *dir = strdup(r);

		if (dir) {
			char *slash = strrchr(dir, '/');

			if (slash)
				*slash = 0;
			else
				strcpy(dir, ".");
			visit_dir(&w, dir, 0);
			free(dir);
		}
	} else
		visit_file(&w, r);
	free(r);
	return w.skipped;
}

bool store_names_input(const struct store_list *l, const char *root, const char *path)
{
	if (input_file_same(path, root))
		return true;
	for (size_t i = 0; i < l->nruns; i++) {
		const struct store_run *run = &l->runs[i];
		char *m = NULL;
		bool same = false;

		if (!run->loose && asprintf(&m, "%s/manifest.json", run->path) >= 0) {
			same = input_file_same(path, m);
			free(m);
		}
		for (size_t j = 0; j < run->nentries && !same; j++)
			same = run->entries[j].results && input_file_same(path, run->entries[j].results);
		if (same)
			return true;
	}
	return false;
}

void store_run_free(struct store_run *run)
{
	free(run->host_json);
	for (size_t i = 0; i < run->nentries; i++)
		free(run->entries[i].results);
	free(run->entries);
	free(run->path);
	memset(run, 0, sizeof(*run));
}

void store_list_free(struct store_list *l)
{
	for (size_t i = 0; i < l->nruns; i++)
		store_run_free(&l->runs[i]);
	free(l->runs);
	for (size_t i = 0; i < l->nfleets; i++)
		free(l->fleets[i]);
	free(l->fleets);
	memset(l, 0, sizeof(*l));
}
