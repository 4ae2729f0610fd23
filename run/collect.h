/* SPDX-License-Identifier: MIT */
/*
 * Turn the bench device's raw records (samples, instrument snapshots) into
 * test results: subtract each test's own loop overhead (its OVERHEAD
 * bracket, else the ring's latest `empty` test) and judge the cost against
 * it, compute order statistics, derive exits per iteration from the KVM
 * stats deltas, and pool the repetitions of a --repeat run into one row.
 */
#ifndef EXITLAB_COLLECT_H
#define EXITLAB_COLLECT_H

#include <stdbool.h>

#include "devices/platform/bench.h"
#include "instruments/kvm_stats.h"
#include "analysis/results.h"

/*
 * Snapshot slot layout used by run_exitlab's hook (run/run_exitlab.c): slot 0 = userspace exits of the
 * vCPU (KVM_RUN returns), slot 1 = the host's monotonic clock in ns, slots 2
 * and 3 = CPU ns so far of the device side's threads and of the vCPU thread
 * (0: unknown; a thread that has run has used some), then every vCPU KVM stat value (kvm_stats_read's
 * flat array: scalars and histogram buckets), then every VM value. A stats
 * set with no values (fd unavailable) takes no slots.
 */
#define SNAP_USER_EXITS 0
#define SNAP_HOST_NS    1   /* CLOCK_MONOTONIC at the snapshot: the phase's wall time */
#define SNAP_DEVICE_CPU_NS 2 /* thread_cpu_device_ns */
#define SNAP_VCPU_CPU_NS 3  /* the vCPU thread's CPU clock */
#define SNAP_STATS_BASE 4
#define SNAP_CPU_UNKNOWN 0

/*
 * With several vCPUs, after the VM's values: for each of vCPUs 1..nap, its
 * userspace exits, then its stat values (the same descriptors as vCPU 0's).
 */
struct snap_layout {
	size_t vcpu_base, vm_base;
	size_t ap_base, ap_stride, nap;
	size_t nvalues;               /* slots in all: hooks.nvalues */
};

void snap_layout_init(struct snap_layout *l, const struct kvm_stats *vcpu, const struct kvm_stats *vm);
/* The same for nvcpus vCPUs (1: as snap_layout_init). */
void snap_layout_init_vcpus(struct snap_layout *l, const struct kvm_stats *vcpu, const struct kvm_stats *vm,
			    unsigned nvcpus);

struct collect_ctx {
	const struct kvm_stats *vcpu_stats; /* descriptors of the vCPU slots (NULL: none) */
	const struct kvm_stats *vm_stats;   /* descriptors of the VM slots (NULL: none) */
	double tsc_khz;
	bool pvm;                      /* CPL0 figures are instruction-emulated */
	bool keep_samples;
	const char *stop_reason;       /* for tests the VM never finished */
	unsigned repeat;               /* --repeat: records of one test (name, ring, params) pool */
	unsigned nvcpus;               /* vCPUs in the snapshots (0 or 1: one, no "vcpus" object) */
	bool whole_guest;              /* a Linux guest: its tool runs on any vCPU, so a test's exits and
	                                * kvm_stats are every vCPU's, summed (a payload's: vCPU 0's) */
};

/*
 * Append one test_result per record, and set r->kvm_stats_schema_json from
 * the descriptors. 0, or -1 out of memory.
 */
int collect_records(const struct collect_ctx *c, const struct bench_dev *b, struct run_result *r);

#endif
