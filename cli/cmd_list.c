/* SPDX-License-Identifier: MIT */
/*
 * exitlab list: the payloads in the payload directory, each with its tests
 * (rings, what they measure, the exits per operation they expect) and its
 * --param keys (default, help), all read from the payloads' own catalogues.
 */
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/catalogue.h"
#include "cli/commands.h"
#include "exitlab/boot_abi.h"
#include "vmm/payload_path.h"
#include "util/suggest.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab list [PAYLOAD] [--json]\n"
		"\n"
		"The payloads `exitlab run` can boot by name (payloads/ beside the binary, else\n"
		"../lib/exitlab/payloads from it when installed, else ./build/payloads), each with\n"
		"its tests (rings, what each measures, the KVM exits and exits to the VMM one\n"
		"operation should cost on VT-x/SVM: a result whose counts disagree is marked\n"
		"invalid) and its --param keys with defaults. PAYLOAD (a name, or a path such as\n"
		"./NAME.elf) lists only that one. Everything comes from the payloads' own catalogues.\n"
		"\n"
		"options:\n"
		"  --json       the same as JSON on stdout\n"
		"  -h, --help   this text\n"
		"\n"
		"exit codes: 0 success, 2 bad usage, an unknown payload or a malformed catalogue\n");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The NAME.elf files of dir, sorted, as names without .elf. */
static char **payload_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (l <= 4 || strcmp(e->d_name + l - 4, ".elf"))
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[*n] = strndup(e->d_name, l - 4);
		if (v[*n])
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

/* The k-th test in run order: the loop overhead first (it runs first), then as declared. */
static const struct catalogue_test *nth_test(const struct catalogue *c, size_t k)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->ntests; i++)
			if ((int)!(c->tests[i].flags & CATALOGUE_TF_OVERHEAD) == pass && k-- == 0)
				return &c->tests[i];
	return NULL;
}

static void expect_text(char *buf, size_t n, bool declared, unsigned int v)
{
	if (declared)
		snprintf(buf, n, "%u", v);
	else
		snprintf(buf, n, "-");
}

static void print_text(FILE *f, const char *name, const struct catalogue *c)
{
	fprintf(f, "%s%s%s\n", name, c->info.help[0] ? "  " : "", c->info.help);
	if (!c->present) {
		fprintf(f, "  (declares no catalogue: its tests and parameters are unknown)\n\n");
		return;
	}
	int w = 20; /* the name column: as wide as the longest name */

	for (size_t k = 0; k < c->ntests; k++)
		if ((int)strlen(nth_test(c, k)->name) > w)
			w = (int)strlen(nth_test(c, k)->name);
	fprintf(f, "  %-*s %-10s %6s %7s  %s\n", w, "test", "rings", "exits", "to VMM", "measures");
	for (size_t k = 0; k < c->ntests; k++) {
		const struct catalogue_test *t = nth_test(c, k);
		char ex[8], ux[8];

		expect_text(ex, sizeof(ex), t->expect & CATALOGUE_EXPECT_EXITS, t->exits);
		expect_text(ux, sizeof(ux), t->expect & CATALOGUE_EXPECT_USER, t->user_exits);
		fprintf(f, "  %-*s %-10s %6s %7s  %s\n", w, t->name, catalogue_rings_name(t->rings), ex, ux,
			t->help);
	}
	if (!c->nparams) {
		fprintf(f, "  (no --param)\n\n");
		return;
	}
	fprintf(f, "  %-20s %-17s  %s\n", "--param", "default", "meaning");
	for (size_t i = 0; i < c->nparams; i++) {
		const struct catalogue_param *p = &c->params[i];

		fprintf(f, "  %-20s %-17s  %s\n", p->name, p->value[0] ? p->value : "-", p->help);
	}
	fputc('\n', f);
}

static json_t *to_json(const char *name, const char *path, const struct catalogue *c)
{
	json_t *tests = json_array(), *params = json_array();

	for (size_t k = 0; k < c->ntests; k++) {
		const struct catalogue_test *t = nth_test(c, k);
		json_t *rings = json_array();

		if (t->rings & BOOT_RING0)
			json_array_append_new(rings, json_integer(0));
		if (t->rings & BOOT_RING3)
			json_array_append_new(rings, json_integer(3));
		json_array_append_new(tests, json_pack("{s:s, s:b, s:o, s:s, s:o, s:o}",
			"name", t->name, "pattern", strchr(t->name, '*') != NULL, "rings", rings,
			"measures", t->help,
			"exits_per_operation", t->expect & CATALOGUE_EXPECT_EXITS ? json_integer(t->exits) : json_null(),
			"userspace_exits_per_operation",
			t->expect & CATALOGUE_EXPECT_USER ? json_integer(t->user_exits) : json_null()));
	}
	for (size_t i = 0; i < c->nparams; i++) {
		const struct catalogue_param *p = &c->params[i];

		json_array_append_new(params, json_pack("{s:s, s:o, s:s}", "name", p->name,
			"default", p->value[0] ? json_string(p->value) : json_null(), "help", p->help));
	}
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "name", name, "path", path,
			 "help", c->info.help, "catalogue", c->present, "tests", tests, "params", params);
}

/* One payload into out (JSON array) or onto stdout. 0, or -1 with the error printed. */
static int list_one(const char *name, const char *path, json_t *out)
{
	struct catalogue c;
	char err[512];

	if (catalogue_load(path, &c, err, sizeof(err))) {
		fprintf(stderr, "exitlab list: %s: %s\n", path, err);
		return -1;
	}
	if (out)
		json_array_append_new(out, to_json(name, path, &c));
	else
		print_text(stdout, name, &c);
	catalogue_free(&c);
	return 0;
}

int cmd_list_payloads(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char dir[PATH_MAX / 2], path[PATH_MAX];
	json_t *out = NULL;
	bool json = false;
	int c, code = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "exitlab list: at most one PAYLOAD\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (json)
		out = json_array();
	if (optind < argc) {
		const char *arg = argv[optind];

		if (payload_resolve(arg, path, sizeof(path))) {
			size_t n = 0;
			char **names = payload_dir(dir, sizeof(dir)) ? NULL : payload_names(dir, &n);
			const char *s = suggest_closest(arg, (const char *const *)names, n);

			fprintf(stderr, "exitlab list: payload '%s' not found (tried %s)%s%s%s\n", arg, path,
				s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
			for (size_t i = 0; i < n; i++)
				free(names[i]);
			free(names);
			json_decref(out);
			return EXIT_USAGE;
		}
		if (list_one(arg, path, out))
			code = EXIT_USAGE;
	} else {
		size_t n = 0;
		char **names;

		if (payload_dir(dir, sizeof(dir))) {
			fprintf(stderr, "exitlab list: no payload directory (tried %s; build with make)\n", dir);
			json_decref(out);
			return EXIT_USAGE;
		}
		names = payload_names(dir, &n);
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s.elf", dir, names[i]);
			if (list_one(names[i], path, out))
				code = EXIT_USAGE;
			free(names[i]);
		}
		free(names);
	}
	if (!out)
		printf("exits, to VMM: the KVM exits, and of them the exits to the VMM, one operation should\n"
		       "cost on VT-x/SVM; a result whose counts disagree is marked INVALID ('-': not judged,\n"
		       "the hardware's features decide). A test name with * is a pattern.\n");
	if (out) {
		json_t *doc = json_pack("{s:o}", "payloads", out);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
	}
	return code;
}
