// SPDX-License-Identifier: MIT
/*
 * exitlab compare: load the two sides (results files, campaign directories,
 * named baselines), pool tests by (payload, name, ring, params), match them
 * and give each a verdict. The statistics are in compare_stats.c.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare.h"
#include "analysis/compare_counts.h"
#include "analysis/compare_stats.h"
#include "util/input_file.h"
#include "util/json_out.h"

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	switch (v) {
	case CMP_IMPROVED: return "improved";
	case CMP_REGRESSED: return "regressed";
	case CMP_UNCHANGED: return "unchanged";
	case CMP_CHANGED: return "changed";
	default: return "not comparable";
	}
}

static int streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Canonical (sorted, compact) form of a serialized JSON value; NULL for NULL/"null". */
static char *canonical(const char *json)
{
	json_t *v;
	char *s;

	if (!json || !(v = json_loads(json, JSON_DECODE_ANY, NULL)))
		return NULL;
	if (json_is_null(v)) {
		json_decref(v);
		return NULL;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(v);
	return s;
}

static char *dup_string(json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get(json_object_get(obj, k1), k2);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static void ctx_free(struct cmp_ctx *c)
{
	free(c->cpu);
	free(c->backend);
	free(c->params);
	free(c->mitigations);
}

/*
 * What the run set up around its guest tests (docs/compare.md): devices,
 * host backing and guest memory, canonical JSON; NULL when the run says none.
 */
static char *run_setup(const struct run_result *r)
{
	json_t *cfg = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	json_t *vmm = json_object_get(cfg, "vmm"), *set = json_object(), *v;
	char *s = NULL;

	if ((v = json_object_get(cfg, "devices")) && json_array_size(v)) {
		json_t *devs = json_deep_copy(v), *d;
		size_t i;

		/* where this run's disk image or socket happened to be is not a setting */
		json_array_foreach(devs, i, d) {
			json_object_del(d, "file");
			json_object_del(d, "socket");
		}
		json_object_set_new(set, "devices", devs);
	}
	if ((v = json_object_get(vmm, "backing")) && !json_is_null(v))
		json_object_set(set, "backing", v);
	if ((v = json_object_get(vmm, "mem_bytes")) && !json_is_null(v))
		json_object_set(set, "mem_bytes", v);
	if (json_object_size(set))
		s = json_dumps(set, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(set);
	json_decref(cfg);
	return s;
}

/* Index of r's context in s->ctx, adding it; -1 on ENOMEM. */
static int side_ctx(struct cmp_side *s, const struct run_result *r)
{
	json_t *root = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	struct cmp_ctx c = { 0 }, *n;
	json_t *params = json_object_get(json_object_get(root, "kvm"), "params");

	json_t *mit = json_object_get(json_object_get(root, "kernel"), "mitigations");

	c.cpu = dup_string(root, "cpu", "model_name");
	c.backend = dup_string(root, "kvm", "backend");
	if (params)
		c.params = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (json_is_object(mit))
		c.mitigations = json_dumps(mit, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	for (size_t i = 0; i < s->nctx; i++)
		if (streq(s->ctx[i].cpu, c.cpu) && streq(s->ctx[i].backend, c.backend) &&
		    streq(s->ctx[i].params, c.params) && streq(s->ctx[i].mitigations, c.mitigations)) {
			ctx_free(&c);
			return (int)i;
		}
	n = realloc(s->ctx, (s->nctx + 1) * sizeof(*n));
	if (!n) {
		ctx_free(&c);
		return -1;
	}
	s->ctx = n;
	s->ctx[s->nctx] = c;
	return (int)s->nctx++;
}

static int append(double **v, size_t *n, const double *add, size_t nadd)
{
	double *p;

	if (!nadd)
		return 0;
	p = realloc(*v, (*n + nadd) * sizeof(*p));
	if (!p)
		return -1;
	memcpy(p + *n, add, nadd * sizeof(*p));
	*v = p;
	*n += nadd;
	return 0;
}

static struct cmp_test *find_test(const struct cmp_side *s, const char *payload, const char *name,
				  int ring, const char *params, const char *setup)
{
	for (size_t i = 0; i < s->ntests; i++) {
		struct cmp_test *t = &s->tests[i];

		if (!strcmp(t->payload, payload) && !strcmp(t->name, name) && t->ring == ring &&
		    streq(t->params, params) && streq(t->setup, setup))
			return t;
	}
	return NULL;
}

/* The VMM that ran r (exitlab run --vmm): comparing two VMMs is allowed, and labelled. */
static void side_vmm(struct cmp_side *s, const struct run_result *r)
{
	json_t *c = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	const char *n = json_string_value(json_object_get(json_object_get(c, "vmm"), "name"));
	char name[sizeof(s->vmm)];

	snprintf(name, sizeof(name), "%s", n ? n : "exitlab");
	json_decref(c);
	if (!s->nfiles)
		snprintf(s->vmm, sizeof(s->vmm), "%s", name);
	else if (strcmp(s->vmm, name))
		snprintf(s->vmm, sizeof(s->vmm), "mixed");
}

/* The kernel that ran r (uname -r), shown by --counts: two kernels are what it compares. */
static void side_release(struct cmp_side *s, const struct run_result *r)
{
	json_t *c = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *n = json_string_value(json_object_get(json_object_get(c, "kernel"), "release"));

	if (!s->nfiles)
		snprintf(s->release, sizeof(s->release), "%s", n ? n : "");
	else if (strcmp(s->release, n ? n : ""))
		snprintf(s->release, sizeof(s->release), "mixed");
	json_decref(c);
}

int cmp_side_add_run(struct cmp_side *s, const struct run_result *r, char *err, size_t errlen)
{
	int ctx = side_ctx(s, r);
	char *setup = run_setup(r);

	if (ctx < 0)
		goto enomem;
	side_vmm(s, r);
	side_release(s, r);
	s->nfiles++;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *tr = &r->tests[i];
		char *params = canonical(tr->params_json);
		/* host-side tests (ring -1) do not run in the guest's setup: pool them across it */
		const char *tsetup = tr->ring >= 0 ? setup : NULL;
		struct cmp_test *t = find_test(s, r->payload, tr->name, tr->ring, params, tsetup);
		bool has_timing = tr->has_timing && tr->cycles.n && isfinite(tr->cycles.median);

		if (tr->params_json && !params && strcmp(tr->params_json, "null")) {
			seterr(err, errlen, "compare: tests[%zu] (%s): params unreadable or out of memory", i,
			       tr->name);
			free(setup);
			return -1;
		}
		if (!t) {
			struct cmp_test *n = realloc(s->tests, (s->ntests + 1) * sizeof(*n));

			if (!n) {
				free(params);
				goto enomem;
			}
			s->tests = n;
			t = &s->tests[s->ntests++];
			memset(t, 0, sizeof(*t));
			snprintf(t->payload, sizeof(t->payload), "%s", r->payload);
			snprintf(t->name, sizeof(t->name), "%s", tr->name);
			t->ring = tr->ring;
			t->params = params;
			if (tsetup && !(t->setup = strdup(tsetup)))
				goto enomem;
			t->ok = true;
			t->has_timing = true;
			t->ctx = ctx;
		} else {
			free(params);
			if (t->ctx != ctx)
				t->ctx = CMP_CTX_MIXED;
		}
		t->invalid |= tr->status == TEST_OK && tr->invalid;
		if (cmp_counts_add(t, tr))
			goto enomem;
		if (tr->status != TEST_OK && t->ok) {
			t->ok = false;
			snprintf(t->reason, sizeof(t->reason), "%s%s%s", test_status_name(tr->status),
				 tr->reason[0] ? ": " : "", tr->reason);
		}
		if (!has_timing) {
			t->has_timing = false;
			continue;
		}
		if (append(&t->medians, &t->nmedians, &tr->cycles.median, 1))
			goto enomem;
		if (!tr->samples || !tr->nsamples)
			t->samples_partial = true;
		else if (append(&t->samples, &t->nsamples, tr->samples, tr->nsamples))
			goto enomem;
	}
	free(setup);
	return 0;
enomem:
	free(setup);
	seterr(err, errlen, "compare: out of memory");
	return -1;
}

void cmp_side_free(struct cmp_side *s)
{
	for (size_t i = 0; i < s->nctx; i++)
		ctx_free(&s->ctx[i]);
	for (size_t i = 0; i < s->ntests; i++) {
		free(s->tests[i].params);
		free(s->tests[i].setup);
		free(s->tests[i].samples);
		free(s->tests[i].medians);
		cmp_counts_free(&s->tests[i]);
	}
	for (size_t i = 0; i < s->ninputs; i++)
		free(s->inputs[i]);
	free(s->inputs);
	free(s->ctx);
	free(s->tests);
	memset(s, 0, sizeof(*s));
}

/* Note path as read by s: an output must not replace it (cmp_side_read). */
static int add_input(struct cmp_side *s, const char *path, char *err, size_t errlen)
{
	char **n = realloc(s->inputs, (s->ninputs + 1) * sizeof(*n));

	if (n)
		s->inputs = n;
	if (!n || !(s->inputs[s->ninputs] = strdup(path))) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	s->ninputs++;
	return 0;
}

bool cmp_side_read(const struct cmp_side *s, const char *path)
{
	for (size_t i = 0; i < s->ninputs; i++)
		if (input_file_same(path, s->inputs[i]))
			return true;
	return false;
}

static int add_file(struct cmp_side *s, const char *path, char *err, size_t errlen)
{
	struct run_result r = { 0 };
	char why[512];
	int rc;

	if (results_read_json(path, &r, why, sizeof(why))) {
		results_free(&r);
		seterr(err, errlen, "%s: %s", path, why);
		return -1;
	}
	rc = cmp_side_add_run(s, &r, err, errlen);
	results_free(&r);
	return rc ? rc : add_input(s, path, err, errlen);
}

/* A campaign run directory: every done entry's results file. */
static int add_campaign(struct cmp_side *s, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	json_error_t je;
	json_t *m, *entries, *e;
	const char *fmt;
	size_t i, used = 0;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (!(m = input_file_json(path, 0, &je))) {
		if (je.line < 0)
			seterr(err, errlen, "%s: %s", path, je.text);
		else
			seterr(err, errlen, "%s: line %d: %s", path, je.line, je.text);
		return -1;
	}
	if (add_input(s, path, err, errlen)) {
		json_decref(m);
		return -1;
	}
	fmt = json_string_value(json_object_get(m, "format"));
	entries = json_object_get(m, "entries");
	if (!fmt || strcmp(fmt, "exitlab-campaign-manifest") || !json_is_array(entries)) {
		seterr(err, errlen, "%s: not an exitlab campaign manifest (format, entries)", path);
		json_decref(m);
		return -1;
	}
	json_array_foreach(entries, i, e) {
		const char *st = json_string_value(json_object_get(e, "status"));
		const char *res = json_string_value(json_object_get(e, "results"));

		if (!st || strcmp(st, "done"))
			continue;
		if (!res || !*res || res[0] == '/' || strstr(res, "..")) {
			seterr(err, errlen, "%s: entries[%zu]: done but its results path is missing or "
				 "leaves the directory", path, i);
			rc = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, res);
		if ((rc = add_file(s, path, err, errlen)))
			break;
		used++;
	}
	json_decref(m);
	if (!rc && !used) {
		seterr(err, errlen, "%s/manifest.json: no entry is done", dir);
		rc = -1;
	}
	return rc;
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* Anything there but a directory is read as a results file: a FIFO or a device is refused there, by name. */
static int is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && !S_ISDIR(st.st_mode);
}

static int load_path(struct cmp_side *s, const char *p, char *err, size_t errlen)
{
	char m[4096];

	if (is_file(p))
		return add_file(s, p, err, errlen);
	snprintf(m, sizeof(m), "%s/manifest.json", p);
	if (is_dir(p) && is_file(m))
		return add_campaign(s, p, err, errlen);
	if (is_dir(p)) {
		seterr(err, errlen, "%s: a directory without manifest.json (not a campaign run)", p);
		return -1;
	}
	return 1;
}

int cmp_side_load(struct cmp_side *s, const char *what, const char *baselines_dir, char *err, size_t errlen)
{
	char p[4096];
	int rc;

	snprintf(s->label, sizeof(s->label), "%s", what);
	if ((rc = load_path(s, what, err, errlen)) <= 0)
		return rc;
	/* A baseline name: no slash, no dot-dot. */
	if (!strchr(what, '/') && strcmp(what, ".") && strcmp(what, "..") && baselines_dir) {
		snprintf(p, sizeof(p), "%s/%s.json", baselines_dir, what);
		if ((rc = load_path(s, p, err, errlen)) <= 0)
			return rc;
		snprintf(p, sizeof(p), "%s/%s", baselines_dir, what);
		if ((rc = load_path(s, p, err, errlen)) <= 0)
			return rc;
		seterr(err, errlen, "%s: no such file, campaign directory, or baseline (%s/%s.json or %s/%s/)",
		       what, baselines_dir, what, baselines_dir, what);
		return -1;
	}
	seterr(err, errlen, "%s: %s", what, strerror(ENOENT));
	return -1;
}

static double side_median(const struct cmp_test *t)
{
	if (!t->has_timing || !t->nmedians)
		return NAN;
	if (t->nsamples && !t->samples_partial)
		return cmp_median(t->samples, t->nsamples);
	return cmp_median(t->medians, t->nmedians);
}

/* Why the two hosts' figures cannot be compared, or NULL. */
const char *cmp_ctx_differs(const struct cmp_side *b, const struct cmp_test *tb, const struct cmp_side *c,
			    const struct cmp_test *tc)
{
	const struct cmp_ctx *x, *y;

	if (tb->ctx == CMP_CTX_MIXED)
		return "baseline pools files from different hosts or KVM backends";
	if (tc->ctx == CMP_CTX_MIXED)
		return "current pools files from different hosts or KVM backends";
	x = &b->ctx[tb->ctx];
	y = &c->ctx[tc->ctx];
	if (!streq(x->cpu, y->cpu))
		return "host CPU model differs";
	if (!streq(x->backend, y->backend))
		return "KVM backend differs";
	if (!streq(x->params, y->params))
		return "KVM backend parameters differ";
	/* a mitigation (retpolines, IBRS, RSB filling...) is paid on every exit */
	if (!streq(x->mitigations, y->mitigations))
		return !x->mitigations || !y->mitigations ?
		       "CPU mitigations not recorded on one side (kernel.mitigations)" :
		       "CPU mitigations differ (kernel.mitigations)";
	return NULL;
}

static void judge(struct cmp_row *row, const struct cmp_side *b, const struct cmp_side *c,
		  const struct cmp_opts *o)
{
	const struct cmp_test *tb = row->base, *tc = row->cur;
	const char *why;
	double alpha = 1 - o->confidence;
	const double *vb = tb->samples, *vc = tc->samples;
	size_t nb = tb->nsamples, nc = tc->nsamples;
	bool sig;

	row->verdict = CMP_NOT_COMPARABLE;
	row->median_base = side_median(tb);
	row->median_cur = side_median(tc);
	if (isfinite(row->median_base) && isfinite(row->median_cur) && row->median_base > 0) {
		row->has_change = true;
		row->change = row->median_cur / row->median_base - 1;
	}
	if ((why = cmp_ctx_differs(b, tb, c, tc))) {
		snprintf(row->reason, sizeof(row->reason), "%s", why);
		return;
	}
	if (!tb->ok || !tc->ok) {
		snprintf(row->reason, sizeof(row->reason), "%s %s", !tb->ok ? "baseline" : "current",
			 !tb->ok ? tb->reason : tc->reason);
		return;
	}
	if (!tb->has_timing || !tc->has_timing || !row->has_change) {
		snprintf(row->reason, sizeof(row->reason), "no cycles-per-op timing on %s",
			 !tb->has_timing || !isfinite(row->median_base) ? "baseline" : "current");
		return;
	}
	row->by_runs = o->level == CMP_LEVEL_RUNS ||
		       (o->level == CMP_LEVEL_AUTO && tb->nmedians >= CMP_MIN_RUNS && tc->nmedians >= CMP_MIN_RUNS);
	if (row->by_runs) {
		if (tb->nmedians < CMP_MIN_SAMPLES || tc->nmedians < CMP_MIN_SAMPLES) {
			snprintf(row->reason, sizeof(row->reason), "fewer than %d runs on %s", CMP_MIN_SAMPLES,
				 tb->nmedians < CMP_MIN_SAMPLES ? "baseline" : "current");
			return;
		}
		/* the change, too, is then of the median run */
		row->median_base = cmp_median(tb->medians, tb->nmedians);
		row->median_cur = cmp_median(tc->medians, tc->nmedians);
		row->change = row->median_cur / row->median_base - 1;
		vb = tb->medians;
		nb = tb->nmedians;
		vc = tc->medians;
		nc = tc->nmedians;
	} else if (tb->nsamples < CMP_MIN_SAMPLES || tc->nsamples < CMP_MIN_SAMPLES || tb->samples_partial ||
		   tc->samples_partial) {
		snprintf(row->reason, sizeof(row->reason), "no samples kept (run with --raw) on %s",
			 tb->nsamples < CMP_MIN_SAMPLES || tb->samples_partial ? "baseline" : "current");
		return;
	}
	if (cmp_mann_whitney(vb, nb, vc, nc, &row->u, &row->p) ||
	    cmp_bootstrap_rel_ci(vb, nb, vc, nc, o->confidence, o->resamples, o->seed, &row->ci_lo,
				 &row->ci_hi)) {
		bool nonpos = false;

		for (size_t i = 0; i < nb; i++)
			nonpos |= !(vb[i] > 0);
		/* a cost at or below the loop overhead: no ratio against it means anything */
		if (errno == EINVAL && nonpos)
			snprintf(row->reason, sizeof(row->reason), "baseline %s at or below 0 cycles "
				 "(within the loop overhead): no relative change", row->by_runs ? "has a run median" :
				 "resamples a median");
		else
			snprintf(row->reason, sizeof(row->reason), "statistics refused the samples: %s",
				 strerror(errno));
		return;
	}
	row->has_stats = true;
	sig = row->p < alpha;
	if (sig && row->ci_lo > 0 && row->change > o->threshold) {
		row->verdict = CMP_REGRESSED;
		snprintf(row->reason, sizeof(row->reason), "slower beyond %.3g %%, p < %.3g",
			 o->threshold * 100, alpha);
	} else if (sig && row->ci_hi < 0 && row->change < -o->threshold) {
		row->verdict = CMP_IMPROVED;
		snprintf(row->reason, sizeof(row->reason), "faster beyond %.3g %%, p < %.3g",
			 o->threshold * 100, alpha);
	} else {
		row->verdict = CMP_UNCHANGED;
		if (sig && (row->ci_lo > 0 || row->ci_hi < 0))
			snprintf(row->reason, sizeof(row->reason), "significant but within %.3g %%",
				 o->threshold * 100);
		else if (sig)
			snprintf(row->reason, sizeof(row->reason), "distributions differ (p < %.3g) but the "
				 "median's interval includes 0", alpha);
		else
			snprintf(row->reason, sizeof(row->reason), "not significant at %.3g",
				 o->confidence);
	}
	if (row->by_runs) {
		size_t l = strlen(row->reason);

		snprintf(row->reason + l, sizeof(row->reason) - l, " (over runs: %zu vs %zu)", nb, nc);
	}
}

/*
 * --counts: the host context may differ (another kernel is the point) and
 * timings are ignored; the tests must have run, and their counts decide.
 */
static int judge_counts(struct cmp_row *row, const struct cmp_opts *o)
{
	const struct cmp_test *tb = row->base, *tc = row->cur;

	row->median_base = side_median(tb);
	row->median_cur = side_median(tc);
	if (!tb->ok || !tc->ok) {
		row->verdict = CMP_NOT_COMPARABLE;
		snprintf(row->reason, sizeof(row->reason), "%s %s", !tb->ok ? "baseline" : "current",
			 !tb->ok ? tb->reason : tc->reason);
		return 0;
	}
	return cmp_counts_judge(row, o);
}

void cmp_rows_free(struct cmp_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].diffs);
	free(rows);
}

/* A test of the same payload and name on the other side that no exact match took. */
static const struct cmp_test *near_match(const struct cmp_side *s, const struct cmp_test *t, const bool *taken)
{
	for (size_t i = 0; i < s->ntests; i++)
		if (!taken[i] && !strcmp(s->tests[i].payload, t->payload) && !strcmp(s->tests[i].name, t->name))
			return &s->tests[i];
	return NULL;
}

/* obj[key] = v's scalars as strings, objects and arrays flattened ("dev.notify"). */
static void flat_put(json_t *out, const char *key, json_t *v)
{
	char k2[128];
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			snprintf(k2, sizeof(k2), "%s%s%s", key, *key ? "." : "", k);
			flat_put(out, k2, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_array_size(v) > 1)
				snprintf(k2, sizeof(k2), "%s%zu", key, i);
			else
				snprintf(k2, sizeof(k2), "%s", key);
			flat_put(out, k2, x);
		}
	} else if (json_is_string(v)) {
		json_object_set_new(out, key, json_string(json_string_value(v)));
	} else {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | EXITLAB_JSON_REALS);

		json_object_set_new(out, key, json_string(s ? s : "?"));
		free(s);
	}
}

/* A test's params and setup as one flat object of strings. */
static json_t *flat_of(const struct cmp_test *t)
{
	json_t *out = json_object(), *p = t->params ? json_loads(t->params, JSON_DECODE_ANY, NULL) : NULL;
	json_t *set = t->setup ? json_loads(t->setup, 0, NULL) : NULL, *v;
	const char *k;

	if (json_is_object(p))
		flat_put(out, "", p);
	else if (p)
		flat_put(out, "params", p);
	json_object_foreach(set, k, v)
		flat_put(out, !strcmp(k, "devices") ? "dev" : !strcmp(k, "mem_bytes") ? "mem" : k, v);
	json_decref(p);
	json_decref(set);
	return out;
}

static bool same_test(const struct cmp_test *a, const struct cmp_test *b)
{
	return !strcmp(a->payload, b->payload) && !strcmp(a->name, b->name) && a->ring == b->ring;
}

/* Does any namesake of t on side s (flat[i]: its tests flattened) have another value, or none, for key? */
static bool key_differs(const struct cmp_side *s, json_t *const *flat, const struct cmp_test *t,
			const char *key, const char *val)
{
	for (size_t i = 0; i < s->ntests; i++)
		if (&s->tests[i] != t && same_test(&s->tests[i], t) &&
		    !streq(json_string_value(json_object_get(flat[i], key)), val))
			return true;
	return false;
}

/*
 * The row's name: the test name, then in brackets every param or setup
 * value in which it differs from a test of the same name and ring on either
 * side (native_chase[host_page=thp,working_set=65536]).
 */
static void row_label(struct cmp_row *row, const struct cmp_side *b, json_t *const *fb,
		      const struct cmp_side *c, json_t *const *fc)
{
	const struct cmp_test *t = row->base ? row->base : row->cur;
	json_t *f = row->base ? fb[row->base - b->tests] : fc[row->cur - c->tests], *v;
	const char *k;
	size_t len = (size_t)snprintf(row->label, sizeof(row->label), "%s", t->name), n = 0;

	json_object_foreach(f, k, v) {
		const char *val = json_string_value(v);

		if (!key_differs(b, fb, t, k, val) && !key_differs(c, fc, t, k, val))
			continue;
		if (len < sizeof(row->label))
			len += (size_t)snprintf(row->label + len, sizeof(row->label) - len, "%c%s=%s",
						n++ ? ',' : '[', k, val);
	}
	if (n && len < sizeof(row->label))
		snprintf(row->label + len, sizeof(row->label) - len, "]");
}

static json_t **flatten_side(const struct cmp_side *s)
{
	json_t **f = calloc(s->ntests + 1, sizeof(*f));

	for (size_t i = 0; f && i < s->ntests; i++)
		f[i] = flat_of(&s->tests[i]);
	return f;
}

static void flat_free(json_t **f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		json_decref(f[i]);
	free(f);
}

int cmp_compare(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
		struct cmp_row **rowsp, size_t *nrows, char *err, size_t errlen)
{
	struct cmp_row *rows = calloc(b->ntests + c->ntests + 1, sizeof(*rows));
	bool *taken = calloc(c->ntests + 1, sizeof(*taken));
	bool *btaken = calloc(b->ntests + 1, sizeof(*btaken));
	json_t **fb, **fc;
	size_t n = 0;

	if (!rows || !taken || !btaken) {
		free(rows);
		free(taken);
		free(btaken);
		seterr(err, errlen, "compare: out of memory");
		return -1;
	}
	/* Exact matches first, then same test at another ring or params, then the leftovers. */
	for (size_t i = 0; i < b->ntests; i++) {
		const struct cmp_test *tb = &b->tests[i];
		struct cmp_test *tc = find_test(c, tb->payload, tb->name, tb->ring, tb->params, tb->setup);

		if (tc && !taken[tc - c->tests]) {
			taken[tc - c->tests] = btaken[i] = true;
			rows[i].base = tb;
			rows[i].cur = tc;
		}
	}
	for (size_t i = 0; i < b->ntests; i++) {
		const struct cmp_test *tb = &b->tests[i], *tc;

		rows[i].base = tb;
		if (btaken[i])
			continue;
		rows[i].verdict = CMP_NOT_COMPARABLE;
		rows[i].median_base = side_median(tb);
		rows[i].median_cur = NAN;
		if ((tc = near_match(c, tb, taken))) {
			taken[tc - c->tests] = true;
			rows[i].cur = tc;
			rows[i].median_cur = side_median(tc);
			snprintf(rows[i].reason, sizeof(rows[i].reason), "%s", tc->ring != tb->ring ?
				 "ring differs" : !streq(tc->params, tb->params) ? "params differ" :
				 "setup differs (devices, backing or memory)");
		} else {
			snprintf(rows[i].reason, sizeof(rows[i].reason), "only in baseline");
		}
	}
	n = b->ntests;
	for (size_t i = 0; i < b->ntests; i++) {
		if (!btaken[i])
			continue;
		if (!o->counts)
			judge(&rows[i], b, c, o);
		else if (judge_counts(&rows[i], o)) {
			free(taken);
			free(btaken);
			cmp_rows_free(rows, b->ntests);
			seterr(err, errlen, "compare: out of memory");
			return -1;
		}
	}
	for (size_t j = 0; j < c->ntests; j++) {
		if (taken[j])
			continue;
		rows[n].cur = &c->tests[j];
		rows[n].verdict = CMP_NOT_COMPARABLE;
		rows[n].median_base = NAN;
		rows[n].median_cur = side_median(&c->tests[j]);
		snprintf(rows[n].reason, sizeof(rows[n].reason), "only in current");
		n++;
	}
	free(taken);
	free(btaken);
	fb = flatten_side(b);
	fc = flatten_side(c);
	if (!fb || !fc) {
		flat_free(fb, b->ntests);
		flat_free(fc, c->ntests);
		cmp_rows_free(rows, n);
		seterr(err, errlen, "compare: out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		row_label(&rows[i], b, fb, c, fc);
	flat_free(fb, b->ntests);
	flat_free(fc, c->ntests);
	*rowsp = rows;
	*nrows = n;
	return 0;
}
