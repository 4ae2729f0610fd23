/* SPDX-License-Identifier: MIT */
/*
 * `exitlab compare --counts`: the two sides' event counts per operation —
 * exits, exits to the VMM, KVM stats, kvm tracepoints, exits per reason,
 * device counters — compared, timings ignored. For hosts whose timings mean
 * nothing (the nested testbed under TCG) and for kernel against kernel.
 * See docs/compare.md, "Counts only".
 */
#ifndef EXITLAB_COMPARE_COUNTS_H
#define EXITLAB_COMPARE_COUNTS_H

#include <stdbool.h>

#include "analysis/compare.h"

/*
 * One pooled count of a test: its events summed over the pooled files that
 * had its family; divided by the family's operations (cmp_test.count_ops)
 * it is per operation. Names: "exits", "vmm_exits" (the results' rates, the
 * phase-end doorbell left out), "kvm.STAT", "kvm_vm.STAT" (KVM stats that
 * count, not times), "tp.EVENT" (kvm tracepoints), "exit.REASON" (the trace's
 * exits per hardware reason), "vmm_exit.REASON" (its KVM_EXIT_* reasons),
 * "dev.MODEL.COUNTER" (device counters).
 */
struct cmp_count {
	char name[96];
	double events;
};

/* One count of a matched test on both sides, per operation. */
struct cmp_count_diff {
	char name[96];
	double base, cur;             /* NAN where that side did not count its family */
	bool differs;
	bool noise;                   /* counts the host's timing (interrupts, preemption, halts): shown, never judged */
};

/*
 * A count differs when it moved by more than the larger of --count-delta and
 * CMP_COUNT_STRAY events over the shorter side's operations, and by more than
 * --threshold of the larger value: exits per operation are whole numbers,
 * and a phase gains a few strays (timer ticks, host interrupts) that in a
 * phase of few operations are a large share of one.
 */
#define CMP_COUNT_STRAY 16.0
#define CMP_COUNT_DELTA 0.05          /* the default --count-delta */

/* Pool tr's counts into t. 0, or -1 (ENOMEM). */
int cmp_counts_add(struct cmp_test *t, const struct test_result *tr);
void cmp_counts_free(struct cmp_test *t);
/* Fill row->diffs and give row (both sides present and ok) its counts verdict. 0, or -1 (ENOMEM). */
int cmp_counts_judge(struct cmp_row *row, const struct cmp_opts *o);
/* Whether a count, by its name, follows the host's timing rather than the operation. */
bool cmp_count_is_noise(const char *name);

#endif
