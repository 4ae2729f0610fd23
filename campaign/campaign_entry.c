// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/results.h"
#include "campaign/campaign_entry.h"
#include "campaign/campaign_lock.h"
#include "campaign/campaign_service.h"
#include "util/mono_time.h"
#include "util/outcome.h"
#include "util/xalloc.h"

/* Paths are bounded (the directory is refused past PATH_MAX / 2); a truncated message is fine. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* Where an entry's files go, relative to DIR and absolute. */
struct entry_files {
	char stem[600], json_rel[700], log_rel[700];
	char json_abs[PATH_MAX], log_abs[PATH_MAX], disk_abs[PATH_MAX];
};

/* What runs for an entry: the child, its stderr pipe and log, its service. */
struct entry_child {
	pid_t pid;
	int pipe_rd, pipe_wr, logfd;
	struct service svc;
	char svc_dir[64];
};

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

static void files_init(struct entry_files *f, const char *dir, const struct manifest_entry *e)
{
	char slug[512];

	snprintf(slug, sizeof(slug), "%s", e->name);
	for (char *p = slug; *p; p++)
		if (*p == '/')
			*p = '-';
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			   *p == '.' || *p == '-'))
			*p = '_';
	manifest_entry_stem(f->stem, sizeof(f->stem), e->id, slug);
	snprintf(f->json_rel, sizeof(f->json_rel), "%s.json", f->stem);
	snprintf(f->log_rel, sizeof(f->log_rel), "%s.log", f->stem);
	snprintf(f->json_abs, sizeof(f->json_abs), "%s/%s", dir, f->json_rel);
	snprintf(f->log_abs, sizeof(f->log_abs), "%s/%s", dir, f->log_rel);
	snprintf(f->disk_abs, sizeof(f->disk_abs), "%s/%s.img", dir, f->stem);
}

/* Records that e starts; -1 (e pending again) if the manifest cannot say so. */
static int mark_running(struct manifest *m, const char *dir, struct manifest_entry *e,
			const struct entry_files *f)
{
	char err[512];

	e->status = ST_RUNNING;
	iso_now(e->started_at, sizeof(e->started_at));
	e->exit_code = -1;
	e->duration_s = -1;
	free(e->results);
	e->results = NULL;
	free(e->log);
	e->log = xstrdup(f->log_rel);
	set_reason(e, NULL);
	if (manifest_write(m, dir, err, sizeof(err))) {
		/* a run the manifest cannot record would be lost to a resume: none starts */
		fprintf(stderr, "\nexitlab campaign: %s\n", err);
		e->status = ST_PENDING;
		e->started_at[0] = 0;
		free(e->log);
		e->log = NULL;
		return -1;
	}
	return 0;
}

/*
 * The log, the stderr pipe, the scratch disk and the service, in that order.
 * Returns 0, 1 if the service says this host cannot run the entry (err says
 * why: skipped), -1 if something failed (err says what); nothing is left
 * open or created unless 0.
 */
static int prepare(const char *dir, const struct manifest_entry *e, const struct entry_files *f,
		   struct entry_child *c, char *err, size_t errlen)
{
	int pfd[2];

	c->logfd = open(f->log_abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->logfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot open %s: %s", f->log_abs, strerror(errno));
		if (c->logfd >= 0)
			close(c->logfd);
		return -1;
	}
	c->pipe_rd = pfd[0];
	c->pipe_wr = pfd[1];
	if (e->disk_mib) {
		int fd = open(f->disk_abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || ftruncate(fd, (off_t)e->disk_mib << 20)) {
			snprintf(err, errlen, "scratch disk %s: %s", f->disk_abs, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto undo_pipes;
		}
		close(fd);
	}
	if (e->service) {
		char svc_log[PATH_MAX + 16], sock[PATH_MAX];
		int rc;

		/* a socket path must fit sun_path (108 bytes): a short directory of its own */
		snprintf(c->svc_dir, sizeof(c->svc_dir), "/tmp/exitlab-svc.XXXXXX");
		if (!mkdtemp(c->svc_dir)) {
			snprintf(err, errlen, "service: mkdtemp: %s", strerror(errno));
			c->svc_dir[0] = 0;
			rc = -1;
		} else {
			snprintf(sock, sizeof(sock), "%s/sock", c->svc_dir);
			snprintf(svc_log, sizeof(svc_log), "%s/%s.service.log", dir, f->stem);
			rc = service_start(&c->svc, e->service, sock, svc_log, err, errlen);
		}
		if (rc) {
			if (e->disk_mib)
				unlink(f->disk_abs);
			if (c->svc_dir[0])
				rmdir(c->svc_dir);
			close(c->logfd);
			close(c->pipe_rd);
			close(c->pipe_wr);
			return rc > 0 ? 1 : -1;
		}
	}
	return 0;

undo_pipes:
	close(c->logfd);
	close(c->pipe_rd);
	close(c->pipe_wr);
	return -1;
}

static void service_end(const struct manifest_entry *e, struct entry_child *c)
{
	if (e->service) {
		service_stop(&c->svc);
		rmdir(c->svc_dir);
	}
}

/*
 * Starts `exitlab run PAYLOAD ARGS... --json FILE` with @disk and the
 * service's socket put into its arguments.  Returns the child's pid or -1.
 */
static pid_t spawn(const struct manifest_entry *e, const struct entry_files *f, struct entry_child *c,
		   int lock_fd)
{
	char **argv = calloc(e->nargs + 6, sizeof(*argv));
	char **subst = calloc(e->nargs + 1, sizeof(*subst));
	pid_t pid, parent;

	if (!argv || !subst) {
		fprintf(stderr, "exitlab: out of memory\n");
		abort();
	}
	argv[0] = "exitlab";
	argv[1] = "run";
	argv[2] = e->payload;
	for (size_t k = 0; k < e->nargs; k++) {
		const char *at = e->disk_mib ? strstr(e->args[k], "@disk") : NULL;
		char *s2;

		argv[3 + k] = e->args[k];
		if (at && asprintf(&subst[k], "%.*s%s%s", (int)(at - e->args[k]), e->args[k], f->disk_abs,
				   at + 5) > 0)
			argv[3 + k] = subst[k];
		if (e->service && (s2 = service_subst(argv[3 + k], c->svc.sock))) {
			free(subst[k]);
			argv[3 + k] = subst[k] = s2;
		}
	}
	argv[3 + e->nargs] = "--json";
	argv[4 + e->nargs] = (char *)f->json_abs;
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
		if (dup2(c->logfd, 1) < 0 || dup2(c->pipe_wr, 2) < 0)
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
	return pid;
}

/* How the child ended, as supervise() saw it. */
struct ending {
	int status, timed_out, stopped;
};

/*
 * Copies the child's stderr into the log (keeping its last line), kills it
 * at its timeout or on *stop (SIGTERM, then SIGKILL), and returns once it
 * has exited and its pipe is drained.
 */
static struct ending supervise(const struct manifest_entry *e, struct entry_child *c, struct last_line *ll,
			       struct campaign_progress *pg, volatile sig_atomic_t *stop, double t0)
{
	struct ending end = { 0 };
	double kill_at = 0, exited_at = 0;
	int exited = 0;

	for (int pipe_open = 1;;) {
		double t = mono_now_s();

		if (pipe_open) {
			struct pollfd p = { .fd = c->pipe_rd, .events = POLLIN };
			char buf[4096];

			if (poll(&p, 1, 250) > 0) {
				ssize_t n = read(c->pipe_rd, buf, sizeof(buf));

				if (n > 0) {
					last_line_feed(ll, buf, (size_t)n);
					if (write(c->logfd, buf, (size_t)n) < 0) {
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
			pid_t w = waitpid(c->pid, &end.status, WNOHANG);

			if (w == c->pid) {
				exited = 1;
				exited_at = t;
			}
		}
		/* after the exit, drain what is left; a grandchild holding the pipe gets 2 s */
		if (exited && (!pipe_open || t - exited_at > 2.0))
			break;
		if (exited)
			continue;
		if (*stop && !end.stopped) {
			end.stopped = 1;
			kill_group(c->pid, SIGTERM);
			kill_at = t + CAMPAIGN_STOP_WAIT_S;
		} else if (!end.stopped && !end.timed_out && t - t0 > e->timeout_s + CAMPAIGN_GRACE_S) {
			end.timed_out = 1;
			kill_group(c->pid, SIGKILL);
		} else if (end.stopped && kill_at && t > kill_at) {
			kill_group(c->pid, SIGKILL);
			kill_at = 0;
		}
		if (pg->tty && !end.stopped)
			campaign_progress_bar(pg, e->name);
	}
	return end;
}

/* An interrupted attempt leaves nothing behind: resume starts the entry afresh. */
static void forget_attempt(const char *dir, struct manifest_entry *e, const struct entry_files *f)
{
	unlink(f->json_abs);
	unlink(f->log_abs);
	if (e->service) {
		char svc_log[PATH_MAX + 16];

		snprintf(svc_log, sizeof(svc_log), "%s/%s.service.log", dir, f->stem);
		unlink(svc_log);
	}
	free(e->log);
	e->log = NULL;
	e->status = ST_PENDING;
	e->started_at[0] = 0;
	e->duration_s = -1;
	set_reason(e, NULL);
}

/* The entry's status and reason from how the child ended and what it wrote. */
static void record(struct manifest_entry *e, const struct entry_files *f, const struct ending *end,
		   struct last_line *ll)
{
	char err[512];

	if (end->timed_out) {
		e->status = ST_TIMEOUT;
		snprintf(err, sizeof(err), "killed after %.0f s (timeout_s %g + %g s grace)", e->duration_s,
			 e->timeout_s, CAMPAIGN_GRACE_S);
		set_reason(e, err);
	} else if (WIFEXITED(end->status)) {
		struct run_result r;
		int readable;

		e->exit_code = WEXITSTATUS(end->status);
		memset(&r, 0, sizeof(r));
		readable = access(f->json_abs, F_OK) == 0 && results_read_json(f->json_abs, &r, err,
			sizeof(err)) == 0;
		if (access(f->json_abs, F_OK) == 0) {
			if (readable)
				e->results = xstrdup(f->json_rel);
			results_free(&r);
		}
		if (e->exit_code == EXIT_OK && readable) {
			e->status = ST_DONE;
		} else if (e->exit_code == EXIT_OK) {
			e->status = ST_FAILED;
			set_reason(e, access(f->json_abs, F_OK) ? "exit 0 but no results file" : err);
		} else {
			e->status = e->exit_code == EXIT_NOHOST ? ST_SKIPPED : ST_FAILED;
			set_reason(e, last_line_get(ll) ? last_line_get(ll) : "no message");
		}
	} else {
		e->status = ST_FAILED;
		snprintf(err, sizeof(err), "killed by signal %d", WTERMSIG(end->status));
		set_reason(e, err);
	}
	if (!e->results && e->status == ST_DONE)
		e->status = ST_FAILED;
}

int campaign_entry_run(struct manifest *m, const char *dir, struct manifest_entry *e,
		       struct campaign_progress *pg, int lock_fd, volatile sig_atomic_t *stop)
{
	struct entry_files f;
	struct entry_child c = { .pid = 0, .svc = { .pid = 0 } };
	struct last_line ll = { .n = 0 };
	struct ending end;
	double t0 = mono_now_s();
	char err[512];
	int rc;

	files_init(&f, dir, e);
	unlink(f.json_abs); /* a partial file of an interrupted attempt */
	if (mark_running(m, dir, e, &f))
		return 2;
	campaign_progress_bar(pg, e->name);

	rc = prepare(dir, e, &f, &c, err, sizeof(err));
	if (rc > 0) {
		e->status = ST_SKIPPED;
		e->duration_s = mono_now_s() - t0;
		set_reason(e, err);
		return 0;
	}
	if (rc < 0)
		goto failed_to_start;
	c.pid = spawn(e, &f, &c, lock_fd);
	close(c.pipe_wr);
	if (c.pid < 0) {
		close(c.pipe_rd);
		close(c.logfd);
		snprintf(err, sizeof(err), "fork: %s", strerror(errno));
		service_end(e, &c);
		goto failed_to_start;
	}
	setpgid(c.pid, c.pid);
	end = supervise(e, &c, &ll, pg, stop, t0);
	close(c.pipe_rd);
	close(c.logfd);
	if (e->disk_mib)
		unlink(f.disk_abs);
	service_end(e, &c);
	e->duration_s = mono_now_s() - t0;
	if (end.stopped) {
		forget_attempt(dir, e, &f);
		return 1;
	}
	record(e, &f, &end, &ll);
	pg->ran++;
	pg->ran_s += e->duration_s;
	return 0;

failed_to_start:
	e->status = ST_FAILED;
	e->duration_s = mono_now_s() - t0;
	set_reason(e, err);
	return 0;
}
