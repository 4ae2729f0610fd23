// SPDX-License-Identifier: MIT
/* exitlab info: the host as exitlab sees it, for people (default) or tools (--json). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/commands.h"
#include "instruments/hostinfo.h"
#include "util/json_out.h"

static void info_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab info [--json]\n"
		"\n"
		"Describe this host as exitlab sees it: CPU and microcode, kernel, KVM\n"
		"backend and its module parameters, TSC frequency, hardware perf counters,\n"
		"and the device nodes the device benchmarks need.  Fields that cannot be\n"
		"read say why.  Field reference: docs/host-info.md.\n"
		"\n"
		"  --json   print the JSON object stored with every result (2-space indent)\n"
		"  --help   this text\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool as_json = false;
	json_t *info;
	int c, rc;

	optind = 0; /* glibc: full re-initialisation, another command may have parsed */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			info_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "exitlab info: unknown option '%s'\n", argv[optind - 1]);
			info_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "exitlab info: unexpected argument '%s'\n", argv[optind]);
		info_usage(stderr);
		return EXIT_USAGE;
	}

	info = hostinfo_collect();
	if (!info) {
		fprintf(stderr, "exitlab info: out of memory\n");
		return EXIT_FAILED;
	}
	if (as_json) {
		rc = json_dumpf(info, stdout, JSON_INDENT(2) | EXITLAB_JSON_REALS) ? EXIT_FAILED : EXIT_OK;
		fputc('\n', stdout);
	} else {
		hostinfo_print(stdout, info);
		rc = EXIT_OK;
	}
	json_decref(info);
	if (fflush(stdout)) {
		perror("exitlab info: stdout");
		rc = EXIT_FAILED;
	}
	return rc;
}
