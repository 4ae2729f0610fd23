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
	/* A Linux guest (exitlab run linux --vmm): payload_path is its bzImage. */
	bool is_linux;
	const char *initrd, *append;       /* --initrd, --append, or NULL */
	const char *const *devices;        /* --device words as given, for the row's linux_devices */
	unsigned ndevices;
	const char *netdev;                /* --netdev, or NULL */
	double deadline_s;                 /* the whole run's bound; timeout_s is then a no-progress watchdog */
};

/* Where a Linux guest's bench mailbox and buffer are under a peer: RAM's middle, away from the
 * kernel (at 16 MiB up) and the initrd (at the top); reserved by memmap= on its command line. */
#define PEER_LINUX_MIN_MIB 128
#define PEER_COM2_PORT 0x2f8

/*
 * A Linux guest's command line under a peer: "console=ttyS0 [append]
 * memmap=SIZE$MAILBOX exitlab.bench=com2,MAILBOX,0x2f8,BUF,LEN" for mem_mib
 * MiB of RAM, the mailbox's GPA in *mailbox.  Pure; 0, or -1 if it does not
 * fit in len or mem_mib is below PEER_LINUX_MIN_MIB.
 */
int peer_linux_cmdline(const char *append, uint64_t mem_mib, char *out, size_t len, uint64_t *mailbox);

/*
 * The payload's command line for a peer: the host words pvh.c reads, then
 * the --param text.  Pure; 0, or -1 if it does not fit in len.
 */
int peer_append(const struct vmm_peer *p, const struct peer_run_opts *o, double tsc_khz, bool pvm,
		char *out, size_t len);

/* Run it; the process exit code (commands.h). */
int run_peer(const struct vmm_peer *p, const struct peer_run_opts *o);

#endif
