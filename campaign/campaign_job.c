// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "campaign/campaign_check.h"
#include "campaign/campaign_job.h"
#include "campaign/campaign_lock.h"
#include "campaign/campaign_resume.h"
#include "instruments/hostinfo.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/mkdir_p.h"
#include "util/outcome.h"
#include "util/revision.h"
#include "util/xalloc.h"

/* Paths are bounded (the directory is refused past PATH_MAX / 2); a truncated message is fine. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_FILE (1 << 20)

void campaign_job_init(struct campaign_job *j)
{
	memset(j, 0, sizeof(*j));
	j->lock_fd = -1;
}

static char *read_text(const char *path, size_t *len, char *err, size_t errlen)
{
	char why[128];
	FILE *f = input_file_fopen(path, why, sizeof(why));
	char *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	buf = malloc(MAX_FILE + 1);
	*len = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	if (!buf || ferror(f) || *len > MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, !buf ? "out of memory" : ferror(f) ? "read error" :
			 "larger than 1 MiB");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[*len] = 0;
	return buf;
}

int campaign_job_open_resume(struct campaign_job *j, const char *dir, const char *file)
{
	char err[1024], mpath[PATH_MAX + 32];

	j->file = file;
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
	/* a campaign still running there (or its last run) ends first; then its manifest is read */
	if (access(mpath, F_OK) == 0 && (j->lock_fd = campaign_lock(dir, stderr)) < 0) {
		fprintf(stderr, "exitlab campaign: cannot lock %s/%s: %s\n", dir, CAMPAIGN_LOCK_NAME,
			strerror(errno));
		return EXIT_FAILED;
	}
	if (manifest_read(mpath, &j->m, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: cannot resume: %s\n", err);
		return EXIT_USAGE;
	}
	if (!j->file && j->m.campaign_file) {
		/* the manifest names it: say which file's commands will run */
		j->file = j->m.campaign_file;
		j->file_recorded = true;
		fprintf(stderr, "exitlab campaign: the campaign file recorded in %s: %s\n", mpath, j->file);
	}
	if (!j->file) {
		fprintf(stderr, "exitlab campaign: the manifest names no campaign file; give FILE\n");
		return EXIT_USAGE;
	}
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	return EXIT_OK;
}

int campaign_job_load(struct campaign_job *j)
{
	char err[1024];

	j->text = read_text(j->file, &j->len, err, sizeof(err));
	if (!j->text) {
		fprintf(stderr, "exitlab campaign: %s\n", err);
		return EXIT_USAGE;
	}
	if (campaign_parse(j->text, j->len, &j->c, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", j->file, err);
		return EXIT_USAGE;
	}
	j->parsed = true;
	campaign_hash(j->text, j->len, j->hash, sizeof(j->hash));
	if (campaign_expand(&j->c, &j->runs, &j->nruns, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", j->file, err);
		return EXIT_USAGE;
	}
	/* A typo in tests: or params: stops the campaign here, before anything runs. */
	if (campaign_check_catalogue(&j->c, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", j->file, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int campaign_job_resume(struct campaign_job *j, bool force)
{
	struct manifest *m = &j->m;

	if (strcmp(m->campaign, j->c.name)) {
		fprintf(stderr, "exitlab campaign: %s/manifest.json belongs to campaign '%s', not '%s' (%s)\n",
			j->dir, m->campaign, j->c.name, j->file);
		return EXIT_USAGE;
	}
	if ((!m->campaign_hash || strcmp(m->campaign_hash, j->hash)) && !force) {
		fprintf(stderr, "exitlab campaign: %s changed since the campaign started "
			"(%s, now %s); "
			"--force resumes it with the file as it is now\n", j->file,
			m->campaign_hash ? m->campaign_hash : "no hash", j->hash);
		return EXIT_USAGE;
	}
	/*
	 * Whoever can write DIR can point its manifest at a file of theirs,
	 * hash and all: shell commands run only from a file the user names.
	 */
	for (size_t i = 0; j->file_recorded && i < j->nruns; i++)
		if (j->runs[i].service) {
			fprintf(stderr, "exitlab campaign: %s runs commands (service:); a resume runs them "
				"only from a campaign file you name: exitlab campaign FILE --resume %s\n",
				j->file, j->dir);
			return EXIT_USAGE;
		}
	/* the manifest says which entries are left; the file, what each of them runs */
	campaign_resume_commands(m, j->runs, j->nruns, j->file, stderr);
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].status == ST_RUNNING) /* the runner died under it */
			m->entries[i].status = ST_PENDING;
	campaign_sweep_temps(j->dir); /* what a killed writer left; nothing else writes here now */
	return EXIT_OK;
}

static int manifest_from_runs(struct manifest *m, const struct campaign *c, const struct campaign_run *runs,
			      size_t nruns, const char *file, const char *hash)
{
	char abs[PATH_MAX];

	memset(m, 0, sizeof(*m));
	m->campaign = xstrdup(c->name);
	m->campaign_file = xstrdup(realpath(file, abs) ? abs : file);
	m->campaign_hash = xstrdup(hash);
	m->revision = xstrdup(exitlab_revision);
	iso_now(m->started_at, sizeof(m->started_at));
	m->host = hostinfo_collect();
	m->entries = calloc(nruns + 1, sizeof(*m->entries));
	if (!m->entries)
		return -1;
	for (size_t i = 0; i < nruns; i++) {
		struct manifest_entry *e = &m->entries[i];

		e->id = (int)i;
		e->name = xstrdup(runs[i].name);
		e->payload = xstrdup(runs[i].payload);
		e->args = calloc(runs[i].nargs + 1, sizeof(*e->args));
		for (size_t k = 0; k < runs[i].nargs; k++)
			e->args[e->nargs++] = xstrdup(runs[i].args[k]);
		e->repetition = runs[i].repetition;
		e->timeout_s = runs[i].timeout_s;
		e->disk_mib = runs[i].disk_mib;
		e->service = runs[i].service ? xstrdup(runs[i].service) : NULL;
		e->status = ST_PENDING;
		e->exit_code = -1;
		e->duration_s = -1;
		m->nentries++;
	}
	return 0;
}

static void default_dir(char *buf, size_t len, const char *name)
{
	char host[256] = "host", ts[32];
	time_t t = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = 0;
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s/%s-%s", name, ts, host);
}

int campaign_job_create(struct campaign_job *j, const char *out)
{
	char err[1024], mpath[PATH_MAX + 32];
	struct stat st;

	if (out)
		snprintf(j->dir, sizeof(j->dir), "%s", out);
	else
		default_dir(j->dir, sizeof(j->dir), j->c.name);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", j->dir);
	if (stat(mpath, &st) == 0) {
		fprintf(stderr, "exitlab campaign: %s exists: continue it with --resume %s, "
			"or choose "
			"another --out\n", mpath, j->dir);
		return EXIT_USAGE;
	}
	snprintf(mpath, sizeof(mpath), "%s/entries", j->dir);
	if (mkdir_p(mpath)) {
		fprintf(stderr, "exitlab campaign: cannot create %s: %s\n", mpath, strerror(errno));
		return EXIT_USAGE;
	}
	j->lock_fd = campaign_lock(j->dir, stderr);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", j->dir);
	if (j->lock_fd < 0 || stat(mpath, &st) == 0) {
		if (j->lock_fd < 0)
			fprintf(stderr, "exitlab campaign: cannot lock %s/%s: %s\n", j->dir,
				CAMPAIGN_LOCK_NAME, strerror(errno));
		else /* another campaign made it while this one waited */
			fprintf(stderr, "exitlab campaign: %s exists: continue it with --resume %s\n",
				mpath, j->dir);
		return j->lock_fd < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	if (manifest_from_runs(&j->m, &j->c, j->runs, j->nruns, j->file, j->hash)) {
		fprintf(stderr, "exitlab campaign: out of memory\n");
		return EXIT_FAILED;
	}
	snprintf(mpath, sizeof(mpath), "%s/campaign.yaml", j->dir);
	if (atomic_write_text(mpath, j->text, err, sizeof(err)))
		fprintf(stderr, "exitlab campaign: %s\n", err);
	return EXIT_OK;
}

void campaign_job_free(struct campaign_job *j)
{
	campaign_runs_free(j->runs, j->nruns);
	if (j->parsed)
		campaign_free(&j->c);
	manifest_free(&j->m);
	free(j->text);
}
