// SPDX-License-Identifier: MIT
/*
 * exitlab lab list|show|check|calibrate: the course labs (labs/README.md);
 * here, the options and files.  Specs, checking and calibration are in
 * analysis/lab_*.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lab_calibrate.h"
#include "analysis/lab_check.h"
#include "analysis/lab_handout.h"
#include "analysis/lab_spec.h"
#include "cli/commands.h"
#include "util/atomic_file.h"

static void lab_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab lab list\n"
		"       exitlab lab show N\n"
		"       exitlab lab check N [DIR]\n"
		"       exitlab lab calibrate N DIR [--out FILE]\n"
		"\n"
		"  list       the labs: number, minutes its commands take on a real host, title\n"
		"  show       lab N's handout (its path) and the commands of its steps\n"
		"  check      the hand-in in DIR (default lab-N, in the current directory)\n"
		"             against lab N's spec: one line per item (ok, or FAIL with the\n"
		"             file, the test and what was expected) and a summary\n"
		"  calibrate  for instructors: lab N's spec with ranges for the backend of the\n"
		"             reference hand-in DIR, written around its figures (counts within\n"
		"             0.25 + 10 %%, other figures within a factor of 4), to FILE or stdout\n"
		"\n"
		"Labs are read from labs/ beside the binary's folder (build/exitlab: the\n"
		"repository's labs/), share/exitlab/labs of an installation, or ./labs;\n"
		"EXITLAB_LABS=DIR overrides.  Exit code 0: the hand-in passes (check) or\n"
		"done; 1 an item fails; 2 bad usage: no such lab, a spec that does not\n"
		"load, a hand-in directory that cannot be read.\n");
}

/* N as a lab number, or -1. */
static int lab_number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return *s && !*end && n >= 1 && n <= LAB_MAX ? (int)n : -1;
}

/* Load lab N's spec (argument arg) into s; prints the problem and returns an exit code on failure. */
static int load(const char *arg, struct lab_spec *s)
{
	char dir[PATH_MAX], path[PATH_MAX], err[1024];
	int n = lab_number(arg);

	if (n < 0) {
		fprintf(stderr, "exitlab lab: '%s' is not a lab number (exitlab lab list)\n", arg);
		return EXIT_USAGE;
	}
	if (lab_dir(dir, sizeof(dir), err, sizeof(err)) || lab_spec_path(dir, n, path, sizeof(path), err, sizeof(err)) ||
	    lab_spec_load(path, s, err, sizeof(err))) {
		fprintf(stderr, "exitlab lab: %s\n", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Options common to the subcommands: --help, and --out for calibrate. Returns -1 to go on. */
static int parse(int argc, char **argv, const char **out, int min, int max)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o' && out) {
			*out = optarg;
		} else if (c == 'h') {
			lab_usage(stdout);
			return EXIT_OK;
		} else {
			if (c == 'o')
				fprintf(stderr, "exitlab lab %s: --out is calibrate's\n", argv[0]);
			lab_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < min || argc - optind > max) {
		lab_usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

static int cmd_lab_list(int argc, char **argv)
{
	char dir[PATH_MAX], err[1024];
	int rc = parse(argc, argv, NULL, 0, 0), bad;

	if (rc >= 0)
		return rc;
	if (lab_dir(dir, sizeof(dir), err, sizeof(err))) {
		fprintf(stderr, "exitlab lab: %s\n", err);
		return EXIT_USAGE;
	}
	bad = lab_list(stdout, stderr, dir, err, sizeof(err));
	if (bad < 0)
		fprintf(stderr, "exitlab lab: %s\n", err);
	return bad ? EXIT_USAGE : EXIT_OK;
}

static int cmd_lab_show(int argc, char **argv)
{
	struct lab_spec s;
	char err[1024];
	int rc = parse(argc, argv, NULL, 1, 1);

	if (rc >= 0 || (rc = load(argv[optind], &s)))
		return rc;
	printf("lab %d: %s (about %d minutes)\n", s.lab, s.title, s.minutes);
	if (lab_show(stdout, s.path, s.handout, err, sizeof(err))) {
		fprintf(stderr, "exitlab lab: %s\n", err);
		rc = EXIT_USAGE;
	}
	lab_spec_free(&s);
	return rc;
}

static int cmd_lab_check(int argc, char **argv)
{
	char dir[PATH_MAX], err[1024];
	struct lab_spec s;
	int rc = parse(argc, argv, NULL, 1, 2), failed;

	if (rc >= 0 || (rc = load(argv[optind], &s)))
		return rc;
	if (optind + 1 < argc)
		snprintf(dir, sizeof(dir), "%s", argv[optind + 1]);
	else
		snprintf(dir, sizeof(dir), "lab-%d", s.lab);
	failed = lab_check(&s, dir, stdout, err, sizeof(err));
	lab_spec_free(&s);
	if (failed < 0) {
		fprintf(stderr, "exitlab lab check: %s\n", err);
		return EXIT_USAGE;
	}
	return failed ? EXIT_FAILED : EXIT_OK;
}

static int cmd_lab_calibrate(int argc, char **argv)
{
	const char *out = NULL;
	struct atomic_file af;
	struct lab_spec s;
	char err[1024];
	char *text;
	int rc = parse(argc, argv, &out, 2, 2);

	if (rc >= 0 || (rc = load(argv[optind], &s)))
		return rc;
	if (lab_calibrate(&s, argv[optind + 1], stderr, err, sizeof(err))) {
		fprintf(stderr, "exitlab lab calibrate: %s\n", err);
		lab_spec_free(&s);
		return EXIT_USAGE;
	}
	text = json_dumps(s.root, JSON_INDENT(2));
	lab_spec_free(&s);
	if (!text) {
		fprintf(stderr, "exitlab lab calibrate: out of memory\n");
		return EXIT_FAILED;
	}
	if (!out) {
		printf("%s\n", text);
	} else if (atomic_file_open(&af, out, err, sizeof(err))) {
		fprintf(stderr, "exitlab lab calibrate: %s: %s\n", out, err);
		rc = EXIT_FAILED;
	} else {
		fprintf(af.f, "%s\n", text);
		if (atomic_file_commit(&af, err, sizeof(err))) {
			fprintf(stderr, "exitlab lab calibrate: %s: %s\n", out, err);
			rc = EXIT_FAILED;
		}
	}
	free(text);
	return rc;
}

int cmd_lab(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{ "list", cmd_lab_list }, { "show", cmd_lab_show },
		{ "check", cmd_lab_check }, { "calibrate", cmd_lab_calibrate },
	};

	if (argc < 2) {
		lab_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		lab_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "exitlab lab: unknown subcommand '%s'\n", argv[1]);
	lab_usage(stderr);
	return EXIT_USAGE;
}
