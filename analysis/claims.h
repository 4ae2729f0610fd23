/* SPDX-License-Identifier: MIT */
/*
 * The claims table (docs/claims.md): each quantitative claim of the classic
 * virtualization story beside what a run of the `claims` campaign measured on
 * this host, with a verdict.  claims_figure_* pull one figure out of one
 * results file (pure, unit-tested); claims_evaluate pools a figure over the
 * repetitions of its campaign entry and judges it against the claim.
 */
#ifndef EXITLAB_CLAIMS_H
#define EXITLAB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/results.h"
#include "analysis/results_store.h"

enum claim_verdict {
	CLAIM_HOLDS,          /* within the claim's window (docs/claims.md) */
	CLAIM_DIFFERS,        /* measured, outside the window */
	CLAIM_NOT_MEASURABLE, /* this host cannot measure it: why says what is missing */
	CLAIM_NOT_MEASURED,   /* it could be, but the run has no usable figure: why says what happened */
};

struct claim_row {
	const char *id;        /* "exit-cost" */
	const char *claim;     /* the claim as the story tells it */
	const char *entry;     /* the claims campaign entry that measures it */
	const char *source;    /* the published work the classic figure comes from (docs/claims.md) */
	enum claim_verdict verdict;
	double value;          /* median over the repetitions (NAN: none) */
	double lo, hi;         /* their range */
	int n;                 /* repetitions with a figure */
	char unit[24];         /* "cycles", "x", "%", "exits/packet", "packets/s", "Gbit/s" */
	char measured[160];    /* the figure as shown: "6786 cycles (2.61 us)" */
	char setup[200];       /* what the figure was measured with (net rows: claims_net_setup), or "" */
	char why[720];         /* the window and the factor, or what is missing */
};

#define CLAIMS_MAX 24

/* The 10 GbE line rate in frames/s for a frame of this many bytes (preamble, FCS and gap counted). */
double claims_line_rate_fps(double frame_bytes);

/* The cheapest exit the kernel handles itself (exits/iter ~1, user exits ~0): cycles, ns, test name. */
bool claims_figure_exit(const struct run_result *r, double *cycles, double *ns, char *test, size_t tlen);
/* The host's system call baseline (host_syscall), cycles. */
bool claims_figure_syscall(const struct run_result *r, double *cycles);
/*
 * An interrupt from a device to a running vCPU (exit-costs' irq_device, CPL0):
 * the KVM exits each costs besides the ioeventfd write that asks for it, and
 * the median cycles from the host's eventfd write to the guest's handler.
 */
bool claims_figure_irq(const struct run_result *r, double *exits, double *cycles);
/*
 * mem-walk's overhead (virtualized / native - 1) at its largest working set
 * with guest pages gpage on guest RAM backed by hpage, against the native
 * chase on hpage; *ws gets the working set.
 */
bool claims_figure_mem(const struct run_result *r, const char *gpage, const char *hpage, double *overhead,
		       long long *ws);
/* The geometric mean of virtualized / native over every mem-walk working set (best pages). */
bool claims_figure_mem_geomean(const struct run_result *r, double *ratio, int *pairs);
/* A net test (dir "tx" or "rx") at this batch (0: any): exits per frame, frames/s, frame size. */
bool claims_figure_net(const struct run_result *r, const char *dir, long batch, double *exits, double *fps,
		       double *size);
/*
 * The same test's exits per frame less those of host interrupts (KVM's
 * irq_exits): what the data path itself costs, whatever else the host does.
 */
bool claims_figure_device_exits(const struct run_result *r, const char *dir, long batch, double *exits);
/*
 * The setup behind that net test's figure, for a reader: the model and how it
 * is kicked, the back-end, what checks the frames, frame size, batch, polling
 * or interrupts ("virtio-net (kicks by ioeventfd), back-end sink,check=1, sink
 * checks every frame, 1514 B, batch 256, polling").  False if there is no such test.
 */
bool claims_net_setup(const struct run_result *r, const char *dir, long batch, char *buf, size_t len);
/*
 * tlb: at the largest N with both, what a refill pass after one exit of kind
 * ("pio") costs beyond the same pass after none, in cycles per exit.
 */
bool claims_figure_tlb(const struct run_result *r, const char *kind, double *extra_cycles, long long *pages);

/*
 * exitlab-guest's udp test in a Linux guest (docs/linux-guest.md): KVM exits,
 * exits to the VMM and host interrupts' exits, each per frame sent.
 */
bool claims_figure_guest_udp(const struct run_result *r, double *exits, double *user, double *hostirq);
/*
 * A Linux boot to its poweroff (`exitlab run linux`, docs/linux.md): the KVM
 * exits of the whole boot (vmm.linux.kvm_stats_totals.vcpus_sum.exits) and
 * those that reached the VMM (vmm.userspace_exits). False for a boot that
 * ended otherwise.
 */
bool claims_figure_boot_exits(const struct run_result *r, double *exits, double *user);

/* Paging of the run's host: "npt", "ept", "shadow" (no EPT/NPT, or switched off), or "unknown". */
const char *claims_paging(const struct run_result *r);

/*
 * Every row of the table for one run of the claims campaign.  Entries that
 * are not done say why in their rows; files that cannot be read go to problem.
 * Returns the number of rows.
 */
size_t claims_evaluate(const struct store_run *run, struct claim_row *rows, size_t max,
		       store_problem_fn problem, void *ctx);

/*
 * Counts from the nested testbed (docs/testbed.md: its --out directory) for
 * the rows whose claim is a count: passthrough's exits per packet
 * (ladder-vfio.json, tx at batch 1), Linux's e1000 driver's exits per packet
 * (lguest-e1000.json, exitlab-guest's udp test) and the exits a Linux boot
 * saves with nested paging (linux-boot.json at npt=1 against linux-npt0.json
 * at npt=0). Timings there mean nothing, so no timed claim takes a figure
 * from it. Returns the number of rows it filled. A missing file leaves
 * passthrough's row as it was and says, in a testbed-only row's why, which
 * file is missing; an unreadable one also goes to problem.
 */
size_t claims_from_testbed(const char *dir, struct claim_row *rows, size_t n, store_problem_fn problem,
			   void *ctx);

const char *claim_verdict_name(enum claim_verdict v);

#endif
