/* SPDX-License-Identifier: MIT */
/*
 * exitlab campaign: its options.  The campaign file, the results directory
 * and its manifest are campaign/campaign_job.c; running the entries, one
 * child `exitlab run` each, is campaign/campaign_runner.c and
 * campaign/campaign_entry.c (docs/campaigns.md).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "campaign/campaign_job.h"
#include "campaign/campaign_runner.h"
#include "cli/commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab campaign FILE [--out DIR] [--dry-run] [--jobs 1]\n"
		"       exitlab campaign [FILE] --resume DIR [--force]\n"
		"Run every entry of a campaign file (docs/campaigns.md) as `exitlab run`, keeping\n"
		"each entry's results in DIR/entries/ and the state of all in DIR/manifest.json.\n"
		"  --out DIR      the results directory (default results/<campaign>/<UTC time>-<host>/)\n"
		"  --resume DIR   continue an interrupted (or killed) campaign: run its pending\n"
		"                 entries only; a campaign still running in DIR is waited for\n"
		"  --force        resume even though the campaign file changed since (what runs is\n"
		"                 always what the file says now, never the manifest's record)\n"
		"  --dry-run      print the expanded matrix and stop\n"
		"  --jobs 1       entries run one at a time (parallel runs would disturb each other)\n"
		"exit codes: 0 every entry done or skipped, 1 an entry failed or timed out or the\n"
		"            manifest could not be written, 2 bad usage or campaign file,\n"
		"            130 interrupted (resume with --resume)\n");
}

static void print_dry_run(const struct campaign *c, const struct campaign_run *runs, size_t n)
{
	double worst = 0;

	printf("campaign %s: %zu runs\n", c->name, n);
	for (size_t i = 0; i < n; i++) {
		printf("%03zu %-48s exitlab run %s", i, runs[i].name, runs[i].payload);
		for (size_t k = 0; k < runs[i].nargs; k++)
			printf(" %s", runs[i].args[k]);
		if (runs[i].service)
			printf("    (with service: %s)", runs[i].service);
		printf("\n");
		worst += runs[i].timeout_s;
	}
	printf("at most %.0f s by the entries' timeouts\n", worst);
}

int cmd_campaign(int argc, char **argv)
{
	enum { O_OUT = 256, O_RESUME, O_DRY, O_JOBS, O_FORCE };
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, O_OUT },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "force", no_argument, NULL, O_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *out = NULL, *resume = NULL, *file = NULL;
	int dry = 0, force = 0, opt, code;
	struct campaign_job j;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_OUT: out = optarg; break;
		case O_RESUME: resume = optarg; break;
		case O_DRY: dry = 1; break;
		case O_FORCE: force = 1; break;
		case O_JOBS:
			if (strcmp(optarg, "1")) {
				fprintf(stderr, "exitlab campaign: only --jobs 1: entries running "
					"side by side "
					"would disturb each other's measurements\n");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc || (!file && !resume) || (resume && (out || dry))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((resume && strlen(resume) > PATH_MAX / 2) || (out && strlen(out) > PATH_MAX / 2)) {
		fprintf(stderr, "exitlab campaign: the results directory's path is too long\n");
		return EXIT_USAGE;
	}
	campaign_job_init(&j);
	j.file = file;
	code = resume ? campaign_job_open_resume(&j, resume, file) : EXIT_OK;
	if (code == EXIT_OK)
		code = campaign_job_load(&j);
	if (code == EXIT_OK && dry) {
		print_dry_run(&j.c, j.runs, j.nruns);
		goto out;
	}
	if (code == EXIT_OK)
		code = resume ? campaign_job_resume(&j, force) : campaign_job_create(&j, out);
	if (code == EXIT_OK)
		code = campaign_run_pending(&j);
out:
	campaign_job_free(&j);
	return code;
}
