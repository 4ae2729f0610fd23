/* SPDX-License-Identifier: MIT */
/*
 * `exitlab compare`'s model: each side (baseline, current) is the tests of one
 * or more results files pooled by (payload, test, ring, params) with the host
 * context they came from; cmp_compare matches the two sides and gives each
 * matched test its change, statistics and verdict. See docs/compare.md.
 */
#ifndef EXITLAB_COMPARE_H
#define EXITLAB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/results.h"

struct cmp_count;
struct cmp_count_diff;

/* What decides whether two hosts' figures can be compared (exitlab info's host object). */
struct cmp_ctx {
	char *cpu;                    /* cpu.model_name, or NULL */
	char *backend;                /* kvm.backend, or NULL */
	char *params;                 /* kvm.params, canonical JSON, or NULL */
	char *mitigations;            /* kernel.mitigations, canonical JSON, or NULL */
};

#define CMP_CTX_MIXED (-2)            /* a pooled test came from files of different hosts */
#define CMP_COUNT_FAMILIES 7          /* exits, KVM vCPU and VM stats, tracepoints, exit reasons, VMM exits, devices */

struct cmp_test {
	char payload[32];
	char name[32];
	int ring;
	char *params;                 /* canonical JSON of the test's params, or NULL */
	char *setup;                  /* canonical JSON of the run's devices, backing and memory */
	bool ok;                      /* every pooled file said "ok" */
	char reason[160];             /* why not ok */
	bool invalid;                 /* a pooled file marked it invalid (exit counts contradict the test) */
	bool has_timing;
	double *samples;              /* pooled samples_cycles */
	size_t nsamples;
	bool samples_partial;         /* some pooled files kept no samples */
	double *medians;              /* cycles.median of each pooled file */
	size_t nmedians;
	int ctx;                      /* index into the side's contexts, or CMP_CTX_MIXED */
	struct cmp_count *counts;     /* pooled event counts (compare_counts.h), for --counts */
	size_t ncounts;
	double count_ops[CMP_COUNT_FAMILIES]; /* operations of the files that had each family of counts */
};

struct cmp_side {
	char label[512];              /* what the user named */
	size_t nfiles;
	char vmm[32];                 /* config.vmm.name of its files ("exitlab", "qemu"), "mixed" */
	char release[80];             /* context.kernel.release of its files (uname -r), "mixed", "" unknown */
	struct cmp_ctx *ctx;
	size_t nctx;
	struct cmp_test *tests;
	size_t ntests;
	char **inputs;                /* every file read: results files and manifests */
	size_t ninputs;
};

/* CMP_CHANGED only with --counts: the exits per operation held, some other count moved. */
enum cmp_verdict { CMP_IMPROVED, CMP_REGRESSED, CMP_UNCHANGED, CMP_NOT_COMPARABLE, CMP_CHANGED, CMP_NVERDICTS };

/*
 * What the statistics resample: each run's median (the run-to-run spread,
 * which on a shared host is wider than any one run's), or the pooled samples
 * (within-run spread only). Auto: runs when both sides have CMP_MIN_RUNS.
 */
enum cmp_level { CMP_LEVEL_AUTO, CMP_LEVEL_RUNS, CMP_LEVEL_SAMPLES };

/* Five runs a side is the fewest at which Mann-Whitney can reach p < 0.01. */
#define CMP_MIN_RUNS 5

struct cmp_opts {
	double threshold;             /* fraction: 0.05 = 5 % */
	enum cmp_level level;
	double confidence;            /* 0.99 */
	unsigned resamples;           /* bootstrap resamples, 2000 */
	uint64_t seed;
	bool counts;                  /* --counts: judge event counts per operation, ignore timings */
	double count_delta;           /* --counts: smallest change per operation that counts */
};

struct cmp_row {
	const struct cmp_test *base, *cur; /* either NULL when only on one side */
	double median_base, median_cur;    /* NAN if unknown */
	bool has_change;
	double change;                     /* median_cur / median_base - 1 */
	bool has_stats;
	double ci_lo, ci_hi;               /* bootstrap interval of the change at the confidence */
	double p, u;                       /* Mann-Whitney */
	bool by_runs;                      /* the statistics are over run medians, not samples */
	enum cmp_verdict verdict;
	char reason[256];
	char label[192];                   /* the test's name and what tells it from its namesakes */
	struct cmp_count_diff *diffs;      /* --counts: every count of either side, per operation */
	size_t ndiffs;
};

/* The row's test on whichever side has it. */
static inline const struct cmp_test *cmp_row_test(const struct cmp_row *r)
{
	return r->base ? r->base : r->cur;
}

const char *cmp_verdict_name(enum cmp_verdict v);

/*
 * Tests are matched by (payload, name, ring, params, setup): the setup is
 * what the run configured around the test (config.devices, config.vmm's
 * backing and mem_bytes), so that e.g. virtio-net kicked by ioeventfd and by
 * an exit, or the same chase on 4k and THP backing, are never pooled.
 */

/* Pool one results file into a side. 0, or -1 with err set (ENOMEM). */
int cmp_side_add_run(struct cmp_side *s, const struct run_result *r, char *err, size_t errlen);
/*
 * Load a side from a results file, a campaign run directory (manifest.json:
 * its done entries), or a baseline name (results/baselines/NAME.json or
 * NAME/, relative to `baselines_dir`). 0, or -1 with err naming the file.
 */
int cmp_side_load(struct cmp_side *s, const char *what, const char *baselines_dir, char *err, size_t errlen);
void cmp_side_free(struct cmp_side *s);
/* Whether path is the same file (device and inode) as one s read: an output there would replace an input. */
bool cmp_side_read(const struct cmp_side *s, const char *path);

/* Match and judge; rows in the baseline's order, then tests only in current. 0 or -1 (ENOMEM). */
int cmp_compare(const struct cmp_side *b, const struct cmp_side *c, const struct cmp_opts *o,
		struct cmp_row **rows, size_t *nrows, char *err, size_t errlen);
/* Why two tests' host contexts differ (CPU, backend, its parameters, mitigations), or NULL. */
const char *cmp_ctx_differs(const struct cmp_side *b, const struct cmp_test *tb, const struct cmp_side *c,
			    const struct cmp_test *tc);
/* Free what cmp_compare returned. */
void cmp_rows_free(struct cmp_row *rows, size_t n);

#endif
