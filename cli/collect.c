/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

/* The phase-end doorbell itself: one exit, one I/O exit, one userspace exit. */
#define PHASE_END_EXITS 1.0

static double median_of(const uint64_t *s, size_t n)
{
	double *v = malloc(n * sizeof(*v));
	struct sample_stats st;

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		v[i] = (double)s[i];
	if (stats_compute(v, n, &st))
		st.median = 0;
	free(v);
	return st.median;
}

static size_t nvals(const struct kvm_stats *s)
{
	return s ? s->nvalues : 0;
}

void snap_layout_init(struct snap_layout *l, const struct kvm_stats *vcpu, const struct kvm_stats *vm)
{
	l->vcpu_base = SNAP_STATS_BASE;
	l->vm_base = l->vcpu_base + nvals(vcpu);
	l->nvalues = l->vm_base + nvals(vm);
}

static int64_t clamp_s64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/*
 * One stats set over a phase: cumulative scalars that moved (raw deltas,
 * the PHASE_END doorbell included), every instant/peak value at the end, and
 * the bucket deltas of histograms that moved. b and a point at the set's
 * first slot before and after. 0, or -1 out of memory.
 */
static int group_from_snapshots(const struct kvm_stats *s, const uint64_t *b, const uint64_t *a,
				struct kvm_stat_group *g)
{
	if (!s || !s->ndesc)
		return 0;
	g->delta = calloc(s->ndesc, sizeof(*g->delta));
	g->level = calloc(s->ndesc, sizeof(*g->level));
	g->hist = calloc(s->ndesc, sizeof(*g->hist));
	if (!g->delta || !g->level || !g->hist)
		return -1;
	for (size_t i = 0; i < s->ndesc; i++) {
		const struct kvm_stat_desc *d = &s->desc[i];
		const uint64_t *x = b + d->index, *y = a + d->index;

		if (kvm_stats_is_level(d->type)) {
			struct kvm_stat_level *l = &g->level[g->nlevel++];

			snprintf(l->name, sizeof(l->name), "%s", d->name);
			l->value = clamp_s64(y[0]);
		} else if (kvm_stats_is_hist(d->type)) {
			struct kvm_stat_hist *h = &g->hist[g->nhist];

			if (!memcmp(x, y, d->size * sizeof(*x)))
				continue;
			h->buckets = malloc(d->size * sizeof(*h->buckets));
			if (!h->buckets)
				return -1;
			for (size_t k = 0; k < d->size; k++)
				h->buckets[k] = (int64_t)(y[k] - x[k]);
			h->nbuckets = d->size;
			snprintf(h->name, sizeof(h->name), "%s", d->name);
			g->nhist++;
		} else if (y[0] != x[0]) {
			struct kvm_stat_delta *dd = &g->delta[g->ndelta++];

			snprintf(dd->name, sizeof(dd->name), "%s", d->name);
			dd->delta = (int64_t)(y[0] - x[0]);
		}
	}
	return 0;
}

static int exits_from_snapshots(const struct collect_ctx *c, const struct bench_record *rec,
				struct test_result *t)
{
	const uint64_t *b = rec->before->v, *a = rec->after->v;
	int ix = kvm_stats_value_index(c->vcpu_stats, "exits");
	double it = (double)rec->iterations;
	struct snap_layout l;

	snap_layout_init(&l, c->vcpu_stats, c->vm_stats);
	/* Snapshots of another shape than the descriptors say: count nothing. */
	if (rec->before->n != l.nvalues || rec->after->n != l.nvalues)
		return 0;
	t->userspace_exits_per_iteration =
		((double)(a[SNAP_USER_EXITS] - b[SNAP_USER_EXITS]) - PHASE_END_EXITS) / it;
	if (a[SNAP_HOST_NS] > b[SNAP_HOST_NS]) {
		t->phase_s = (double)(a[SNAP_HOST_NS] - b[SNAP_HOST_NS]) * 1e-9;
		t->has_phase = true;
	}
	if (ix >= 0) {
		ix += (int)l.vcpu_base;
		t->exits_per_iteration = ((double)(a[ix] - b[ix]) - PHASE_END_EXITS) / it;
		t->has_exits = true;
	}
	if (group_from_snapshots(c->vcpu_stats, b + l.vcpu_base, a + l.vcpu_base, &t->vcpu_stats) ||
	    group_from_snapshots(c->vm_stats, b + l.vm_base, a + l.vm_base, &t->vm_stats))
		return -1;
	return 0;
}

/* What a reader needs to interpret each stat: {name: {type, unit, base, ...}}. */
static json_t *schema_of(const struct kvm_stats *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && s && i < s->ndesc; i++) {
		const struct kvm_stat_desc *d = &s->desc[i];

		if (json_object_set_new(o, d->name, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}",
			"type", kvm_stats_type_name(d->type), "unit", kvm_stats_unit_name(d->unit),
			"base", kvm_stats_base_value(d->base), "exponent", d->exponent,
			"size", (int)d->size, "bucket_size", (int)d->bucket_size))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int schema_json(const struct collect_ctx *c, struct run_result *r)
{
	json_t *o;

	if (!nvals(c->vcpu_stats) && !nvals(c->vm_stats))
		return 0;
	o = json_pack("{s:o, s:o}", "vcpu", schema_of(c->vcpu_stats), "vm", schema_of(c->vm_stats));
	if (!o)
		return -1;
	free(r->kvm_stats_schema_json);
	r->kvm_stats_schema_json = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return r->kvm_stats_schema_json ? 0 : -1;
}

static int timing_from_samples(const struct collect_ctx *c, const struct bench_record *rec,
			       double overhead, struct test_result *t)
{
	size_t n = rec->nsamples;
	double *v = malloc(n * sizeof(*v));

	if (!v)
		return -1;
	/* Negative values after subtraction are noise around a cost below the
	 * overhead: keep them, clamping would bias the median upwards. */
	for (size_t i = 0; i < n; i++)
		v[i] = ((double)rec->samples[i] - overhead) / (double)rec->ops_per_sample;
	if (stats_compute(v, n, &t->cycles)) {
		free(v);
		return -1;
	}
	t->has_timing = true;
	t->overhead_cycles = overhead;
	if (c->keep_samples) {
		t->samples = malloc(n * sizeof(*v));
		if (t->samples) {
			memcpy(t->samples, v, n * sizeof(*v));
			t->nsamples = n;
		}
	}
	if (c->tsc_khz > 0) {
		for (size_t i = 0; i < n; i++)
			v[i] *= 1e6 / c->tsc_khz; /* cycles to ns */
		stats_compute(v, n, &t->ns);
	}
	free(v);
	return 0;
}

static void kv_add(void *opaque, const char *key, const char *value)
{
	char *end;
	long long i;
	double d;

	/* Decimal integers and reals become numbers; hex, sizes with units and words stay strings. */
	errno = 0;
	i = strtoll(value, &end, 10);
	if (!errno && !*end && value[0] != '+') {
		json_object_set_new(opaque, key, json_integer(i));
		return;
	}
	d = strtod(value, &end);
	if (!*end && value[0] != '+' && strpbrk(value, ".") && !strpbrk(value, "xX")) {
		json_object_set_new(opaque, key, json_real(d));
		return;
	}
	json_object_set_new(opaque, key, json_string(value));
}

/* A validated key=value list as a serialized JSON object, or NULL when empty. */
static char *kv_to_json(const char *kv)
{
	json_t *o;
	char *s;

	if (!kv[0])
		return NULL;
	o = json_object();
	bench_kv_foreach(kv, kv_add, o);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

int collect_records(const struct collect_ctx *c, const struct bench_dev *b, struct run_result *r)
{
	double overhead[4] = { 0 };

	/* Each ring's loop overhead: the median of its empty test. */
	for (size_t i = 0; i < b->nrecs; i++) {
		const struct bench_record *rec = &b->recs[i];

		if ((rec->flags & BENCH_TF_OVERHEAD) && rec->has_phase && rec->ring >= 0 && rec->ring < 4)
			overhead[rec->ring] = median_of(rec->samples, rec->nsamples);
	}

	for (size_t i = 0; i < b->nrecs; i++) {
		const struct bench_record *rec = &b->recs[i];
		struct test_result *t = results_add_test(r);

		if (!t)
			return -1;
		snprintf(t->name, sizeof(t->name), "%s", rec->name);
		snprintf(t->where, sizeof(t->where), "guest");
		t->ring = rec->ring;
		t->emulated = c->pvm && rec->ring == 0;
		t->iterations = rec->iterations;
		switch (rec->status) {
		case BENCH_STATUS_OK:
			t->status = TEST_OK;
			break;
		case BENCH_STATUS_SKIPPED:
			t->status = TEST_SKIPPED;
			snprintf(t->reason, sizeof(t->reason), "%s", rec->reason);
			break;
		case BENCH_STATUS_FAILED:
			t->status = TEST_FAILED;
			snprintf(t->reason, sizeof(t->reason), "%s", rec->reason);
			break;
		default:
			t->status = TEST_FAILED;
			snprintf(t->reason, sizeof(t->reason), "did not finish: %s",
				 c->stop_reason ? c->stop_reason : "VM stopped");
		}
		if (rec->host_json && !(t->host_json = strdup(rec->host_json)))
			return -1;
		t->params_json = kv_to_json(rec->params);
		t->metrics_json = kv_to_json(rec->metrics);
		if (!rec->has_phase)
			continue;
		if (timing_from_samples(c, rec, (rec->flags & BENCH_TF_OVERHEAD) ? 0 : overhead[rec->ring], t))
			return -1;
		if (rec->before && rec->after && exits_from_snapshots(c, rec, t))
			return -1;
	}
	return schema_json(c, r);
}
