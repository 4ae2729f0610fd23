// SPDX-License-Identifier: MIT
/*
 * exitlab results list|show|csv: browse the results store (results_store.h)
 * and export it (analysis/results_browse.h); here, the options and files.  Every manifest or results file that cannot be read is named
 * on stderr with the reason and skipped; the exit code then is 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/results_browse.h"
#include "analysis/results_store.h"
#include "cli/commands.h"
#include "util/atomic_file.h"

static void results_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab results list [PATH...]\n"
		"       exitlab results show PATH [--test NAME]\n"
		"       exitlab results csv PATH [-o FILE]\n"
		"\n"
		"  list  every campaign run (a directory with manifest.json) and every loose\n"
		"        results file under each PATH (default ./results, if there is one; runs\n"
		"        made with campaign --out or run --json elsewhere: name them or a\n"
		"        directory above them): campaign, timestamp, host, entries done\n"
		"        (results file readable)/total, status\n"
		"  show  a run directory or a results file: its context (host, backend,\n"
		"        revision) and each entry's tables; --test NAME keeps only that test\n"
		"        (a name no result holds is bad usage, with the closest one)\n"
		"  csv   one row per test per entry, with a header row (RFC 4180), to FILE or\n"
		"        stdout (a FILE that is one of the inputs is bad usage)\n"
		"\n"
		"A corrupt or partial manifest or results file is named on stderr with the\n"
		"reason and skipped.  Exit code 0, 1 if anything was skipped, 2 bad usage.\n");
}

static void problem(void *ctx, const char *path, const char *reason)
{
	fprintf(stderr, "exitlab results: skipped %s: %s\n", path, reason);
	(void)ctx;
}

static int walk(const char *root, struct store_list *l, int *skipped)
{
	char err[256];
	int n = store_walk(root, l, problem, NULL, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "exitlab results: %s\n", err);
		return -1;
	}
	*skipped += n;
	return 0;
}

/* One line per run under root (a store, a run directory or a results file). */
static void list_root(const char *root, int *skipped, size_t *nruns)
{
	struct store_list l;

	if (walk(root, &l, skipped)) {
		(*skipped)++;
		return;
	}
	*skipped += results_list_runs(stdout, &l, problem, NULL);
	*nruns += l.nruns;
	store_list_free(&l);
}

/*
 * exitlab results list [PATH...]: runs made anywhere (campaign --out DIR,
 * run --json FILE) are listed by naming them or a directory above them;
 * without PATH, ./results, and no ./results is an empty store, not an error.
 */
static int cmd_list(int argc, char **argv)
{
	struct stat st;
	size_t nruns = 0;
	int skipped = 0;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st)) {
			fprintf(stderr, "exitlab results: %s: %s\n", argv[i], strerror(errno));
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			fprintf(stderr, "exitlab results: %s: not a regular file or a directory\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	results_list_header(stdout);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			list_root(argv[i], &skipped, &nruns);
		if (!nruns)
			printf("(no campaign runs or results files under %s%s)\n", argv[1], argc > 2 ? ", ..." : "");
	} else if (stat("results", &st)) {
		printf("(no results/ store in this directory: name where your runs are, e.g. "
		       "exitlab results list DIR|FILE...)\n");
	} else {
		list_root("results", &skipped, &nruns);
		if (!nruns)
			printf("(no campaign runs or results files under results)\n");
	}
	return skipped ? EXIT_FAILED : EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "test", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *test = NULL;
	struct store_list l;
	char msg[512];
	int c, skipped = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		if (c == 't') {
			test = optarg;
		} else if (c == 'h') {
			results_usage(stdout);
			return EXIT_OK;
		} else {
			results_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		results_usage(stderr);
		return EXIT_USAGE;
	}
	if (walk(argv[optind], &l, &skipped))
		return EXIT_USAGE;
	if (test && results_check_test(&l, test, msg, sizeof(msg))) {
		fprintf(stderr, "exitlab results show: %s\n", msg);
		store_list_free(&l);
		return EXIT_USAGE;
	}
	skipped += results_show(stdout, &l, test, problem, NULL);
	store_list_free(&l);
	return skipped ? EXIT_FAILED : EXIT_OK;
}

static int cmd_csv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	struct store_list l;
	struct atomic_file af;
	char err[1024];
	FILE *f = stdout;
	int c, skipped = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'h') {
			results_usage(stdout);
			return EXIT_OK;
		} else {
			results_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		results_usage(stderr);
		return EXIT_USAGE;
	}
	if (walk(argv[optind], &l, &skipped))
		return EXIT_USAGE;
	/* opening it would truncate an input before its rows are read */
	if (out && store_names_input(&l, argv[optind], out)) {
		fprintf(stderr, "exitlab results csv: %s is one of the inputs: refusing to overwrite it\n", out);
		store_list_free(&l);
		return EXIT_USAGE;
	}
	/* FILE appears whole or not at all: a failed write keeps what was there */
	if (out && atomic_file_open(&af, out, err, sizeof(err))) {
		fprintf(stderr, "exitlab results csv: %s: %s\n", out, err);
		store_list_free(&l);
		return EXIT_FAILED;
	}
	if (out)
		f = af.f;
	skipped += results_csv_write(f, &l, problem, NULL);
	store_list_free(&l);
	if (out && atomic_file_commit(&af, err, sizeof(err))) {
		fprintf(stderr, "exitlab results csv: writing %s: %s\n", out, err);
		return EXIT_FAILED;
	}
	return skipped ? EXIT_FAILED : EXIT_OK;
}

int cmd_results(int argc, char **argv)
{
	if (argc < 2) {
		results_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		results_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "csv"))
		return cmd_csv(argc - 1, argv + 1);
	fprintf(stderr, "exitlab results: unknown subcommand '%s'\n", argv[1]);
	results_usage(stderr);
	return EXIT_USAGE;
}
