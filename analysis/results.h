/* SPDX-License-Identifier: MIT */
/*
 * The in-memory form of one run's results; results_json.c writes and reads it
 * in the schema documented in docs/results-schema.md.
 */
#ifndef EXITLAB_RESULTS_H
#define EXITLAB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/calibration.h"
#include "util/statistics.h"

#define RESULTS_SCHEMA_VERSION 1

enum test_status { TEST_OK, TEST_SKIPPED, TEST_FAILED };

/* A cumulative KVM stat of one test: its change over the timed phase. */
struct kvm_stat_delta {
	char name[64];
	int64_t delta;
};

/* An instant or peak KVM stat (a level, where a delta means nothing): its value at phase end. */
struct kvm_stat_level {
	char name[64];
	int64_t value;                /* clamped to INT64_MAX (JSON integers are signed) */
};

/* A KVM histogram stat of one test: the delta of each bucket. */
struct kvm_stat_hist {
	char name[64];
	int64_t *buckets;
	size_t nbuckets;
};

/* The KVM stats of one vCPU or one VM over a test's timed phase. */
struct kvm_stat_group {
	struct kvm_stat_delta *delta; /* cumulative scalars that moved */
	size_t ndelta;
	struct kvm_stat_level *level; /* instant and peak: value at phase end, all of them */
	size_t nlevel;
	struct kvm_stat_hist *hist;   /* histograms with a bucket that moved */
	size_t nhist;
};

/*
 * Where a test's time went, over its timed phases (the "cpu" member,
 * docs/results-schema.md). Each figure is known (has_*) or not: an
 * unknown one is null in JSON, never 0.
 */
struct test_cpu {
	bool has_device, has_vcpu, has_guest;
	double device_ns;             /* CPU time of the device side's threads (thread_cpu.h) */
	double vcpu_ns;               /* CPU time of the vCPU thread: guest, KVM and the VMM's exit handling */
	double guest_phase_ns;        /* the guest's phases by its TSC (metrics phase_cycles) */
	double guest_wait_ns;         /* of which it waited for the device (metrics wait_cycles) */
};

/* The same per operation; NAN where unknown. */
struct test_cpu_per_op {
	double wall_ns;               /* 1e9 / operations per second */
	double device_ns, vcpu_ns;
	double guest_busy_ns;         /* (phase - wait) per operation: the guest's own work */
};

struct test_result {
	char name[32];
	int ring;                     /* 0 or 3; -1 for host-side baselines */
	char where[16];               /* "guest" or "host" */
	enum test_status status;
	char reason[128];             /* for skipped/failed */
	uint64_t iterations;
	bool has_timing;
	double overhead_cycles;       /* loop overhead subtracted from each sample */
	struct sample_stats cycles;   /* per operation, overhead subtracted */
	struct sample_stats ns;
	bool has_exits;
	double exits_per_iteration;
	double userspace_exits_per_iteration;
	bool emulated;                /* CPL0 on PVM: instruction-emulated */
	bool invalid;                 /* counts contradict what the test measures ("valid": false) */
	char invalid_reason[160];     /* why ("invalid_reason") */
	bool has_phase;
	double phase_s;               /* host wall time of the timed phase, doorbell to doorbell ("phase_s") */
	struct kvm_stat_group vcpu_stats; /* "kvm_stats", "kvm_stats_instant", "kvm_stats_hist" */
	struct kvm_stat_group vm_stats;   /* the same with "kvm_vm_" */
	char *host_json;              /* serialized per-phase instrument object ("host"), or NULL */
	char *params_json;            /* what the test measured at ("params"), or NULL */
	char *metrics_json;           /* what the guest counted or checked ("metrics"), or NULL */
	char *vcpus_json;             /* several vCPUs: each one's exits and stats, and their sum ("vcpus"), or NULL */
	double *samples;              /* raw per-op cycles, only with --raw; else NULL */
	size_t nsamples;
	struct test_calib calib;      /* overhead interval, resolution, flags, repetitions */
	struct test_cpu cpu;          /* "cpu": device side, vCPU and guest time */
};

struct run_result {
	char payload[32];
	char started_at[32];          /* ISO 8601 UTC */
	double duration_s;
	int exit_code;
	char *context_json;           /* serialized context object (host, backend, vmm, revision) */
	char *config_json;            /* serialized run configuration */
	char *vmm_json;               /* serialized VMM-side accounting (exit loop per reason) */
	char *kvm_stats_schema_json;  /* serialized {"vcpu": {...}, "vm": {...}} descriptors, or NULL */
	struct test_result *tests;
	size_t ntests;
};

/*
 * Operations per second: iterations over the phase's wall time when known
 * (throughput, right also when operations overlap, e.g. I/Os at a queue
 * depth above 1), else 1e9 / the median ns per operation; NAN if neither.
 */
static inline double test_ops_per_s(const struct test_result *t)
{
	if (t->has_phase && t->phase_s > 0 && t->iterations)
		return (double)t->iterations / t->phase_s;
	if (t->has_timing && t->ns.n && t->ns.median > 0)
		return 1e9 / t->ns.median;
	return __builtin_nan("");
}

/* Append a zeroed test, returns it (NULL on ENOMEM). */
struct test_result *results_add_test(struct run_result *r);
void results_free(struct run_result *r);
void results_free_stat_group(struct kvm_stat_group *g);

const char *test_status_name(enum test_status s);

/* Write atomically (temp file, fsync, rename). 0 or -1 with errbuf set. */
int results_write_json(const struct run_result *r, const char *path, char *err, size_t errlen);
/* Read back; a corrupt or foreign file gives -1 with errbuf naming the problem. */
int results_read_json(const char *path, struct run_result *r, char *err, size_t errlen);

#endif
