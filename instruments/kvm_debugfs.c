/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instruments/kvm_debugfs.h"

#define DEBUGFS "/sys/kernel/debug"

int kvm_debugfs_parse_value(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!text || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end && *end != '\n') || (*end == '\n' && end[1]))
		return -1;
	*out = v;
	return 0;
}

static int ensure_debugfs(char *err, size_t errlen)
{
	struct stat st;

	if (stat(DEBUGFS "/kvm", &st) == 0)
		return 0;
	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) == 0 && stat(DEBUGFS "/kvm", &st) == 0)
		return 0;
	snprintf(err, errlen, "%s/kvm not found and debugfs could not be mounted: %s", DEBUGFS,
		 strerror(errno));
	return -1;
}

int kvm_debugfs_open(struct kvm_debugfs *d, pid_t pid, int vm_fd, char *err, size_t errlen)
{
	DIR *dir;
	struct dirent *e;

	memset(d, 0, sizeof(*d));
	if (ensure_debugfs(err, errlen))
		return -1;
	snprintf(d->dir, sizeof(d->dir), DEBUGFS "/kvm/%d-%d", (int)pid, vm_fd);
	dir = opendir(d->dir);
	if (!dir) {
		snprintf(err, errlen, "%s: %s", d->dir, strerror(errno));
		return -1;
	}
	d->names = calloc(KVM_DEBUGFS_MAX, sizeof(*d->names));
	d->file_err = calloc(KVM_DEBUGFS_MAX, sizeof(*d->file_err));
	if (!d->names || !d->file_err) {
		closedir(dir);
		kvm_debugfs_close(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((e = readdir(dir)) && d->n < KVM_DEBUGFS_MAX) {
		if (e->d_type != DT_REG || strlen(e->d_name) >= sizeof(d->names[0]))
			continue;
		snprintf(d->names[d->n++], sizeof(d->names[0]), "%s", e->d_name);
	}
	closedir(dir);
	return 0;
}

void kvm_debugfs_read(struct kvm_debugfs *d, uint64_t *values, bool *ok)
{
	for (size_t i = 0; i < d->n; i++) {
		char path[256], text[64];
		uint64_t v;
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", d->dir, d->names[i]);
		/* The first failure is the telling one (EPERM); ENOENT later only means the VM went. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (!d->file_err[i])
				d->file_err[i] = errno;
			continue;
		}
		n = read(fd, text, sizeof(text) - 1);
		if (n < 0 && !d->file_err[i])
			d->file_err[i] = errno;
		close(fd);
		if (n <= 0)
			continue;
		text[n] = 0;
		/* histograms and tables are not a single number: not ours to guess */
		if (kvm_debugfs_parse_value(text, &v)) {
			if (!d->file_err[i])
				d->file_err[i] = EINVAL;
			continue;
		}
		values[i] = v;
		ok[i] = true;
	}
}

static const char *why(int e)
{
	if (e == EPERM)
		return "EPERM: debugfs refuses it (a kernel in lockdown blocks writable debugfs files)";
	if (e == EINVAL)
		return "not a single number (histogram or table)";
	if (e == ENOENT)
		return "ENOENT: the VM was destroyed before it could be read";
	return strerror(e);
}

json_t *kvm_debugfs_delta_json(const struct kvm_debugfs *d, const uint64_t *before,
			       const bool *before_ok, const uint64_t *after, const bool *after_ok)
{
	json_t *cum = json_object(), *bad = json_object();
	size_t nbad = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (!before_ok[i] || !after_ok[i]) {
			json_object_set_new(bad, d->names[i], json_string(why(d->file_err[i] ? d->file_err[i] : EIO)));
			nbad++;
		} else if (after[i] != before[i]) {
			json_object_set_new(cum, d->names[i], json_integer((json_int_t)(after[i] - before[i])));
		}
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I}", "source", "debugfs",
			 "note", "VM stats plus the sum over its vCPUs, up to the last read before the VM went; every changed value is a delta",
			 "dir", d->dir, "cumulative", cum, "unreadable", bad, "files", (json_int_t)d->n,
			 "files_unreadable", (json_int_t)nbad);
}

void kvm_debugfs_close(struct kvm_debugfs *d)
{
	free(d->names);
	free(d->file_err);
	memset(d, 0, sizeof(*d));
}
