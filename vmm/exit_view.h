/* SPDX-License-Identifier: MIT */
/*
 * The `perf kvm stat` views, built incrementally from tracepoint records:
 *   vmexit   per hardware exit reason (kvm:kvm_exit), timed kvm_exit -> next
 *            kvm_entry of the same thread, where those events fire;
 *   ioport   per (port, direction, size) from kvm:kvm_pio;
 *   mmio     per (gpa, type, len) from kvm:kvm_mmio;
 *   userspace exits per (KVM_EXIT_* reason, errno) from kvm:kvm_userspace_exit;
 *   msr      per (index, direction) from kvm:kvm_msr;
 *   and the count of every event that fired.
 * Register the events, feed records (as often as you like: observe drains
 * periodically), then render JSON or text at any time.  Memory is bounded:
 * at most EXIT_VIEW_MAX_KEYS distinct keys per view, the rest go to an
 * "other" bucket; percentiles come from a bounded reservoir per key.
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
 *                     "count": N, "share_pct": x, "time_ns": TIME|null}],
 *   "ioports": [{"port": N, "port_hex": "0x520", "rw": "write"|"read",
 *                "size": N, "count": N, "share_pct": x, "time_ns": TIME|null}],
 *   "mmio": [{"gpa": "0xc0001000", "type": "write"|"read"|"unsatisfied-read"|N,
 *             "len": N, "count": N, "share_pct": x, "time_ns": TIME|null}],
 *   "userspace_exits": [{"reason": N, "name": "IO"|null, "errno": N,
 *                        "count": N, "share_pct": x}],
 *   "msrs": [{"index": "0x1a0", "rw": "read"|"write", "count": N, "share_pct": x}],
 *   "other": {"exit_reasons": N, "ioports": N, "mmio": N, "userspace_exits": N,
 *             "msrs": N}                     hits past the distinct-key cap
 * }
 * TIME = {"n": N, "min": x, "median": x, "p99": x, "max": x, "mean": x,
 *         "percentile_samples": N}   (median/p99 over a reservoir of that many)
 * Lists are sorted by count, descending.
 */
#ifndef EXITLAB_EXIT_VIEW_H
#define EXITLAB_EXIT_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tp_record.h"
#include "tracefs.h"

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
	uint64_t count;
	struct ev_time time;
	bool used;
};

struct ev_table {
	struct ev_bucket *slots;	/* open addressing, power-of-2 capacity */
	size_t cap, n;
	uint64_t total, other;		/* all hits; hits past the key cap */
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

struct ev_tid {
	uint32_t tid;
	bool in_exit;			/* kvm_exit seen, kvm_entry not yet */
	bool pio, mmio;			/* an access attributed to that exit */
	uint64_t exit_time;
	uint64_t reason_a, reason_b, pio_a, pio_b, mmio_a, mmio_b;
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
