// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/input_file.h"

int input_file_open(const char *path, struct stat *st, char *why, size_t whylen)
{
	/* O_NONBLOCK: open() of a FIFO without a writer would wait for one forever */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), flags;
	struct stat s;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &s)) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(s.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* a regular file never blocks: back to plain reads for the callers */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (st)
		*st = s;
	return fd;
}

FILE *input_file_fopen(const char *path, char *why, size_t whylen)
{
	int fd = input_file_open(path, NULL, why, whylen);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "rb");
	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
	}
	return f;
}

json_t *input_file_json(const char *path, size_t flags, json_error_t *je)
{
	char why[128];
	FILE *f = input_file_fopen(path, why, sizeof(why));
	json_t *j;

	if (!f) {
		memset(je, 0, sizeof(*je));
		je->line = je->column = je->position = -1;
		snprintf(je->source, sizeof(je->source), "%s", path);
		snprintf(je->text, sizeof(je->text), "%s", why);
		return NULL;
	}
	/* through stdio's buffer: json_loadfd reads one byte per read() */
	j = json_loadf(f, flags, je);
	fclose(f);
	return j;
}

int input_file_same(const char *out, const char *in)
{
	struct stat a, b;

	return !stat(out, &a) && !stat(in, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
