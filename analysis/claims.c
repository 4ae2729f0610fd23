// SPDX-License-Identifier: MIT
/*
 * The claims table: each claim, the campaign entry that measures it, the
 * window in which it holds, and the host it needs (docs/claims.md has the
 * same list; keep both in step).  A figure is pooled over the entry's
 * repetitions: the median is judged, the range is shown.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claims.h"

/* NEED_TESTBED: a count only the nested testbed's results give (claims_testbed.c fills the row). */
enum need { NEED_NONE, NEED_SHADOW, NEED_TDP, NEED_VFIO, NEED_TWO_RUNS, NEED_POSTED, NEED_TESTBED };

struct claim_def {
	const char *id, *claim, *entry;
	const char *filter;           /* a substring the entry's run names must hold (a device's label) */
	long batch;                   /* net: the batch the figure is taken at (0: any) */
	bool (*fig)(const struct claim_def *d, const struct run_result *r, double *v, double *aux);
	double lo, hi;                /* holds within [lo, hi] */
	const char *unit;
	enum need need;
	const char *source;           /* where the classic figure is published (docs/claims.md, References) */
	const char *testbed;          /* NEED_TESTBED: the files it takes from --testbed DIR, and their list */
};

/* Short forms of docs/claims.md's references, one per claim. */
#define SRC_EXIT "Adams & Agesen, ASPLOS 2006; Agesen, Mattson, Rugina & Sheldon, USENIX ATC 2012"
#define SRC_SYSCALL "Soares & Stumm, FlexSC, OSDI 2010"
#define SRC_MEM "Bhargava, Serebrin, Spadini & Manne, ASPLOS 2008; VMware, Performance Evaluation " \
		"of Intel EPT Hardware Assist, 2009"
#define SRC_E1000 "Sugerman, Venkitachalam & Lim, USENIX ATC 2001"
#define SRC_VIRTIO "Russell, virtio, ACM SIGOPS OSR 2008"
#define SRC_VHOST "Har'El, Gordon, Landau, Ben-Yehuda, Traeger & Ladelsky, ELVIS, USENIX ATC 2013"
#define SRC_PASSTHROUGH "Gordon, Amit, Har'El, Ben-Yehuda, Landau, Schuster & Tsafrir, ELI, ASPLOS 2012"
#define SRC_VPID "Bugnion, Nieh & Tsafrir, Hardware and Software Support for Virtualization, 2017; " \
		 "Intel SDM vol. 3C (VPID)"
#define SRC_POSTED "Intel SDM vol. 3C (posted-interrupt processing); Gordon, Amit, Har'El, Ben-Yehuda, " \
		   "Landau, Schuster & Tsafrir, ELI, ASPLOS 2012"
#define SRC_OVERALL "Felter, Ferreira, Rajamony & Rubio, ISPASS 2015"

static bool fig_exit(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	char test[32];

	(void)d;
	return claims_figure_exit(r, v, aux, test, sizeof(test));
}

static bool fig_exit_ratio(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	double exit, ns, sys;
	char test[32];

	(void)d;
	if (!claims_figure_exit(r, &exit, &ns, test, sizeof(test)) || !claims_figure_syscall(r, &sys) ||
	    !(sys > 0))
		return false;
	*v = exit / sys;
	*aux = sys;
	return true;
}

static bool fig_mem(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	long long ws;

	(void)d;
	if (!claims_figure_mem(r, "4k", "4k", v, &ws))
		return false;
	*v *= 100;
	*aux = (double)ws;
	return true;
}

static bool fig_mem_geomean(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	int pairs;

	(void)d;
	if (!claims_figure_mem_geomean(r, v, &pairs))
		return false;
	*v = (*v - 1) * 100;
	*aux = pairs;
	return true;
}

static bool fig_tx_exits(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	double size;

	return claims_figure_net(r, "tx", d->batch, v, aux, &size);
}

static bool fig_tx_exits_k(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	if (!fig_tx_exits(d, r, v, aux))
		return false;
	*v *= 1000;
	return true;
}

static bool fig_tx_fps(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	double size;

	return claims_figure_net(r, "tx", d->batch, aux, v, &size);
}

static bool fig_line_rate(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	double exits, size;

	if (!claims_figure_net(r, "tx", d->batch, &exits, aux, &size))
		return false;
	*v = 100 * *aux / claims_line_rate_fps(size);
	return true;
}

static bool fig_tlb(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	long long pages;

	(void)d;
	if (!claims_figure_tlb(r, "pio", v, &pages))
		return false;
	*aux = (double)pages;
	return true;
}

static bool fig_posted(const struct claim_def *d, const struct run_result *r, double *v, double *aux)
{
	(void)d;
	return claims_figure_irq(r, v, aux);
}

static const struct claim_def defs[] = {
	{ "exit-cost", "A VM exit costs ~2400 cycles (~1.2 us)", "exit-cost", NULL, 0, fig_exit,
	  1200, 4800, "cycles", NEED_NONE, SRC_EXIT, NULL },
	{ "exit-vs-syscall", "... against ~100 cycles for a system call (~24x)", "exit-cost", NULL, 0,
	  fig_exit_ratio, 12, 48, "x", NEED_NONE, SRC_SYSCALL, NULL },
	{ "mem-shadow", "Without EPT/NPT (shadow paging) memory-heavy overhead is ~40%", "mem-overhead",
	  NULL, 0, fig_mem, 20, 80, "%", NEED_SHADOW, SRC_MEM, NULL },
	{ "mem-tdp", "EPT/NPT removes most memory-related exits: overhead 2-5%", "mem-overhead", NULL, 0,
	  fig_mem, -100, 5, "%", NEED_TDP, SRC_MEM, NULL },
	/* the window (claims_testbed.c): the "~N" rule on what is left, ~5% of shadow paging's exits */
	{ "tdp-exits", "EPT/NPT eliminates ~95% of exits", "testbed:linux-boot,linux-npt0", NULL, 0, NULL, 90,
	  97.5, "% fewer exits", NEED_TESTBED, SRC_MEM,
	  "linux-boot.json (npt=1) and linux-npt0.json (npt=0) of scripts/testbed/linux.list" },
	{ "e1000-exits", "Emulated e1000: 7+ exits per packet", "net-e1000", NULL, 1, fig_tx_exits,
	  7, INFINITY, "exits/packet", NEED_NONE, SRC_E1000, NULL },
	/* the same claim through Linux's own e1000 driver, where the payload's lean one takes fewer */
	{ "e1000-exits-linux", "Emulated e1000: 7+ exits per packet (Linux's e1000 driver)",
	  "testbed:lguest-e1000", NULL, 1, NULL, 7, INFINITY, "exits/packet", NEED_TESTBED, SRC_E1000,
	  "lguest-e1000.json of scripts/testbed/linux-guest.list" },
	{ "e1000-rate", "Emulated e1000: ~100k packets/s", "net-e1000", NULL, 1, fig_tx_fps, 50e3,
	  200e3, "packets/s", NEED_NONE, SRC_E1000, NULL },
	{ "virtio-exits", "virtio-net with batching: ~2 exits per 1000 packets", "net-virtio",
	  "/virtio-net/", 256, fig_tx_exits_k, 1, 4, "exits/1000 packets", NEED_NONE, SRC_VIRTIO, NULL },
	/* the rate of the data path alone: TX into the sink, which checks every frame (net-virtio-rate) */
	{ "virtio-rate", "virtio-net with batching: ~1M packets/s", "net-virtio-rate", "/virtio-net/", 256,
	  fig_tx_fps, 500e3, 2e6, "packets/s", NEED_NONE, SRC_VIRTIO, NULL },
	{ "vhost-net", "vhost-net: near line rate", "net-vhost-net", NULL, 256, fig_line_rate, 90,
	  INFINITY, "% of 10 GbE", NEED_NONE, SRC_VHOST, NULL },
	{ "vhost-user", "vhost-user: near line rate", "net-vhost-user", NULL, 256, fig_line_rate, 90,
	  INFINITY, "% of 10 GbE", NEED_NONE, SRC_VHOST, NULL },
	{ "passthrough-exits", "Passthrough (VFIO): zero exits on the data path", "passthrough", NULL, 0,
	  fig_tx_exits, 0, 0.01, "exits/packet", NEED_VFIO, SRC_PASSTHROUGH, NULL },
	{ "passthrough-overhead", "Passthrough (VFIO): <1% overhead", "passthrough", NULL, 0, NULL, 0, 1,
	  "%", NEED_VFIO, SRC_PASSTHROUGH, NULL },
	{ "vpid", "VPID avoids the TLB flush on every exit (~15%)", "tlb-vpid", NULL, 0, fig_tlb, 0, 0,
	  "cycles/exit", NEED_TWO_RUNS, SRC_VPID, NULL },
	/* exit-costs' irq_device in the same entry: an irqfd from a VMM thread to a running vCPU */
	{ "posted-interrupts", "Posted interrupts: no VM exit for guest-directed interrupts (critical for 10G NICs)",
	  "exit-cost", NULL, 0, fig_posted, -100, 0.1, "exits/interrupt", NEED_POSTED, SRC_POSTED, NULL },
	{ "overall", "The overall modern overhead is 2-5%", "mem-overhead", NULL, 0, fig_mem_geomean, -100,
	  5, "%", NEED_TDP, SRC_OVERALL, NULL },
};

const char *claim_verdict_name(enum claim_verdict v)
{
	static const char *const names[] = { "holds", "differs", "not measurable here", "not measured" };

	return v <= CLAIM_NOT_MEASURED ? names[v] : "?";
}

static bool entry_matches(const struct claim_def *d, const struct store_entry *e)
{
	size_t n = strlen(d->entry);

	if (strncmp(e->name, d->entry, n) || e->name[n] != '/')
		return false;
	return !d->filter || strstr(e->name + n, d->filter);
}

/* One repetition's figure and the side figure shown with it (the ns of a cycle count, ...). */
struct fig {
	double v, aux;
};

static int fig_cmp(const void *a, const void *b)
{
	double x = ((const struct fig *)a)->v, y = ((const struct fig *)b)->v;

	return (x > y) - (x < y);
}

/* What the first results file readable says about the host. */
struct host_facts {
	bool known;
	char backend[32];
	char paging[16];
	bool vfio;
	int posted;                   /* context.kvm.interrupt_virtualization.posted_interrupts: 1, 0, -1 unknown */
	char irq_virt[96];            /* its kind and parameter, for the verdict's why */
};

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

static const char *yes_no(json_t *v, const char *yes, const char *no)
{
	return json_is_true(v) ? yes : json_is_false(v) ? no : "unknown";
}

static void host_facts_of(const struct run_result *r, struct host_facts *h)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	const char *b = json_string_value(json_object_get(json_object_get(ctx, "kvm"), "backend"));
	json_t *iv, *pi;

	h->known = true;
	snprintf(h->backend, sizeof(h->backend), "%s", b ? b : "unknown");
	snprintf(h->paging, sizeof(h->paging), "%s", claims_paging(r));
	h->vfio = json_is_true(json_object_get(json_object_get(json_object_get(ctx, "devices"), "/dev/vfio/vfio"),
					       "exists"));
	iv = json_object_get(json_object_get(ctx, "kvm"), "interrupt_virtualization");
	pi = json_object_get(iv, "posted_interrupts");
	h->posted = json_is_true(pi) ? 1 : json_is_false(pi) ? 0 : -1;
	snprintf(h->irq_virt, sizeof(h->irq_virt), "%s, %s %s, CPU support %s", str_or(iv, "kind", "?"),
		 str_or(iv, "param", "no parameter"), yes_no(json_object_get(iv, "enabled"), "on", "off"),
		 yes_no(json_object_get(iv, "cpu_has"), "yes", "no"));
	json_decref(ctx);
}

/* Why the host cannot measure d, or NULL if it can. */
static const char *unmeasurable(const struct claim_def *d, const struct host_facts *h, char *buf, size_t len)
{
	switch (d->need) {
	case NEED_SHADOW:
		if (!strcmp(h->paging, "shadow"))
			return NULL;
		snprintf(buf, len, "this host pages with %s: shadow paging needs it off "
			 "(kvm_amd npt=0 / kvm_intel ept=0; the testbed's --npt 0)", h->paging);
		return buf;
	case NEED_TDP:
		if (!strcmp(h->paging, "npt") || !strcmp(h->paging, "ept"))
			return NULL;
		snprintf(buf, len, "no EPT/NPT on this host (%s: %s paging); the figure shown is shadow "
			 "paging's", h->backend, h->paging);
		return buf;
	case NEED_VFIO:
		if (h->vfio)
			return NULL;
		snprintf(buf, len, "no VFIO here (/dev/vfio/vfio missing: no IOMMU on this host); "
			 "docs/testbed.md runs passthrough in a nested guest, where timings mean nothing");
		return buf;
	case NEED_TWO_RUNS:
		if (!strcmp(h->backend, "kvm_pvm"))
			snprintf(buf, len, "PVM has no VPID/ASID tagging to switch: the figure is what one exit "
				 "costs in TLB refills here, i.e. what tagging would save");
		else if (!strcmp(h->backend, "kvm_amd"))
			snprintf(buf, len, "SVM always tags with ASIDs: nothing to switch off; the figure is "
				 "the refill an exit still costs");
		else
			snprintf(buf, len, "needs two runs, kvm_intel vpid=0 and vpid=1: exitlab compare them; "
				 "the figure is this run's refill per exit");
		return buf;
	case NEED_POSTED:
		if (h->posted == 1)
			return NULL;
		if (!strcmp(h->backend, "kvm_pvm"))
			snprintf(buf, len, "kvm_pvm virtualizes no interrupt delivery: KVM injects every interrupt; "
				 "the figure shown is what each costs without posting");
		else if (h->posted == 0)
			snprintf(buf, len, "no posted interrupts here (%s); the figure shown is what each interrupt "
				 "costs without them", h->irq_virt);
		else
			snprintf(buf, len, "the results do not say whether interrupts are posted "
				 "(no context.kvm.interrupt_virtualization: recorded since exitlab info has it)");
		return buf;
	case NEED_NONE:
	case NEED_TESTBED:
		break;
	}
	return NULL;
}

static void show_value(const struct claim_def *d, double v, double aux, char *buf, size_t len)
{
	if (!strcmp(d->id, "exit-cost"))
		snprintf(buf, len, "%.0f cycles (%.2f us)", v, aux / 1000);
	else if (!strcmp(d->id, "exit-vs-syscall"))
		snprintf(buf, len, "%.1fx (system call %.0f cycles)", v, aux);
	else if (!strcmp(d->id, "mem-shadow") || !strcmp(d->id, "mem-tdp"))
		snprintf(buf, len, "%+.1f%% (%.0f MiB chase, 4K pages)", v, aux / 1048576);
	else if (!strcmp(d->id, "overall"))
		snprintf(buf, len, "%+.1f%% (geomean of %.0f working sets)", v, aux);
	else if (!strcmp(d->unit, "packets/s"))
		snprintf(buf, len, "%.0f packets/s (%.3f exits/packet)", v, aux);
	else if (!strcmp(d->unit, "exits/packet") || !strcmp(d->unit, "exits/1000 packets"))
		snprintf(buf, len, "%.3g %s (%.0f packets/s)", v, d->unit, aux);
	else if (!strcmp(d->unit, "% of 10 GbE"))
		snprintf(buf, len, "%.1f%% of 10 GbE (%.0f packets/s)", v, aux);
	else if (!strcmp(d->id, "posted-interrupts"))
		snprintf(buf, len, "%.3g exits/interrupt besides its request (eventfd write to handler: %.0f cycles)",
			 v, aux);
	else if (!strcmp(d->id, "vpid"))
		snprintf(buf, len, "%.0f cycles of refill per exit (%.0f pages)", v, aux);
	else
		snprintf(buf, len, "%.3g %s", v, d->unit);
}

static void judge(const struct claim_def *d, struct claim_row *row)
{
	char win[96];

	if (isinf(d->hi))
		snprintf(win, sizeof(win), "holds at >= %g %s", d->lo, d->unit);
	else if (d->lo <= -100)
		snprintf(win, sizeof(win), "holds at <= %g %s", d->hi, d->unit);
	else
		snprintf(win, sizeof(win), "holds within %g..%g %s", d->lo, d->hi, d->unit);
	row->verdict = row->value >= d->lo && row->value <= d->hi ? CLAIM_HOLDS : CLAIM_DIFFERS;
	if (d->lo > 0 && !isinf(d->hi) && row->value > 0)
		snprintf(row->why, sizeof(row->why), "%s; measured %.2fx the claim's middle", win,
			 row->value / sqrt(d->lo * d->hi));
	else
		snprintf(row->why, sizeof(row->why), "%s", win);
}

/* Rows marked invalid (validity.h) are never figures: count them, name the first, for the verdict. */
static void count_invalid(const struct run_result *r, size_t *n, char *first, size_t len)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		if (t->status != TEST_OK || !t->invalid)
			continue;
		if (!(*n)++)
			snprintf(first, len, "%s cpl%d", t->name, t->ring);
	}
}

static void eval_one(const struct claim_def *d, const struct store_run *run, struct claim_row *row,
		     struct host_facts *h)
{
	struct fig *vals = calloc(run->nentries + 1, sizeof(*vals));
	double *figs = calloc(run->nentries + 1, sizeof(*figs));
	double aux = NAN;
	char skipped[400] = "", failed[700] = "", err[256], why[320], invalid[64] = "";
	size_t matched = 0, n = 0, ninvalid = 0;

	memset(row, 0, sizeof(*row));
	row->id = d->id;
	row->claim = d->claim;
	row->entry = d->entry;
	row->source = d->source;
	row->value = row->lo = row->hi = NAN;
	snprintf(row->unit, sizeof(row->unit), "%s", d->unit);
	for (size_t i = 0; vals && figs && i < run->nentries; i++) {
		const struct store_entry *e = &run->entries[i];
		struct run_result r;
		double v;
		int rc;

		if (!entry_matches(d, e))
			continue;
		matched++;
		if (!strcmp(e->status, "skipped") && !skipped[0])
			snprintf(skipped, sizeof(skipped), "%s", e->reason[0] ? e->reason : "skipped");
		else if (strcmp(e->status, "done") && !failed[0])
			snprintf(failed, sizeof(failed), "%s %s%s%s", e->name, e->status, e->reason[0] ? ": " : "",
				 e->reason);
		memset(&r, 0, sizeof(r));
		rc = store_load_entry(e, &r, err, sizeof(err));
		if (rc == 1) {
			if (!h->known)
				host_facts_of(&r, h);
			count_invalid(&r, &ninvalid, invalid, sizeof(invalid));
			/* a rate or an exit count means little without what moved and checked the frames */
			if (!row->setup[0] && !strncmp(d->entry, "net-", 4))
				claims_net_setup(&r, "tx", d->batch, row->setup, sizeof(row->setup));
			if (d->fig && d->fig(d, &r, &v, &aux) && isfinite(v)) {
				figs[n] = v;
				vals[n].v = v;
				vals[n++].aux = aux;
			}
		}
		results_free(&r);
	}
	if (n) {
		double side;

		/*
		 * The side figure is the median of its own values, as its own row
		 * takes it (e1000-exits shows the rate e1000-rate judges, and the
		 * other way round): one figure per test, never the rate of
		 * whichever run had the median exit count.
		 */
		for (size_t i = 0; i < n; i++)
			vals[i].v = vals[i].aux;
		qsort(vals, n, sizeof(*vals), fig_cmp);
		side = n % 2 ? vals[n / 2].v : (vals[n / 2 - 1].v + vals[n / 2].v) / 2;
		for (size_t i = 0; i < n; i++)
			vals[i].v = figs[i];
		qsort(vals, n, sizeof(*vals), fig_cmp);
		row->n = (int)n;
		row->value = n % 2 ? vals[n / 2].v : (vals[n / 2 - 1].v + vals[n / 2].v) / 2;
		row->lo = vals[0].v;
		row->hi = vals[n - 1].v;
		show_value(d, row->value, side, row->measured, sizeof(row->measured));
		if (n > 1) {
			size_t l = strlen(row->measured);

			snprintf(row->measured + l, sizeof(row->measured) - l, "; %zu runs %.3g..%.3g", n, row->lo,
				 row->hi);
		}
	} else {
		snprintf(row->measured, sizeof(row->measured), "-");
	}
	free(vals);
	free(figs);
	if (d->need == NEED_TESTBED) {
		row->verdict = CLAIM_NOT_MEASURED;
		snprintf(row->why, sizeof(row->why), "a count from the nested testbed: give --testbed DIR with %s "
			 "(docs/testbed.md)", d->testbed);
	} else if (h->known && unmeasurable(d, h, why, sizeof(why))) {
		row->verdict = CLAIM_NOT_MEASURABLE;
		snprintf(row->why, sizeof(row->why), "%s", why);
	} else if (d->need == NEED_VFIO && !h->known) {
		row->verdict = CLAIM_NOT_MEASURABLE;
		snprintf(row->why, sizeof(row->why), "no passthrough entry in this run: VFIO needs an IOMMU and "
			 "a device bound to vfio-pci (docs/devices.md)");
	} else if (n) {
		judge(d, row);
	} else if (skipped[0]) {
		row->verdict = CLAIM_NOT_MEASURABLE;
		snprintf(row->why, sizeof(row->why), "skipped: %s", skipped);
	} else {
		row->verdict = CLAIM_NOT_MEASURED;
		if (!matched)
			snprintf(row->why, sizeof(row->why), "the run has no '%s' entry (run the claims campaign: "
				 "exitlab campaign scripts/campaigns/claims.yaml)", d->entry);
		else if (failed[0])
			snprintf(row->why, sizeof(row->why), "%s", failed);
		else
			snprintf(row->why, sizeof(row->why), "entry '%s' has no figure for this claim", d->entry);
	}
	if (ninvalid) {
		size_t l = strlen(row->why);

		snprintf(row->why + l, sizeof(row->why) - l, "; %zu invalid row%s not used (%s%s: exit counts "
			 "contradict the test)", ninvalid, ninvalid == 1 ? "" : "s", invalid, ninvalid > 1 ? ", ..." : "");
	}
}

size_t claims_evaluate(const struct store_run *run, struct claim_row *rows, size_t max,
		       store_problem_fn problem, void *ctx)
{
	struct host_facts h = { .known = false };
	size_t n = sizeof(defs) / sizeof(defs[0]);

	/* every file read once here, so each unreadable one is named once; the host facts from the first */
	for (size_t i = 0; i < run->nentries; i++) {
		struct run_result r;
		char err[256];
		int rc;

		memset(&r, 0, sizeof(r));
		rc = store_load_entry(&run->entries[i], &r, err, sizeof(err));
		if (rc == 1 && !h.known)
			host_facts_of(&r, &h);
		else if (rc < 0 && problem)
			problem(ctx, run->entries[i].results ? run->entries[i].results : run->entries[i].name, err);
		results_free(&r);
	}
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		eval_one(&defs[i], run, &rows[i], &h);
	return n;
}
