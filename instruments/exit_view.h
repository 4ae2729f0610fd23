/* SPDX-License-Identifier: MIT */
/*
 * The `perf kvm stat` views, built incrementally from tracepoint records:
 *   vmexit   per hardware exit reason (kvm:kvm_exit), timed kvm_exit -> next
 *            kvm_entry of the same thread, where those events fire;
 *   ioport   per (port, direction, size) from kvm:kvm_pio;
 *   mmio     per (gpa, read/write, len) from kvm:kvm_mmio, one row per access:
 *            KVM traces a read that goes to userspace twice (unsatisfied-read,
 *            then read when the value is back); that pair is one read;
 *   userspace exits per (KVM_EXIT_* reason, errno) from kvm:kvm_userspace_exit;
 *   msr      per (index, direction) from kvm:kvm_msr;
 *   and the count of every event that fired.
 * Register the events, feed records (as often as you like: observe drains
 * periodically), then render JSON or text at any time.  Memory is bounded:
 * at most EXIT_VIEW_MAX_KEYS distinct keys per view, the rest go to an
 * "other" bucket; percentiles come from a bounded reservoir per key.
 *
 * Where kvm_exit and kvm_entry fire (timing_source set), the rows count as
 * `perf kvm stat report` does: an exit once its kvm_entry is seen, a port
 * access or MMIO write at the kvm_entry of the exit that made it, an MMIO
 * read at its completion.  What the capture cut (an exit with no kvm_entry
 * after it, an access whose kvm_exit came before the capture) is counted
 * apart, as "unpaired".  Times, per row:
 *   exit reasons  time_ns       kvm_exit -> kvm_entry
 *   ports         time_ns       kvm_pio -> kvm_entry (perf kvm stat's; an IN is
 *                               traced when the VMM's value is back, so this
 *                               leaves the trip to userspace out)
 *                 exit_time_ns  kvm_exit -> kvm_entry of the exit that made it
 *   MMIO writes   time_ns       kvm_mmio -> kvm_entry (perf kvm stat's)
 *   MMIO reads    time_ns       kvm_exit -> the read's completion (perf kvm stat's)
 *                 exit_time_ns  kvm_exit -> kvm_entry
 * "interval" names time_ns's on port and MMIO rows.  Where they do not fire
 * (PVM), every access counts and nothing is timed.  One difference from perf:
 * perf drops a thread's events until its first kvm_entry (it learns the vCPU
 * from it), so when a capture starts with the vCPU in the guest, perf misses
 * its first exit and observe counts it.
 *
 * JSON shape (every key always present):
 * {
 *   "events_available": ["kvm:kvm_pio", ...],
 *   "events_unavailable": {"kvm:kvm_foo": "why"},
 *   "events_fired": {"kvm:kvm_pio": 80085, ...},      counts > 0 only
 *   "records": N, "lost": N, "threads": N,
 *   "timing_source": "kvm_exit/kvm_entry" | null,
 *   "timing_note": null | "why there is no per-exit timing",
 *   "exit_reasons": [{"isa": "vmx"|"svm"|"unknown", "reason": N, "raw": N,
 *                     "name": "IO_INSTRUCTION"|null, "failed_vmentry": bool,
 *                     "count": N, "unpaired": N, "share_pct": x, "time_ns": TIME|null}],
 *   "ioports": [{"port": N, "port_hex": "0x520", "rw": "write"|"read",
 *                "size": N, "count": N, "unpaired": N, "share_pct": x,
 *                "interval": "kvm_pio->kvm_entry", "time_ns": TIME|null,
 *                "exit_time_ns": TIME|null}],
 *   "mmio": [{"gpa": "0xc0001000", "type": "write"|"read"|N, "len": N,
 *             "count": N, "unpaired": N, "share_pct": x,
 *             "interval": "kvm_mmio->kvm_entry"|"kvm_exit->kvm_mmio",
 *             "time_ns": TIME|null, "exit_time_ns": TIME|null}],
 *   "userspace_exits": [{"reason": N, "name": "IO"|null, "errno": N,
 *                        "count": N, "share_pct": x}],
 *   "msrs": [{"index": "0x1a0", "rw": "read"|"write", "count": N, "share_pct": x}],
 *   "unpaired": {"exit_reasons": N, "ioports": N, "mmio": N},
 *   "other": {"exit_reasons": N, "ioports": N, "mmio": N, "userspace_exits": N,
 *             "msrs": N}                     hits past the distinct-key cap
 * }
 * TIME = {"n": N, "min": x, "median": x, "p99": x, "max": x, "mean": x,
 *         "percentile_samples": N}   (median/p99 over a reservoir of that many)
 * Lists are sorted by count, descending.  share_pct is of the table's count.
 */
#ifndef EXITLAB_EXIT_VIEW_H
#define EXITLAB_EXIT_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "instruments/tp_record.h"
#include "instruments/tracefs.h"

struct tp_session;
struct tp_event;

#define EXIT_VIEW_MAX_EVENTS 64
#define EXIT_VIEW_MAX_KEYS 4096		/* distinct keys per table */
#define EXIT_VIEW_RESERVOIR 8192	/* timing samples kept per key */

enum ev_role { EV_OTHER, EV_EXIT, EV_ENTRY, EV_UEXIT, EV_PIO, EV_MMIO, EV_MSR };

struct ev_time {
	uint64_t n;
	double min, max, sum;
	double *res;			/* reservoir, grown on demand */
	uint32_t res_n, res_cap;
};

struct ev_bucket {
	uint64_t a, b;			/* the key, per table */
	uint64_t count;			/* every hit (an exit, an access) */
	struct ev_time time;		/* the row's interval: time.n hits were paired */
	struct ev_time xtime;		/* ports, MMIO: kvm_exit -> kvm_entry */
	bool used;
};

struct ev_table {
	struct ev_bucket *slots;	/* open addressing, power-of-2 capacity */
	size_t cap, n;
	uint64_t total, other;		/* all hits; hits past the key cap */
	uint64_t paired, other_paired;	/* the same, paired (timed) */
};

struct ev_event {
	char name[2 * TP_NAME_MAX];
	bool available;
	char why[192];
	int id;
	enum ev_role role;
	struct tp_field f[4];		/* the role's fields; size 0 = absent */
	uint64_t records;		/* samples fed */
	uint64_t count;			/* from counters, when count_set */
	bool count_set;
};

/* Where a thread is between its kvm_exit and kvm_entry (see the header comment). */
struct ev_tid {
	uint32_t tid;
	bool in_exit;			/* kvm_exit seen, kvm_entry not yet */
	bool pio;			/* a kvm_pio in this exit, timed at kvm_entry */
	bool mmio_write;		/* an MMIO write in this exit, timed at kvm_entry */
	bool mmio_any;			/* an MMIO access in this exit (for exit_time_ns) */
	bool read_pending;		/* an unsatisfied read waiting for its completion */
	uint64_t exit_time, pio_time, mmio_begin;	/* mmio_begin 0: none */
	uint64_t reason_a, reason_b, pio_a, pio_b, mmio_a, mmio_b, read_a, read_b;
};

struct exit_view {
	struct ev_event events[EXIT_VIEW_MAX_EVENTS];
	size_t nevents;
	struct ev_table reasons, ports, mmio, uexits, msrs;
	struct ev_tid *tids;
	size_t ntids, tids_cap;
	uint64_t records, unknown, lost, timed;
	uint64_t res_budget;		/* reservoir doubles still allowed */
	uint64_t rng;
};

void exit_view_init(struct exit_view *v);
void exit_view_free(struct exit_view *v);

/* Register an event that is open, with its format. 0, or -1 (table full). */
int exit_view_add_event(struct exit_view *v, const char *name, const struct tp_format *fmt);
/* Register an event that could not be opened, and why. */
int exit_view_add_unavailable(struct exit_view *v, const char *name, const char *why);
/* Register every event of a session, available or not. */
int exit_view_add_session(struct exit_view *v, const struct tp_session *s);

/* One record: a sample of a registered event (by common_type) or a lost record. */
void exit_view_feed(struct exit_view *v, const struct tp_record *r);
/* A tp_record_fn for tp_session_drain(s, exit_view_drain_cb, view). */
int exit_view_drain_cb(const struct tp_record *r, const struct tp_event *ev, void *view);

/* An event's exact count (TP_COUNT, or a counter read in TP_SAMPLE): it wins over records. */
void exit_view_set_count(struct exit_view *v, const char *name, uint64_t count);
/* exit_view_set_count for every event of the session, from tp_session_counts. 0 or -1. */
int exit_view_set_session_counts(struct exit_view *v, struct tp_session *s);

/* The JSON documented above (a new reference), or NULL if out of memory. */
json_t *exit_view_json(const struct exit_view *v);
/* The same as text, laid out like `perf kvm stat report`. */
void exit_view_print(const struct exit_view *v, FILE *f);

#endif
