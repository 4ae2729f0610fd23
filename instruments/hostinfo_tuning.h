/* SPDX-License-Identifier: MIT */
/*
 * Host settings that change what an exit costs on the same CPU (the kernel
 * command line, CPU mitigations, frequency governor and boost, SMT), added
 * to the host object's "kernel" and "cpu" (docs/host-info.md). `root` is
 * prefixed to every /proc and /sys path: "" on a real host.
 */
#ifndef EXITLAB_HOSTINFO_TUNING_H
#define EXITLAB_HOSTINFO_TUNING_H

#include <jansson.h>

/* kernel.cmdline, kernel.mitigations {name: text of vulnerabilities/NAME} */
void hostinfo_tuning_kernel(json_t *kernel, const char *root);
/* cpu.frequency {driver, governor, boost, boost_source}, cpu.smt {control, active} */
void hostinfo_tuning_cpu(json_t *cpu, const char *root);

#endif
