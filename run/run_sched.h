/* SPDX-License-Identifier: MIT */
/*
 * How a run is scheduled: the vCPU threads' pinning (--cpu for vCPU 0,
 * --pin CPULIST for every vCPU), the test order
 * within a ring (--order table|random[,seed=N]) and the repetitions of the
 * test list in one run (--repeat K). Recorded in the results' config so that
 * a run can be reproduced.
 */
#ifndef EXITLAB_RUN_SCHED_H
#define EXITLAB_RUN_SCHED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sched.h>

struct run_sched {
	int cpu;              /* -1: not pinned */
	unsigned pin[CPU_SETSIZE]; /* --pin: vCPU i runs on pin[i % npin] */
	size_t npin;          /* 0: no --pin */
	bool random;          /* --order random */
	uint64_t seed;        /* its seed (given, or drawn and recorded) */
	bool seed_given;
	unsigned repeat;      /* 1..CALIB_REPEAT_MAX */
};

void run_sched_init(struct run_sched *s);
/* Each returns 0, or -1 with err saying what is accepted. */
int run_sched_parse_cpu(struct run_sched *s, const char *arg, char *err, size_t errlen);
/* --pin CPULIST (util/cpulist.h), every CPU one this process may run on; not with --cpu. */
int run_sched_parse_pin(struct run_sched *s, const char *arg, char *err, size_t errlen);
int run_sched_parse_order(struct run_sched *s, const char *arg, char *err, size_t errlen);
int run_sched_parse_repeat(struct run_sched *s, const char *arg, char *err, size_t errlen);
/* Draw the seed of a random order that was given none. */
void run_sched_finish(struct run_sched *s);
/* The CPU vCPU i is pinned to (--pin, or --cpu for vCPU 0), -1 if none. */
int run_sched_vcpu_cpu(const struct run_sched *s, unsigned i);
/* Pin vCPU i's thread tid by --pin or --cpu (nothing when unpinned). 0, or -1 with err. */
int run_sched_pin_vcpu(const struct run_sched *s, unsigned i, pid_t tid, char *err, size_t errlen);
/* {"order": "table"|"random", "order_seed": N|null, "repeat": K} */
json_t *run_sched_describe(const struct run_sched *s);
/* {"vcpu_cpu": N|null, ...}: for the config's vmm object (vCPU 0's CPU) */
json_t *run_sched_vcpu_json(const struct run_sched *s);
/* [cpu of vCPU 0, cpu of vCPU 1, ...] with null for unpinned ones: the config's vmm "vcpu_cpus" */
json_t *run_sched_vcpus_json(const struct run_sched *s, unsigned nvcpus);

#endif
