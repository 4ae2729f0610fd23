/* SPDX-License-Identifier: MIT */
/*
 * The workloads: each runs one or more tests of the bench protocol through
 * the phase API (phase.h), timing its operation with fenced rdtsc
 * (guest-payloads/lib/timing.h), and returns how many of them failed.
 * docs/linux-guest.md describes each.
 */
#ifndef LG_WORKLOADS_H
#define LG_WORKLOADS_H

#include <stddef.h>

#include "linux-guest/params.h"
#include "linux-guest/phase.h"

struct lg_opts {
	int quick;                    /* fewer operations: a smoke run */
	const struct lg_params *p;    /* --param settings */
};

struct lg_workload {
	const char *name;
	const char *help;
	const struct lg_key *keys;    /* the --param keys it reads, ending with { NULL } */
	int (*run)(struct lg_bench *b, const struct lg_opts *o);
};

extern const struct lg_workload lg_workloads[];
extern const size_t lg_nworkloads;
const struct lg_workload *lg_workload_find(const char *name);

int lg_idle_run(struct lg_bench *b, const struct lg_opts *o);
int lg_ptchurn_run(struct lg_bench *b, const struct lg_opts *o);
int lg_blk_run(struct lg_bench *b, const struct lg_opts *o);
int lg_udp_run(struct lg_bench *b, const struct lg_opts *o);
int lg_tcp_run(struct lg_bench *b, const struct lg_opts *o);
extern const struct lg_key lg_idle_keys[], lg_ptchurn_keys[], lg_blk_keys[], lg_udp_keys[], lg_tcp_keys[];

/* A test that cannot run here: TEST_BEGIN, then TEST_END skipped with why. Returns 0. */
int lg_skip_test(struct lg_bench *b, const char *name, const char *params, const char *why);

#endif
