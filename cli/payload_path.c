// SPDX-License-Identifier: MIT
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "payload_path.h"

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
