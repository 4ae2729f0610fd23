/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"

/* mkdir -p for the parent directories of path. */
static int mkdir_parents(const char *path, char *err, size_t errlen)
{
	char *p = strdup(path), *s;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* A rename is only durable once the directory entry itself is on disk. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void af_free(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	free(af->dir);
	memset(af, 0, sizeof(*af));
}

int atomic_file_open(struct atomic_file *af, const char *path, char *err, size_t errlen)
{
	const char *slash, *base;
	int fd;

	memset(af, 0, sizeof(*af));
	if (!path || !*path) {
		snprintf(err, errlen, "no output path");
		return -1;
	}
	if (mkdir_parents(path, err, errlen))
		return -1;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	af->path = strdup(path);
	af->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!af->path || !af->dir || asprintf(&af->tmp, "%s/.%s.XXXXXX", af->dir, base) < 0) {
		af->tmp = NULL;
		snprintf(err, errlen, "out of memory");
		af_free(af);
		return -1;
	}
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create temp file in %s: %s", af->dir, strerror(errno));
		af_free(af);
		return -1;
	}
	/* mkstemp makes 0600; results are meant to be shared. */
	if (fchmod(fd, 0644) || !(af->f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "opening %s: %s", af->tmp, strerror(errno));
		close(fd);
		unlink(af->tmp);
		af_free(af);
		return -1;
	}
	return 0;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->f) {
		fclose(af->f);
		unlink(af->tmp);
	}
	af_free(af);
}

int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen)
{
	FILE *f = af->f;

	if (!f) {
		snprintf(err, errlen, "not open");
		return -1;
	}
	af->f = NULL;
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		snprintf(err, errlen, "writing %s: %s", af->tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f)) {
		snprintf(err, errlen, "writing %s: %s", af->tmp, strerror(errno));
		goto fail;
	}
	if (rename(af->tmp, af->path)) {
		snprintf(err, errlen, "renaming %s to %s: %s", af->tmp, af->path, strerror(errno));
		goto fail;
	}
	if (fsync_dir(af->dir)) {
		snprintf(err, errlen, "syncing directory %s: %s", af->dir, strerror(errno));
		af_free(af);
		return -1;
	}
	af_free(af);
	return 0;
fail:
	unlink(af->tmp);
	af_free(af);
	return -1;
}

int atomic_write_text(const char *path, const char *text, char *err, size_t errlen)
{
	struct atomic_file af;

	if (atomic_file_open(&af, path, err, errlen))
		return -1;
	if (fputs(text, af.f) == EOF || fputc('\n', af.f) == EOF) {
		snprintf(err, errlen, "writing %s: %s", af.tmp, strerror(errno));
		atomic_file_abort(&af);
		return -1;
	}
	return atomic_file_commit(&af, err, errlen);
}
