/* SPDX-License-Identifier: MIT */
/*
 * The dependent pointer chase of mem-walk, shared by the guest payload and
 * its host-native twin (run/native_chase.c) so that both walk exactly
 * the same chain: one node per 4 KiB page of the working set, at a cache line
 * within the page chosen by a hash of the page index (so that cache-set
 * conflicts do not dominate), pages visited in one random cycle (Sattolo's
 * algorithm), each load depending on the previous one.
 *
 *   uint32_t next[npages];                  scratch: the cycle
 *   chase_cycle(next, npages, seed);
 *   chase_link(base, next, npages);         write the pointers (base = VA of the set)
 *   p = chase_walk(chase_node(base, 0), steps);
 *   after npages steps a walk is back where it started (chase_verify).
 *
 * Freestanding: only <stdint.h>, static inline.
 */
#ifndef EXITLAB_CHASE_H
#define EXITLAB_CHASE_H

#include <stdint.h>

#define CHASE_STRIDE 4096u        /* one access per 4 KiB page, whatever the mapping */
#define CHASE_LINES (CHASE_STRIDE / 64u)
#define CHASE_SEED 0x5eedc0ffee123457ull

/* splitmix64: a small, good PRNG, identical on both sides. */
static inline uint64_t chase_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* next[i] = the page after page i: one cycle through all npages (Sattolo). */
static inline void chase_cycle(uint32_t *next, uint64_t npages, uint64_t seed)
{
	for (uint64_t i = 0; i < npages; i++)
		next[i] = (uint32_t)i;
	for (uint64_t i = npages - 1; i > 0; i--) {
		uint64_t j = chase_rand(&seed) % i; /* j < i: a single cycle */
		uint32_t t = next[i];

		next[i] = next[j];
		next[j] = t;
	}
}

/* Address of page i's node. */
static inline uintptr_t chase_node(uintptr_t base, uint64_t i)
{
	uint64_t line = ((i * 0x9e3779b97f4a7c15ull) >> 58) & (CHASE_LINES - 1);

	return base + i * CHASE_STRIDE + line * 64u;
}

/* Store each node's successor into it. */
static inline void chase_link(uintptr_t base, const uint32_t *next, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++)
		*(volatile uintptr_t *)chase_node(base, i) = chase_node(base, next[i]);
}

/* steps dependent loads from p; returns where the walk ends. */
static inline uintptr_t chase_walk(uintptr_t p, uint64_t steps)
{
	while (steps--)
		p = *(volatile uintptr_t *)p;
	return p;
}

/* 1 if a full cycle from node 0 comes back to node 0 and visits every page once. */
static inline int chase_verify(uintptr_t base, uint64_t npages)
{
	uintptr_t start = chase_node(base, 0), p = start;

	for (uint64_t i = 0; i < npages; i++) {
		p = *(volatile uintptr_t *)p;
		if (p == start && i + 1 != npages)
			return 0; /* a shorter cycle */
	}
	return p == start;
}

#endif
