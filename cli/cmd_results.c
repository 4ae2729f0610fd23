// SPDX-License-Identifier: MIT
/*
 * exitlab results list|show|csv: browse the results store (results_store.h)
 * and export it.  Every manifest or results file that cannot be read is named
 * on stderr with the reason and skipped; the exit code then is 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/atomic_file.h"
#include "cli/commands.h"
#include "analysis/report_devices.h"
#include "analysis/report_memory.h"
#include "analysis/report_table.h"
#include "analysis/results_csv.h"
#include "analysis/results_store.h"
#include "util/suggest.h"

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
	for (size_t i = 0; i < l.nruns; i++) {
		const struct store_run *r = &l.runs[i];
		char cnt[48];
		size_t done = 0;

		/* Done means a results file that reads back: check each, name the ones that do not. */
		for (size_t j = 0; j < r->nentries; j++) {
			struct run_result res;
			char err[256];
			int rc = store_load_entry(&r->entries[j], &res, err, sizeof(err));

			if (rc < 0) {
				problem(NULL, r->entries[j].results, err);
				(*skipped)++;
			} else if (rc > 0) {
				done++;
				results_free(&res);
			}
		}
		snprintf(cnt, sizeof(cnt), "%zu/%zu", done, r->nentries);
		printf("%-16s %-22s %-16s %9s  %-10s %s\n", r->campaign, r->timestamp[0] ? r->timestamp : "-",
		       r->host[0] ? r->host : "-", cnt, r->loose ? "file" : store_run_status(r), r->path);
	}
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
	printf("%-16s %-22s %-16s %9s  %-10s %s\n", "campaign", "timestamp", "host", "done/total", "status",
	       "path");
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

/* r with only the tests named `test` (a shallow view: do not free). */
static struct run_result filtered(const struct run_result *r, const char *test, struct test_result *buf)
{
	struct run_result v = *r;

	if (!test)
		return v;
	v.ntests = 0;
	v.tests = buf;
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, test))
			buf[v.ntests++] = r->tests[i];
	return v;
}

/*
 * --test NAME must name a test in the results: a typo is bad usage with the
 * closest name, not an empty listing.  0 if it is there (or nothing could be
 * read: the listing names the unreadable files), else -1 with the error printed.
 */
static int check_test_name(const struct store_list *l, const char *test)
{
	const char **names = NULL;
	size_t n = 0, loaded = 0;
	bool found = false;

	for (size_t i = 0; i < l->nruns && !found; i++)
		for (size_t j = 0; j < l->runs[i].nentries && !found; j++) {
			struct run_result res;
			char err[256];

			if (store_load_entry(&l->runs[i].entries[j], &res, err, sizeof(err)) != 1)
				continue;
			loaded++;
			for (size_t k = 0; k < res.ntests && !found; k++) {
				const char **v;
				bool seen = false;

				found = !strcmp(res.tests[k].name, test);
				for (size_t m = 0; m < n && !seen; m++)
					seen = !strcmp(names[m], res.tests[k].name);
				if (seen || found || !(v = realloc(names, (n + 1) * sizeof(*v))))
					continue;
				names = v;
				names[n] = strdup(res.tests[k].name);
				if (names[n])
					n++;
			}
			results_free(&res);
		}
	if (!found && loaded) {
		const char *s = suggest_closest(test, names, n);

		fprintf(stderr, "exitlab results show: no test '%s' in these results%s%s%s\n", test,
			s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	}
	for (size_t m = 0; m < n; m++)
		free((void *)names[m]);
	free(names);
	return found || !loaded ? 0 : -1;
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
	if (test && check_test_name(&l, test)) {
		store_list_free(&l);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < l.nruns; i++) {
		const struct store_run *run = &l.runs[i];

		if (i)
			printf("\n");
		if (run->loose)
			printf("results file %s\n", run->path);
		else
			printf("campaign %s, run %s (%zu/%zu entries done, %s)\n", run->campaign, run->path,
			       store_run_done(run), run->nentries, store_run_status(run));
		for (size_t j = 0; j < run->nentries; j++) {
			const struct store_entry *e = &run->entries[j];
			struct run_result res, view;
			struct test_result *buf;
			char err[256], host[128], backend[64], rev[64];
			int rc = store_load_entry(e, &res, err, sizeof(err));

			if (rc < 0) {
				problem(NULL, e->results, err);
				skipped++;
				continue;
			}
			if (!run->loose)
				printf("\n== %s (%s): %s%s%s\n", e->name, e->payload, e->status,
				       e->reason[0] ? ": " : "", e->reason);
			if (!rc)
				continue;
			store_context(&res, host, sizeof(host), backend, sizeof(backend), rev, sizeof(rev));
			printf("host %s, backend %s, revision %s, payload %s, started %s, %.1f s\n\n",
			       host[0] ? host : "?", backend[0] ? backend : "?", rev[0] ? rev : "?", res.payload,
			       res.started_at, res.duration_s);
			buf = calloc(res.ntests + 1, sizeof(*buf));
			if (!buf) {
				results_free(&res);
				break;
			}
			view = filtered(&res, test, buf);
			if (view.ntests) {
				report_table_print(stdout, &view, backend[0] ? backend : "?");
				report_memory_print(stdout, &view);
				report_devices_print(stdout, &view);
			} else {
				printf("(no test %s)\n", test ? test : "");
			}
			free(buf);
			results_free(&res);
		}
	}
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
	results_csv_header(f);
	for (size_t i = 0; i < l.nruns; i++) {
		const struct store_run *run = &l.runs[i];

		for (size_t j = 0; j < run->nentries; j++) {
			struct run_result res;
			char err[256];
			int rc = store_load_entry(&run->entries[j], &res, err, sizeof(err));

			if (rc < 0) {
				problem(NULL, run->entries[j].results, err);
				skipped++;
			} else if (rc > 0) {
				results_csv_rows(f, run->campaign, run->entries[j].name, &res);
				results_free(&res);
			}
		}
	}
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
