// SPDX-License-Identifier: MIT
/* exitlab report: the options, then analysis/report.c writes the report. */
#include <getopt.h>
#include <stdio.h>

#include "cli/commands.h"
#include "analysis/report.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab report PATH [-o OUT.html] [--markdown OUT.md]\n"
		"\n"
		"One self-contained HTML page of a campaign run directory, a results store\n"
		"or a results file: the host context, each entry's tables and the charts of\n"
		"`exitlab plot` embedded as data: URIs (no external resources).\n"
		"It opens with a summary (hosts and kernels, what ran, entries and tests by\n"
		"status, the claims verdicts of a claims run, and the regressions of each\n"
		"campaign's newest run against its earlier ones as exitlab compare judges\n"
		"them) and contents linking to every section; statuses and verdicts are\n"
		"coloured and keep their words.\n"
		"Per run, the charts `exitlab plot RUNDIR` draws: each entry's (exit cost bars with p1..p99\n"
		"whiskers, mem-walk time per access vs working set, tlb, net exits per frame vs\n"
		"batch, blk), the CDF of the samples of entries run with --raw, and net-all /\n"
		"blk-all when a run has two net or blk entries or more.  When PATH holds several\n"
		"runs of a campaign, the regression timeline of `exitlab plot DIR` comes first.\n"
		"--markdown also writes the same as Markdown, with the charts as PNG files\n"
		"next to OUT.md (OUT-NNN.png, linked relatively).\n"
		"OUT.html defaults to PATH/report.html for a directory, PATH with .html for a file.\n"
		"Both outputs appear whole when the report is done, or not at all; missing parent\n"
		"directories are created.  An output that is one of the inputs (PATH, a manifest,\n"
		"a results file) is bad usage: nothing is written.\n"
		"Unreadable manifests and results files are named on stderr and skipped\n"
		"(exit code 1); 2 is bad usage.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "markdown", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *html_path = NULL, *md_path = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:m:h", opts, NULL)) != -1) {
		if (c == 'o') {
			html_path = optarg;
		} else if (c == 'm') {
			md_path = optarg;
		} else if (c == 'h') {
			report_usage(stdout);
			return EXIT_OK;
		} else {
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	return report_write(argv[optind], html_path, md_path);
}
