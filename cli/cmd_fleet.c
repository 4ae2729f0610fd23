/* SPDX-License-Identifier: MIT */
/*
 * exitlab fleet: its options.  The run directory, the play and the hosts'
 * states are campaign/fleet_job.c; the playbook is scripts/fleet/fleet.yml
 * (docs/fleet.md).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/fleet_job.h"
#include "cli/commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab fleet FILE --inventory INV [--out DIR] [--forks N] [-e K=V]...\n"
		"       exitlab fleet [FILE] --resume DIR --inventory INV [--forks N] [-e K=V]...\n"
		"Run a campaign file (docs/campaigns.md) on every host of an Ansible inventory through\n"
		"scripts/fleet/fleet.yml: each host builds this tree's git revision, runs the campaign\n"
		"and sends its results back into DIR/HOST/campaign/; DIR/fleet.json names every host\n"
		"with its state: done, skipped (every entry skipped: the host lacks something, e.g.\n"
		"KVM), failed or unreachable, with the reason (docs/fleet.md).\n"
		"  --inventory INV  the Ansible inventory (a file, a directory or \"h1,h2,\"); per-host\n"
		"                   variables such as exitlab_defaults are docs/fleet.md's\n"
		"  --out DIR        the fleet run directory (default results/fleet/<campaign>/<UTC time>/)\n"
		"  --resume DIR     run again the hosts of DIR not done or skipped (their campaigns\n"
		"                   continue with exitlab campaign --resume); FILE, if given, must be\n"
		"                   the run's campaign file\n"
		"  --forks N        hosts at once (ansible-playbook --forks; default Ansible's, 5)\n"
		"  -e K=V           passed to ansible-playbook (-e, repeatable; kept for a resume)\n"
		"exit codes: 0 every host done or skipped, 1 a host failed or is unreachable,\n"
		"            2 bad usage, campaign file, inventory or fleet manifest,\n"
		"            3 this host lacks ansible-playbook, git or the source tree,\n"
		"            130 interrupted (resume with --resume)\n");
}

int cmd_fleet(int argc, char **argv)
{
	enum { O_INV = 256, O_OUT, O_RESUME, O_FORKS };
	static const struct option longopts[] = {
		{ "inventory", required_argument, NULL, O_INV },
		{ "out", required_argument, NULL, O_OUT },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "forks", required_argument, NULL, O_FORKS },
		{ "extra-vars", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct fleet_opts o = { 0 };
	int opt, code;

	o.extra = calloc((size_t)argc + 1, sizeof(char *));
	if (!o.extra)
		return EXIT_FAILED;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "he:i:", longopts, NULL)) != -1) {
		switch (opt) {
		case O_INV: case 'i': o.inventory = optarg; break;
		case O_OUT: o.out = optarg; break;
		case O_RESUME: o.resume = optarg; break;
		case O_FORKS: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || end == optarg || n < 1 || n > 1000) {
				fprintf(stderr, "exitlab fleet: --forks must be 1..1000, not '%s'\n", optarg);
				free(o.extra);
				return EXIT_USAGE;
			}
			o.forks = (int)n;
			break;
		}
		case 'e': o.extra[o.nextra++] = optarg; break;
		case 'h': usage(stdout); free(o.extra); return EXIT_OK;
		default: usage(stderr); free(o.extra); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		o.file = argv[optind++];
	if (optind < argc || !o.inventory || (!o.file && !o.resume) || (o.resume && o.out)) {
		usage(stderr);
		free(o.extra);
		return EXIT_USAGE;
	}
	if ((o.resume && strlen(o.resume) > PATH_MAX / 2) || (o.out && strlen(o.out) > PATH_MAX / 2)) {
		fprintf(stderr, "exitlab fleet: the fleet run directory's path is too long\n");
		free(o.extra);
		return EXIT_USAGE;
	}
	code = fleet_run(&o);
	free(o.extra);
	return code;
}
