/* SPDX-License-Identifier: MIT */
/*
 * Another process's KVM stats, for `exitlab observe`. KVM refuses
 * KVM_GET_STATS_FD from another process (EIO: not the VM's mm), so: copies
 * of stats fds the target opened itself (exitlab always does; QEMU after
 * query-stats), else KVM's debugfs files.
 */
#ifndef EXITLAB_TARGET_STATS_H
#define EXITLAB_TARGET_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "instruments/kvm_debugfs.h"
#include "instruments/kvm_process.h"
#include "instruments/kvm_stats.h"

struct stats_entry {
	char kind[8];            /* "vm" or "vcpu" (stats fd) or "vm-debugfs" */
	int target_fd;
	struct kvm_stats s;      /* stats-fd source */
	struct kvm_debugfs dfs;  /* debugfs source */
	bool is_debugfs;
	uint64_t *before, *after;
	bool *before_ok, *after_ok;  /* debugfs: per file */
	char error[320];
};

struct target_stats {
	size_t n;
	struct stats_entry e[3 * KVM_PROCESS_MAX_FDS];
};

/* One entry per stats fd the target holds (VM and vCPUs), or per VM's debugfs directory. */
void target_stats_open(struct target_stats *t, const struct kvm_process *p);
/* Read every usable source into before (after = false) or after. */
void target_stats_snap(struct target_stats *t, bool after);
/* debugfs directories go with their VM: keep the latest reading as we go. */
void target_stats_snap_debugfs(struct target_stats *t);
/* [{kind, target_fd, stats | stats: null + stats_error}], the deltas after - before. */
json_t *target_stats_json(const struct target_stats *t);
void target_stats_print(FILE *f, const struct target_stats *t);
void target_stats_close(struct target_stats *t);

#endif
