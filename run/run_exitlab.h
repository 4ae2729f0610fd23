/* SPDX-License-Identifier: MIT */
/*
 * One run of a payload under exitlab's own VMM: the machine (vmm/machine.h)
 * with the platform devices and any --device, the instruments attached to
 * the vCPU thread, the bench device's records turned into results, the host
 * baselines and twins, and the table and JSON (run_result_finish).
 */
#ifndef EXITLAB_RUN_EXITLAB_H
#define EXITLAB_RUN_EXITLAB_H

#include "run/run_opts.h"
#include "run/run_payload.h"

/* The process exit code. backend: hostinfo_backend(); t0: run_clock_s() when the command began. */
int run_exitlab(const struct run_opts *o, const struct run_payload *pl, const char *backend, double t0);

#endif
