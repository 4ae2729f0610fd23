/* SPDX-License-Identifier: MIT */
/*
 * exitlab campaign: run a campaign file's matrix unattended, one child
 * `exitlab run` per entry (this same binary), each with its timeout enforced
 * from outside too, its output kept in a log and its results in the store
 * (docs/campaigns.md); the manifest is rewritten after every change so that
 * an interrupted campaign (SIGINT, SIGTERM, a crash) resumes where it stopped
 * without rerunning or losing a finished entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "campaign/campaign.h"
#include "campaign/campaign_check.h"
#include "campaign/campaign_lock.h"
#include "util/input_file.h"
#include "campaign/campaign_manifest.h"
#include "campaign/campaign_resume.h"
#include "campaign/campaign_service.h"
#include "cli/commands.h"
#include "instruments/hostinfo.h"
#include "analysis/results.h"
#include "util/revision.h"

/* Paths are bounded (the directory is refused past PATH_MAX / 2); a truncated message is fine. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define GRACE_S 15.0      /* past an entry's timeout_s before the runner kills it */
#define STOP_WAIT_S 5.0   /* after SIGTERM to a child before SIGKILL */
#define MAX_FILE (1 << 20)

static volatile sig_atomic_t stop_signal;
static int lock_fd = -1; /* DIR/.campaign.lock, held to the end (campaign_lock.h) */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab campaign FILE [--out DIR] [--dry-run] [--jobs 1]\n"
		"       exitlab campaign [FILE] --resume DIR [--force]\n"
		"Run every entry of a campaign file (docs/campaigns.md) as `exitlab run`, keeping\n"
		"each entry's results in DIR/entries/ and the state of all in DIR/manifest.json.\n"
		"  --out DIR      the results directory (default results/<campaign>/<UTC time>-<host>/)\n"
		"  --resume DIR   continue an interrupted (or killed) campaign: run its pending\n"
		"                 entries only; a campaign still running in DIR is waited for\n"
		"  --force        resume even though the campaign file changed since (what runs is\n"
		"                 always what the file says now, never the manifest's record)\n"
		"  --dry-run      print the expanded matrix and stop\n"
		"  --jobs 1       entries run one at a time (parallel runs would disturb each other)\n"
		"exit codes: 0 every entry done or skipped, 1 an entry failed or timed out or the\n"
		"            manifest could not be written, 2 bad usage or campaign file,\n"
		"            130 interrupted (resume with --resume)\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static void fmt_dur(char *buf, size_t len, double s)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* Progress: done/total, elapsed, ETA from this session's entries. */
struct progress {
	int tty;
	size_t total, finished;       /* finished: not pending */
	size_t ran;                   /* entries run in this session */
	double t0, ran_s;
};

static void progress_bar(struct progress *pg, const char *current)
{
	char el[32], eta[32] = "?", bar[31];
	double elapsed = now_s() - pg->t0;
	size_t fill = pg->total ? pg->finished * 30 / pg->total : 30;

	if (!pg->tty)
		return;
	fmt_dur(el, sizeof(el), elapsed);
	if (pg->ran)
		fmt_dur(eta, sizeof(eta), pg->ran_s / pg->ran * (double)(pg->total - pg->finished));
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r[%s] %zu/%zu  elapsed %s  eta %s  %.60s\033[K", bar, pg->finished, pg->total, el,
		eta,
		current ? current : "");
	fflush(stderr);
}

static void progress_line(struct progress *pg, const struct manifest_entry *e)
{
	if (pg->tty) {
		if (e->status != ST_DONE)
			fprintf(stderr, "\r\033[K%s: %s%s%s\n", e->name, entry_status_name(e->status),
				e->reason ? ": " : "", e->reason ? e->reason : "");
		progress_bar(pg, NULL);
		return;
	}
	fprintf(stderr, "[%zu/%zu] %-7s %s (%.1f s)%s%s\n", pg->finished, pg->total,
		entry_status_name(e->status),
		e->name, e->duration_s, e->reason ? ": " : "", e->reason ? e->reason : "");
}

/* Remember the last non-empty line of a stream fed in chunks. */
struct last_line {
	char cur[512], last[512];
	size_t n;
};

static void last_line_feed(struct last_line *l, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			l->cur[l->n] = 0;
			/* "results: FILE" closes every run's stderr: the reason is the line before */
			if (l->n && strncmp(l->cur, "results: ", 9))
				memcpy(l->last, l->cur, l->n + 1);
			l->n = 0;
		} else if (l->n + 1 < sizeof(l->cur)) {
			l->cur[l->n++] = buf[i];
		}
	}
}

static const char *last_line_get(struct last_line *l)
{
	l->cur[l->n] = 0;
	if (l->n && strncmp(l->cur, "results: ", 9))
		memcpy(l->last, l->cur, l->n + 1);
	l->n = 0;
	return l->last[0] ? l->last : NULL;
}

static void set_reason(struct manifest_entry *e, const char *r)
{
	free(e->reason);
	e->reason = r ? xstrdup(r) : NULL;
}

static void kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) && errno == ESRCH)
		kill(pid, sig);
}

/*
 * Run one entry to its end, a timeout or a stop signal. Returns 1 if a stop
 * signal interrupted it (the entry is pending again), 2 if the manifest could
 * not record its start (nothing ran; pending again), else 0.
 */
static int run_entry(struct manifest *m, const char *dir, struct manifest_entry *e, struct progress *pg)
{
	char stem[600], json_rel[700], log_rel[700], json_abs[PATH_MAX], log_abs[PATH_MAX], err[512];
	char **argv, **subst, disk_abs[PATH_MAX], svc_dir[64] = "";
	struct service svc = { .pid = 0 };
	int pfd[2], logfd, status = 0, timed_out = 0, stopped = 0, exited = 0;
	struct last_line ll = { .n = 0 };
	double t0 = now_s(), kill_at = 0, exited_at = 0;
	pid_t pid, parent;
	char slugbuf[512];

	snprintf(slugbuf, sizeof(slugbuf), "%s", e->name);
	for (char *p = slugbuf; *p; p++)
		if (*p == '/')
			*p = '-';
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			   *p == '.' || *p == '-'))
			*p = '_';
	manifest_entry_stem(stem, sizeof(stem), e->id, slugbuf);
	snprintf(json_rel, sizeof(json_rel), "%s.json", stem);
	snprintf(log_rel, sizeof(log_rel), "%s.log", stem);
	snprintf(json_abs, sizeof(json_abs), "%s/%s", dir, json_rel);
	snprintf(log_abs, sizeof(log_abs), "%s/%s", dir, log_rel);
	unlink(json_abs); /* a partial file of an interrupted attempt */

	e->status = ST_RUNNING;
	iso_now(e->started_at, sizeof(e->started_at));
	e->exit_code = -1;
	e->duration_s = -1;
	free(e->results);
	e->results = NULL;
	free(e->log);
	e->log = xstrdup(log_rel);
	set_reason(e, NULL);
	if (manifest_write(m, dir, err, sizeof(err))) {
		/* a run the manifest cannot record would be lost to a resume: none starts */
		fprintf(stderr, "\nexitlab campaign: %s\n", err);
		e->status = ST_PENDING;
		e->started_at[0] = 0;
		free(e->log);
		e->log = NULL;
		return 2;
	}
	progress_bar(pg, e->name);

	logfd = open(log_abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		snprintf(err, sizeof(err), "cannot open %s: %s", log_abs, strerror(errno));
		if (logfd >= 0)
			close(logfd);
		goto failed_to_start;
	}
	if (e->disk_mib) {
		int fd;

		snprintf(disk_abs, sizeof(disk_abs), "%s/%s.img", dir, stem);
		fd = open(disk_abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)e->disk_mib << 20)) {
			snprintf(err, sizeof(err), "scratch disk %s: %s", disk_abs, strerror(errno));
			if (fd >= 0)
				close(fd);
			close(logfd);
			close(pfd[0]);
			close(pfd[1]);
			goto failed_to_start;
		}
		close(fd);
	}
	if (e->service) {
		char svc_log[PATH_MAX + 16], sock[PATH_MAX];
		int rc;

		/* a socket path must fit sun_path (108 bytes): a short directory of its own */
		snprintf(svc_dir, sizeof(svc_dir), "/tmp/exitlab-svc.XXXXXX");
		if (!mkdtemp(svc_dir)) {
			snprintf(err, sizeof(err), "service: mkdtemp: %s", strerror(errno));
			svc_dir[0] = 0;
			rc = -1;
		} else {
			snprintf(sock, sizeof(sock), "%s/sock", svc_dir);
			snprintf(svc_log, sizeof(svc_log), "%s/%s.service.log", dir, stem);
			rc = service_start(&svc, e->service, sock, svc_log, err, sizeof(err));
		}
		if (rc) {
			close(logfd);
			close(pfd[0]);
			close(pfd[1]);
			if (e->disk_mib)
				unlink(disk_abs);
			if (svc_dir[0])
				rmdir(svc_dir);
			if (rc > 0) {
				e->status = ST_SKIPPED;
				e->duration_s = now_s() - t0;
				set_reason(e, err);
				return 0;
			}
			goto failed_to_start;
		}
	}
	argv = calloc(e->nargs + 6, sizeof(*argv));
	subst = calloc(e->nargs + 1, sizeof(*subst));
	argv[0] = "exitlab";
	argv[1] = "run";
	argv[2] = e->payload;
	for (size_t k = 0; k < e->nargs; k++) {
		const char *at = e->disk_mib ? strstr(e->args[k], "@disk") : NULL;
		char *s2;

		argv[3 + k] = e->args[k];
		if (at && asprintf(&subst[k], "%.*s%s%s", (int)(at - e->args[k]), e->args[k], disk_abs,
				   at + 5) > 0)
			argv[3 + k] = subst[k];
		if (e->service && (s2 = service_subst(argv[3 + k], svc.sock))) {
			free(subst[k]);
			argv[3 + k] = subst[k] = s2;
		}
	}
	argv[3 + e->nargs] = "--json";
	argv[4 + e->nargs] = json_abs;
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/*
		 * A campaign killed outright takes its run with it, and the run
		 * holds the lock until it is gone: a resume cannot start beside it.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		campaign_lock_inherit(lock_fd);
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (dup2(logfd, 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "exitlab campaign: exec /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	free(argv);
	for (size_t k = 0; k < e->nargs; k++)
		free(subst[k]);
	free(subst);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		close(logfd);
		snprintf(err, sizeof(err), "fork: %s", strerror(errno));
		if (e->service) {
			service_stop(&svc);
			rmdir(svc_dir);
		}
		goto failed_to_start;
	}
	setpgid(pid, pid);
	for (int pipe_open = 1;;) {
		double t = now_s();

		if (pipe_open) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };
			char buf[4096];

			if (poll(&p, 1, 250) > 0) {
				ssize_t n = read(pfd[0], buf, sizeof(buf));

				if (n > 0) {
					last_line_feed(&ll, buf, (size_t)n);
					if (write(logfd, buf, (size_t)n) < 0) {
						/* the log is best effort; the reason line is kept anyway */
					}
				} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
					pipe_open = 0;
				}
			}
		} else {
			usleep(100000);
		}
		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				exited = 1;
				exited_at = t;
			}
		}
		/* after the exit, drain what is left; a grandchild holding the pipe gets 2 s */
		if (exited && (!pipe_open || t - exited_at > 2.0))
			break;
		if (exited)
			continue;
		if (stop_signal && !stopped) {
			stopped = 1;
			kill_group(pid, SIGTERM);
			kill_at = t + STOP_WAIT_S;
		} else if (!stopped && !timed_out && t - t0 > e->timeout_s + GRACE_S) {
			timed_out = 1;
			kill_group(pid, SIGKILL);
		} else if (stopped && kill_at && t > kill_at) {
			kill_group(pid, SIGKILL);
			kill_at = 0;
		}
		if (pg->tty && !stopped)
			progress_bar(pg, e->name);
	}
	close(pfd[0]);
	close(logfd);
	if (e->disk_mib)
		unlink(disk_abs);
	if (e->service) {
		service_stop(&svc);
		rmdir(svc_dir);
	}
	e->duration_s = now_s() - t0;
	if (stopped) {
		/* an interrupted attempt leaves nothing behind: resume starts the entry afresh */
		unlink(json_abs);
		unlink(log_abs);
		if (e->service) {
			char svc_log[PATH_MAX + 16];

			snprintf(svc_log, sizeof(svc_log), "%s/%s.service.log", dir, stem);
			unlink(svc_log);
		}
		free(e->log);
		e->log = NULL;
		e->status = ST_PENDING;
		e->started_at[0] = 0;
		e->duration_s = -1;
		set_reason(e, NULL);
		return 1;
	}
	if (timed_out) {
		e->status = ST_TIMEOUT;
		snprintf(err, sizeof(err), "killed after %.0f s (timeout_s %g + %g s grace)", e->duration_s,
			 e->timeout_s, GRACE_S);
		set_reason(e, err);
	} else if (WIFEXITED(status)) {
		struct run_result r;
		int readable;

		e->exit_code = WEXITSTATUS(status);
		memset(&r, 0, sizeof(r));
		readable = access(json_abs, F_OK) == 0 && results_read_json(json_abs, &r, err,
			sizeof(err)) == 0;
		if (access(json_abs, F_OK) == 0) {
			if (readable)
				e->results = xstrdup(json_rel);
			results_free(&r);
		}
		if (e->exit_code == EXIT_OK && readable) {
			e->status = ST_DONE;
		} else if (e->exit_code == EXIT_OK) {
			e->status = ST_FAILED;
			set_reason(e, access(json_abs, F_OK) ? "exit 0 but no results file" : err);
		} else {
			e->status = e->exit_code == EXIT_NOHOST ? ST_SKIPPED : ST_FAILED;
			set_reason(e, last_line_get(&ll) ? last_line_get(&ll) : "no message");
		}
	} else {
		e->status = ST_FAILED;
		snprintf(err, sizeof(err), "killed by signal %d", WTERMSIG(status));
		set_reason(e, err);
	}
	if (!e->results && e->status == ST_DONE)
		e->status = ST_FAILED;
	pg->ran++;
	pg->ran_s += e->duration_s;
	return 0;

failed_to_start:
	e->status = ST_FAILED;
	e->duration_s = now_s() - t0;
	set_reason(e, err);
	return 0;
}

static void print_resume_hint(const char *file, const char *dir)
{
	fprintf(stderr, "exitlab campaign: interrupted; the finished entries are kept. Resume with:\n"
		"  exitlab campaign %s --resume %s\n", file ? file : "", dir);
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

static void print_dry_run(const struct campaign *c, const struct campaign_run *runs, size_t n)
{
	double worst = 0;

	printf("campaign %s: %zu runs\n", c->name, n);
	for (size_t i = 0; i < n; i++) {
		printf("%03zu %-48s exitlab run %s", i, runs[i].name, runs[i].payload);
		for (size_t k = 0; k < runs[i].nargs; k++)
			printf(" %s", runs[i].args[k]);
		if (runs[i].service)
			printf("    (with service: %s)", runs[i].service);
		printf("\n");
		worst += runs[i].timeout_s;
	}
	printf("at most %.0f s by the entries' timeouts\n", worst);
}

int cmd_campaign(int argc, char **argv)
{
	enum { O_OUT = 256, O_RESUME, O_DRY, O_JOBS, O_FORCE };
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, O_OUT },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "force", no_argument, NULL, O_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *out = NULL, *resume = NULL, *file = NULL;
	int dry = 0, force = 0, opt, code = EXIT_OK;
	bool file_recorded = false; /* FILE came from the manifest, not from the user */
	char err[1024], dir[PATH_MAX], hash[64], mpath[PATH_MAX + 32];
	char *text = NULL;
	size_t len = 0, nruns = 0;
	struct campaign c;
	struct campaign_run *runs = NULL;
	struct manifest m;
	struct progress pg = { 0 };
	struct sigaction sa, old_int, old_term;
	bool unrecorded = false;      /* a manifest write failed: stop, exit 1 */
	size_t counts[6] = { 0 };

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_OUT: out = optarg; break;
		case O_RESUME: resume = optarg; break;
		case O_DRY: dry = 1; break;
		case O_FORCE: force = 1; break;
		case O_JOBS:
			if (strcmp(optarg, "1")) {
				fprintf(stderr, "exitlab campaign: only --jobs 1: entries running "
					"side by side "
					"would disturb each other's measurements\n");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc || (!file && !resume) || (resume && (out || dry))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&m, 0, sizeof(m));
	if ((resume && strlen(resume) > PATH_MAX / 2) || (out && strlen(out) > PATH_MAX / 2)) {
		fprintf(stderr, "exitlab campaign: the results directory's path is too long\n");
		return EXIT_USAGE;
	}
	if (resume) {
		snprintf(mpath, sizeof(mpath), "%s/manifest.json", resume);
		/* a campaign still running there (or its last run) ends first; then its manifest is read */
		if (access(mpath, F_OK) == 0 && (lock_fd = campaign_lock(resume, stderr)) < 0) {
			fprintf(stderr, "exitlab campaign: cannot lock %s/%s: %s\n", resume, CAMPAIGN_LOCK_NAME,
				strerror(errno));
			return EXIT_FAILED;
		}
		if (manifest_read(mpath, &m, err, sizeof(err))) {
			fprintf(stderr, "exitlab campaign: cannot resume: %s\n", err);
			return EXIT_USAGE;
		}
		if (!file && m.campaign_file) {
			/* the manifest names it: say which file's commands will run */
			file = m.campaign_file;
			file_recorded = true;
			fprintf(stderr, "exitlab campaign: the campaign file recorded in %s: %s\n", mpath,
				file);
		}
		if (!file) {
			fprintf(stderr, "exitlab campaign: the manifest names no campaign file; give FILE\n");
			manifest_free(&m);
			return EXIT_USAGE;
		}
	}
	text = read_text(file, &len, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "exitlab campaign: %s\n", err);
		manifest_free(&m);
		return EXIT_USAGE;
	}
	if (campaign_parse(text, len, &c, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", file, err);
		free(text);
		manifest_free(&m);
		return EXIT_USAGE;
	}
	campaign_hash(text, len, hash, sizeof(hash));
	if (campaign_expand(&c, &runs, &nruns, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", file, err);
		code = EXIT_USAGE;
		goto out;
	}
	/* A typo in tests: or params: stops the campaign here, before anything runs. */
	if (campaign_check_catalogue(&c, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s:%s\n", file, err);
		code = EXIT_USAGE;
		goto out;
	}
	if (dry) {
		print_dry_run(&c, runs, nruns);
		goto out;
	}
	if (resume) {
		if (strcmp(m.campaign, c.name)) {
			fprintf(stderr, "exitlab campaign: %s belongs to campaign '%s', not '%s' (%s)\n",
				mpath,
				m.campaign, c.name, file);
			code = EXIT_USAGE;
			goto out;
		}
		if ((!m.campaign_hash || strcmp(m.campaign_hash, hash)) && !force) {
			fprintf(stderr, "exitlab campaign: %s changed since the campaign started "
				"(%s, now %s); "
				"--force resumes it with the file as it is now\n", file,
				m.campaign_hash ? m.campaign_hash : "no hash", hash);
			code = EXIT_USAGE;
			goto out;
		}
		/*
		 * Whoever can write DIR can point its manifest at a file of theirs,
		 * hash and all: shell commands run only from a file the user names.
		 */
		for (size_t i = 0; file_recorded && i < nruns; i++)
			if (runs[i].service) {
				fprintf(stderr, "exitlab campaign: %s runs commands (service:); a resume runs them "
					"only from a campaign file you name: exitlab campaign FILE --resume %s\n",
					file, resume);
				code = EXIT_USAGE;
				goto out;
			}
		snprintf(dir, sizeof(dir), "%s", resume);
		/* the manifest says which entries are left; the file, what each of them runs */
		campaign_resume_commands(&m, runs, nruns, file, stderr);
		for (size_t i = 0; i < m.nentries; i++)
			if (m.entries[i].status == ST_RUNNING) /* the runner died under it */
				m.entries[i].status = ST_PENDING;
		campaign_sweep_temps(dir); /* what a killed writer left; nothing else writes here now */
	} else {
		struct stat st;

		if (out)
			snprintf(dir, sizeof(dir), "%s", out);
		else
			default_dir(dir, sizeof(dir), c.name);
		snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
		if (stat(mpath, &st) == 0) {
			fprintf(stderr, "exitlab campaign: %s exists: continue it with --resume %s, "
				"or choose "
				"another --out\n", mpath, dir);
			code = EXIT_USAGE;
			goto out;
		}
		snprintf(mpath, sizeof(mpath), "%s/entries", dir);
		if (mkdir_p(mpath)) {
			fprintf(stderr, "exitlab campaign: cannot create %s: %s\n", mpath, strerror(errno));
			code = EXIT_USAGE;
			goto out;
		}
		lock_fd = campaign_lock(dir, stderr);
		snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
		if (lock_fd < 0 || stat(mpath, &st) == 0) {
			if (lock_fd < 0)
				fprintf(stderr, "exitlab campaign: cannot lock %s/%s: %s\n", dir,
					CAMPAIGN_LOCK_NAME, strerror(errno));
			else /* another campaign made it while this one waited */
				fprintf(stderr, "exitlab campaign: %s exists: continue it with --resume %s\n",
					mpath, dir);
			code = lock_fd < 0 ? EXIT_FAILED : EXIT_USAGE;
			goto out;
		}
		if (manifest_from_runs(&m, &c, runs, nruns, file, hash)) {
			fprintf(stderr, "exitlab campaign: out of memory\n");
			code = EXIT_FAILED;
			goto out;
		}
		snprintf(mpath, sizeof(mpath), "%s/campaign.yaml", dir);
		if (atomic_write_text(mpath, text, err, sizeof(err)))
			fprintf(stderr, "exitlab campaign: %s\n", err);
	}
	if (manifest_write(&m, dir, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s\n", err);
		code = EXIT_FAILED;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pg.tty = isatty(2);
	pg.t0 = now_s();
	pg.total = m.nentries;
	for (size_t i = 0; i < m.nentries; i++)
		pg.finished += m.entries[i].status != ST_PENDING;
	fprintf(stderr, "exitlab campaign: %s: %zu entries, %zu to run, results in %s\n", c.name, m.nentries,
		m.nentries - pg.finished, dir);
	for (size_t i = 0; i < m.nentries && !stop_signal && !unrecorded; i++) {
		struct manifest_entry *e = &m.entries[i];
		int rc;

		if (e->status != ST_PENDING)
			continue;
		rc = run_entry(&m, dir, e, &pg);
		if (rc == 2) {
			unrecorded = true;
			break;
		}
		if (rc == 0) {
			pg.finished++;
			progress_line(&pg, e);
		}
		/*
		 * A manifest that cannot be written any more would let the
		 * campaign go on recording nothing: stop with what it has.
		 */
		if (manifest_write(&m, dir, err, sizeof(err))) {
			fprintf(stderr, "\nexitlab campaign: %s\n", err);
			unrecorded = true;
		}
	}
	if (pg.tty)
		fprintf(stderr, "\n");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (unrecorded) {
		fprintf(stderr, "exitlab campaign: stopped: %s/manifest.json cannot be written; it keeps the "
			"entries it recorded. Once the directory is writable, resume with:\n"
			"  exitlab campaign %s --resume %s\n", dir, file ? file : "", dir);
		code = EXIT_FAILED;
		goto out;
	}
	if (stop_signal) {
		print_resume_hint(file, dir);
		code = 130;
		goto out;
	}
	for (size_t i = 0; i < m.nentries; i++)
		counts[m.entries[i].status]++;
	fprintf(stderr, "exitlab campaign: %s: %zu done, %zu failed, %zu timeout, %zu skipped; "
		"manifest %s/manifest.json\n",
		c.name, counts[ST_DONE], counts[ST_FAILED], counts[ST_TIMEOUT], counts[ST_SKIPPED], dir);
	code = counts[ST_FAILED] || counts[ST_TIMEOUT] ? EXIT_FAILED : EXIT_OK;
out:
	campaign_runs_free(runs, nruns);
	campaign_free(&c);
	manifest_free(&m);
	free(text);
	return code;
}
