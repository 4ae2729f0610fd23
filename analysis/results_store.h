/* SPDX-License-Identifier: MIT */
/*
 * The results store as `exitlab results` and `exitlab report` read it:
 * results/<campaign>/<timestamp>-<host>/manifest.json with entries/NNN-*.json,
 * and loose results files anywhere under the root (docs/results-store.md).
 * Whatever cannot be read is handed to a problem callback, by name with the
 * reason, and left out: nothing corrupt is merged silently.
 */
#ifndef EXITLAB_RESULTS_STORE_H
#define EXITLAB_RESULTS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/results.h"

#define STORE_MANIFEST_FORMAT "exitlab-campaign-manifest"
#define STORE_MANIFEST_VERSION 1

/* Told about every file the store had to skip, and why. */
typedef void (*store_problem_fn)(void *ctx, const char *path, const char *reason);

struct store_entry {
	int id;
	char name[128];        /* "exit-costs/ring3/rep1"; a loose file: its file name */
	char payload[32];
	char status[16];       /* "pending", "running", "done", "failed", "timeout", "skipped" */
	char reason[400];      /* the manifest's reason, "" if none */
	char *results;         /* full path of the results file, NULL if the entry has none */
};

/* One campaign run directory, or (loose) one results file outside any run. */
struct store_run {
	bool loose;
	char *path;            /* the run directory, or the loose file */
	char campaign[128];    /* loose: "-" */
	char timestamp[40];    /* manifest started_at / the file's started_at */
	char host[128];        /* hostname */
	char backend[64];      /* KVM backend, "" if unknown */
	char revision[64];     /* exitlab revision, "" if unknown */
	char fleet_host[128];  /* in a fleet run (FLEET/HOST/campaign/): the inventory's name of its host, else "" */
	char *host_json;       /* the manifest's host object (exitlab info), compact JSON; NULL for a loose file */
	struct store_entry *entries;
	size_t nentries;
};

struct store_list {
	struct store_run *runs;
	size_t nruns;
	char **fleets;         /* the fleet run directories walked (fleet.json read), in walk order */
	size_t nfleets;
};

/*
 * Read DIR/manifest.json into run.  -1 with err set for a manifest that is
 * not a regular file, not JSON, of another format or version, or lacks a
 * field the layout needs.
 */
int store_read_manifest(const char *dir, struct store_run *run, char *err, size_t errlen);
/* A loose results file as a one-entry run; -1 with err if results_read_json refuses it. */
int store_read_loose(const char *file, struct store_run *run, char *err, size_t errlen);
/*
 * Every run under root (a run directory, a tree of them, or one results
 * file), sorted by path.  A fleet run directory (fleet.json, docs/fleet.md)
 * gives the campaign run of each host that has one, fleet_host set, and
 * nothing else under it is taken for results.  Unreadable manifests and files go to problem and
 * are left out; returns the number skipped, or -1 with err if root itself
 * cannot be read or is neither a directory nor a regular file (a FIFO).
 */
int store_walk(const char *root, struct store_list *out, store_problem_fn problem, void *ctx,
	       char *err, size_t errlen);
/*
 * Whether path is the same file (device and inode, whatever its name) as
 * one of the inputs of l, walked from root: root itself, a run's manifest,
 * an entry's results file.  An output that does not exist yet is none of
 * them: refuse the others, or the output would destroy what it is made of.
 */
bool store_names_input(const struct store_list *l, const char *root, const char *path);
/*
 * Load entry e's results.  1 loaded; 0 the entry has no results (not done),
 * nothing to report; -1 the file is missing or corrupt, err says why.
 */
int store_load_entry(const struct store_entry *e, struct run_result *res, char *err, size_t errlen);
/* Entries with status done. */
size_t store_run_done(const struct store_run *run);
/* A one-word summary: "complete", "incomplete", "failures" (some failed, timed out or skipped). */
const char *store_run_status(const struct store_run *run);

/* The context fields of a results file ("" when absent). */
void store_context(const struct run_result *r, char *host, size_t hl, char *backend, size_t bl,
		   char *rev, size_t rl);

void store_run_free(struct store_run *run);
void store_list_free(struct store_list *l);

#endif
