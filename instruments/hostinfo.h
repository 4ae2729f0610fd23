/* SPDX-License-Identifier: MIT */
/*
 * The host's identity as exitlab sees it: CPU, kernel, KVM backend and its
 * module parameters, TSC, perf counters, device nodes.  Every figure we store
 * carries this object, so every field is always present: a value that could
 * not be read is JSON null with a sibling "<field>_error" saying why.
 * Field by field: docs/host-info.md.
 */
#ifndef EXITLAB_HOSTINFO_H
#define EXITLAB_HOSTINFO_H

#include <stdio.h>

#include <jansson.h>

/*
 * A new object (caller owns the reference); NULL only when out of memory.
 * Top-level keys: hostname, cpu, kernel, kvm, tsc, perf, memory, devices,
 * exitlab_revision.  Creates (and destroys) a scratch VM to ask KVM for the
 * TSC frequency, so it takes a few ms, ~50 ms when it has to calibrate.
 */
json_t *hostinfo_collect(void);

/* "kvm_intel", "kvm_amd", "kvm_pvm" or "unknown", from /sys/module; cached. */
const char *hostinfo_backend(void);

/*
 * TSC frequency in kHz: KVM_GET_TSC_KHZ on a scratch vCPU, else rdtsc
 * calibrated against CLOCK_MONOTONIC_RAW.  Measured once, then cached.
 */
double hostinfo_tsc_khz(void);

/* obj[key] = null and obj["<key>_error"] = the message: how every collector says why not. */
void hostinfo_put_error(json_t *obj, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Human-readable "key : value" lines; null fields print "unavailable: why". */
void hostinfo_print(FILE *f, json_t *info);

#endif
