// SPDX-License-Identifier: MIT
/*
 * Host-by-host pairing of two fleet runs (compare_fleet.h).  A pair is
 * judged on its hosts' records (each campaign manifest's host object)
 * before any figure is read; the figures then go through cmp_compare,
 * which still refuses, test by test, what compare always refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_fleet.h"
#include "analysis/fleet_manifest.h"
#include "analysis/fleet_view.h"
#include "analysis/results_store.h"

#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

const char *cmp_pair_state_name(enum cmp_pair_state s)
{
	static const char *const names[] = { "compared", "not paired", "one side only", "no results" };

	return (unsigned)s < 4 ? names[s] : "?";
}

const char *cmp_fleet_hosts_differ(const char *host_a, const char *host_b, char *why, size_t len)
{
	char ba[64], ca[160], ka[160], bb[64], cb[160], kb[160];

	fleet_host_context(host_a, ba, sizeof(ba), ca, sizeof(ca), ka, sizeof(ka));
	fleet_host_context(host_b, bb, sizeof(bb), cb, sizeof(cb), kb, sizeof(kb));
	if (strcmp(ca, cb)) {
		snprintf(why, len, "host CPU model differs: %s (baseline), %s (current)", *ca ? ca : "unknown",
			 *cb ? cb : "unknown");
		return why;
	}
	if (strcmp(ba, bb)) {
		snprintf(why, len, "KVM backend differs: %s (baseline), %s (current)", *ba ? ba : "unknown",
			 *bb ? bb : "unknown");
		return why;
	}
	return NULL;
}

static struct cmp_fleet_pair *add_pair(struct cmp_fleet *f, const char *host)
{
	struct cmp_fleet_pair *n = realloc(f->pairs, (f->n + 1) * sizeof(*n));

	if (!n)
		return NULL;
	f->pairs = n;
	memset(&n[f->n], 0, sizeof(n[f->n]));
	snprintf(n[f->n].host, sizeof(n[f->n].host), "%s", host);
	return &n[f->n++];
}

/* One host on both sides: refused, without results, or compared. 0, or -1 out of memory. */
static int pair(const char *a, const struct fleet_host *ha, const char *b, const struct fleet_host *hb,
		const struct cmp_opts *o, struct cmp_fleet_pair *p)
{
	char da[4400], db[4400], err[512];
	struct store_run ra = { 0 }, rb = { 0 };
	int rc = 0;

	snprintf(da, sizeof(da), "%s/%s/%s", a, ha->name, FLEET_HOST_RESULTS);
	snprintf(db, sizeof(db), "%s/%s/%s", b, hb->name, FLEET_HOST_RESULTS);
	if (!ha->has_results || !hb->has_results) {
		const struct fleet_host *h = ha->has_results ? hb : ha;

		p->state = CMP_PAIR_NO_RESULTS;
		snprintf(p->note, sizeof(p->note), "no results in %s (%s%s%s)", h == ha ? "baseline" : "current",
			 fleet_state_name(h->state), *h->reason ? ": " : "", h->reason);
		return 0;
	}
	if (store_read_manifest(da, &ra, err, sizeof(err)) || store_read_manifest(db, &rb, err, sizeof(err))) {
		p->state = CMP_PAIR_NO_RESULTS;
		snprintf(p->note, sizeof(p->note), "%s", err);
		goto out;
	}
	if (cmp_fleet_hosts_differ(ra.host_json, rb.host_json, p->note, sizeof(p->note))) {
		p->state = CMP_PAIR_REFUSED;
		goto out;
	}
	if (cmp_side_load(&p->b, da, NULL, err, sizeof(err)) || cmp_side_load(&p->c, db, NULL, err, sizeof(err))) {
		p->state = CMP_PAIR_NO_RESULTS;
		snprintf(p->note, sizeof(p->note), "%s", err);
		goto out;
	}
	if (cmp_compare(&p->b, &p->c, o, &p->rows, &p->nrows, err, sizeof(err))) {
		rc = -1;
		goto out;
	}
	p->state = CMP_PAIR_COMPARED;
	for (size_t i = 0; i < p->nrows; i++)
		p->count[p->rows[i].verdict]++;
	if (!p->nrows)
		snprintf(p->note, sizeof(p->note), "no test done on both sides (%zu and %zu results files)",
			 p->b.nfiles, p->c.nfiles);
out:
	store_run_free(&ra);
	store_run_free(&rb);
	return rc;
}

int cmp_fleet_compare(const char *a, const char *b, const struct cmp_opts *o, struct cmp_fleet *out, char *err,
		      size_t errlen)
{
	struct fleet_manifest ma, mb;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (fleet_manifest_read(a, &ma, err, errlen))
		return -1;
	if (fleet_manifest_read(b, &mb, err, errlen)) {
		fleet_manifest_free(&ma);
		return -1;
	}
	for (size_t i = 0; i < ma.nhosts; i++) {
		struct fleet_host *hb = fleet_manifest_host(&mb, ma.hosts[i].name);
		struct cmp_fleet_pair *p = add_pair(out, ma.hosts[i].name);

		if (!p)
			goto oom;
		if (!hb) {
			p->state = CMP_PAIR_ONE_SIDE;
			snprintf(p->note, sizeof(p->note), "only in the baseline");
		} else if (pair(a, &ma.hosts[i], b, hb, o, p)) {
			goto oom;
		}
	}
	for (size_t i = 0; i < mb.nhosts; i++) {
		struct cmp_fleet_pair *p;

		if (fleet_manifest_host(&ma, mb.hosts[i].name))
			continue;
		if (!(p = add_pair(out, mb.hosts[i].name)))
			goto oom;
		p->state = CMP_PAIR_ONE_SIDE;
		snprintf(p->note, sizeof(p->note), "only in the current run");
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
	cmp_fleet_free(out);
done:
	fleet_manifest_free(&ma);
	fleet_manifest_free(&mb);
	return rc;
}

void cmp_fleet_free(struct cmp_fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->pairs[i].rows);
		cmp_side_free(&f->pairs[i].b);
		cmp_side_free(&f->pairs[i].c);
	}
	free(f->pairs);
	memset(f, 0, sizeof(*f));
}
