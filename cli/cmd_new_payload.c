// SPDX-License-Identifier: MIT
/* exitlab new-payload: a payload of one's own outside exitlab's tree (run/payload_kit.c). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli/commands.h"
#include "run/payload_kit.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab new-payload NAME [--dir DIR] [--prefix PREFIX]\n"
		"\n"
		"Start a guest payload of your own, built outside exitlab's tree with the\n"
		"payload kit that `make install` installs. Writes into DIR (default ./NAME,\n"
		"which must be new or empty):\n"
		"  Makefile    includes PREFIX/share/exitlab/payload.mk (else pkg-config's\n"
		"              exitlab-guest); `make` builds NAME.elf\n"
		"  main.c      a test table after exit-costs' (guest-payloads/lib/measure.h) with\n"
		"              one example test, cpuid (1 KVM exit per operation), and where to add yours\n"
		"  README.md   how to build and run it\n"
		"Then: make -C DIR; exitlab list DIR/NAME.elf; exitlab run DIR/NAME.elf --quick.\n"
		"\n"
		"options:\n"
		"  --dir DIR        where to write (default ./NAME)\n"
		"  --prefix PREFIX  the install whose kit the Makefile uses (default: this exitlab's\n"
		"                   own, PREFIX/bin/exitlab; /usr/local if it is not installed)\n"
		"  -h, --help       this text\n"
		"\n"
		"NAME: 1 to %d of [a-z0-9_-].\n"
		"exit codes: 0 written, 1 a file could not be written, 2 bad usage, a bad NAME or\n"
		"            PREFIX, or a DIR that exists and is not empty\n",
		PAYLOAD_KIT_NAME_MAX);
}

int cmd_new_payload(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct payload_kit_opts o = { 0 };
	char dir[PATH_MAX], err[PATH_MAX + 256], note[PATH_MAX + 256];
	enum outcome rc;
	int c;

	optind = 0; /* glibc: full re-initialisation, another command may have parsed */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dir = optarg;
			break;
		case 'p':
			o.prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "exitlab new-payload: expected exactly one NAME\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	o.name = argv[optind];
	rc = payload_kit_new(&o, dir, sizeof(dir), err, sizeof(err), note, sizeof(note));
	if (rc != OUTCOME_OK) {
		fprintf(stderr, "exitlab new-payload: %s\n", err);
		return outcome_exit_code(rc);
	}
	if (note[0])
		fprintf(stderr, "exitlab new-payload: note: %s\n", note);
	printf("wrote %s/Makefile, main.c, README.md\n"
	       "next: make -C %s && exitlab list %s/%s.elf && exitlab run %s/%s.elf --quick\n",
	       dir, dir, dir, o.name, dir, o.name);
	return EXIT_OK;
}
