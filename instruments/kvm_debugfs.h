/* SPDX-License-Identifier: MIT */
/*
 * KVM's per-VM debugfs directory (/sys/kernel/debug/kvm/PID-FD/): one file
 * per statistic, the VM's own plus the sum over its vCPUs.  The way to read
 * another process's KVM stats when it holds no stats fd we could copy (KVM
 * refuses KVM_GET_STATS_FD from another process: EIO).  Files a kernel in
 * lockdown refuses (EPERM on the writable ones) are reported, not fatal.
 */
#ifndef EXITLAB_KVM_DEBUGFS_H
#define EXITLAB_KVM_DEBUGFS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KVM_DEBUGFS_MAX 512

struct kvm_debugfs {
	char dir[128];
	size_t n;
	char (*names)[64];
	int *file_err;      /* per file: 0, or the errno of its first failed read */
};

/* Find (mounting debugfs if needed and allowed) the directory of the target's VM fd. */
int kvm_debugfs_open(struct kvm_debugfs *d, pid_t pid, int vm_fd, char *err, size_t errlen);
/*
 * Read every file: where it succeeds, values[i] and ok[i] = true; where it
 * fails, both are left as they were (the VM's directory goes when the VM
 * does, so the last good read stands) and file_err[i] keeps the first errno.
 */
void kvm_debugfs_read(struct kvm_debugfs *d, uint64_t *values, bool *ok);
/* {"source":"debugfs","dir":…, "cumulative":{name: delta}, "unreadable":{name: why}} */
json_t *kvm_debugfs_delta_json(const struct kvm_debugfs *d, const uint64_t *before,
			       const bool *before_ok, const uint64_t *after, const bool *after_ok);
void kvm_debugfs_close(struct kvm_debugfs *d);
/* Parse one file's text ("123\n"). Pure: 0, or -1 if it is not one unsigned number. */
int kvm_debugfs_parse_value(const char *text, uint64_t *out);

#endif
