// SPDX-License-Identifier: MIT
/* A campaign entry's back-end service: start, wait for its socket, stop (campaign_service.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "campaign/campaign_service.h"
#include "util/mono_time.h"

bool service_program(const char *cmd, char *prog, size_t len)
{
	const char *p = cmd;

	for (;;) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			return false;
		/* VAR=value before the program sets its environment */
		if (memchr(p, '=', n) && !memchr(p, '/', (size_t)((char *)memchr(p, '=', n) - p))) {
			p += n;
			continue;
		}
		snprintf(prog, len, "%.*s", (int)n, p);
		return true;
	}
}

static bool installed(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	for (const char *d = path ? path : "/usr/bin:/bin"; *d;) {
		size_t n = strcspn(d, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, d, prog);
		if (access(buf, X_OK) == 0)
			return true;
		d += n + (d[n] == ':');
	}
	return false;
}

char *service_subst(const char *arg, const char *sock)
{
	size_t n = 0, sl = strlen(sock);
	char *out, *o;

	for (const char *p = arg; (p = strstr(p, "@sock")); p += 5)
		n++;
	if (!n)
		return NULL;
	out = o = malloc(strlen(arg) + n * sl + 1);
	if (!out)
		return NULL;
	for (const char *p = arg, *q; *p; p = q + 5) {
		q = strstr(p, "@sock");
		if (!q) {
			strcpy(o, p);
			return out;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, sock, sl);
		o += sl;
		*o = 0;
	}
	return out;
}

int service_start(struct service *s, const char *cmd, const char *sock, const char *log,
		  char *err, size_t errlen)
{
	char prog[256], *line;
	struct stat st;
	int fd, status;
	pid_t parent;

	s->pid = 0;
	snprintf(s->sock, sizeof(s->sock), "%s", sock);
	if (!service_program(cmd, prog, sizeof(prog))) {
		snprintf(err, errlen, "service '%s' names no program", cmd);
		return -1;
	}
	if (!installed(prog)) {
		snprintf(err, errlen, "service program '%s' is not installed", prog);
		return 1;
	}
	line = service_subst(cmd, sock);
	if (!line) {
		snprintf(err, errlen, "service: out of memory");
		return -1;
	}
	unlink(sock);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fflush(NULL);
	parent = getpid();
	s->pid = fork();
	if (s->pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		/* a campaign killed outright takes its back-end with it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		signal(SIGINT, SIG_IGN); /* the campaign stops it; a ^C reaches the whole terminal group */
		signal(SIGTERM, SIG_DFL);
		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	free(line);
	if (fd >= 0)
		close(fd);
	if (s->pid < 0) {
		s->pid = 0;
		snprintf(err, errlen, "service: fork: %s", strerror(errno));
		return -1;
	}
	setpgid(s->pid, s->pid);
	for (double t0 = mono_now_s(); mono_now_s() - t0 < SERVICE_READY_S; usleep(50000)) {
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			snprintf(err, errlen, "service '%s' exited (%s %d) before making %s; its log: %s", prog,
				 WIFEXITED(status) ? "status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), sock, log);
			return -1;
		}
	}
	snprintf(err, errlen, "service '%s' made no socket at %s in %.0f s; its log: %s", prog, sock,
		 SERVICE_READY_S, log);
	service_stop(s);
	return -1;
}

void service_stop(struct service *s)
{
	int status;

	if (s->pid > 0) {
		kill(-s->pid, SIGTERM);
		for (double t0 = mono_now_s(); waitpid(s->pid, &status, WNOHANG) != s->pid; usleep(50000))
			if (mono_now_s() - t0 > 5.0) {
				kill(-s->pid, SIGKILL);
				waitpid(s->pid, &status, 0);
				break;
			}
		/* the shell's children stay in the group: make sure none outlives the run */
		kill(-s->pid, SIGKILL);
		s->pid = 0;
	}
	if (s->sock[0])
		unlink(s->sock);
	s->sock[0] = 0;
}
