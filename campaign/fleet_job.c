// SPDX-License-Identifier: MIT
/*
 * exitlab fleet (fleet_job.h): the run directory and its manifest, the
 * play for the hosts left to run, and each host's state settled from what
 * the play left (analysis/fleet_status.c) once ansible-playbook has ended.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/fleet_manifest.h"
#include "analysis/fleet_status.h"
#include "campaign/campaign_job.h"
#include "campaign/fleet_ansible.h"
#include "campaign/fleet_job.h"
#include "util/atomic_file.h"
#include "util/mkdir_p.h"
#include "util/outcome.h"
#include "util/self_exe.h"

/* Paths are bounded (PATH_MAX); a truncated message is fine. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define PFX "exitlab fleet: "

struct fleet_ctx {
	const struct fleet_opts *o;
	char tree[PATH_MAX];       /* the source tree this exitlab was built in */
	char playbook[PATH_MAX];
	char dir[PATH_MAX];        /* the run directory, absolute */
	struct fleet_manifest m;
	struct campaign_job j;     /* the campaign file, parsed and checked */
	char **inv;                /* the inventory's hosts */
	size_t ninv;
};

/* ansible-playbook, ansible-inventory, git and the playbook beside this binary's tree. */
static int find_tools(struct fleet_ctx *x)
{
	static const char *const tools[] = { "ansible-playbook", "ansible-inventory", "git" };
	struct stat st;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!fleet_tool_found(tools[i])) {
			fprintf(stderr, PFX "this host lacks %s (scripts/deps.sh installs %s)\n", tools[i],
				i < 2 ? "ansible-core" : "git");
			return EXIT_NOHOST;
		}
	if (self_exe_prefix(x->tree, sizeof(x->tree))) {
		fprintf(stderr, PFX "cannot find where this exitlab is (/proc/self/exe)\n");
		return EXIT_NOHOST;
	}
	snprintf(x->playbook, sizeof(x->playbook), "%s/scripts/fleet/fleet.yml", x->tree);
	if (stat(x->playbook, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, PFX "no playbook at %s: exitlab fleet runs from the build/ of a git "
			"checkout (docs/fleet.md)\n", x->playbook);
		return EXIT_NOHOST;
	}
	return EXIT_OK;
}

/* The HEAD of the tree (full), and a warning if the tree has changes it would not carry. */
static int head_revision(struct fleet_ctx *x, char *rev, size_t len)
{
	char *rp[] = { "git", "-C", x->tree, "rev-parse", "--verify", "HEAD^{commit}", NULL };
	char *stp[] = { "git", "-C", x->tree, "status", "--porcelain", "--untracked-files=no", NULL };
	char *out, err[256];
	int rc = fleet_capture(rp, &out, err, sizeof(err));

	if (rc) {
		fprintf(stderr, PFX "%s is not a git checkout with a commit (%s): the hosts build a "
			"revision of it\n", x->tree, rc < 0 ? err : "git rev-parse failed");
		free(out);
		return EXIT_NOHOST;
	}
	snprintf(rev, len, "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	if (fleet_capture(stp, &out, err, sizeof(err)) == 0 && *out)
		fprintf(stderr, PFX "warning: %s has uncommitted changes; the hosts build %.12s without "
			"them\n", x->tree, rev);
	free(out);
	return EXIT_OK;
}

static void default_dir(char *buf, size_t len, const char *campaign, char *ts, size_t tslen)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, tslen, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/fleet/%s/%s", campaign, ts);
}

static int write_manifest(struct fleet_ctx *x)
{
	char err[512];

	if (fleet_manifest_write(x->dir, &x->m, err, sizeof(err))) {
		fprintf(stderr, PFX "%s\n", err);
		return -1;
	}
	return 0;
}

static int load_campaign(struct fleet_ctx *x, const char *file)
{
	int code;

	campaign_job_init(&x->j);
	x->j.file = file;
	code = campaign_job_load(&x->j);
	return code;
}

static int create(struct fleet_ctx *x)
{
	const struct fleet_opts *o = x->o;
	char dir[PATH_MAX], ts[32], path[PATH_MAX + 32], err[512] = "";
	struct atomic_file af;
	unsigned char rnd[3] = { 0 };
	struct stat st;
	int code;

	if ((code = load_campaign(x, o->file)))
		return code;
	if ((code = head_revision(x, x->m.revision, sizeof(x->m.revision))))
		return code;
	if (o->out)
		snprintf(dir, sizeof(dir), "%s", o->out);
	else
		default_dir(dir, sizeof(dir), x->j.c.name, ts, sizeof(ts));
	snprintf(path, sizeof(path), "%s/%s", dir, FLEET_MANIFEST_NAME);
	if (!stat(path, &st)) {
		fprintf(stderr, PFX "%s exists: continue that fleet run with --resume %s, or choose another "
			"--out\n", path, dir);
		return EXIT_USAGE;
	}
	if (mkdir_p(dir) || !realpath(dir, x->dir)) {
		fprintf(stderr, PFX "cannot create %s: %s\n", dir, strerror(errno));
		return EXIT_USAGE;
	}
	/* byte for byte: its hash is the run's, checked by every resume */
	snprintf(path, sizeof(path), "%s/campaign.yaml", x->dir);
	if (atomic_file_open(&af, path, err, sizeof(err)) ||
	    (fwrite(x->j.text, 1, x->j.len, af.f) != x->j.len && (atomic_file_abort(&af), 1)) ||
	    atomic_file_commit(&af, err, sizeof(err))) {
		fprintf(stderr, PFX "%s\n", *err ? err : "writing campaign.yaml failed");
		return EXIT_FAILED;
	}
	snprintf(x->m.campaign, sizeof(x->m.campaign), "%s", x->j.c.name);
	snprintf(x->m.campaign_hash, sizeof(x->m.campaign_hash), "%s", x->j.hash);
	snprintf(x->m.inventory, sizeof(x->m.inventory), "%s", o->inventory);
	fleet_iso_now(x->m.started_at, sizeof(x->m.started_at));
	/* unique on the hosts too: two fleet runs never share (and so never resume) a host's campaign */
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd[0] = (unsigned char)getpid(), rnd[1] = (unsigned char)time(NULL);
	{
		char compact[32];
		size_t k = 0;

		for (const char *p = x->m.started_at; *p && k + 1 < sizeof(compact); p++)
			if (*p != '-' && *p != ':')
				compact[k++] = *p;
		compact[k] = 0;
		snprintf(x->m.fleet_id, sizeof(x->m.fleet_id), "%s-%s-%02x%02x%02x", x->m.campaign, compact, rnd[0],
			 rnd[1], rnd[2]);
	}
	x->m.forks = o->forks;
	x->m.extra_vars = calloc(o->nextra + 1, sizeof(char *));
	if (!x->m.extra_vars)
		return EXIT_FAILED;
	for (size_t i = 0; i < o->nextra; i++)
		x->m.extra_vars[x->m.nextra++] = strdup(o->extra[i]);
	return EXIT_OK;
}

static int resume(struct fleet_ctx *x)
{
	const struct fleet_opts *o = x->o;
	char err[1024], path[PATH_MAX + 32];
	int code;

	if (!realpath(o->resume, x->dir)) {
		fprintf(stderr, PFX "cannot resume %s: %s\n", o->resume, strerror(errno));
		return EXIT_USAGE;
	}
	if (fleet_manifest_read(x->dir, &x->m, err, sizeof(err))) {
		fprintf(stderr, PFX "cannot resume: %s\n", err);
		return EXIT_USAGE;
	}
	/* what runs is the campaign file the run started with, kept in DIR */
	snprintf(path, sizeof(path), "%s/campaign.yaml", x->dir);
	if ((code = load_campaign(x, path)))
		return code;
	if (strcmp(x->j.hash, x->m.campaign_hash)) {
		fprintf(stderr, PFX "%s changed since the fleet run started (%s, now %s)\n", path,
			x->m.campaign_hash, x->j.hash);
		return EXIT_USAGE;
	}
	if (o->file) {
		struct campaign_job f;

		campaign_job_init(&f);
		f.file = o->file;
		code = campaign_job_load(&f);
		if (!code && strcmp(f.hash, x->m.campaign_hash)) {
			fprintf(stderr, PFX "%s is not the campaign file of %s (%s, the run's %s): a changed "
				"campaign is a new fleet run\n", o->file, x->dir, f.hash, x->m.campaign_hash);
			code = EXIT_USAGE;
		}
		campaign_job_free(&f);
		if (code)
			return code;
	} else {
		/* whoever can write DIR could have written its campaign file: commands only from one named */
		for (size_t i = 0; i < x->j.nruns; i++)
			if (x->j.runs[i].service) {
				fprintf(stderr, PFX "%s runs commands (service:); a resume runs them only from a "
					"campaign file you name: exitlab fleet FILE --resume %s --inventory %s\n",
					path, x->dir, o->inventory);
				return EXIT_USAGE;
			}
	}
	snprintf(x->m.inventory, sizeof(x->m.inventory), "%s", o->inventory);
	if (o->forks)
		x->m.forks = o->forks;
	for (size_t i = 0; i < o->nextra; i++) {
		char **n = realloc(x->m.extra_vars, (x->m.nextra + 2) * sizeof(*n));

		if (!n)
			return EXIT_FAILED;
		x->m.extra_vars = n;
		x->m.extra_vars[x->m.nextra++] = strdup(o->extra[i]);
		x->m.extra_vars[x->m.nextra] = NULL;
	}
	return EXIT_OK;
}

/* The inventory's hosts into the manifest (new ones pending); which are to run. */
static int pick_hosts(struct fleet_ctx *x, char **limit, size_t *ntarget)
{
	char err[1024];
	size_t len = 0;

	if (fleet_inventory_hosts(x->o->inventory, &x->inv, &x->ninv, err, sizeof(err))) {
		fprintf(stderr, PFX "%s\n", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < x->ninv; i++)
		if (!fleet_host_name_ok(x->inv[i])) {
			fprintf(stderr, PFX "inventory host '%s': a fleet host's name must be letters, digits, "
				". _ - (it names its results directory); give it such a name and "
				"ansible_host=%s\n", x->inv[i], x->inv[i]);
			return EXIT_USAGE;
		}
	*limit = calloc(1, 16); /* room for "localhost" */
	*ntarget = 0;
	for (size_t i = 0; i < x->ninv && *limit; i++) {
		struct fleet_host *h = fleet_manifest_host(&x->m, x->inv[i]);

		if (!h && !(h = fleet_manifest_add_host(&x->m, x->inv[i])))
			return EXIT_FAILED;
		if (h->state == FLEET_DONE || h->state == FLEET_SKIPPED)
			continue;
		len += strlen(h->name) + 1;
		*limit = realloc(*limit, len + 16);
		if (*limit) {
			strcat(strcat(*limit, h->name), ",");
			(*ntarget)++;
		}
	}
	if (!*limit)
		return EXIT_FAILED;
	/* the first play archives the source on the controller: it must match --limit too */
	strcat(*limit, "localhost");
	return EXIT_OK;
}

static bool in_inventory(const struct fleet_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->ninv; i++)
		if (!strcmp(x->inv[i], name))
			return true;
	return false;
}

static bool targeted(const struct fleet_ctx *x, const struct fleet_host *h)
{
	return in_inventory(x, h->name) && h->state != FLEET_DONE && h->state != FLEET_SKIPPED;
}

/*
 * The play's variables. exitlab_hosts, the second play's pattern, is --limit
 * without the controller's "localhost": an inventory host of that name that is
 * done must not run again because the archive play needs the name.
 */
static char *play_vars(const struct fleet_ctx *x, const char *limit)
{
	char cfile[PATH_MAX + 32];
	size_t tlen = strlen(limit) - strlen("localhost");
	char *targets = strndup(limit, tlen ? tlen - 1 : 0); /* without the comma before "localhost" */
	json_t *v;
	char *s;

	if (!targets)
		return NULL;
	snprintf(cfile, sizeof(cfile), "%s/campaign.yaml", x->dir);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "exitlab_fleet_dir", x->dir, "exitlab_campaign_file", cfile,
		      "exitlab_fleet_id", x->m.fleet_id, "exitlab_revision", x->m.revision, "exitlab_src", x->tree,
		      "exitlab_hosts", targets);
	free(targets);
	s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	return s;
}

static int play(struct fleet_ctx *x, const char *limit, size_t ntarget, bool *interrupted)
{
	const struct fleet_opts *o = x->o;
	char **argv = calloc(16 + 2 * x->m.nextra, sizeof(char *));
	char forks[32], logenv[PATH_MAX + 32], *vars = play_vars(x, limit);
	char *env[] = { logenv, "ANSIBLE_RETRY_FILES_ENABLED=False", NULL };
	size_t n = 0;
	int rc;

	if (!argv || !vars) {
		free(argv);
		free(vars);
		return -1;
	}
	snprintf(logenv, sizeof(logenv), "ANSIBLE_LOG_PATH=%s/ansible.log", x->dir);
	argv[n++] = "ansible-playbook";
	argv[n++] = "-i";
	argv[n++] = (char *)o->inventory;
	argv[n++] = x->playbook;
	if (x->m.forks > 0) {
		snprintf(forks, sizeof(forks), "%d", x->m.forks);
		argv[n++] = "--forks";
		argv[n++] = forks;
	}
	for (size_t i = 0; i < x->m.nextra; i++) {
		argv[n++] = "-e";
		argv[n++] = x->m.extra_vars[i];
	}
	/* last: the user's -e cannot move the run directory or the revision */
	argv[n++] = "-e";
	argv[n++] = vars;
	argv[n++] = "--limit";
	argv[n++] = (char *)limit;
	printf("exitlab fleet: %s at %.12s on %zu host%s, forks %s; results in %s\n", x->m.campaign, x->m.revision,
	       ntarget, ntarget == 1 ? "" : "s", x->m.forks > 0 ? forks : "(Ansible's default)", x->dir);
	fflush(stdout);
	rc = fleet_playbook_run(argv, env, interrupted);
	free(argv);
	free(vars);
	return rc;
}

static void summary(const struct fleet_ctx *x)
{
	int count[FLEET_UNREACHABLE + 1] = { 0 };

	for (size_t i = 0; i < x->m.nhosts; i++)
		count[x->m.hosts[i].state]++;
	printf("exitlab fleet: %s: %zu hosts: %d done, %d skipped, %d failed, %d unreachable, %d pending; "
	       "manifest %s/%s\n", x->m.campaign, x->m.nhosts, count[FLEET_DONE], count[FLEET_SKIPPED],
	       count[FLEET_FAILED], count[FLEET_UNREACHABLE], count[FLEET_PENDING], x->dir, FLEET_MANIFEST_NAME);
	for (size_t i = 0; i < x->m.nhosts; i++) {
		const struct fleet_host *h = &x->m.hosts[i];

		printf("  %-20s %-11s", h->name, fleet_state_name(h->state));
		if (h->has_results)
			printf(" %d/%d entries done", h->entries.done, h->entries.total);
		if (*h->reason)
			printf("%s%s", h->has_results ? "; " : " ", h->reason);
		if (!in_inventory(x, h->name))
			printf(" (not in %s: kept as it was)", x->o->inventory);
		printf("\n");
	}
}

int fleet_run(const struct fleet_opts *o)
{
	struct fleet_ctx x = { .o = o };
	char *limit = NULL;
	size_t ntarget = 0;
	bool interrupted = false;
	int code, rc = 0, left = 0;

	campaign_job_init(&x.j);
	code = find_tools(&x);
	if (!code)
		code = o->resume ? resume(&x) : create(&x);
	if (!code)
		code = pick_hosts(&x, &limit, &ntarget);
	if (code)
		goto out;
	for (size_t i = 0; i < x.m.nhosts; i++) {
		struct fleet_host *h = &x.m.hosts[i];
		char st[PATH_MAX + 300];

		if (!targeted(&x, h))
			continue;
		/* a record an earlier attempt left must not stand for this one */
		snprintf(st, sizeof(st), "%s/%s/%s", x.dir, h->name, FLEET_STATUS_NAME);
		if (unlink(st) && errno != ENOENT) {
			fprintf(stderr, PFX "cannot remove %s: %s\n", st, strerror(errno));
			code = EXIT_FAILED;
			goto out;
		}
		h->state = FLEET_PENDING;
		h->attempts++;
	}
	if (write_manifest(&x)) {
		code = EXIT_FAILED;
		goto out;
	}
	if (ntarget) {
		rc = play(&x, limit, ntarget, &interrupted);
		for (size_t i = 0; i < x.m.nhosts; i++) {
			struct fleet_host *h = &x.m.hosts[i];
			char st[PATH_MAX + 300];

			if (!in_inventory(&x, h->name) || h->state != FLEET_PENDING)
				continue;
			snprintf(st, sizeof(st), "%s/%s/%s", x.dir, h->name, FLEET_STATUS_NAME);
			if (interrupted && access(st, F_OK)) {
				snprintf(h->reason, sizeof(h->reason), "interrupted before the play recorded it");
				continue;
			}
			fleet_host_settle(x.dir, x.m.revision, rc, h);
		}
		if (write_manifest(&x))
			code = EXIT_FAILED;
	} else {
		printf("exitlab fleet: every host of %s is done or skipped in %s: nothing to run\n", o->inventory,
		       x.dir);
	}
	summary(&x);
	for (size_t i = 0; i < x.m.nhosts; i++)
		left += x.m.hosts[i].state != FLEET_DONE && x.m.hosts[i].state != FLEET_SKIPPED;
	if (left)
		printf("exitlab fleet: to retry the hosts not done: exitlab fleet --resume %s --inventory %s\n",
		       x.dir, o->inventory);
	if (!code)
		code = interrupted ? 130 : left ? EXIT_FAILED : EXIT_OK;
out:
	free(limit);
	fleet_names_free(x.inv, x.ninv);
	campaign_job_free(&x.j);
	fleet_manifest_free(&x.m);
	return code;
}
