/* SPDX-License-Identifier: MIT */
/*
 * The optional host-side instruments of `exitlab run`, bracketing every
 * bench phase on the vCPU threads: kvm tracepoint counts (perf_event,
 * counting mode), the full perf-kvm-stat views (sampling mode, --instruments
 * trace), and PMU counters (libpfm4 names). KVM binary stats are always on:
 * they cost nothing in the exit path (bench device snapshots).
 * Each phase's figures become the test's "host" object in the results.
 */
#ifndef EXITLAB_RUN_INSTRUMENTS_H
#define EXITLAB_RUN_INSTRUMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "instruments/exit_view.h"
#include "instruments/pmu.h"
#include "instruments/tracepoints.h"

#define RUN_INSTR_MAX_PMU 16
/* What `exitlab run` turns on unless told otherwise (docs/instruments.md: overhead). */
#define RUN_INSTR_DEFAULT "pmu"

struct run_instr_opts {
	bool tracepoints;        /* counts of every kvm tracepoint per phase */
	bool trace;              /* sampled records: per port / MMIO / reason views per phase */
	bool pmu;                /* hardware counters per phase */
	const char *pmu_events[RUN_INSTR_MAX_PMU];
	size_t npmu_events;      /* 0 = the defaults */
};

struct run_instruments {
	struct run_instr_opts o;
	size_t nthreads;          /* vCPU threads the instruments count */
	bool tp_open, trace_open, pmu_open;
	char tp_error[256], trace_error[256], pmu_error[256];
	struct tp_session tp, trace;
	uint64_t *tp_before, *tp_after;
	struct exit_view *view;
	struct pmu_set *pmu;
	struct pmu_sample *pmu_before, *pmu_after;
	json_t *pmu_unsupported;  /* per event and split, why not: when nothing counts */
};

/* Parse "--instruments LIST" (comma-separated: tracepoints, trace, pmu; or none/all). 0 or -1. */
int run_instr_parse(struct run_instr_opts *o, const char *list);
/*
 * Open on the n vCPU threads: with several, each instrument counts them all
 * (the per-vCPU split is in the KVM stats). Never fails as a whole: what
 * cannot open says why in describe().
 */
void run_instr_open(struct run_instruments *ri, const struct run_instr_opts *o, const pid_t *vcpu_tids, size_t n);
void run_instr_phase_begin(struct run_instruments *ri);
/* The phase's figures as a serialized JSON object (malloc'ed), or NULL if no instrument is on. */
char *run_instr_phase_end(struct run_instruments *ri);
/* What was on, what could not be, and why: for the run's config. */
json_t *run_instr_describe(const struct run_instruments *ri);
void run_instr_close(struct run_instruments *ri);

#endif
