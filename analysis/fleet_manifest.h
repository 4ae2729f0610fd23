/* SPDX-License-Identifier: MIT */
/*
 * The manifest of a fleet run directory (fleet.json, docs/fleet.md): one
 * campaign run on every host of an inventory, and what became of each host.
 * Written by `exitlab fleet` (campaign/fleet_job.c) after every change of
 * state; read back by its --resume and by the commands that show results.
 */
#ifndef EXITLAB_FLEET_MANIFEST_H
#define EXITLAB_FLEET_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define FLEET_MANIFEST_NAME "fleet.json"
#define FLEET_MANIFEST_FORMAT "exitlab-fleet-manifest"
#define FLEET_MANIFEST_VERSION 1
/* A host's campaign results inside the fleet run directory: HOST/campaign/. */
#define FLEET_HOST_RESULTS "campaign"

enum fleet_state {
	FLEET_PENDING,     /* not run yet, or its attempt was interrupted */
	FLEET_DONE,        /* the campaign ran to its end, every entry done (or some skipped) */
	FLEET_SKIPPED,     /* the campaign ran to its end, every entry skipped: the host lacks something */
	FLEET_FAILED,      /* reason says where: the build, the campaign, an entry, the fetch */
	FLEET_UNREACHABLE, /* Ansible could not reach it */
};

/* Entries of the host's campaign by status, from its fetched manifest.json. */
struct fleet_counts {
	int total, done, failed, timeout, skipped, pending;
};

struct fleet_host {
	char name[128];        /* the inventory name: letters, digits, . _ - */
	enum fleet_state state;
	char reason[512];      /* "" : null */
	bool has_results;      /* HOST/campaign/manifest.json was fetched */
	struct fleet_counts entries;
	int campaign_exit;     /* -1: null (it did not run or end) */
	int attempts;
	char updated_at[32];
};

struct fleet_manifest {
	char fleet_id[160];    /* names the run on the hosts: <campaign>-<time>-<random> */
	char campaign[128];
	char campaign_hash[64];
	char revision[48];     /* the full git revision every host builds */
	char inventory[4096];  /* as the last run was given it */
	char started_at[32], updated_at[32];
	int forks;             /* 0: Ansible's default */
	char **extra_vars;     /* -e arguments, in order */
	size_t nextra;
	struct fleet_host *hosts;
	size_t nhosts;
};

const char *fleet_state_name(enum fleet_state s);
/* The state named s, or -1. */
int fleet_state_parse(const char *s);
/* Whether a host name can name a directory and an Ansible --limit: [A-Za-z0-9._-], not . or .., 1-127. */
bool fleet_host_name_ok(const char *name);
/* Whether dir holds a fleet manifest (the file exists; it may still be unreadable). */
bool fleet_dir_is_fleet(const char *dir);

/* Read and validate DIR/fleet.json; 0, or -1 with err saying what is wrong. */
int fleet_manifest_read(const char *dir, struct fleet_manifest *m, char *err, size_t errlen);
/* Write DIR/fleet.json atomically with updated_at now; 0, or -1 with err. */
int fleet_manifest_write(const char *dir, struct fleet_manifest *m, char *err, size_t errlen);
/* The host named name, or NULL. */
struct fleet_host *fleet_manifest_host(struct fleet_manifest *m, const char *name);
/* Append a pending host; NULL when out of memory. */
struct fleet_host *fleet_manifest_add_host(struct fleet_manifest *m, const char *name);
void fleet_manifest_free(struct fleet_manifest *m);

/* Now as ISO 8601 UTC. */
void fleet_iso_now(char *buf, size_t len);

#endif
