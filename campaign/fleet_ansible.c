// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "campaign/fleet_ansible.h"

#define MAX_CAPTURE (64u << 20)

bool fleet_tool_found(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; ; ) {
		const char *e = strchrnul(p, ':');

		/* an empty element of PATH is the current directory */
		snprintf(buf, sizeof(buf), "%.*s/%s", e == p ? 1 : (int)(e - p), e == p ? "." : p, name);
		if (!access(buf, X_OK))
			return true;
		if (!*e)
			return false;
		p = e + 1;
	}
}

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int fleet_capture(char *const argv[], char **out, char *err, size_t errlen)
{
	int fd[2], st;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	*out = NULL;
	if (pipe2(fd, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "exitlab: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		ssize_t n;

		if (len + 65536 + 1 > cap && cap < MAX_CAPTURE + 65536 + 1) {
			char *b = realloc(buf, cap = len + 65536 * 4 + 1);

			if (!b)
				break;
			buf = b;
		}
		if (len + 65536 + 1 > cap)
			break;
		n = read(fd[0], buf + len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	buf[len] = 0;
	*out = buf;
	return status_code(st);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fleet_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int fleet_inventory_hosts(const char *inventory, char ***hosts, size_t *n, char *err, size_t errlen)
{
	char *argv[] = { "ansible-inventory", "-i", (char *)inventory, "--list", NULL };
	char *out, **names = NULL, why[256];
	size_t count = 0;
	json_error_t je;
	json_t *root, *group;
	const char *gname;
	int rc = fleet_capture(argv, &out, why, sizeof(why));

	*hosts = NULL;
	*n = 0;
	if (rc < 0) {
		snprintf(err, errlen, "ansible-inventory: %s", why);
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "ansible-inventory -i %s --list exited %d", inventory, rc);
		free(out);
		return -1;
	}
	root = json_loads(out, 0, &je);
	free(out);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "ansible-inventory -i %s --list printed no JSON object", inventory);
		json_decref(root);
		return -1;
	}
	/* every group's hosts: a host of several groups once */
	json_object_foreach(root, gname, group) {
		json_t *hl = json_object_get(group, "hosts"), *h;
		size_t i;

		json_array_foreach(hl, i, h) {
			char **nn;
			bool seen = false;

			if (!json_is_string(h))
				continue;
			for (size_t k = 0; k < count && !seen; k++)
				seen = !strcmp(names[k], json_string_value(h));
			if (seen)
				continue;
			nn = realloc(names, (count + 1) * sizeof(*nn));
			if (!nn || !(nn[count] = strdup(json_string_value(h)))) {
				names = nn ? nn : names;
				fleet_names_free(names, count);
				json_decref(root);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			names = nn;
			count++;
		}
	}
	json_decref(root);
	if (!count) {
		snprintf(err, errlen, "the inventory %s has no hosts (ansible-inventory's warnings above say why)",
			 inventory);
		return -1;
	}
	qsort(names, count, sizeof(*names), name_cmp);
	*hosts = names;
	*n = count;
	return 0;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

int fleet_playbook_run(char *const argv[], char *const env[], bool *interrupted)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	int st = 0, forwarded = 0;
	pid_t pid;

	*interrupted = false;
	got_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "exitlab fleet: fork: %s\n", strerror(errno));
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		return -1;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		for (size_t i = 0; env[i]; i++)
			putenv(env[i]);
		execvp(argv[0], argv);
		fprintf(stderr, "exitlab fleet: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		if (waitpid(pid, &st, 0) == pid)
			break;
		if (errno != EINTR)
			break;
		/* ^C on a terminal reached ansible-playbook too; a SIGTERM to us alone is passed on */
		if (got_signal == SIGTERM && !forwarded)
			kill(pid, SIGTERM), forwarded = 1;
	}
	*interrupted = got_signal != 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return status_code(st);
}
