// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/input_file.h"
#include "util/self_exe.h"
#include "vmm/payload_path.h"

/*
 * The payload directories in the order they are tried: payloads/ beside the
 * binary (build/exitlab in the source tree), lib/exitlab/payloads under its
 * prefix (PREFIX/bin/exitlab after `make install`), build/payloads from the
 * working directory.  The k-th into buf: 0, 1 if there is none this time
 * (the binary's path unknown), -1 past the last.
 */
static int candidate(int k, char *buf, size_t len)
{
	char base[PATH_MAX / 2];

	switch (k) {
	case 0:
		if (self_exe_dir(base, sizeof(base)))
			return 1;
		return (size_t)snprintf(buf, len, "%s/payloads", base) < len ? 0 : 1;
	case 1:
		if (self_exe_prefix(base, sizeof(base)))
			return 1;
		return (size_t)snprintf(buf, len, "%s/lib/exitlab/payloads", base) < len ? 0 : 1;
	case 2:
		snprintf(buf, len, "build/payloads");
		return 0;
	default:
		return -1;
	}
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int payload_dir(char *buf, size_t len)
{
	int r;

	for (int k = 0; (r = candidate(k, buf, len)) >= 0; k++)
		if (r == 0 && is_dir(buf))
			return 0;
	return -1;
}

int payload_resolve(const char *arg, char *path, size_t len)
{
	char dir[PATH_MAX / 2];
	int r;

	if (strchr(arg, '/') || strstr(arg, ".elf")) {
		snprintf(path, len, "%s", arg);
		return access(path, R_OK);
	}
	/* Each directory that exists in turn; path keeps the last one tried. */
	for (int k = 0; (r = candidate(k, dir, sizeof(dir))) >= 0; k++) {
		if (r || (k < 2 && !is_dir(dir)))
			continue;
		snprintf(path, len, "%s/%s.elf", dir, arg);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return -1;
}

void *payload_read(const char *path, size_t max_mib, size_t *len, char *err, size_t errlen)
{
	char why[128];
	struct stat st;
	int fd = input_file_open(path, &st, why, sizeof(why));
	FILE *f;
	void *buf;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	if ((uint64_t)st.st_size > (uint64_t)max_mib << 20) {
		if (max_mib % 1024)
			snprintf(err, errlen, "%s: larger than %zu MiB", path, max_mib);
		else
			snprintf(err, errlen, "%s: larger than %zu GiB", path, max_mib / 1024);
		close(fd);
		return NULL;
	}
	if (!(f = fdopen(fd, "rb"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		snprintf(err, errlen, "%s: read failed", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = st.st_size;
	return buf;
}
