// SPDX-License-Identifier: MIT
/*
 * Running gnuplot for the charts: the scripts are found next to the binary
 * or in the tree, the figures go in as -e assignments, and a fork/exec with a
 * close-on-exec pipe tells "gnuplot is not installed" (exit code 3) from
 * "gnuplot failed" (1).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/outcome.h"
#include "analysis/gnuplot.h"

/* --format: the gnuplot terminal of the charts being drawn, and their file suffix. */
static const char *plot_term = "pngcairo", *plot_ext = ".png";

void plot_set_format(const char *term, const char *ext)
{
	plot_term = term;
	plot_ext = ext;
}

const char *plot_format_ext(void)
{
	return plot_ext;
}

char *plot_swap_ext(const char *path, const char *from, const char *to)
{
	size_t n = strlen(path), fl = strlen(from);
	char *s;

	if (n > fl && !strcmp(path + n - fl, from))
		n -= fl;
	if (asprintf(&s, "%.*s%s", (int)n, path, to) < 0)
		return NULL;
	return s;
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* $EXITLAB_SCRIPTS, else next to the installed binary, else the source tree. */
char *plot_find_script(const char *script_name)
{
	const char *env = getenv("EXITLAB_SCRIPTS");
	char exe[PATH_MAX], *s;
	ssize_t n;

	if (env && *env) {
		if (asprintf(&s, "%s/%s", env, script_name) < 0)
			return NULL;
		if (readable(s))
			return s;
		fprintf(stderr, "exitlab plot: EXITLAB_SCRIPTS is set but %s is not readable\n", s);
		free(s);
		return NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		/* build/exitlab beside scripts/ in the tree; PREFIX/bin/exitlab after make install */
		static const char *const rel[] = { "../scripts", "../share/exitlab/scripts" };
		const char *dir;

		exe[n] = '\0';
		dir = dirname(exe);
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if (asprintf(&s, "%s/%s/%s", dir, rel[i], script_name) < 0)
				return NULL;
			if (readable(s))
				return s;
			free(s);
		}
	}
	if (asprintf(&s, "scripts/%s", script_name) < 0)
		return NULL;
	if (readable(s))
		return s;
	fprintf(stderr, "exitlab plot: cannot find %s (looked in <exe dir>/../scripts, "
			"<exe dir>/../share/exitlab/scripts and ./scripts; set EXITLAB_SCRIPTS to its directory)\n", script_name);
	free(s);
	return NULL;
}

const char *plot_find_string(json_t *j, const char *key)
{
	const char *k, *found;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		v = json_object_get(j, key);
		if (json_is_string(v))
			return json_string_value(v);
		json_object_foreach(j, k, v)
			if ((found = plot_find_string(v, key)))
				return found;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if ((found = plot_find_string(v, key)))
				return found;
	}
	return NULL;
}

/* gnuplot single-quoted string: only ' needs escaping, as ''. */
char *plot_gp_assign(const char *var, const char *val)
{
	size_t n = strlen(val), k = 0;
	char *q = malloc(2 * n + 1), *s = NULL;

	if (!q)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (val[i] == '\'')
			q[k++] = '\'';
		q[k++] = val[i] == '\n' ? ' ' : val[i];
	}
	q[k] = '\0';
	if (asprintf(&s, "%s='%s'", var, q) < 0)
		s = NULL;
	free(q);
	return s;
}

/*
 * fork/exec gnuplot.  A close-on-exec pipe tells an exec failure (gnuplot not
 * installed) apart from gnuplot itself failing.
 */
static int run_gnuplot(char **argv)
{
	int pfd[2], status, child_errno = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		perror("exitlab plot: pipe");
		return EXIT_FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("exitlab plot: fork");
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_FAILED;
	}
	if (pid == 0) {
		close(pfd[0]);
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("exitlab plot: waitpid");
			return EXIT_FAILED;
		}
	}
	if (n == sizeof(child_errno)) {
		if (child_errno == ENOENT) {
			fprintf(stderr, "exitlab plot: gnuplot not found: install gnuplot-nox "
					"(apt-get install gnuplot-nox, or scripts/deps.sh as root)\n");
			return EXIT_NOHOST;
		}
		fprintf(stderr, "exitlab plot: cannot run gnuplot: %s\n", strerror(child_errno));
		return EXIT_NOHOST;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return EXIT_OK;
	if (WIFEXITED(status))
		fprintf(stderr, "exitlab plot: gnuplot failed (exit status %d)\n",
			WEXITSTATUS(status));
	else
		fprintf(stderr, "exitlab plot: gnuplot killed by signal %d\n", WTERMSIG(status));
	return EXIT_FAILED;
}

/* With -e term='...' (--format) first; the chart scripts default to pngcairo. */
int plot_run_gnuplot(char **args)
{
	char *term = plot_gp_assign("term", plot_term), **argv;
	size_t na = 0;
	int rc;

	while (args[na])
		na++;
	argv = calloc(na + 3, sizeof(*argv));
	if (!term || !argv) {
		fprintf(stderr, "exitlab plot: out of memory\n");
		free(term);
		free(argv);
		return EXIT_FAILED;
	}
	argv[0] = args[0];
	argv[1] = "-e";
	argv[2] = term;
	memcpy(&argv[3], &args[1], na * sizeof(*argv));
	rc = run_gnuplot(argv);
	free(term);
	free(argv);
	return rc;
}

int plot_run_script(const char *script, const struct gp_var *vars, size_t n, const char *raw)
{
	char **argv = calloc(2 * n + 5, sizeof(*argv)), **owned = calloc(n + 1, sizeof(*owned));
	size_t na = 0;
	int rc = EXIT_FAILED;

	if (!argv || !owned)
		goto oom;
	argv[na++] = "gnuplot";
	for (size_t i = 0; i < n; i++) {
		owned[i] = plot_gp_assign(vars[i].name, vars[i].value);
		if (!owned[i])
			goto oom;
		argv[na++] = "-e";
		argv[na++] = owned[i];
	}
	if (raw) {
		argv[na++] = "-e";
		argv[na++] = (char *)raw;
	}
	argv[na++] = (char *)script;
	rc = plot_run_gnuplot(argv);
	goto out;
oom:
	fprintf(stderr, "exitlab plot: out of memory\n");
out:
	for (size_t k = 0; owned && k < n; k++)
		free(owned[k]);
	free(owned);
	free(argv);
	return rc;
}

int plot_data_close(FILE *f)
{
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		errno = e ? e : EIO;
		return -1;
	}
	return fclose(f) ? -1 : 0;
}
