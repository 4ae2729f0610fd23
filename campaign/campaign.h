/* SPDX-License-Identifier: MIT */
/*
 * Campaign files (docs/campaigns.md): a YAML matrix of payload runs.
 * campaign_parse turns the text into a struct campaign (pure: no files, no
 * host), with errors that name the line and column; campaign_expand turns
 * it into the flat list of runs (cartesian product of each entry's axes times
 * its repetitions) in a stable order with stable, unique names and slugs.
 */
#ifndef EXITLAB_CAMPAIGN_H
#define EXITLAB_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>

/* One value of an axis: its label in run names and the arguments it adds. */
struct campaign_value {
	char *label;
	char *args[4];
	size_t nargs;
};

/* An axis of the matrix (ring, devices, backing, mem, instruments, one per param key). */
struct campaign_axis {
	char *key;                    /* "ring", "devices", ..., or "param:batch" */
	struct campaign_value *values;
	size_t nvalues;
	int line;                     /* where it was written (1-based) */
};

/* An entry as written (or the defaults): NULL/0 members are unset. */
struct campaign_spec {
	char *payload;                /* NULL in defaults */
	char *name;                   /* optional replacement of the payload in run names */
	int line, col;
	struct campaign_axis *axes;
	size_t naxes;
	char **tests;                 /* --test NAME each */
	size_t ntests;
	char **args;                  /* extra arguments, appended as written */
	size_t nargs;
	int quick;                    /* -1 unset, 0, 1 */
	int raw;                      /* -1 unset, 0, 1: keep every sample (--raw) */
	long iterations;              /* 0 unset */
	int repetitions;              /* 0 unset */
	double timeout_s;             /* 0 unset */
	long disk_mib;                /* 0 unset: a scratch disk image "@disk" of this size */
	char *service;                /* NULL unset: a back-end command started around each run ("@sock") */
};

struct campaign {
	char *name;
	char *description;
	struct campaign_spec defaults;
	struct campaign_spec *entries;
	size_t nentries;
};

/* One run of the expanded matrix. */
struct campaign_run {
	char *name;                   /* "net/virtio-net/batch=32/rep2" */
	char *slug;                   /* "net-virtio-net-batch_32-rep2" (file-name safe) */
	char *payload;
	char **args;                  /* the `exitlab run PAYLOAD` arguments, without --json */
	size_t nargs;
	int repetition;               /* 1-based */
	double timeout_s;
	long disk_mib;                /* 0: none; else "@disk" in args names a fresh sparse image */
	char *service;                /* NULL: none; else a shell command run for the run's length */
};

#define CAMPAIGN_DEFAULT_TIMEOUT_S 120.0
#define CAMPAIGN_MAX_RUNS 100000
/*
 * Deepest nesting of mappings and lists a campaign file may have (the
 * format itself needs 5): libyaml's cost grows with the square of the
 * depth, so deeper input is refused before it is loaded.
 */
#define CAMPAIGN_MAX_DEPTH 64

/* 0, or -1 with err "LINE:COL: what is wrong". On error *c is left empty. */
int campaign_parse(const char *text, size_t len, struct campaign *c, char *err, size_t errlen);
void campaign_free(struct campaign *c);

/* 0 with the runs and their count, or -1 with err (empty matrix, duplicate names, too many runs). */
int campaign_expand(const struct campaign *c, struct campaign_run **runs, size_t *nruns,
		    char *err, size_t errlen);
void campaign_runs_free(struct campaign_run *runs, size_t nruns);

#endif
