/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/collect.h"
#include "analysis/compare_stats.h"
#include "analysis/results_cpu.h"

/* The phase-end doorbell itself: one exit, one I/O exit, one userspace exit. */
#define PHASE_END_EXITS 1.0

static size_t nvals(const struct kvm_stats *s)
{
	return s ? s->nvalues : 0;
}

void snap_layout_init_vcpus(struct snap_layout *l, const struct kvm_stats *vcpu, const struct kvm_stats *vm,
			    unsigned nvcpus)
{
	l->vcpu_base = SNAP_STATS_BASE;
	l->vm_base = l->vcpu_base + nvals(vcpu);
	l->ap_base = l->vm_base + nvals(vm);
	l->ap_stride = 1 + nvals(vcpu);
	l->nap = nvcpus > 1 ? nvcpus - 1 : 0;
	l->nvalues = l->ap_base + l->nap * l->ap_stride;
}

void snap_layout_init(struct snap_layout *l, const struct kvm_stats *vcpu, const struct kvm_stats *vm)
{
	snap_layout_init_vcpus(l, vcpu, vm, 1);
}

static int64_t clamp_s64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static void layout(const struct collect_ctx *c, struct snap_layout *l)
{
	snap_layout_init_vcpus(l, c->vcpu_stats, c->vm_stats, c->nvcpus);
}

/* vCPU i's userspace exits and first stat value in a snapshot (vcpu_sum_json). */
static const uint64_t *vcpu_slots(const struct snap_layout *l, const uint64_t *v, unsigned i, uint64_t *user)
{
	if (i == 0) {
		*user = v[SNAP_USER_EXITS];
		return v + l->vcpu_base;
	}
	v += l->ap_base + (i - 1) * l->ap_stride;
	*user = v[0];
	return v + 1;
}

/*
 * Several vCPUs: each one's userspace exits and cumulative stats that moved
 * over the phases (raw deltas: vCPU 0's include the PHASE_END doorbell),
 * and their sum: {"per_vcpu": [{"vcpu", "userspace_exits", "kvm_stats"}],
 * "sum": {"userspace_exits", "kvm_stats"}}. 0, or -1 out of memory.
 */
static int vcpus_json(const struct collect_ctx *c, const struct snap_layout *l, const uint64_t *b,
		      const uint64_t *a, struct test_result *t)
{
	const struct kvm_stats *s = c->vcpu_stats;
	size_t nd = s ? s->ndesc : 0;
	uint64_t *sum = calloc(nd + 1, sizeof(*sum)), user_sum = 0;
	json_t *per = json_array(), *st, *o;

	if (!sum || !per) {
		free(sum);
		json_decref(per);
		return -1;
	}
	for (unsigned i = 0; i <= l->nap; i++) {
		uint64_t ub, ua;
		const uint64_t *x = vcpu_slots(l, b, i, &ub), *y = vcpu_slots(l, a, i, &ua);

		st = json_object();
		for (size_t k = 0; k < nd; k++) {
			const struct kvm_stat_desc *d = &s->desc[k];
			uint64_t delta = y[d->index] - x[d->index];

			if (kvm_stats_is_level(d->type) || kvm_stats_is_hist(d->type) || !delta)
				continue;
			sum[k] += delta;
			json_object_set_new(st, d->name, json_integer(clamp_s64(delta)));
		}
		user_sum += ua - ub;
		json_array_append_new(per, json_pack("{s:i, s:I, s:o}", "vcpu", (int)i, "userspace_exits",
						     (json_int_t)clamp_s64(ua - ub), "kvm_stats", st));
	}
	st = json_object();
	for (size_t k = 0; k < nd; k++)
		if (sum[k])
			json_object_set_new(st, s->desc[k].name, json_integer(clamp_s64(sum[k])));
	free(sum);
	o = json_pack("{s:o, s:{s:I, s:o}}", "per_vcpu", per, "sum", "userspace_exits",
		      (json_int_t)clamp_s64(user_sum), "kvm_stats", st);
	t->vcpus_json = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return t->vcpus_json ? 0 : -1;
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

/*
 * A copy of snapshot v with every vCPU's userspace exits and cumulative stats
 * (histogram buckets included) added into vCPU 0's slots; levels stay vCPU
 * 0's. NULL out of memory.
 */
static uint64_t *fold_vcpus(const struct collect_ctx *c, const struct snap_layout *l, const uint64_t *v)
{
	const struct kvm_stats *s = c->vcpu_stats;
	uint64_t *f = malloc(l->nvalues * sizeof(*f));

	if (!f)
		return NULL;
	memcpy(f, v, l->nvalues * sizeof(*f));
	for (unsigned i = 1; i <= l->nap; i++) {
		uint64_t user;
		const uint64_t *x = vcpu_slots(l, v, i, &user);

		f[SNAP_USER_EXITS] += user;
		for (size_t k = 0; s && k < s->ndesc; k++) {
			const struct kvm_stat_desc *d = &s->desc[k];

			if (kvm_stats_is_level(d->type))
				continue;
			for (uint32_t j = 0; j < d->size; j++)
				f[l->vcpu_base + d->index + j] += x[d->index + j];
		}
	}
	return f;
}

/*
 * Exits per iteration over `nphases` phases whose summed before/after values
 * are b and a (one phase: its two snapshots), `it` iterations in all.
 */
static int exits_from_values(const struct collect_ctx *c, const uint64_t *b, const uint64_t *a,
			     double it, unsigned nphases, struct test_result *t)
{
	int ix = kvm_stats_value_index(c->vcpu_stats, "exits"), rc = 0;
	struct snap_layout l;
	uint64_t *fb = NULL, *fa = NULL;
	const uint64_t *vb = b, *va = a; /* the test's vCPU figures: vCPU 0's, or the whole guest's */

	layout(c, &l);
	if (c->whole_guest && l.nap) {
		fb = fold_vcpus(c, &l, b);
		fa = fold_vcpus(c, &l, a);
		if (!fb || !fa) {
			free(fb);
			free(fa);
			return -1;
		}
		vb = fb;
		va = fa;
	}
	t->userspace_exits_per_iteration =
		((double)(va[SNAP_USER_EXITS] - vb[SNAP_USER_EXITS]) - PHASE_END_EXITS * nphases) / it;
	if (a[SNAP_HOST_NS] > b[SNAP_HOST_NS]) {
		t->phase_s = (double)(a[SNAP_HOST_NS] - b[SNAP_HOST_NS]) * 1e-9;
		t->has_phase = true;
	}
	if (ix >= 0) {
		ix += (int)l.vcpu_base;
		t->exits_per_iteration = ((double)(va[ix] - vb[ix]) - PHASE_END_EXITS * nphases) / it;
		t->has_exits = true;
	}
	if (group_from_snapshots(c->vcpu_stats, vb + l.vcpu_base, va + l.vcpu_base, &t->vcpu_stats) ||
	    group_from_snapshots(c->vm_stats, b + l.vm_base, a + l.vm_base, &t->vm_stats))
		rc = -1;
	free(fb);
	free(fa);
	if (rc)
		return -1;
	return l.nap ? vcpus_json(c, &l, b, a, t) : 0;
}

/* A level (instant/peak) keeps its last value when phases are summed. */
static void keep_levels(const struct kvm_stats *s, uint64_t *sum, const uint64_t *last)
{
	for (size_t i = 0; s && i < s->ndesc; i++)
		if (kvm_stats_is_level(s->desc[i].type))
			sum[s->desc[i].index] = last[s->desc[i].index];
}

/* Whether a CPU-time slot of rec's snapshots is known at both ends and did not go back. */
static bool cpu_delta(const struct bench_record *rec, size_t slot)
{
	uint64_t b = rec->before->v[slot], a = rec->after->v[slot];

	return b != SNAP_CPU_UNKNOWN && a != SNAP_CPU_UNKNOWN && a >= b;
}

/* The host's counts over the phases of recs[idx[0..n)] (their deltas summed). */
static int exits_from_snapshots(const struct collect_ctx *c, const struct bench_dev *bd,
				const size_t *idx, size_t n, struct test_result *t)
{
	struct snap_layout l;
	uint64_t *zero, *sum;
	const uint64_t *last = NULL;
	double it = 0;
	unsigned phases = 0;
	bool cpu_ok[2] = { true, true };
	int rc;

	layout(c, &l);
	zero = calloc(l.nvalues, sizeof(*zero));
	sum = calloc(l.nvalues, sizeof(*sum));
	if (!zero || !sum) {
		free(zero);
		free(sum);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		const struct bench_record *rec = &bd->recs[idx[k]];

		/* Snapshots of another shape than the descriptors say: count nothing. */
		if (!rec->has_phase || !rec->before || !rec->after ||
		    rec->before->n != l.nvalues || rec->after->n != l.nvalues)
			continue;
		for (size_t v = 0; v < l.nvalues; v++)
			sum[v] += rec->after->v[v] - rec->before->v[v];
		cpu_ok[0] &= cpu_delta(rec, SNAP_DEVICE_CPU_NS);
		cpu_ok[1] &= cpu_delta(rec, SNAP_VCPU_CPU_NS);
		last = rec->after->v;
		it += (double)rec->iterations;
		phases++;
	}
	rc = 0;
	if (phases) {
		t->cpu.has_device = cpu_ok[0];
		t->cpu.device_ns = cpu_ok[0] ? (double)sum[SNAP_DEVICE_CPU_NS] : 0;
		t->cpu.has_vcpu = cpu_ok[1];
		t->cpu.vcpu_ns = cpu_ok[1] ? (double)sum[SNAP_VCPU_CPU_NS] : 0;
		keep_levels(c->vcpu_stats, sum + l.vcpu_base, last + l.vcpu_base);
		keep_levels(c->vm_stats, sum + l.vm_base, last + l.vm_base);
		rc = exits_from_values(c, zero, sum, it, phases, t);
	}
	free(zero);
	free(sum);
	return rc;
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

/* The overhead subtracted from rec's samples: its own bracket, else the ring's latest empty test. */
static int overhead_for(const struct bench_dev *bd, size_t i, struct overhead_est *o)
{
	const struct bench_record *rec = &bd->recs[i];

	memset(o, 0, sizeof(*o));
	o->method = OVERHEAD_NONE;
	if (rec->flags & BENCH_TF_OVERHEAD)
		return 0;
	if (rec->ovh_samples)
		return overhead_estimate(rec->ovh_samples, rec->ovh_before, rec->ovh_samples + rec->ovh_before,
					 rec->ovh_after, OVERHEAD_BRACKET, o);
	for (size_t j = i; j-- > 0;) {
		const struct bench_record *e = &bd->recs[j];

		if ((e->flags & BENCH_TF_OVERHEAD) && e->has_phase && e->ring == rec->ring && e->nsamples)
			return overhead_estimate(e->samples, e->nsamples, NULL, 0, OVERHEAD_RING, o);
	}
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Timing over the phases of recs[idx[0..n)]: each sample less its own
 * phase's overhead, per operation, pooled. With several repetitions, the
 * overhead interval is the widest any repetition had around what it subtracted.
 */
static int timing_from_samples(const struct collect_ctx *c, const struct bench_dev *bd,
			       const size_t *idx, size_t n, struct test_result *t)
{
	double *v, meds[CALIB_REPEAT_MAX], ohs[CALIB_REPEAT_MAX], d_lo = 0, d_hi = 0, ops = 1;
	size_t total = 0, used = 0, nrep = 0;
	struct overhead_est first = { .method = OVERHEAD_NONE };

	for (size_t k = 0; k < n; k++)
		if (bd->recs[idx[k]].has_phase)
			total += bd->recs[idx[k]].nsamples;
	if (!total)
		return 0;
	v = malloc(total * sizeof(*v));
	if (!v)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const struct bench_record *rec = &bd->recs[idx[k]];
		struct overhead_est o;

		if (!rec->has_phase || !rec->nsamples)
			continue;
		if (overhead_for(bd, idx[k], &o)) {
			free(v);
			return -1;
		}
		ops = (double)rec->ops_per_sample;
		/* Negative values after subtraction are noise around a cost below the
		 * overhead: keep them, clamping would bias the median upwards. */
		for (size_t i = 0; i < rec->nsamples; i++)
			v[used + i] = ((double)rec->samples[i] - o.cycles) / ops;
		if (nrep < CALIB_REPEAT_MAX) {
			qsort(v + used, rec->nsamples, sizeof(*v), cmp_dbl);
			meds[nrep] = stats_percentile_sorted(v + used, rec->nsamples, 50);
			ohs[nrep++] = o.cycles;
		}
		if (o.method != OVERHEAD_NONE) {
			d_lo = fmax(d_lo, o.cycles - o.lo);
			d_hi = fmax(d_hi, o.hi - o.cycles);
		}
		if (!used)
			first = o;
		else
			first.n += o.n;
		used += rec->nsamples;
	}
	if (stats_compute(v, used, &t->cycles)) {
		free(v);
		return -1;
	}
	t->has_timing = true;
	t->calib.overhead = first;
	if (nrep > 1) {
		t->calib.overhead.cycles = cmp_median(ohs, nrep);
		t->calib.overhead.before_median = t->calib.overhead.after_median = NAN;
		calib_repeats(&t->calib, meds, nrep);
	}
	t->calib.overhead.lo = t->calib.overhead.cycles - d_lo;
	t->calib.overhead.hi = t->calib.overhead.cycles + d_hi;
	t->overhead_cycles = first.method == OVERHEAD_NONE ? 0 : t->calib.overhead.cycles;
	calib_judge(&t->calib, t->cycles.median, ops);
	calib_flag_stats(&t->calib, &t->cycles);
	if (c->keep_samples) {
		t->samples = malloc(used * sizeof(*v));
		if (t->samples) {
			memcpy(t->samples, v, used * sizeof(*v));
			t->nsamples = used;
		}
	}
	if (c->tsc_khz > 0) {
		for (size_t i = 0; i < used; i++)
			v[i] *= 1e6 / c->tsc_khz; /* cycles to ns */
		stats_compute(v, used, &t->ns);
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

static void status_from(const struct collect_ctx *c, const struct bench_record *rec, struct test_result *t)
{
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
}

/* The guest's phase and wait time, summed over the phases; unknown if one phase lacks them. */
static void guest_time(const struct collect_ctx *c, const struct bench_dev *b, const size_t *idx, size_t n,
		       struct test_result *t)
{
	struct test_cpu g = { 0 };
	unsigned phases = 0;

	for (size_t k = 0; k < n; k++) {
		const struct bench_record *rec = &b->recs[idx[k]];

		if (!rec->has_phase)
			continue;
		if (!test_cpu_add_guest(&g, rec->metrics, c->tsc_khz))
			return;
		phases++;
	}
	if (!phases)
		return;
	t->cpu.has_guest = true;
	t->cpu.guest_phase_ns = g.guest_phase_ns;
	t->cpu.guest_wait_ns = g.guest_wait_ns;
}

/* Records i and j are repetitions of one test. */
static bool same_test(const struct bench_record *x, const struct bench_record *y)
{
	return !strcmp(x->name, y->name) && x->ring == y->ring && x->flags == y->flags &&
	       !strcmp(x->params, y->params);
}

/* One row from recs[idx[0..n)]: the first one's identity, the worst status. */
static int row_from(const struct collect_ctx *c, const struct bench_dev *b, const size_t *idx, size_t n,
		    struct test_result *t)
{
	const struct bench_record *rec = &b->recs[idx[0]];

	snprintf(t->name, sizeof(t->name), "%s", rec->name);
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = rec->ring;
	t->emulated = c->pvm && rec->ring == 0;
	status_from(c, rec, t);
	for (size_t k = 1; k < n && t->status != TEST_FAILED; k++) {
		struct test_result x = { .status = TEST_OK };

		status_from(c, &b->recs[idx[k]], &x);
		if (x.status > t->status) {
			t->status = x.status;
			snprintf(t->reason, sizeof(t->reason), "repetition %zu: %.100s", k + 1, x.reason);
		}
	}
	/* The device bounds each phase so that this sum fits what the results writer takes. */
	_Static_assert(BENCH_MAX_ITERATIONS * (uint64_t)BENCH_MAX_RECORDS <= (uint64_t)INT64_MAX,
		       "iterations summed over records overflow the results");
	for (size_t k = 0; k < n; k++)
		if (b->recs[idx[k]].has_phase)
			t->iterations += b->recs[idx[k]].iterations;
	/* The per-phase instruments of the first repetition: the others would only repeat them. */
	if (rec->host_json && !(t->host_json = strdup(rec->host_json)))
		return -1;
	t->params_json = kv_to_json(rec->params);
	t->metrics_json = kv_to_json(rec->metrics);
	if (timing_from_samples(c, b, idx, n, t))
		return -1;
	guest_time(c, b, idx, n, t);
	return exits_from_snapshots(c, b, idx, n, t);
}

int collect_records(const struct collect_ctx *c, const struct bench_dev *b, struct run_result *r)
{
	size_t *idx = malloc((b->nrecs ? b->nrecs : 1) * sizeof(*idx));
	bool *taken = calloc(b->nrecs ? b->nrecs : 1, sizeof(*taken));
	int rc = 0;

	if (!idx || !taken) {
		free(idx);
		free(taken);
		return -1;
	}
	for (size_t i = 0; i < b->nrecs && !rc; i++) {
		struct test_result *t;
		size_t n = 0;

		if (taken[i])
			continue;
		idx[n++] = i;
		/* --repeat: the later records of this test are its repetitions. */
		for (size_t j = i + 1; c->repeat > 1 && j < b->nrecs && n < CALIB_REPEAT_MAX; j++)
			if (!taken[j] && same_test(&b->recs[i], &b->recs[j])) {
				idx[n++] = j;
				taken[j] = true;
			}
		t = results_add_test(r);
		rc = t ? row_from(c, b, idx, n, t) : -1;
	}
	free(idx);
	free(taken);
	return rc ? -1 : schema_json(c, r);
}
