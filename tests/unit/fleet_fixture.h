/* SPDX-License-Identifier: MIT */
/*
 * Small fleet run directories for the unit tests (test_fleet_manifest.c,
 * test_compare_fleet.c): a temp directory, files written in it, and a host's
 * campaign directory with a manifest whose host object names a CPU model and
 * a backend, its done entries copies of tests/data/results files.
 */
#ifndef EXITLAB_FLEET_FIXTURE_H
#define EXITLAB_FLEET_FIXTURE_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/mkdir_p.h"

static int fx_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static void fx_rmtree(const char *dir)
{
	nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh temp directory from template (a mkdtemp pattern) as the group's state; fx_teardown removes it. */
static int fx_setup(void **state, const char *template)
{
	char *dir = strdup(template);

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int fx_teardown(void **state)
{
	fx_rmtree(*state);
	free(*state);
	return 0;
}

/* Write text at dir/rel, making its parents. */
static void fx_write(const char *dir, const char *rel, const char *text)
{
	char path[4096], parent[4096], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(parent, sizeof(parent), "%s", path);
	if ((slash = strrchr(parent, '/'))) {
		*slash = 0;
		mkdir_p(parent);
	}
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void fx_copy(const char *from, const char *dir, const char *rel)
{
	FILE *f = fopen(from, "rb");
	char *buf = malloc(1 << 22);
	size_t n = f && buf ? fread(buf, 1, (1 << 22) - 1, f) : 0;

	if (buf) {
		buf[n] = 0;
		fx_write(dir, rel, buf);
	}
	if (f)
		fclose(f);
	free(buf);
}

/*
 * dir/HOST/campaign/manifest.json of campaign "fx" at revision rev: cpu and
 * backend in its host object; entries given as "status" strings, each done
 * one with a copy of results (a tests/data/results file), each skipped one
 * with the no-KVM reason.
 */
static void fx_host_campaign(const char *dir, const char *host, const char *cpu, const char *backend,
			     const char *rev, const char *const *statuses, size_t n, const char *results)
{
	char rel[512], text[16384];
	size_t len;

	len = (size_t)snprintf(text, sizeof(text),
			       "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"fx\","
			       " \"started_at\": \"2026-12-01T10:00:00Z\", \"exitlab_revision\": \"%s\","
			       " \"host\": {\"hostname\": \"%s\", \"cpu\": {\"model_name\": \"%s\"},"
			       " \"kernel\": {\"release\": \"6.1.0-18-amd64\"},"
			       " \"kvm\": {\"backend\": \"%s\", \"params\": {\"kvm\": {\"halt_poll_ns\": 200000}}}},"
			       " \"entries\": [", rev, host, cpu, backend);
	for (size_t i = 0; i < n; i++) {
		bool done = !strcmp(statuses[i], "done");
		char res[64] = "null";

		if (done) {
			snprintf(res, sizeof(res), "\"entries/%zu.json\"", i);
			snprintf(rel, sizeof(rel), "%s/campaign/entries/%zu.json", host, i);
			fx_copy(results, dir, rel);
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s{\"id\": %zu, \"name\": \"exit-costs/rep%zu\", \"payload\": \"exit-costs\","
					" \"status\": \"%s\", \"results\": %s, \"reason\": %s}",
					i ? ", " : "", i, i + 1, statuses[i], res,
					!strcmp(statuses[i], "skipped") ? "\"exitlab run: /dev/kvm does not exist\"" :
					!strcmp(statuses[i], "failed") ? "\"a test failed\"" : "null");
	}
	snprintf(text + len, sizeof(text) - len, "]}\n");
	snprintf(rel, sizeof(rel), "%s/campaign/manifest.json", host);
	fx_write(dir, rel, text);
}

#endif
