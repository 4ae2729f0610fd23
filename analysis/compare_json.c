/* SPDX-License-Identifier: MIT */
#include <math.h>

#include "analysis/compare_counts.h"
#include "analysis/compare_json.h"

static json_t *num_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *side_json(const struct cmp_test *t, double median)
{
	if (!t)
		return json_null();
	return json_pack("{s:o, s:I, s:I, s:b}", "median_cycles", num_or_null(median),
			 "samples", (json_int_t)t->nsamples, "files", (json_int_t)t->nmedians,
			 "valid", !t->invalid);
}

/* --counts: every count of the row, per operation on each side. */
static json_t *counts_json(const struct cmp_row *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->ndiffs; i++) {
		const struct cmp_count_diff *d = &r->diffs[i];

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:b, s:b}", "name", d->name,
						   "baseline", num_or_null(d->base), "current", num_or_null(d->cur),
						   "differs", d->differs, "noise", d->noise));
	}
	return a;
}

json_t *cmp_rows_json(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			 const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	json_t *tests = json_array(), *root;

	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = cmp_row_test(r);
		json_t *params = t->params ? json_loads(t->params, JSON_DECODE_ANY, NULL) : NULL;
		json_t *ci = r->has_stats ? json_pack("[f,f]", r->ci_lo * 100, r->ci_hi * 100) : json_null();

		json_array_append_new(tests, json_pack(
			"{s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s}",
			"payload", t->payload, "name", t->name, "label", r->label, "ring", t->ring,
			"params", params ? params : json_null(),
			"baseline", side_json(r->base, r->median_base),
			"current", side_json(r->cur, r->median_cur),
			"change_pct", r->has_change ? json_real(r->change * 100) : json_null(),
			"ci_pct", ci,
			"p_value", r->has_stats ? json_real(r->p) : json_null(),
			"level", r->has_stats ? (r->by_runs ? "runs" : "samples") : "-",
			"verdict", cmp_verdict_name(r->verdict), "reason", r->reason));
		if (o->counts)
			json_object_set_new(json_array_get(tests, json_array_size(tests) - 1), "counts",
					    counts_json(r));
	}
	root = json_pack("{s:s, s:i, s:{s:s, s:I, s:s}, s:{s:s, s:I, s:s}, s:f, s:f, s:i, s:I, s:{s:I, s:I, s:I, s:I}, s:o}",
			 "format", "exitlab-compare", "version", 1,
			 "baseline", "source", b->label, "files", (json_int_t)b->nfiles, "vmm", b->vmm,
			 "current", "source", c->label, "files", (json_int_t)c->nfiles, "vmm", c->vmm,
			 "threshold_pct", o->threshold * 100, "confidence", o->confidence,
			 "resamples", (int)o->resamples, "seed", (json_int_t)(o->seed & 0x7fffffffffffffffULL),
			 "summary", "improved", (json_int_t)count[CMP_IMPROVED],
			 "regressed", (json_int_t)count[CMP_REGRESSED], "unchanged", (json_int_t)count[CMP_UNCHANGED],
			 "not_comparable", (json_int_t)count[CMP_NOT_COMPARABLE], "tests", tests);
	if (root && o->counts) {
		json_object_set_new(root, "mode", json_string("counts"));
		json_object_set_new(root, "count_delta", json_real(o->count_delta));
		json_object_set_new(json_object_get(root, "baseline"), "kernel", json_string(b->release));
		json_object_set_new(json_object_get(root, "current"), "kernel", json_string(c->release));
		json_object_set_new(json_object_get(root, "summary"), "changed",
				    json_integer((json_int_t)count[CMP_CHANGED]));
	} else if (root) {
		json_object_set_new(root, "mode", json_string("timing"));
	}
	return root;
}
