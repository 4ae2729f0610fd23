/* SPDX-License-Identifier: MIT */
/*
 * The sink's own counters, beyond struct net_backend_stats: what the payload
 * check saw.  Backends "sink" and "gen" (whose TX side is a sink) have them.
 */
#ifndef EXITLAB_NET_SINK_H
#define EXITLAB_NET_SINK_H

#include <stdbool.h>
#include <stdint.h>

struct net_backend;

struct net_sink_stats {
	bool check;               /* check=1 was given: the counters below move */
	uint64_t checked;         /* frames whose pattern was checked (tx_frames when check=1) */
	uint64_t bad_payload;     /* = stats.tx_bad_payload: short, or a byte off the pattern */
	uint64_t short_frames;    /* of those, frames under 18 bytes (no room for the seq) */
	bool have_seq;            /* a good frame has been seen: last_seq is valid */
	uint32_t last_seq;        /* highest seq (serial-number order) of a good frame */
	uint64_t out_of_order;    /* good frames whose seq was not ahead of last_seq (late or repeated) */
	uint64_t lost;            /* seqs skipped over when a good frame jumped ahead */
};

/* Copy the counters (each read atomically); false if b is neither a sink nor a gen. */
bool net_sink_stats(struct net_backend *b, struct net_sink_stats *out);

#endif
