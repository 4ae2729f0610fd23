/* SPDX-License-Identifier: MIT */
/*
 * `exitlab run`'s options: parsed and checked here, their help text in
 * cli/cmd_run.c. A bad option is reported on stderr as it is found.
 */
#ifndef EXITLAB_RUN_OPTS_H
#define EXITLAB_RUN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitlab/boot_abi.h"
#include "run/run_devices.h"
#include "run/run_instruments.h"
#include "run/run_sched.h"
#include "vmm/guest_mem.h"

#define RUN_QUICK_GOAL_MS 10.0   /* --quick: time goal per test */
#define RUN_FULL_GOAL_MS  200.0

struct run_opts {
	const char *payload;
	bool quick;
	uint64_t iterations;
	char **tests;
	size_t ntests;
	int ring;               /* -1 both */
	const char *json_path;
	double timeout_s;
	uint64_t mem_mib;
	enum guest_backing backing;
	bool raw;
	bool no_baseline;
	bool exit_timing;       /* time every exit's handler (two rdtsc per exit) */
	const char *serial_path;
	const char *progress_path;
	struct run_instr_opts instr;
	struct run_dev_opts devices;
	char params[BOOT_PARAMS_MAX];   /* --param pairs, space-separated */
	unsigned nvcpus;                /* --vcpus: 1..VM_MAX_VCPUS */
	struct run_sched sched;         /* --cpu, --pin, --order, --repeat */
	const char *vmm;                /* --vmm: NULL or "exitlab" ours, else a peer (vmm_peers.h) */
	bool exitlab_only;              /* an option only exitlab's own VMM has was given */
	/* --device/--netdev as given: a Linux guest's devices under a peer VMM (vmm_peers.h) */
	const char *device_args[RUN_DEV_MAX];
	unsigned ndevice_args;
	bool mem_set;                   /* --mem given (a Linux guest's default is RUN_LINUX_MEM_MIB) */
	/* PAYLOAD "linux" (docs/linux.md): */
	const char *kernel;             /* --kernel BZIMAGE */
	const char *initrd;             /* --initrd FILE */
	const char *append;             /* --append CMDLINE */
	double deadline_s;              /* --deadline: the whole run's bound, however busy the guest */
	bool deadline_set;
};

#define RUN_LINUX_PAYLOAD  "linux"
#define RUN_LINUX_MEM_MIB  256
#define RUN_LINUX_DEADLINE_S 3600.0
#define RUN_LINUX_NETDEV   "sink"    /* a Linux guest's NIC backend without --netdev */

enum run_opts_status {
	RUN_OPTS_OK = 0,
	RUN_OPTS_HELP,          /* -h: print the help on stdout, exit 0 */
	RUN_OPTS_BAD,           /* reported: exit 2 */
	RUN_OPTS_BAD_USAGE,     /* reported; the help goes to stderr too: exit 2 */
};

/* Parse argv (argv[0] the subcommand). o is always initialized: run_opts_free it. */
enum run_opts_status run_opts_parse(struct run_opts *o, int argc, char **argv);
void run_opts_free(struct run_opts *o);
/*
 * Guest RAM is lazily allocated, so a size the host cannot hold would only
 * fail when the guest touches it (an OOM kill mid-run): refuse it up front.
 * 0, or -1 reported.
 */
int run_opts_check_host_mem(uint64_t mem_mib);
/* The rings as boot_info has them (BOOT_RING0 | BOOT_RING3 without --ring). */
uint32_t run_opts_ring_mask(const struct run_opts *o);
/* PAYLOAD is "linux": a Linux kernel, not a payload ELF. */
bool run_opts_is_linux(const struct run_opts *o);

#endif
