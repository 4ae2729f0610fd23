/* SPDX-License-Identifier: MIT */
/*
 * The generator's clock, replaceable so that tests can count the frames a
 * rate lets through against simulated time instead of the wall clock.
 */
#ifndef EXITLAB_NET_GEN_H
#define EXITLAB_NET_GEN_H

#include <stdbool.h>
#include <stdint.h>

struct net_backend;

typedef uint64_t net_gen_clock_fn(void *opaque); /* monotonic nanoseconds */

/*
 * Pace a "gen" backend by now_ns instead of CLOCK_MONOTONIC (NULL: back to
 * it); the token bucket restarts with one token at the new clock's now.
 * Call before frames are received.  false if b is not a gen.
 */
bool net_gen_set_clock(struct net_backend *b, net_gen_clock_fn *now_ns, void *opaque);

#endif
