/* SPDX-License-Identifier: MIT */
/*
 * A tracepoint session: perf_event_open(PERF_TYPE_TRACEPOINT) on a set of
 * events for a set of threads (ours or another process's).
 *
 *   TP_COUNT   one counting fd per (event, thread); read() gives the count.
 *              Cheap: the kernel only increments a counter.
 *   TP_SAMPLE  every hit is a record (TID | TIME | RAW) in one mmap ring per
 *              thread; all events of a thread write into that ring
 *              (PERF_EVENT_IOC_SET_OUTPUT), so its records are in time order.
 *              A full ring drops records and says how many (lost), it never
 *              blocks the guest.  Counts work too.
 *
 * Events that this kernel lacks or that fail to open are marked unavailable
 * with the reason; the others work.  A session opens disabled: bracket each
 * phase with tp_session_enable/disable (and reset).  A thread's events are
 * one perf group, switched on and off together, so their counts cover the
 * same window.
 */
#ifndef EXITLAB_TRACEPOINTS_H
#define EXITLAB_TRACEPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "instruments/tp_record.h"
#include "instruments/tracefs.h"

#define TP_MAX_EVENTS 64
#define TP_MAX_TIDS 4096
#define TP_RING_PAGES_DEFAULT 256	/* data pages per thread: 1 MiB */

enum tp_mode { TP_COUNT, TP_SAMPLE };

struct tp_event {
	char name[2 * TP_NAME_MAX];	/* "kvm:kvm_pio" */
	bool available;
	char why[192];			/* why not, when !available */
	struct tp_format format;	/* id and fields, when available */
};

struct tp_ring {
	void *base;			/* control page + data pages, mapped from the thread's
					   leader (tp_session.leaders); NULL when none */
	size_t map_size, data_size;
};

struct tp_options {
	size_t ring_pages;		/* data pages per thread ring, a power of 2 */
};

struct tp_session {
	enum tp_mode mode;
	size_t nevents, ntids;
	struct tp_event *events;
	pid_t *tids;
	bool *tid_gone;			/* exited before we could attach */
	int *fds;			/* [event * ntids + tid], -1 when not open */
	int *leaders;			/* [tid]: the group leader gating its events (and owning
					   its ring in TP_SAMPLE), -1 when not open */
	struct tp_ring *rings;		/* [tid], TP_SAMPLE only */
	uint8_t *bounce;		/* a record wrapping the ring end is copied here */
	uint64_t lost;			/* records the kernel dropped */
	uint64_t malformed;		/* records we could not parse (skipped) */
};

/* The kvm events worth opening by default ("kvm:kvm_exit", …). */
extern const char *const tp_kvm_events[];
extern const size_t tp_kvm_nevents;

/*
 * Open events ("system:event") on threads tids[0..ntids).  0 if at least one
 * event is available; -1 with err if none is (err gives the first reason),
 * or on a hard error (no tracefs, no permission, no such thread, no memory).
 */
int tp_session_open(struct tp_session *s, const pid_t *tids, size_t ntids,
		    const char *const *events, size_t nevents, enum tp_mode mode,
		    char *err, size_t errlen);
/* The same with options (NULL: defaults). */
int tp_session_open_opts(struct tp_session *s, const pid_t *tids, size_t ntids,
			 const char *const *events, size_t nevents, enum tp_mode mode,
			 const struct tp_options *opts, char *err, size_t errlen);
void tp_session_close(struct tp_session *s);

/* PERF_EVENT_IOC_ENABLE / DISABLE / RESET on every open fd. 0 or -1 (errno). */
int tp_session_enable(struct tp_session *s);
int tp_session_disable(struct tp_session *s);
int tp_session_reset(struct tp_session *s);

/* per_event[0..nevents): hits since open/reset, summed over threads (0 if unavailable). */
int tp_session_counts(struct tp_session *s, uint64_t *per_event);

/*
 * Called for each record: ev is the event of a sample (NULL for a lost
 * record or an id we did not open).  Return nonzero to stop draining.
 */
typedef int (*tp_record_fn)(const struct tp_record *r, const struct tp_event *ev, void *opaque);
/* Consume every record in every ring (TP_SAMPLE). Records consumed, or -1 if cb stopped. */
long tp_session_drain(struct tp_session *s, tp_record_fn cb, void *opaque);
/* Wait up to timeout_ms for some ring to pass its watermark. >0 ready, 0 timeout, -1 error. */
int tp_session_wait(struct tp_session *s, int timeout_ms);

/* The event with this id, or NULL. */
const struct tp_event *tp_session_event_by_id(const struct tp_session *s, unsigned id);
/* Number of available events. */
size_t tp_session_navailable(const struct tp_session *s);

#endif
