/* SPDX-License-Identifier: MIT */
/*
 * The manifest of a campaign's results directory (manifest.json, layout in
 * docs/campaigns.md): what runs the campaign has, and the state of each.
 * Written atomically after every change; read back (and validated) by
 * --resume and by the commands that browse the store.
 */
#ifndef EXITLAB_CAMPAIGN_MANIFEST_H
#define EXITLAB_CAMPAIGN_MANIFEST_H

#include <stddef.h>

#include <jansson.h>

#define MANIFEST_FORMAT "exitlab-campaign-manifest"
#define MANIFEST_VERSION 1

enum entry_status { ST_PENDING, ST_RUNNING, ST_DONE, ST_FAILED, ST_TIMEOUT, ST_SKIPPED };

struct manifest_entry {
	int id;
	char *name, *payload;
	char **args;
	size_t nargs;
	int repetition;
	double timeout_s;
	long disk_mib;                /* 0: none */
	char *service;                /* the back-end command ("@sock"), or NULL */
	enum entry_status status;
	int exit_code;                /* -1: null */
	char *results;                /* relative path, or NULL */
	char *log;                    /* relative path, or NULL */
	char started_at[32];          /* "" : null */
	double duration_s;            /* < 0: null */
	char *reason;                 /* or NULL */
};

struct manifest {
	char *campaign, *campaign_file, *campaign_hash, *revision;
	char started_at[32], updated_at[32];
	json_t *host;                 /* owned reference */
	struct manifest_entry *entries;
	size_t nentries;
};

const char *entry_status_name(enum entry_status s);
/* "entries/NNN-slug" (no extension) for entry id and slug. */
void manifest_entry_stem(char *buf, size_t len, int id, const char *slug);

/* Write DIR/manifest.json atomically (updated_at set to now). 0 or -1 with err. */
int manifest_write(struct manifest *m, const char *dir, char *err, size_t errlen);
/* Read and validate a manifest file; 0, or -1 with err saying what is wrong. */
int manifest_read(const char *path, struct manifest *m, char *err, size_t errlen);
void manifest_free(struct manifest *m);

/* Now as ISO 8601 UTC ("2026-12-01T21:30:00Z"). */
void iso_now(char *buf, size_t len);
/* FNV-1a 64 of the bytes, as "fnv1a64:<16 hex>". */
void campaign_hash(const char *text, size_t len, char *buf, size_t buflen);

#endif
