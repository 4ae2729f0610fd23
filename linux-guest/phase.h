/* SPDX-License-Identifier: MIT */
/*
 * The phase API: what guest-payloads/lib/guest_bench.c and measure.c do for
 * the bare-metal payloads, for a Linux process.  A test's life:
 *
 *   lg_test_begin        TEST_BEGIN (the VMM may answer skip: send nothing more)
 *   lg_samples           n sample slots in the buffer, touched (no fault in the phase)
 *   lg_phase_begin       m empty-loop samples, then PHASE_BEGIN
 *     ...the workload times n operations into the slots (fenced rdtsc)...
 *   lg_phase_end         PHASE_END, m empty-loop samples, OVERHEAD
 *   lg_test_end          TEST_END with status, reason and a key=value metrics list
 *
 * A failure inside the phase calls lg_test_end(FAILED) without lg_phase_end
 * (docs/bench-protocol.md: a failed phase sends no PHASE_END).  Every test
 * also prints a summary line on stdout; unmeasured (no VMM) that summary
 * is all there is.
 */
#ifndef LG_PHASE_H
#define LG_PHASE_H

#include <stdint.h>
#include <time.h>

#include "linux-guest/transport.h"

/* Empty-loop samples on each side of a phase, at most (as measure.c). */
#define LG_OVERHEAD_MAX 4096u

struct lg_test {
	struct lg_bench *b;
	char name[BENCH_NAME_MAX];
	uint64_t *samples, cap;  /* the test's slots and how many fit */
	uint64_t *ovh;           /* 2 * LG_OVERHEAD_MAX empty-loop slots after them */
	uint64_t n, m;           /* timed samples asked for; empty-loop samples per side */
	uint64_t iterations, ops_per_sample;
	struct timespec t0;
	double wall_s;           /* the phase's wall-clock length */
	int phased;              /* PHASE_END sent */
	int rejected;            /* the VMM refused the phase or its overhead (a limit) */
};

void lg_hello(struct lg_bench *b, const char *payload);
/* 1: run it; 0: the VMM says skip (nothing more is sent for it). params: a key=value list or NULL. */
int lg_test_begin(struct lg_test *t, struct lg_bench *b, const char *name, const char *params);
/* Slots for *n samples (clamped to what fits), touched now. */
uint64_t *lg_samples(struct lg_test *t, uint64_t *n);
void lg_phase_begin(struct lg_test *t);
void lg_phase_end(struct lg_test *t, uint64_t iterations, uint64_t nsamples, uint64_t ops_per_sample);
/* status: enum bench_status; reason and metrics may be NULL. 1 if the test counts as failed. */
int lg_test_end(struct lg_test *t, enum bench_status status, const char *reason, const char *metrics);
void lg_log(struct lg_bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lg_done(struct lg_bench *b, uint32_t status);

#endif
