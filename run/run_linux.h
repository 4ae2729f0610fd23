/* SPDX-License-Identifier: MIT */
/*
 * `exitlab run linux --kernel BZIMAGE [--initrd FILE] [--append CMDLINE]`
 * (docs/linux.md): a Linux kernel booted by exitlab's own VMM instead of a
 * payload. The kernel and initrd are read and checked first (bad input: exit
 * 2 before any KVM), then the machine is built with MACHINE_BOOT_LINUX, the
 * Linux platform (run_platform_add_linux) and the command line
 *     console=ttyS0 [--append] exitlab.bench=MAILBOX,PORT,BUF,LEN
 * (include/exitlab/linux_guest.h). The run ends when the guest powers off or
 * resets (exit 0), panics, or shows no progress for --timeout (exit 1 with
 * the console's last lines).
 */
#ifndef EXITLAB_RUN_LINUX_H
#define EXITLAB_RUN_LINUX_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "run/linux_console.h"
#include "run/run_opts.h"
#include "run/run_payload.h"
#include "run/run_platform.h"
#include "run/run_stats.h"
#include "util/outcome.h"
#include "vmm/linux_boot_params.h"
#include "vmm/machine.h"

#define RUN_LINUX_KERNEL_MAX_MIB 256
#define RUN_LINUX_INITRD_MAX_MIB 2048

/* Read --kernel and --initrd into p and check them against --mem: OK, or BAD_INPUT (reported). */
enum outcome run_linux_open(struct run_payload *p, const struct run_opts *o);
/*
 * The command line the guest gets, for a machine whose low RAM is low_size
 * bytes: into buf, or -1 when it does not fit.
 */
int run_linux_cmdline(const struct run_opts *o, uint64_t low_size, char *buf, size_t len);
/* Create the machine, its Linux platform, load the kernel (the caller adds the devices, then the vCPUs): an outcome, err set. */
enum outcome run_linux_build(const struct run_opts *o, const struct run_payload *p, struct machine **m,
			     struct run_platform *plat, FILE *serial, struct linux_console *con, char *err,
			     size_t errlen);
/*
 * Wait for the guest's end: stopped by its power-off, reset or panic, or by
 * this watchdog after timeout_s seconds without a console byte or a
 * userspace exit, or after deadline_s seconds in all (CLOCK_MONOTONIC).
 * The machine's outcome.
 */
enum outcome run_linux_wait(struct machine *m, const struct linux_console *con, double timeout_s,
			    double deadline_s);
/* The "linux" object of the results' vmm object: how it ended, the console, KVM stats totals (from stats). */
json_t *run_linux_json(struct machine *m, struct run_stats *stats, const struct run_platform *plat,
		       const struct linux_console *con,
		       const char *cmdline);

#endif
