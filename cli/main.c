/* SPDX-License-Identifier: MIT */
/* exitlab: one binary, one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/revision.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "info", cmd_info, "describe the host as exitlab sees it (CPU, kernel, KVM backend, TSC, devices)" },
	{ "list", cmd_list_payloads, "the payloads, their tests (rings, expected exits) and --param keys" },
	{ "run", cmd_run, "boot a guest payload in a VM of our own and measure" },
	{ "observe", cmd_observe, "watch any running KVM process: exits per reason, port, MMIO address; KVM stats" },
	{ "plot", cmd_plot, "draw a results file as a PNG chart with gnuplot" },
	{ "compare", cmd_compare, "compare two runs or campaigns per test: change, confidence, verdict" },
	{ "results", cmd_results, "browse the results store: list, show, csv" },
	{ "report", cmd_report, "one self-contained HTML (and Markdown) report of a run or store" },
	{ "campaign", cmd_campaign, "run a campaign file's matrix of runs into a results directory (resumable)" },
	{ "fleet", cmd_fleet, "run a campaign on every host of an Ansible inventory into one fleet run (resumable)" },
	{ "claims", cmd_claims, "the classic virtualization claims beside what this host measured, with verdicts" },
	{ "lab", cmd_lab, "the course labs: list, show a handout's steps, check a hand-in, calibrate a spec" },
	{ "ratios", cmd_ratios, "VMMs measured in interleaved rounds: per test, each one's ratio to a reference with an interval" },
	{ "new-payload", cmd_new_payload, "start a guest payload of your own outside this tree (the installed payload kit)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: exitlab COMMAND [ARGS]   (exitlab COMMAND --help for each)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nexit codes: 0 success, 1 a test failed or the guest faulted,\n"
		   "            2 bad usage or input, 3 the host lacks something required\n"
		   "revision: %s\n", exitlab_revision);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("exitlab %s\n", exitlab_revision);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "exitlab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
