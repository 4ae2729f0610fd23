/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

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

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
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

int atomic_write_text(const char *path, const char *text, char *err, size_t errlen)
{
	char *tmp = NULL, *dir = NULL, *slash;
	const char *base;
	int fd = -1, ret = -1;

	if (!path || !*path) {
		snprintf(err, errlen, "no output path");
		return -1;
	}
	if (mkdir_parents(path, err, errlen))
		return -1;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create temp file in %s: %s", dir, strerror(errno));
		goto out;
	}
	/* mkstemp makes 0600; results are meant to be shared. */
	if (fchmod(fd, 0644) || write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) ||
	    fsync(fd)) {
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(fd)) {
		fd = -1;
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		snprintf(err, errlen, "renaming %s to %s: %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	if (fsync_dir(dir)) {
		snprintf(err, errlen, "syncing directory %s: %s", dir, strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
out_unlink:
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dir);
	return ret;
}
