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
#include "analysis/compare_json.h"
#include "analysis/compare_print.h"
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
		return outcome_exit_code(cmp_fleet_report(stdout, argv[optind], argv[optind + 1], &o, json_path));
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
		cmp_print_counts(stdout, &b, &c, &o, rows, n, count);
	else
		cmp_print_table(stdout, &b, &c, &o, rows, n, count);
	if (json_path) {
		json_t *doc = cmp_rows_json(&b, &c, &o, rows, n, count);
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
