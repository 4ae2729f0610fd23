/* SPDX-License-Identifier: MIT */
/*
 * A parsed campaign to its flat list of runs. Each entry inherits what it
 * does not set from the defaults; its axes (ring, devices, backing, mem,
 * instruments, then each param) expand as a cartesian product, the last axis
 * fastest, and repetitions go round the whole product of an entry (rep 1 of
 * every combination, then rep 2...). A run's name is the payload (or the
 * entry's name), the label of every axis with more than one value and of
 * every non-param axis the entry sets itself, and "repN"; names must be unique.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "util/xalloc.h"

struct axis_ref {
	const struct campaign_axis *axis;
	int named;
};

static const struct campaign_axis *find_axis(const struct campaign_spec *s, const char *key)
{
	for (size_t i = 0; i < s->naxes; i++)
		if (!strcmp(s->axes[i].key, key))
			return &s->axes[i];
	return NULL;
}

/* The entry's axes in their canonical order, inherited ones included. */
static size_t collect_axes(const struct campaign_spec *d, const struct campaign_spec *e, struct axis_ref *out)
{
	static const char *const fixed[] = { "ring", "devices", "backing", "mem", "instruments" };
	size_t n = 0;

	for (size_t i = 0; i < 5; i++) {
		const struct campaign_axis *a = find_axis(e, fixed[i]);

		if (a)
			out[n++] = (struct axis_ref){ a, 1 };
		else if ((a = find_axis(d, fixed[i])))
			out[n++] = (struct axis_ref){ a, a->nvalues > 1 };
	}
	for (size_t i = 0; i < d->naxes; i++)
		if (!strncmp(d->axes[i].key, "param:", 6) && !find_axis(e, d->axes[i].key))
			out[n++] = (struct axis_ref){ &d->axes[i], d->axes[i].nvalues > 1 };
	for (size_t i = 0; i < e->naxes; i++)
		if (!strncmp(e->axes[i].key, "param:", 6))
			out[n++] = (struct axis_ref){ &e->axes[i], e->axes[i].nvalues > 1 };
	return n;
}

static void push(struct campaign_run *r, const char *arg)
{
	r->args = xrealloc(r->args, (r->nargs + 1) * sizeof(*r->args));
	r->args[r->nargs++] = xstrdup(arg);
}

static char *make_slug(const char *name)
{
	char *s = xstrdup(name);

	for (char *p = s; *p; p++) {
		if (*p == '/')
			*p = '-';
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			   *p == '.' || *p == '-'))
			*p = '_';
	}
	return s;
}

static void build_run(struct campaign_run *r, const struct campaign_spec *d, const struct campaign_spec *e,
		      const struct axis_ref *axes, size_t naxes, const size_t *idx, int rep)
{
	char name[2048], num[64];
	size_t len;
	const struct campaign_spec *ts = e->ntests ? e : d;
	int quick = e->quick >= 0 ? e->quick : d->quick;
	int raw = e->raw >= 0 ? e->raw : d->raw;
	long iters = e->iterations ? e->iterations : d->iterations;

	memset(r, 0, sizeof(*r));
	r->payload = xstrdup(e->payload);
	r->repetition = rep;
	r->disk_mib = e->disk_mib ? e->disk_mib : d->disk_mib;
	r->service = e->service ? xstrdup(e->service) : d->service ? xstrdup(d->service) : NULL;
	r->timeout_s = e->timeout_s > 0 ? e->timeout_s :
		       d->timeout_s > 0 ? d->timeout_s : CAMPAIGN_DEFAULT_TIMEOUT_S;
	len = (size_t)snprintf(name, sizeof(name), "%s", e->name ? e->name : e->payload);
	if (quick == 1)
		push(r, "--quick");
	if (raw == 1)
		push(r, "--raw");
	if (iters) {
		snprintf(num, sizeof(num), "%ld", iters);
		push(r, "--iterations");
		push(r, num);
	}
	for (size_t i = 0; i < ts->ntests; i++) {
		push(r, "--test");
		push(r, ts->tests[i]);
	}
	for (size_t i = 0; i < naxes; i++) {
		const struct campaign_value *v = &axes[i].axis->values[idx[i]];

		for (size_t k = 0; k < v->nargs; k++)
			push(r, v->args[k]);
		if (axes[i].named && len < sizeof(name))
			len += (size_t)snprintf(name + len, sizeof(name) - len, "/%s", v->label);
	}
	snprintf(num, sizeof(num), "%g", r->timeout_s);
	push(r, "--timeout");
	push(r, num);
	for (size_t i = 0; i < d->nargs; i++)
		push(r, d->args[i]);
	for (size_t i = 0; i < e->nargs; i++)
		push(r, e->args[i]);
	if (len < sizeof(name))
		snprintf(name + len, sizeof(name) - len, "/rep%d", rep);
	r->name = xstrdup(name);
	r->slug = make_slug(name);
}

void campaign_runs_free(struct campaign_run *runs, size_t nruns)
{
	for (size_t i = 0; i < nruns; i++) {
		free(runs[i].name);
		free(runs[i].slug);
		free(runs[i].payload);
		free(runs[i].service);
		for (size_t k = 0; k < runs[i].nargs; k++)
			free(runs[i].args[k]);
		free(runs[i].args);
	}
	free(runs);
}

struct named {
	const char *name;
	size_t entry;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

int campaign_expand(const struct campaign *c, struct campaign_run **runs, size_t *nruns, char *err,
	size_t errlen)
{
	struct campaign_run *out = NULL;
	size_t n = 0, *owner = NULL;
	struct named *names;

	*runs = NULL;
	*nruns = 0;
	if (!c->nentries) {
		snprintf(err, errlen, "1:1: the campaign has no entries: the matrix is empty");
		return -1;
	}
	for (size_t ei = 0; ei < c->nentries; ei++) {
		const struct campaign_spec *e = &c->entries[ei], *d = &c->defaults;
		struct axis_ref axes[64];
		size_t naxes, idx[64] = { 0 }, combos = 1;
		int reps = e->repetitions ? e->repetitions : d->repetitions ? d->repetitions : 1;

		if (e->naxes + d->naxes > 64) {
			snprintf(err, errlen, "%d:%d: too many axes (at most 64)", e->line, e->col);
			goto fail;
		}
		naxes = collect_axes(d, e, axes);
		for (size_t i = 0; i < naxes; i++) {
			combos *= axes[i].axis->nvalues;
			if (combos > CAMPAIGN_MAX_RUNS)
				break;
		}
		if (combos * (size_t)reps + n > CAMPAIGN_MAX_RUNS) {
			snprintf(err, errlen, "%d:%d: the matrix has more than %d runs", e->line, e->col,
				 CAMPAIGN_MAX_RUNS);
			goto fail;
		}
		out = xrealloc(out, (n + combos * (size_t)reps) * sizeof(*out));
		owner = xrealloc(owner, (n + combos * (size_t)reps) * sizeof(*owner));
		for (int rep = 1; rep <= reps; rep++) {
			memset(idx, 0, sizeof(idx));
			for (size_t k = 0; k < combos; k++) {
				owner[n] = ei;
				build_run(&out[n++], d, e, axes, naxes, idx, rep);
				for (size_t i = naxes; i-- > 0;) {
					if (++idx[i] < axes[i].axis->nvalues)
						break;
					idx[i] = 0;
				}
			}
		}
	}
	names = xrealloc(NULL, n * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = (struct named){ out[i].name, owner[i] };
	qsort(names, n, sizeof(*names), cmp_named);
	for (size_t i = 1; i < n; i++) {
		if (!strcmp(names[i].name, names[i - 1].name)) {
			const struct campaign_spec *a = &c->entries[names[i - 1].entry];
			const struct campaign_spec *b = &c->entries[names[i].entry];

			if (a == b)
				snprintf(err, errlen, "%d:%d: the entry expands to run '%s' twice", b->line,
					b->col,
					 names[i].name);
			else
				snprintf(err, errlen, "%d:%d: run '%s' duplicates the entry at line %d "
					 "(give one of them a 'name:')", b->line, b->col, names[i].name,
						a->line);
			free(names);
			goto fail;
		}
	}
	free(names);
	free(owner);
	*runs = out;
	*nruns = n;
	return 0;
fail:
	campaign_runs_free(out, n);
	free(owner);
	return -1;
}
