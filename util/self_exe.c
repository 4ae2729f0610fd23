// SPDX-License-Identifier: MIT
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/self_exe.h"

/* Cut path at its last '/' ("/" itself stays "/"); -1 if there is none. */
static int cut_last(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash)
		return -1;
	if (slash == path)
		slash[1] = 0;
	else
		*slash = 0;
	return 0;
}

int self_exe_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = 0;
	if (cut_last(exe))
		return -1;
	return (size_t)snprintf(buf, len, "%s", exe) < len ? 0 : -1;
}

int self_exe_prefix(char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (self_exe_dir(dir, sizeof(dir)) || cut_last(dir))
		return -1;
	return (size_t)snprintf(buf, len, "%s", dir) < len ? 0 : -1;
}
