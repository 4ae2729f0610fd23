/* SPDX-License-Identifier: MIT */
/*
 * Turn the bench device's raw records (samples, instrument snapshots) into
 * test results: subtract each ring's loop overhead, compute order
 * statistics, and derive exits per iteration from the KVM stats deltas.
 */
#ifndef EXITLAB_COLLECT_H
#define EXITLAB_COLLECT_H

#include <stdbool.h>

#include "bench.h"
#include "kvm_stats.h"
#include "results.h"

/*
 * Snapshot slot layout used by cmd_run's hook: slot 0 = userspace exits of the
 * vCPU (KVM_RUN returns), slots 1..n = the vCPU's scalar KVM stats in
 * kvm_stats order.
 */
#define SNAP_USER_EXITS 0
#define SNAP_STATS_BASE 1

struct collect_ctx {
	const struct kvm_stats *stats; /* names of slots 1..n (may have fd -1: none) */
	double tsc_khz;
	bool pvm;                      /* CPL0 figures are instruction-emulated */
	bool keep_samples;
	const char *stop_reason;       /* for tests the VM never finished */
};

/* Append one test_result per record. 0, or -1 out of memory. */
int collect_records(const struct collect_ctx *c, const struct bench_dev *b, struct run_result *r);

#endif
