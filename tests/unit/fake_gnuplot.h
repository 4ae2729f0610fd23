/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for gnuplot in the chart unit tests: a shell script named
 * gnuplot first on PATH that writes each argument it was given on a line of
 * DIR/args, so a test asserts on what a chart asked gnuplot to draw (the -e
 * assignments: title, note, scale...) without gnuplot installed; with
 * FAKE_GNUPLOT_DRAW set it also leaves a file where the chart would be.  Also
 * results files built in memory, written with results_write_json.
 */
#ifndef EXITLAB_TEST_FAKE_GNUPLOT_H
#define EXITLAB_TEST_FAKE_GNUPLOT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/results.h"

static char fake_dir[256];

/* Make the temporary directory, the fake gnuplot in it and an empty script for each chart. */
static inline int fake_gnuplot_setup(void)
{
	static const char *const scripts[] = { "plot-exit-costs.gp", "plot-cdf.gp", "plot-timeline.gp",
					       "plot-mem-walk.gp", "plot-tlb.gp", "plot-net.gp", "plot-blk.gp", "plot-vcpus.gp",
					       "plot-guest.gp" };
	char p[512], *path;
	FILE *f;

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/exitlab-fake-gnuplot-XXXXXX");
	if (!mkdtemp(fake_dir))
		return -1;
	snprintf(p, sizeof(p), "%s/gnuplot", fake_dir);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\nfor a in \"$@\"; do printf '%%s\\n' \"$a\"; done >> '%s/args'\n", fake_dir);
	/* FAKE_GNUPLOT_DRAW set: leave a file at outfile, as gnuplot would */
	fprintf(f, "[ -z \"$FAKE_GNUPLOT_DRAW\" ] && exit 0\nfor a in \"$@\"; do case $a in outfile=*) "
		   "o=${a#outfile=?}; printf 'chart\\n' > \"${o%%?}\" ;; esac; done\n");
	fclose(f);
	chmod(p, 0755);
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fake_dir, scripts[i]);
		f = fopen(p, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	if (asprintf(&path, "%s:%s", fake_dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin") < 0)
		return -1;
	setenv("PATH", path, 1);
	free(path);
	setenv("EXITLAB_SCRIPTS", fake_dir, 1);
	return 0;
}

static inline void fake_gnuplot_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", fake_dir);
}

/* The two as cmocka group fixtures, for a test file that needs nothing else around them. */
static inline int fake_gnuplot_group_setup(void **state)
{
	(void)state;
	return fake_gnuplot_setup();
}

static inline int fake_gnuplot_group_teardown(void **state)
{
	(void)state;
	fake_gnuplot_teardown();
	return 0;
}

/* A chart's data file (or any small text file) whole, NUL-terminated; NULL if unreadable. */
static inline char *fake_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? calloc(1, 1 << 16) : NULL;

	if (buf && fread(buf, 1, (1 << 16) - 1, f) == 0) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

/* What the fake gnuplot was given since the last call (malloc'd, "" if nothing); forgets it. */
static inline char *fake_gnuplot_args(void)
{
	char p[300], *buf = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/args", fake_dir);
	f = fopen(p, "r");
	if (f) {
		buf = calloc(1, 1 << 20);
		if (buf)
			n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
		unlink(p);
	}
	if (!buf)
		buf = calloc(1, 1);
	(void)n;
	return buf;
}

/* The line of args that starts with prefix ("plottitle="), or NULL. */
static inline const char *fake_arg(const char *args, const char *prefix)
{
	size_t l = strlen(prefix);

	for (const char *p = args; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, l))
			return p;
	return NULL;
}

/* A results run of payload on host/kernel with backend (context as instruments/hostinfo.c writes it). */
static inline void fake_run(struct run_result *r, const char *payload, const char *host, const char *kernel,
			    const char *backend, const char *started)
{
	char ctx[512];

	memset(r, 0, sizeof(*r));
	snprintf(r->payload, sizeof(r->payload), "%s", payload);
	snprintf(r->started_at, sizeof(r->started_at), "%.31s", started);
	snprintf(ctx, sizeof(ctx), "{\"hostname\": \"%s\", \"cpu\": {\"model_name\": \"Test CPU\"}, "
		 "\"kernel\": {\"release\": \"%s\"}, \"kvm\": {\"backend\": \"%s\"}, \"exitlab_revision\": \"rev-%s\"}",
		 host, kernel, backend, kernel);
	r->context_json = strdup(ctx);
}

/* An ok timed test: median cycles (and ns), at ring (-1: a host baseline); emulated as PVM marks CPL0. */
static inline struct test_result *fake_test(struct run_result *r, const char *name, int ring, double median)
{
	struct test_result *t = results_add_test(r);

	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), ring < 0 ? "host" : "guest");
	t->ring = ring;
	t->status = TEST_OK;
	t->iterations = 100;
	t->emulated = ring == 0;
	t->has_timing = true;
	t->cycles.n = t->ns.n = 100;
	t->cycles.min = t->cycles.p1 = median * 0.9;
	t->cycles.median = t->cycles.mean = median;
	t->cycles.p99 = t->cycles.max = median * 1.2;
	t->ns.median = median / 2.5;
	t->ns.min = t->ns.p1 = t->ns.median * 0.9;
	t->ns.p99 = t->ns.max = t->ns.mean = t->ns.median * 1.2;
	return t;
}

#endif
