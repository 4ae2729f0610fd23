/* SPDX-License-Identifier: MIT */
/*
 * `exitlab compare FLEET_A FLEET_B` (docs/fleet.md, docs/compare.md): two
 * fleet runs paired host by host (by inventory name), each pair compared as
 * two campaign runs are.  Hosts of different CPU models or KVM backends are
 * not paired: their figures say nothing about a change.
 */
#ifndef EXITLAB_COMPARE_FLEET_H
#define EXITLAB_COMPARE_FLEET_H

#include <stddef.h>

#include <stdio.h>

#include "analysis/compare.h"
#include "util/outcome.h"

enum cmp_pair_state {
	CMP_PAIR_COMPARED,    /* rows hold the comparison */
	CMP_PAIR_REFUSED,     /* different CPU model or backend: note says which */
	CMP_PAIR_ONE_SIDE,    /* the host is in one fleet run only */
	CMP_PAIR_NO_RESULTS,  /* a side has no campaign results for it (unreachable, failed early) */
};

struct cmp_fleet_pair {
	char host[128];
	enum cmp_pair_state state;
	char note[512];
	struct cmp_side b, c;
	struct cmp_row *rows;
	size_t nrows;
	size_t count[CMP_NVERDICTS]; /* rows by verdict */
};

struct cmp_fleet {
	struct cmp_fleet_pair *pairs;   /* the baseline's hosts in its order, then those only in current */
	size_t n;
};

const char *cmp_pair_state_name(enum cmp_pair_state s);
/*
 * Why two hosts (exitlab info host objects as JSON) cannot be paired, into
 * why (and returned), or NULL: the CPU model or the KVM backend differs.
 */
const char *cmp_fleet_hosts_differ(const char *host_a, const char *host_b, char *why, size_t len);
/* Pair and compare fleet runs a (baseline) and b; 0, or -1 with err (a manifest unreadable). */
int cmp_fleet_compare(const char *a, const char *b, const struct cmp_opts *o, struct cmp_fleet *out, char *err,
		      size_t errlen);
void cmp_fleet_free(struct cmp_fleet *f);
/*
 * Compare fleet runs a and b and report it: each compared pair's table (the
 * counts table with o->counts) and a line per host on f, the JSON document
 * into json_path when given (never over an input). OUTCOME_FAILED when a
 * test regressed on any host, OUTCOME_BAD_INPUT on unreadable input.
 */
enum outcome cmp_fleet_report(FILE *f, const char *a, const char *b, const struct cmp_opts *o,
			      const char *json_path);

#endif
