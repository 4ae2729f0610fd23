/* SPDX-License-Identifier: MIT */
/*
 * A campaign entry's back-end service (docs/campaigns.md, "service"): a
 * command such as a vhost-user back-end, started in its own process group
 * before the entry's run with @sock replaced by a socket path of the run's
 * own, waited for until that socket exists, and stopped after the run.
 */
#ifndef EXITLAB_CAMPAIGN_SERVICE_H
#define EXITLAB_CAMPAIGN_SERVICE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SERVICE_READY_S 20.0

struct service {
	pid_t pid;                    /* 0: not running */
	char sock[PATH_MAX];
};

/* The command's program (its first word after VAR=value words) into prog; false if there is none. */
bool service_program(const char *cmd, char *prog, size_t len);
/*
 * Start cmd (with @sock replaced by sock) under /bin/sh, its output to log,
 * and wait until sock exists.  0; 1 the program is not installed (err says
 * which: the entry is skipped); -1 it failed to start or made no socket.
 */
int service_start(struct service *s, const char *cmd, const char *sock, const char *log,
		  char *err, size_t errlen);
/* SIGTERM to the group, SIGKILL after 5 s; removes the socket. Safe on a service never started. */
void service_stop(struct service *s);
/* arg with every "@sock" replaced by sock (malloc'd), or NULL when it has none. */
char *service_subst(const char *arg, const char *sock);

#endif
