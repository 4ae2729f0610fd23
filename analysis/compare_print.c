/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "analysis/compare_counts.h"
#include "analysis/compare_print.h"

static void fmt_num(char *buf, size_t len, double x)
{
	if (isfinite(x))
		snprintf(buf, len, "%.1f", x);
	else
		snprintf(buf, len, "-");
}

void cmp_print_table(FILE *f, const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	fprintf(f, "baseline: %s (%zu file%s, vmm %s)\ncurrent:  %s (%zu file%s, vmm %s)\n", b->label, b->nfiles,
	       b->nfiles == 1 ? "" : "s", b->vmm, c->label, c->nfiles, c->nfiles == 1 ? "" : "s", c->vmm);
	if (strcmp(b->vmm, c->vmm))
		fprintf(f, "VMMs differ: %s (baseline) against %s (current), the same payload on each\n", b->vmm,
		       c->vmm);
	fprintf(f, "\n");
	int w = 22;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) + 1 > w)
			w = (int)strlen(rows[i].label) + 1;
	fprintf(f, "%-12s %-*s %4s %11s %11s %8s %19s %9s  %-15s %s\n", "payload", w, "test", "ring", "base cyc",
	       "cur cyc", "change", "CI of change", "p", "verdict", "reason");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = cmp_row_test(r);
		char mb[32], mc[32], ch[32] = "-", ci[48] = "-", p[32] = "-", name[sizeof(r->label) + 2];

		fmt_num(mb, sizeof(mb), r->median_base);
		fmt_num(mc, sizeof(mc), r->median_cur);
		if (r->has_change)
			snprintf(ch, sizeof(ch), "%+.1f%%", r->change * 100);
		if (r->has_stats) {
			snprintf(ci, sizeof(ci), "[%+.1f%%, %+.1f%%]", r->ci_lo * 100, r->ci_hi * 100);
			snprintf(p, sizeof(p), r->p < 1e-16 ? "<1e-16" : "%.2g", r->p);
		}
		snprintf(name, sizeof(name), "%s%s", r->label,
			 (r->base && r->base->invalid) || (r->cur && r->cur->invalid) ? "!" : "");
		fprintf(f, "%-12s %-*s %4d %11s %11s %8s %19s %9s  %-15s %s\n", t->payload, w, name, t->ring,
		       mb, mc, ch, ci, p, cmp_verdict_name(r->verdict), r->reason);
	}
	fprintf(f, "\n%zu regressed, %zu improved, %zu unchanged, %zu not comparable "
	       "(threshold %.3g %%, confidence %.4g; cycles per op, overhead subtracted; [..]: what tells "
	       "a test from its namesakes, all params in --json; ! = invalid on a side: its exit counts "
	       "contradict the test)\n", count[CMP_REGRESSED], count[CMP_IMPROVED], count[CMP_UNCHANGED],
	       count[CMP_NOT_COMPARABLE], o->threshold * 100, o->confidence);
}

static double row_count(const struct cmp_row *r, const char *name, bool cur)
{
	for (size_t i = 0; i < r->ndiffs; i++)
		if (!strcmp(r->diffs[i].name, name))
			return cur ? r->diffs[i].cur : r->diffs[i].base;
	return NAN;
}

static void fmt_count(char *buf, size_t len, double x)
{
	if (isfinite(x))
		snprintf(buf, len, "%.3g", x);
	else
		snprintf(buf, len, "-");
}

/* Each KVM module parameter whose value differs ("kvm.halt_poll_ns_shrink 0 -> 2"), a, b canonical JSON. */
static void print_param_diffs(FILE *f, const char *a, const char *b)
{
	json_t *ja = a ? json_loads(a, 0, NULL) : NULL, *jb = b ? json_loads(b, 0, NULL) : NULL;
	json_t *sides[2] = { ja, jb }, *mod, *v;
	const char *m, *k;

	for (int s = 0; s < 2; s++)
		json_object_foreach(sides[s], m, mod) {
			json_object_foreach(mod, k, v) {
				json_t *x = json_object_get(json_object_get(ja, m), k);
				json_t *y = json_object_get(json_object_get(jb, m), k);
				char *sx, *sy;

				/* each difference once: from the baseline's keys, then the current's new ones */
				if ((s == 1 && x) || (x && y && json_equal(x, y)))
					continue;
				sx = x ? json_dumps(x, JSON_ENCODE_ANY) : NULL;
				sy = y ? json_dumps(y, JSON_ENCODE_ANY) : NULL;
				fprintf(f, "  %s.%s: %s -> %s\n", m, k, sx ? sx : "(none)", sy ? sy : "(none)");
				free(sx);
				free(sy);
			}
		}
	json_decref(ja);
	json_decref(jb);
}

/* --counts: exits and exits to the VMM per op on each side, the verdict, then every count that moved. */
void cmp_print_counts(FILE *f, const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			 const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	int w = 22;

	fprintf(f, "baseline: %s (%zu file%s, kernel %s)\ncurrent:  %s (%zu file%s, kernel %s)\n", b->label, b->nfiles,
	       b->nfiles == 1 ? "" : "s", b->release[0] ? b->release : "?", c->label, c->nfiles,
	       c->nfiles == 1 ? "" : "s", c->release[0] ? c->release : "?");
	for (size_t i = 0; i < n; i++)
		if (rows[i].base && rows[i].cur) {
			const char *why = cmp_ctx_differs(b, rows[i].base, c, rows[i].cur);

			if (why)
				fprintf(f, "hosts differ: %s (counts compared all the same)\n", why);
			if (why && rows[i].base->ctx >= 0 && rows[i].cur->ctx >= 0)
				print_param_diffs(f, b->ctx[rows[i].base->ctx].params, c->ctx[rows[i].cur->ctx].params);
			break;
		}
	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) + 1 > w)
			w = (int)strlen(rows[i].label) + 1;
	fprintf(f, "%-12s %-*s %4s %9s %9s %9s %9s  %-15s %s\n", "payload", w, "test", "ring", "exits", "exits",
	       "to VMM", "to VMM", "verdict", "reason");
	fprintf(f, "%-12s %-*s %4s %9s %9s %9s %9s\n", "", w, "", "", "base", "cur", "base", "cur");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = cmp_row_test(r);
		char eb[32], ec[32], ub[32], uc[32];

		fmt_count(eb, sizeof(eb), row_count(r, "exits", false));
		fmt_count(ec, sizeof(ec), row_count(r, "exits", true));
		fmt_count(ub, sizeof(ub), row_count(r, "vmm_exits", false));
		fmt_count(uc, sizeof(uc), row_count(r, "vmm_exits", true));
		fprintf(f, "%-12s %-*s %4d %9s %9s %9s %9s  %-15s %s\n", t->payload, w, r->label, t->ring, eb, ec,
		       ub, uc, cmp_verdict_name(r->verdict), r->reason);
	}
	bool any = false;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < rows[i].ndiffs; j++) {
			const struct cmp_count_diff *d = &rows[i].diffs[j];

			if (!d->differs)
				continue;
			if (!any)
				fprintf(f, "\ncounts that moved (per operation):\n");
			any = true;
			fprintf(f, "  %-12s %-*s %4d  %-28s %10.4g -> %-10.4g (%+.4g)\n", cmp_row_test(&rows[i])->payload, w,
			       rows[i].label, cmp_row_test(&rows[i])->ring, d->name, d->base, d->cur, d->cur - d->base);
		}
	fprintf(f, "\n%zu regressed (more exits per op), %zu improved (fewer), %zu changed (other counts), "
	       "%zu unchanged, %zu not comparable (counts per operation, timings ignored; a count moved "
	       "when by more than %.3g per op, than %g events over the phase and than %.3g %%; interrupts, "
	       "preemption and halts follow the host's timing and are not judged: all counts in --json)\n",
	       count[CMP_REGRESSED], count[CMP_IMPROVED], count[CMP_CHANGED], count[CMP_UNCHANGED],
	       count[CMP_NOT_COMPARABLE], o->count_delta, CMP_COUNT_STRAY, o->threshold * 100);
}
