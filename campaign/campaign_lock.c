/* SPDX-License-Identifier: MIT */
/* The results directory's lock and the sweep of temp files (campaign_lock.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "campaign/campaign_lock.h"

int campaign_lock(const char *dir, FILE *note)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, CAMPAIGN_LOCK_NAME);
	/*
	 * Read-only: flock needs no more, and an fd open for writing would
	 * keep the file system from being remounted read-only under us.
	 */
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC); /* a read-only directory: the writes will say so */
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno != EWOULDBLOCK) {
		rc = errno;
		close(fd);
		errno = rc;
		return -1;
	}
	fprintf(note, "exitlab campaign: %s is in use by another exitlab campaign (or the run of its last "
		"entry): waiting for it to end\n", dir);
	while ((rc = flock(fd, LOCK_EX)) && errno == EINTR)
		;
	if (rc) {
		rc = errno;
		close(fd);
		errno = rc;
		return -1;
	}
	return fd;
}

#define LOCK_FD_ENV "EXITLAB_CAMPAIGN_LOCK_FD"

void campaign_lock_inherit(int fd)
{
	char n[16];

	if (fd < 0)
		return;
	fcntl(fd, F_SETFD, 0);
	snprintf(n, sizeof(n), "%d", fd);
	setenv(LOCK_FD_ENV, n, 1);
}

void campaign_lock_keep_private(void)
{
	const char *s = getenv(LOCK_FD_ENV);

	if (s) {
		fcntl(atoi(s), F_SETFD, FD_CLOEXEC);
		unsetenv(LOCK_FD_ENV);
	}
}

/* ".NAME.XXXXXX", as mkstemp makes them from atomic_file's template. */
static bool is_temp(const char *name)
{
	size_t n = strlen(name);

	if (n < 9 || name[0] != '.' || name[n - 7] != '.')
		return false;
	for (size_t i = n - 6; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

static void sweep(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (is_temp(de->d_name)) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

void campaign_sweep_temps(const char *dir)
{
	char path[PATH_MAX];

	sweep(dir);
	snprintf(path, sizeof(path), "%s/entries", dir);
	sweep(path);
}
