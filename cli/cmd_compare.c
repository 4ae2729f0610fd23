// SPDX-License-Identifier: MIT
/*
 * `exitlab compare BASELINE CURRENT`: per test, the baseline and current
 * medians, the change with a bootstrap interval and a Mann-Whitney p-value,
 * and a verdict; exit 1 when any test regressed. See docs/compare.md.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic_file.h"
#include "cli/commands.h"
#include "analysis/compare.h"
#include "analysis/compare_counts.h"
#include "analysis/compare_fleet.h"
#include "analysis/fleet_manifest.h"
#include "util/json_out.h"

#define CMP_SEED 0x657869746c6162ULL      /* "exitlab": the same verdict every run */
#define CMP_RESAMPLES 2000

static void usage(FILE *f)
{
	fprintf(f, "usage: exitlab compare BASELINE CURRENT [--threshold PCT] [--confidence C] [--level L]\n"
		   "                      [--counts [--count-delta D]] [--json FILE]\n"
		   "  BASELINE, CURRENT   a results file (exitlab run --json), a campaign run directory\n"
		   "                      (manifest.json + entries/), or a name: results/baselines/NAME.json\n"
		   "                      or results/baselines/NAME/\n"
		   "  --threshold PCT     smallest change of the median that counts (default 5)\n"
		   "  --confidence C      confidence of the tests and intervals, 0.5..0.9999 (default 0.99)\n"
		   "  --level L           what the statistics resample: runs (each pooled run's median:\n"
		   "                      the run-to-run spread), samples (the pooled samples: within-run\n"
		   "                      spread only), or auto (default: runs when both sides have %d)\n"
		   "  --counts            compare event counts per operation (exits, exits to the VMM, per\n"
		   "                      exit reason, KVM stats, tracepoints, device counters), not timings:\n"
		   "                      regressed = more exits per op; changed = other counts moved\n"
		   "  --count-delta D     with --counts, smallest change per operation that counts\n"
		   "                      (default %.2g; and more than %g stray events over the phase)\n"
		   "  --json FILE         write the comparison as JSON (docs/compare.md); not over an input\n"
		   "Two fleet run directories (fleet.json, docs/fleet.md) are compared host by host\n"
		   "(by inventory name); hosts whose CPU model or KVM backend differ are not paired.\n"
		   "exit codes: 0 no test regressed, 1 some test regressed (on any host of a fleet),\n"
		   "            2 bad usage or unreadable input\n",
		CMP_MIN_RUNS, CMP_COUNT_DELTA, CMP_COUNT_STRAY);
}

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

static const struct cmp_test *either(const struct cmp_row *r)
{
	return r->base ? r->base : r->cur;
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

static json_t *rows_json(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			 const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	json_t *tests = json_array(), *root;

	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = either(r);
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

static void fmt_num(char *buf, size_t len, double x)
{
	if (isfinite(x))
		snprintf(buf, len, "%.1f", x);
	else
		snprintf(buf, len, "-");
}

static void print_table(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	printf("baseline: %s (%zu file%s, vmm %s)\ncurrent:  %s (%zu file%s, vmm %s)\n", b->label, b->nfiles,
	       b->nfiles == 1 ? "" : "s", b->vmm, c->label, c->nfiles, c->nfiles == 1 ? "" : "s", c->vmm);
	if (strcmp(b->vmm, c->vmm))
		printf("VMMs differ: %s (baseline) against %s (current), the same payload on each\n", b->vmm,
		       c->vmm);
	printf("\n");
	int w = 22;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) + 1 > w)
			w = (int)strlen(rows[i].label) + 1;
	printf("%-12s %-*s %4s %11s %11s %8s %19s %9s  %-15s %s\n", "payload", w, "test", "ring", "base cyc",
	       "cur cyc", "change", "CI of change", "p", "verdict", "reason");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = either(r);
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
		printf("%-12s %-*s %4d %11s %11s %8s %19s %9s  %-15s %s\n", t->payload, w, name, t->ring,
		       mb, mc, ch, ci, p, cmp_verdict_name(r->verdict), r->reason);
	}
	printf("\n%zu regressed, %zu improved, %zu unchanged, %zu not comparable "
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
static void print_param_diffs(const char *a, const char *b)
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
				printf("  %s.%s: %s -> %s\n", m, k, sx ? sx : "(none)", sy ? sy : "(none)");
				free(sx);
				free(sy);
			}
		}
	json_decref(ja);
	json_decref(jb);
}

/* --counts: exits and exits to the VMM per op on each side, the verdict, then every count that moved. */
static void print_counts(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			 const struct cmp_row *rows, size_t n, const size_t count[CMP_NVERDICTS])
{
	int w = 22;

	printf("baseline: %s (%zu file%s, kernel %s)\ncurrent:  %s (%zu file%s, kernel %s)\n", b->label, b->nfiles,
	       b->nfiles == 1 ? "" : "s", b->release[0] ? b->release : "?", c->label, c->nfiles,
	       c->nfiles == 1 ? "" : "s", c->release[0] ? c->release : "?");
	for (size_t i = 0; i < n; i++)
		if (rows[i].base && rows[i].cur) {
			const char *why = cmp_ctx_differs(b, rows[i].base, c, rows[i].cur);

			if (why)
				printf("hosts differ: %s (counts compared all the same)\n", why);
			if (why && rows[i].base->ctx >= 0 && rows[i].cur->ctx >= 0)
				print_param_diffs(b->ctx[rows[i].base->ctx].params, c->ctx[rows[i].cur->ctx].params);
			break;
		}
	printf("\n");
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) + 1 > w)
			w = (int)strlen(rows[i].label) + 1;
	printf("%-12s %-*s %4s %9s %9s %9s %9s  %-15s %s\n", "payload", w, "test", "ring", "exits", "exits",
	       "to VMM", "to VMM", "verdict", "reason");
	printf("%-12s %-*s %4s %9s %9s %9s %9s\n", "", w, "", "", "base", "cur", "base", "cur");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		const struct cmp_test *t = either(r);
		char eb[32], ec[32], ub[32], uc[32];

		fmt_count(eb, sizeof(eb), row_count(r, "exits", false));
		fmt_count(ec, sizeof(ec), row_count(r, "exits", true));
		fmt_count(ub, sizeof(ub), row_count(r, "vmm_exits", false));
		fmt_count(uc, sizeof(uc), row_count(r, "vmm_exits", true));
		printf("%-12s %-*s %4d %9s %9s %9s %9s  %-15s %s\n", t->payload, w, r->label, t->ring, eb, ec,
		       ub, uc, cmp_verdict_name(r->verdict), r->reason);
	}
	bool any = false;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < rows[i].ndiffs; j++) {
			const struct cmp_count_diff *d = &rows[i].diffs[j];

			if (!d->differs)
				continue;
			if (!any)
				printf("\ncounts that moved (per operation):\n");
			any = true;
			printf("  %-12s %-*s %4d  %-28s %10.4g -> %-10.4g (%+.4g)\n", either(&rows[i])->payload, w,
			       rows[i].label, either(&rows[i])->ring, d->name, d->base, d->cur, d->cur - d->base);
		}
	printf("\n%zu regressed (more exits per op), %zu improved (fewer), %zu changed (other counts), "
	       "%zu unchanged, %zu not comparable (counts per operation, timings ignored; a count moved "
	       "when by more than %.3g per op, than %g events over the phase and than %.3g %%; interrupts, "
	       "preemption and halts follow the host's timing and are not judged: all counts in --json)\n",
	       count[CMP_REGRESSED], count[CMP_IMPROVED], count[CMP_CHANGED], count[CMP_UNCHANGED],
	       count[CMP_NOT_COMPARABLE], o->count_delta, CMP_COUNT_STRAY, o->threshold * 100);
}

/* Two fleet runs, host by host: each pair's table, then one line per host. */
static int compare_fleets(const char *a, const char *b, const struct cmp_opts *o, const char *json_path)
{
	struct cmp_fleet f;
	char err[1024];
	size_t regressed = 0, compared = 0;
	json_t *hosts = json_array();
	int code = EXIT_OK;

	if (cmp_fleet_compare(a, b, o, &f, err, sizeof(err))) {
		fprintf(stderr, "exitlab compare: %s\n", err);
		json_decref(hosts);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < f.n; i++) {
		const struct cmp_fleet_pair *p = &f.pairs[i];

		if (json_path && p->state == CMP_PAIR_COMPARED &&
		    (cmp_side_read(&p->b, json_path) || cmp_side_read(&p->c, json_path))) {
			fprintf(stderr, "exitlab compare: %s is one of the inputs: refusing to overwrite it\n",
				json_path);
			code = EXIT_USAGE;
			goto out;
		}
	}
	printf("fleet baseline: %s\nfleet current:  %s\n", a, b);
	for (size_t i = 0; i < f.n; i++) {
		const struct cmp_fleet_pair *p = &f.pairs[i];

		printf("\n== host %s: %s%s%s\n", p->host, cmp_pair_state_name(p->state), *p->note ? ": " : "",
		       p->note);
		if (p->state == CMP_PAIR_COMPARED) {
			compared++;
			regressed += p->count[CMP_REGRESSED] > 0;
			if (p->nrows && o->counts)
				print_counts(&p->b, &p->c, o, p->rows, p->nrows, p->count);
			else if (p->nrows)
				print_table(&p->b, &p->c, o, p->rows, p->nrows, p->count);
		}
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:s, s:o}", "host", p->host, "pairing",
						       cmp_pair_state_name(p->state), "note", p->note,
						       "comparison", p->state == CMP_PAIR_COMPARED ?
						       rows_json(&p->b, &p->c, o, p->rows, p->nrows, p->count) :
						       json_null()));
	}
	printf("\n%zu host%s: %zu compared, %zu with a regression\n", f.n, f.n == 1 ? "" : "s", compared,
	       regressed);
	if (json_path) {
		json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:O}", "format", "exitlab-compare-fleet", "version", 1,
					"baseline", a, "current", b, "hosts", hosts);
		char *text = doc ? json_dumps(doc, JSON_INDENT(2) | EXITLAB_JSON_REALS) : NULL;

		json_decref(doc);
		if (!text || atomic_write_text(json_path, text, err, sizeof(err))) {
			fprintf(stderr, "exitlab compare: %s: %s\n", json_path, text ? err : "out of memory");
			free(text);
			code = EXIT_USAGE;
			goto out;
		}
		free(text);
	}
	if (regressed)
		code = EXIT_FAILED;
out:
	json_decref(hosts);
	cmp_fleet_free(&f);
	return code;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return !*s || *end || !isfinite(*out);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "level", required_argument, NULL, 'l' },
		{ "counts", no_argument, NULL, 'C' },
		{ "count-delta", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cmp_opts o = { .threshold = 0.05, .confidence = 0.99, .resamples = CMP_RESAMPLES, .seed = CMP_SEED,
			      .count_delta = CMP_COUNT_DELTA };
	struct cmp_side b = { 0 }, c = { 0 };
	struct cmp_row *rows = NULL;
	size_t n = 0, count[CMP_NVERDICTS] = { 0 };
	const char *json_path = NULL, *bdir = getenv("EXITLAB_BASELINES");
	char err[1024];
	int opt, code = EXIT_OK;
	double pct;

	if (!bdir)
		bdir = "results/baselines";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_double(optarg, &pct) || pct < 0 || pct > 1000) {
				fprintf(stderr, "exitlab compare: --threshold wants a percentage 0..1000, got '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			o.threshold = pct / 100;
			break;
		case 'l':
			if (!strcmp(optarg, "auto"))
				o.level = CMP_LEVEL_AUTO;
			else if (!strcmp(optarg, "runs"))
				o.level = CMP_LEVEL_RUNS;
			else if (!strcmp(optarg, "samples"))
				o.level = CMP_LEVEL_SAMPLES;
			else {
				fprintf(stderr, "exitlab compare: --level wants auto, runs or samples, got '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (parse_double(optarg, &o.confidence) || o.confidence < 0.5 || o.confidence > 0.9999) {
				fprintf(stderr, "exitlab compare: --confidence wants 0.5..0.9999, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			json_path = optarg;
			break;
		case 'C':
			o.counts = true;
			break;
		case 'D':
			if (parse_double(optarg, &o.count_delta) || o.count_delta < 0 || o.count_delta > 1e6) {
				fprintf(stderr, "exitlab compare: --count-delta wants a number 0..1e6 per operation, "
					"got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (fleet_dir_is_fleet(argv[optind]) || fleet_dir_is_fleet(argv[optind + 1])) {
		if (!fleet_dir_is_fleet(argv[optind]) || !fleet_dir_is_fleet(argv[optind + 1])) {
			fprintf(stderr, "exitlab compare: a fleet run (fleet.json) is compared with a fleet run; "
				"for one host, compare FLEET/HOST/campaign\n");
			return EXIT_USAGE;
		}
		return compare_fleets(argv[optind], argv[optind + 1], &o, json_path);
	}
	if (cmp_side_load(&b, argv[optind], bdir, err, sizeof(err)) ||
	    cmp_side_load(&c, argv[optind + 1], bdir, err, sizeof(err))) {
		fprintf(stderr, "exitlab compare: %s\n", err);
		code = EXIT_USAGE;
		goto out;
	}
	/* --json over a file just read would replace an input with the comparison */
	if (json_path && (cmp_side_read(&b, json_path) || cmp_side_read(&c, json_path))) {
		fprintf(stderr, "exitlab compare: %s is one of the inputs: refusing to overwrite it\n", json_path);
		code = EXIT_USAGE;
		goto out;
	}
	if (cmp_compare(&b, &c, &o, &rows, &n, err, sizeof(err))) {
		fprintf(stderr, "exitlab compare: %s\n", err);
		code = EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		count[rows[i].verdict]++;
	if (o.counts)
		print_counts(&b, &c, &o, rows, n, count);
	else
		print_table(&b, &c, &o, rows, n, count);
	if (json_path) {
		json_t *doc = rows_json(&b, &c, &o, rows, n, count);
		char *text = doc ? json_dumps(doc, JSON_INDENT(2) | EXITLAB_JSON_REALS) : NULL;

		json_decref(doc);
		if (!text || atomic_write_text(json_path, text, err, sizeof(err))) {
			fprintf(stderr, "exitlab compare: %s: %s\n", json_path, text ? err : "out of memory");
			free(text);
			code = EXIT_USAGE;
			goto out;
		}
		free(text);
	}
	if (count[CMP_REGRESSED])
		code = EXIT_FAILED;
out:
	cmp_rows_free(rows, n);
	cmp_side_free(&b);
	cmp_side_free(&c);
	return code;
}
