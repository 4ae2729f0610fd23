// SPDX-License-Identifier: MIT
/*
 * exitlab claims [PATH] [--json] [--markdown]: the claims table (claims.h,
 * docs/claims.md) of one run of the claims campaign, by default the newest
 * under results/claims/.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/claims.h"
#include "cli/commands.h"
#include "util/json_out.h"
#include "analysis/report_escape.h"
#include "analysis/results_store.h"

static void claims_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab claims [PATH] [--testbed DIR] [--json] [--markdown]\n"
		"The classic virtualization story's quantitative claims, each beside what a run\n"
		"of the claims campaign measured on this host, with a verdict: holds, differs,\n"
		"not measurable here (the host lacks what the claim needs: why is given), or not\n"
		"measured (the run has no figure: why is given).  docs/claims.md lists each\n"
		"claim, the entry that measures it and the window in which it holds.\n"
		"  PATH        a run directory of the claims campaign, or a directory holding\n"
		"              such runs (the newest is used); default results/claims\n"
		"  --testbed DIR  counts from the nested testbed's results (scripts/testbed/run.sh\n"
		"              --out DIR) for the count claims: passthrough's exits per packet,\n"
		"              the e1000's with Linux's driver, the exits EPT/NPT saves a Linux\n"
		"              boot; a file not in DIR is taken from the newest folder below it\n"
		"              (so DIR may be build/testbed); timings there are never used\n"
		"  --json      the rows as JSON on stdout\n"
		"  --markdown  the table as Markdown on stdout\n"
		"Make a run first: exitlab campaign scripts/campaigns/claims.yaml\n"
		"exit codes: 0 the table, 1 a results file was unreadable (named, left out),\n"
		"            2 bad usage or no claims run under PATH\n");
}

static int problems;

static void problem(void *ctx, const char *path, const char *reason)
{
	(void)ctx;
	fprintf(stderr, "exitlab claims: skipped %s: %s\n", path, reason);
	problems++;
}

/* The newest run of campaign claims under the walk (runs are sorted by path: timestamps sort). */
static const struct store_run *newest_claims(const struct store_list *l)
{
	const struct store_run *best = NULL;

	for (size_t i = 0; i < l->nruns; i++)
		if (!l->runs[i].loose && !strcmp(l->runs[i].campaign, "claims") &&
		    (!best || strcmp(l->runs[i].timestamp, best->timestamp) > 0))
			best = &l->runs[i];
	return best;
}

static void print_text(const struct store_run *run, const struct claim_row *rows, size_t n)
{
	printf("claims table: %s (host %s, %s, exitlab %s, %zu/%zu entries done)\n\n", run->path, run->host,
	       run->backend[0] ? run->backend : "backend unknown", run->revision[0] ? run->revision : "?",
	       store_run_done(run), run->nentries);
	printf("%-3s %-62s %-52s %s\n", "#", "claim", "this host", "verdict");
	for (size_t i = 0; i < n; i++) {
		printf("%-3zu %-62s %-52s %s\n", i + 1, rows[i].claim, rows[i].measured,
		       claim_verdict_name(rows[i].verdict));
		printf("    %s [entry %s]\n", rows[i].why, rows[i].entry);
		if (rows[i].setup[0])
			printf("    setup: %s\n", rows[i].setup);
		printf("    source: %s\n", rows[i].source ? rows[i].source : "-");
	}
}

/* The manifest's and the results' strings escaped (report_md_esc): Markdown passes raw HTML through. */
static void print_markdown(const struct store_run *run, const struct claim_row *rows, size_t n)
{
	printf("## Claims table\n\nRun ");
	report_md_esc(stdout, run->path);
	printf(" (host ");
	report_md_esc(stdout, run->host);
	printf(", ");
	report_md_esc(stdout, run->backend[0] ? run->backend : "backend unknown");
	printf(", exitlab ");
	report_md_esc(stdout, run->revision[0] ? run->revision : "?");
	printf(").\n\n| # | claim | this host | setup | verdict | why | source |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = { rows[i].claim, rows[i].measured, rows[i].setup[0] ? rows[i].setup : "-",
					claim_verdict_name(rows[i].verdict), rows[i].why };

		printf("| %zu |", i + 1);
		for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++) {
			printf(" ");
			report_md_esc(stdout, cells[c]);
			printf(c + 1 < sizeof(cells) / sizeof(cells[0]) ? " |" : "");
		}
		printf(" (entry ");
		report_md_esc(stdout, rows[i].entry);
		printf(") | ");
		report_md_esc(stdout, rows[i].source ? rows[i].source : "-");
		printf(" |\n");
	}
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int print_json(const struct store_run *run, const struct claim_row *rows, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	char *text;

	json_object_set_new(root, "run", json_string(run->path));
	json_object_set_new(root, "host", json_string(run->host));
	json_object_set_new(root, "backend", json_string(run->backend));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(rows[i].id));
		json_object_set_new(o, "claim", json_string(rows[i].claim));
		json_object_set_new(o, "entry", json_string(rows[i].entry));
		json_object_set_new(o, "source", rows[i].source ? json_string(rows[i].source) : json_null());
		json_object_set_new(o, "verdict", json_string(claim_verdict_name(rows[i].verdict)));
		json_object_set_new(o, "value", num_or_null(rows[i].value));
		json_object_set_new(o, "min", num_or_null(rows[i].lo));
		json_object_set_new(o, "max", num_or_null(rows[i].hi));
		json_object_set_new(o, "repetitions", json_integer(rows[i].n));
		json_object_set_new(o, "unit", json_string(rows[i].unit));
		json_object_set_new(o, "measured", json_string(rows[i].measured));
		json_object_set_new(o, "why", json_string(rows[i].why));
		json_object_set_new(o, "setup", rows[i].setup[0] ? json_string(rows[i].setup) : json_null());
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "claims", arr);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | EXITLAB_JSON_REALS);
	json_decref(root);
	if (!text)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int cmd_claims(int argc, char **argv)
{
	enum { O_JSON = 1, O_MD, O_TESTBED };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "markdown", no_argument, NULL, O_MD },
		{ "testbed", required_argument, NULL, O_TESTBED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct claim_row rows[CLAIMS_MAX];
	const struct store_run *run;
	struct store_list l = { 0 };
	const char *path = "results/claims", *testbed = NULL;
	int opt, json = 0, md = 0, rc = 0;
	char err[256];
	size_t n;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case O_JSON: json = 1; break;
		case O_MD: md = 1; break;
		case O_TESTBED: testbed = optarg; break;
		case 'h': claims_usage(stdout); return EXIT_OK;
		default: claims_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc || (json && md)) {
		claims_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		path = argv[optind];
	problems = 0;
	if (store_walk(path, &l, problem, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "exitlab claims: %s\n", err);
		fprintf(stderr, "make a run first: exitlab campaign scripts/campaigns/claims.yaml\n");
		return EXIT_USAGE;
	}
	run = newest_claims(&l);
	if (!run) {
		fprintf(stderr, "exitlab claims: no run of the claims campaign under %s\n"
			"make one first: exitlab campaign scripts/campaigns/claims.yaml\n", path);
		store_list_free(&l);
		return EXIT_USAGE;
	}
	n = claims_evaluate(run, rows, CLAIMS_MAX, problem, NULL);
	if (testbed && !claims_from_testbed(testbed, rows, n, problem, NULL) && !problems)
		fprintf(stderr, "exitlab claims: no testbed figures in %s (no ladder-vfio.json with a tx test, "
			"lguest-e1000.json with a udp test, or linux-boot.json with linux-npt0.json)\n", testbed);
	if (json)
		rc = print_json(run, rows, n);
	else if (md)
		print_markdown(run, rows, n);
	else
		print_text(run, rows, n);
	store_list_free(&l);
	if (rc) {
		fprintf(stderr, "exitlab claims: out of memory\n");
		return EXIT_FAILURE;
	}
	return problems ? EXIT_FAILURE : EXIT_OK;
}
