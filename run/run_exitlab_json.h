/* SPDX-License-Identifier: MIT */
/*
 * The two objects a run under exitlab's own VMM adds to its results
 * (docs/results-schema.md): "config", how the machine was built and what
 * the run asked, and "vmm", the exit loop's own accounting over the run.
 */
#ifndef EXITLAB_RUN_EXITLAB_JSON_H
#define EXITLAB_RUN_EXITLAB_JSON_H

#include <jansson.h>

#include "run/run_devices.h"
#include "run/run_opts.h"
#include "run/run_platform.h"
#include "run/run_stats.h"
#include "vmm/machine.h"

/* Serialized; instruments (run_instr_describe) is taken. */
char *run_exitlab_config_json(const struct run_opts *o, const char *path, struct machine *m,
			      json_t *instruments);
/* Serialized, each vCPU's KVM stats from stats; drains the machine's ioeventfd counters. */
char *run_exitlab_vmm_json(struct machine *m, struct run_stats *stats, const struct run_devices *devs, const struct run_platform *plat,
			   double tsc_khz);

#endif
