/* SPDX-License-Identifier: MIT */
/*
 * The host's fenced TSC reads, fenced as the guest's (guest-payloads/lib/
 * timing.h) so that host and guest cycles compare: nothing before tsc_begin
 * leaks into the interval, nothing after tsc_end does.
 */
#ifndef EXITLAB_HOST_TSC_H
#define EXITLAB_HOST_TSC_H

#include <stdint.h>

#if defined(__x86_64__)
static inline __attribute__((always_inline)) uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline __attribute__((always_inline)) uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "rcx", "memory");
	return lo | ((uint64_t)hi << 32);
}
#endif

#endif
