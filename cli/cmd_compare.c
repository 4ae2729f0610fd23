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
#include "analysis/compare_fleet.h"
#include "analysis/fleet_manifest.h"
#include "util/json_out.h"

#define CMP_SEED 0x657869746c6162ULL      /* "exitlab": the same verdict every run */
#define CMP_RESAMPLES 2000

static void usage(FILE *f)
{
	fprintf(f, "usage: exitlab compare BASELINE CURRENT [--threshold PCT] [--confidence C] [--level L]\n"
		   "                      [--json FILE]\n"
		   "  BASELINE, CURRENT   a results file (exitlab run --json), a campaign run directory\n"
		   "                      (manifest.json + entries/), or a name: results/baselines/NAME.json\n"
		   "                      or results/baselines/NAME/\n"
		   "  --threshold PCT     smallest change of the median that counts (default 5)\n"
		   "  --confidence C      confidence of the tests and intervals, 0.5..0.9999 (default 0.99)\n"
		   "  --level L           what the statistics resample: runs (each pooled run's median:\n"
		   "                      the run-to-run spread), samples (the pooled samples: within-run\n"
		   "                      spread only), or auto (default: runs when both sides have %d)\n"
		   "  --json FILE         write the comparison as JSON (docs/compare.md); not over an input\n"
		   "Two fleet run directories (fleet.json, docs/fleet.md) are compared host by host\n"
		   "(by inventory name); hosts whose CPU model or KVM backend differ are not paired.\n"
		   "exit codes: 0 no test regressed, 1 some test regressed (on any host of a fleet),\n"
		   "            2 bad usage or unreadable input\n",
		CMP_MIN_RUNS);
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

static json_t *rows_json(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
			 const struct cmp_row *rows, size_t n, const size_t count[4])
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
			const struct cmp_row *rows, size_t n, const size_t count[4])
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
			if (p->nrows)
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cmp_opts o = { .threshold = 0.05, .confidence = 0.99, .resamples = CMP_RESAMPLES, .seed = CMP_SEED };
	struct cmp_side b = { 0 }, c = { 0 };
	struct cmp_row *rows = NULL;
	size_t n = 0, count[4] = { 0 };
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
	free(rows);
	cmp_side_free(&b);
	cmp_side_free(&c);
	return code;
}
