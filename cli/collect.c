/* SPDX-License-Identifier: MIT */
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

static int stat_index(const struct kvm_stats *s, const char *name)
{
	if (!s || s->fd < 0)
		return -1;
	return kvm_stats_find(s, name);
}

static void exits_from_snapshots(const struct collect_ctx *c, const struct bench_record *rec,
				 struct test_result *t)
{
	const uint64_t *b = rec->before->v, *a = rec->after->v;
	int ix = stat_index(c->stats, "exits");
	double it = (double)rec->iterations;

	t->userspace_exits_per_iteration =
		((double)(a[SNAP_USER_EXITS] - b[SNAP_USER_EXITS]) - PHASE_END_EXITS) / it;
	if (ix >= 0) {
		t->exits_per_iteration =
			((double)(a[SNAP_STATS_BASE + ix] - b[SNAP_STATS_BASE + ix]) - PHASE_END_EXITS) / it;
		t->has_exits = true;
	}

	/* Every scalar stat that moved, raw (including the PHASE_END doorbell). */
	if (!c->stats || c->stats->fd < 0)
		return;
	t->stats = calloc(c->stats->n ? c->stats->n : 1, sizeof(*t->stats));
	if (!t->stats)
		return;
	for (size_t i = 0; i < c->stats->n && SNAP_STATS_BASE + i < BENCH_SNAP_MAX; i++) {
		int64_t d = (int64_t)(a[SNAP_STATS_BASE + i] - b[SNAP_STATS_BASE + i]);

		if (!d)
			continue;
		snprintf(t->stats[t->nstats].name, sizeof(t->stats[0].name), "%s", c->stats->names[i]);
		t->stats[t->nstats++].delta = d;
	}
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
		if (!rec->has_phase)
			continue;
		if (timing_from_samples(c, rec, (rec->flags & BENCH_TF_OVERHEAD) ? 0 : overhead[rec->ring], t))
			return -1;
		if (rec->before && rec->after)
			exits_from_snapshots(c, rec, t);
	}
	return 0;
}
