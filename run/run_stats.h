/* SPDX-License-Identifier: MIT */
/*
 * The KVM binary stats of the machine `exitlab run` builds: the VM's stats
 * fd and every vCPU's (KVM_GET_STATS_FD). The VMM core does not hold them;
 * the run opens them once the vCPUs exist and before they first enter the
 * guest, so that the bench device's first snapshot (the guest's first
 * phase) already reads them, and closes them at teardown. They are
 * optional: a kernel without stats fds leaves them closed (no values), and
 * a stats fd that cannot be parsed is worth a warning.
 */
#ifndef EXITLAB_RUN_STATS_H
#define EXITLAB_RUN_STATS_H

#include <stdbool.h>

#include "instruments/kvm_stats.h"
#include "vmm/machine.h"
#include "vmm/vm.h"

struct run_stats {
	bool open;                            /* run_stats_open was called */
	unsigned nvcpus;
	struct kvm_stats vm;                  /* fd -1 if unavailable */
	struct kvm_stats vcpu[VM_MAX_VCPUS];  /* [0, nvcpus), fd -1 if unavailable */
};

/* The VM's and each of m's vCPUs' stats fds (warns about unusable ones). */
void run_stats_open(struct run_stats *s, struct machine *m);
/* Closes what run_stats_open opened; a zeroed struct is left alone. */
void run_stats_close(struct run_stats *s);

#endif
