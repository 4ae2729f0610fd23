/* SPDX-License-Identifier: MIT */
/*
 * Fenced TSC reads: lfence; rdtsc; lfence at both ends.  The first lfence
 * waits for every earlier instruction to finish, the second keeps later ones
 * from starting before the read.  That is the ordering rdtscp; lfence gives
 * at the end, but without rdtscp, which KVM's instruction emulator (all of
 * CPL0 on PVM) cannot execute.  The "memory" clobbers keep the compiler from
 * moving the timed operation's loads and stores across either read.
 */
#ifndef GUEST_TIMING_H
#define GUEST_TIMING_H

#include <stdint.h>

static inline __attribute__((always_inline)) uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline __attribute__((always_inline)) uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

/* Unfenced: for coarse wall-clock spans (calibration), not for samples. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

#endif
