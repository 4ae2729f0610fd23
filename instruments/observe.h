/* SPDX-License-Identifier: MIT */
/*
 * One observation of another KVM process (`exitlab observe`): tracepoint
 * rings and PMU counters on every thread of the target, its KVM stats
 * (instruments/target_stats.h), and the per-reason, per-port and per-MMIO
 * views built from them (instruments/exit_view.h) over the interval.
 */
#ifndef EXITLAB_OBSERVE_H
#define EXITLAB_OBSERVE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/outcome.h"

#define OBSERVE_SCHEMA "exitlab-observe"
#define OBSERVE_SCHEMA_VERSION 1

struct observe_opts {
	pid_t pid;
	double duration_s; /* 0: until the target exits or *stop */
	size_t ring_pages; /* tracepoint ring per thread */
	bool no_pmu;
};

struct observe;

/*
 * Find the target's threads and KVM fds and open every source (nothing
 * counts yet). OUTCOME_OK with *out, or with err: OUTCOME_BAD_INPUT (no such
 * KVM process), OUTCOME_NO_HOST (it cannot be traced), OUTCOME_FAILED.
 */
enum outcome observe_attach(struct observe **out, const struct observe_opts *o, char *err, size_t errlen);
/*
 * Count from now until the duration, the target's exit or *stop; then read
 * every source once more. The "observing ..." line goes to status once
 * counting has begun (a test or script waits for it).
 */
void observe_run(struct observe *ob, volatile sig_atomic_t *stop, FILE *status);
/* The text report: exits per reason, port and MMIO address, then the KVM stats. */
void observe_print(const struct observe *ob, FILE *f);
/* The report as an exitlab-observe document (docs/instruments.md). */
json_t *observe_json(const struct observe *ob);
void observe_free(struct observe *ob);

#endif
