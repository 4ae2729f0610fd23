/* SPDX-License-Identifier: MIT */
/*
 * The bench device, host side: a doorbell port plus the mailbox page.
 * It follows each test through TEST_BEGIN → PHASE_BEGIN → PHASE_END →
 * TEST_END, snapshots the host instruments at both phase boundaries through
 * a hook, and copies the samples out of guest memory once the phase is over.
 * It knows nothing about results files: the caller turns records into them.
 */
#ifndef EXITLAB_BENCH_H
#define EXITLAB_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/platform/bench_msg.h"
#include "util/outcome.h"
#include "vmm/bus.h"
#include "vmm/guest_mem.h"
#include "devices/platform/guest_text.h"

#define BENCH_MAX_SAMPLES (1ULL << 22) /* per phase: 32 MiB of uint64_t */
#define BENCH_MAX_RECORDS 1024
#define BENCH_SNAP_MAX (1u << 20) /* values per snapshot: a sanity bound, 8 MiB */
/*
 * Iterations (so also ops per sample) of one phase: the sum over any set of
 * records, the repetitions of a test, still fits the int64 of the results.
 */
#define BENCH_MAX_ITERATIONS ((uint64_t)INT64_MAX / BENCH_MAX_RECORDS)
/*
 * Host memory a run may spend on the guest's samples (phases and OVERHEAD):
 * the larger of this and the guest's RAM size. A phase that would go beyond
 * it is refused and its test failed, so a guest cannot make the VMM hold more.
 */
#define BENCH_SAMPLE_BUDGET_MIN (256ULL << 20)

/* One snapshot of the host instruments; the hook owner gives each slot its meaning. */
struct bench_snapshot {
	size_t n;                 /* = hooks.nvalues */
	uint64_t v[];
};

/*
 * What the device calls out to. Every hook may be NULL. Around a phase the
 * order is: snapshot, phase_begin, [guest runs the timed loop], phase_end,
 * snapshot; so instruments started by phase_begin see only the loop and the
 * two doorbells, and the snapshots bracket them.
 */
struct bench_hooks {
	void *opaque;
	size_t nvalues;                                   /* slots each snapshot has */
	void (*snapshot)(void *opaque, struct bench_snapshot *s);
	/* Last thing before the PHASE_BEGIN reply resumes the guest. */
	void (*phase_begin)(void *opaque);
	/*
	 * First thing at PHASE_END; a malloc'ed serialized JSON object for the
	 * record (or NULL). Also called, its result discarded, when a phase
	 * that began never ends normally (TEST_END failed, VM stopped), so that
	 * every phase_begin is paired with one phase_end.
	 */
	char *(*phase_end)(void *opaque);
	void (*stop)(void *opaque, enum outcome o, const char *why); /* stop the VM: the run's outcome */
	/* BENCH_REQUEST between phases: 0 or -errno, which is the reply. NULL: -ENOSYS. */
	int (*request)(void *opaque, const struct bench_request *r);
};

struct bench_record {
	char name[BENCH_NAME_MAX];
	int ring;
	uint32_t flags;
	int status;               /* enum bench_status; -1 until TEST_END */
	char reason[BENCH_REASON_MAX];
	bool has_phase;
	bool rejected;            /* the VMM refused its phase (a limit): failed, reason says why */
	uint64_t iterations, ops_per_sample;
	uint64_t *samples;        /* nsamples TSC deltas */
	uint64_t nsamples;
	struct bench_snapshot *before, *after;
	/* OVERHEAD: the empty loop right before, then right after, the phase */
	uint64_t *ovh_samples;    /* ovh_before + ovh_after, or NULL */
	uint64_t ovh_before, ovh_after;
	char *host_json;          /* from hooks.phase_end, or NULL */
	char params[BENCH_KV_MAX];  /* validated key=value lists from TEST_BEGIN / TEST_END */
	char metrics[BENCH_KV_MAX];
};

enum bench_state { BENCH_IDLE, BENCH_IN_TEST, BENCH_IN_PHASE };

/*
 * A test the host knows cannot run in this configuration (e.g. rx on a NIC
 * whose backend never sends a frame): its TEST_BEGIN is answered SKIP and it
 * is recorded as skipped with the reason, without the guest trying it.
 */
struct bench_skip {
	const char *name;         /* test name */
	const char *reason;
};

struct bench_dev {
	struct guest_mem *mem;
	uint64_t mailbox_gpa;
	struct bench_hooks hooks;
	char *const *select;      /* --test names (NULL = all) */
	size_t nselect;
	FILE *log;                /* guest LOG text goes here (prefixed) */
	struct guest_text log_text; /* how much of it passed, how much was dropped */
	const struct bench_skip *skip;  /* host-side skips (NULL = none) */
	size_t nskip;
	FILE *progress;           /* one line per finished test, flushed (NULL = none) */

	enum bench_state state;
	bool instruments_on;      /* phase_begin called, phase_end not yet */
	char payload[BENCH_NAME_MAX];
	struct bench_record *recs;
	size_t nrecs;
	uint64_t sample_budget;   /* bytes of samples the records may hold (bench_init sets it) */
	uint64_t sample_bytes;    /* bytes of samples they hold */
	bool done;
	uint32_t done_status;
	bool faulted;
	struct bench_exception exc;
	char error[256];          /* protocol violation, if any */
};

/*
 * hooks->nvalues above BENCH_SNAP_MAX is clamped (the snapshot's n says so).
 * The sample budget is the larger of BENCH_SAMPLE_BUDGET_MIN and mem's size.
 */
void bench_init(struct bench_dev *b, struct guest_mem *mem, uint64_t mailbox_gpa,
		const struct bench_hooks *hooks, FILE *log);
/* Frees the records; ends the instruments of a phase left open (hooks.phase_end). */
void bench_destroy(struct bench_dev *b);
/* Whether TEST name at ring is selected by b->select ("name" or "name/cpl0|cpl3"). */
bool bench_selected(const struct bench_dev *b, const char *name, int ring, uint32_t flags);
/* Handle one doorbell write; returns the reply written to the mailbox. */
int bench_doorbell(struct bench_dev *b, uint32_t value);

extern const struct bus_ops bench_bus_ops; /* opaque = struct bench_dev *, 4-byte port */

#endif
