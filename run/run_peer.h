/* SPDX-License-Identifier: MIT */
/*
 * `exitlab run PAYLOAD --vmm NAME`: the payload under a peer VMM (a row of
 * vmm_peers.h), measured and reported as a run under exitlab's own VMM is:
 * the same bench protocol (polled over shared guest RAM, a COM2 byte per
 * message), the VMM's KVM binary stats read at every phase boundary through
 * copies of its fds, the same results schema with config.vmm naming the VMM.
 */
#ifndef EXITLAB_RUN_PEER_H
#define EXITLAB_RUN_PEER_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/catalogue.h"
#include "run/vmm_peers.h"

struct peer_run_opts {
	const char *payload_arg;    /* as the user named it */
	const char *payload_path;   /* resolved ELF */
	char *const *tests;
	size_t ntests;
	int ring;                   /* -1 both */
	const char *json_path;
	double timeout_s;
	uint64_t mem_mib;
	bool quick, raw, no_baseline;
	uint64_t iterations;        /* 0: grow to the time goal */
	const char *serial_path;    /* NULL: stderr, prefixed */
	const char *params;         /* --param text ("k=v k=v"), may be "" */
	double quick_goal_ms, full_goal_ms;
	const char *binary;         /* NULL: the row's; tests may name another */
	FILE *progress;             /* run --progress: a line per finished test, or NULL */
	const struct catalogue *catalogue; /* what the payload declares: its results are judged by it */
};

/*
 * The payload's command line for a peer: the host words pvh.c reads, then
 * the --param text.  Pure; 0, or -1 if it does not fit in len.
 */
int peer_append(const struct vmm_peer *p, const struct peer_run_opts *o, double tsc_khz, bool pvm,
		char *out, size_t len);

/* Run it; the process exit code (commands.h). */
int run_peer(const struct vmm_peer *p, const struct peer_run_opts *o);

#endif
