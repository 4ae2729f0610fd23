// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/input_file.h"
#include "vmm/payload_path.h"

/* payloads/ beside /proc/self/exe; 0 if that directory exists. */
static int exe_dir(char *buf, size_t len)
{
	char exe[PATH_MAX / 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(buf, len, "%s/payloads", exe);
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int payload_dir(char *buf, size_t len)
{
	struct stat st;

	if (exe_dir(buf, len) == 0)
		return 0;
	snprintf(buf, len, "build/payloads");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int payload_resolve(const char *arg, char *path, size_t len)
{
	char dir[PATH_MAX / 2];

	if (strchr(arg, '/') || strstr(arg, ".elf")) {
		snprintf(path, len, "%s", arg);
		return access(path, R_OK);
	}
	if (exe_dir(dir, sizeof(dir)) == 0) {
		snprintf(path, len, "%s/%s.elf", dir, arg);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(path, len, "build/payloads/%s.elf", arg);
	return access(path, R_OK);
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
