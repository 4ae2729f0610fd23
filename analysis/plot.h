/* SPDX-License-Identifier: MIT */
/*
 * What the chart files share: gnuplot plumbing (gnuplot.h) and the
 * payload-specific charts' data and drawing (plot_tlb.c; plot_net.c and
 * plot_blk.c, which may draw several results files, with plot_dev.c).  Which
 * chart a payload gets is analysis/payload_views.c; charts.h draws them.  Each
 * chart writes its numbers to a plain data file first, so that it can be
 * redrawn without exitlab.
 */
#ifndef EXITLAB_PLOT_H
#define EXITLAB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "analysis/gnuplot.h"
#include "analysis/results.h"

/* tlb: the refill chart.  Exit kinds in the order the chart shows them. */
enum plot_tlb_kind { PLOT_TLB_NONE, PLOT_TLB_PIO, PLOT_TLB_CPUID, PLOT_TLB_NKINDS };

struct plot_tlb_info {
	int rows;                      /* refill tests written, one per (N, exit) */
	int nn;                        /* distinct N (the clusters) */
	long long n[64];               /* those N, ascending (at most 64 kept) */
	bool kind[PLOT_TLB_NKINDS];    /* exit kinds present */
	double exits_per_pass[PLOT_TLB_NKINDS]; /* mean over N of the host-counted exits; <0: unknown */
	int nrefill;                   /* rows with a derived refill cost (an exit pass and its none pass) */
	bool logy, logy_refill;        /* log scale for the pass chart, for the refill panel */
};

/* Whether t is one of the tests the refill chart draws (an ok, timed "refill"). */
bool plot_tlb_is_refill(const struct test_result *t);
/*
 * OUT.dat for the refill chart: one row per refill test, sorted by N then exit
 * kind, with the refill cost (this pass minus the exit=none pass at the same N)
 * derived.  Returns the row count (0: none to draw), or -1 with errno set.
 */
int plot_tlb_write_data(const struct run_result *r, const char *path, struct plot_tlb_info *info);
/* The TLB tagging and paging mode that the results' host context names, e.g. "VPID on, EPT on". */
void plot_tlb_tagging(json_t *ctx, char *buf, size_t len);
/* gnuplot on OUT.dat with scripts/plot-tlb.gp. */
int plot_tlb_draw(const struct run_result *r, const char *dat, const char *png, const char *script,
		  const struct plot_tlb_info *info);

/*
 * Several results files in one chart: 0 if every run has the same payload and
 * that payload may share a chart (a device view of payload_views.c: net, blk;
 * a view with a chart_many: exit-costs; any payload when nruns is 1), else
 * -1 with err naming the file that differs (names[i] is runs[i]'s file).
 */
int plot_same_payload(const struct run_result *runs, const char *const *names, size_t nruns, char *err,
		      size_t errlen);

/* net, blk (plot_dev.c): the device of a run as its config.devices names it. */
struct plot_device {
	char model[24];    /* "e1000", "virtio-net", "virtio-blk"; "" when the config does not say */
	char notify[16];   /* virtio: "ioeventfd" or "exit"; "" for e1000 or unknown */
	char netdev[64];   /* the NIC's backend spec ("loop", "sink,check=1"); "" if none */
	char backend[16];  /* who has the data path besides us: "vhost-net", "vhost-user"; "" = the VMM */
};

/*
 * The NIC (blk false) or the first disk (blk true) of r's config, by each
 * device's kind (config.devices[].kind, or devices/' registry for results
 * written before it had one); false if there is none.
 */
bool plot_run_device(const struct run_result *r, bool blk, struct plot_device *d);
/* "model", "model (notify=exit)", "virtio-net (vhost-user)": the legend's name for a device. */
void plot_device_label(const struct plot_device *d, char *buf, size_t len);
/*
 * Where a log axis draws a value of 0: a decade below the smallest positive
 * value, and at most 1e-4 (min_positive <= 0 or not finite: 1e-4).
 */
double plot_log_floor(double min_positive);
/*
 * Repetitions of one point (the same series at the same x, from several
 * results files): the median of field `off` (a double in each element of
 * size `size`) over elements [0, n), NaNs left out; NAN if all are.
 */
double plot_pooled_median(const void *elems, size_t n, size_t size, size_t off);
/*
 * The runs' host context for a title: "host NAME, kernel RELEASE - CPU - KVM
 * backend", each distinct value once ("AMD EPYC / Intel Xeon" when files come
 * from several hosts).
 */
void plot_runs_context(const struct run_result *runs, size_t nruns, char *buf, size_t len);
/* Append s to the " / "-separated list in buf unless it is one of its items already. */
void plot_add_distinct(char *buf, size_t len, const char *s);
/*
 * Where a chart's figures come from (plot_title.c): a results context's
 * hostname, kernel release and exitlab revision (NULL when it has none), and
 * "host NAME, kernel RELEASE" for a title ("unknown" for what is missing; of
 * several runs each distinct value once, " / "-separated).
 */
const char *plot_ctx_hostname(json_t *ctx);
const char *plot_ctx_kernel(json_t *ctx);
const char *plot_ctx_revision(json_t *ctx);
void plot_host_kernel(json_t *ctx, char *buf, size_t len);
void plot_runs_host_kernel(const struct run_result *runs, size_t nruns, char *buf, size_t len);
/*
 * Whether any ok guest test in the runs that drawn (NULL: every test) says the
 * chart draws is marked emulated (CPL0 on PVM): only then does a chart carry the note.
 */
bool plot_runs_emulated(const struct run_result *runs, size_t nruns, bool (*drawn)(const struct test_result *));

/* net: exits per frame and frames per second vs batch, one series per (device, dir). */
#define PLOT_NET_MAX_SERIES 16

struct plot_net_info {
	int rows;                                  /* data rows, one per (series, batch) */
	int nseries;
	char series[PLOT_NET_MAX_SERIES][160];     /* legend names, in block order */
	int npoints[PLOT_NET_MAX_SERIES];          /* rows per series */
	int nclamped;                              /* exit values of 0 drawn at `floor` */
	double floor;                              /* where 0 is drawn on the log axis */
	int nexits;                                /* rows with exit counts */
	int ntimed;                                /* rows with frames per second */
	bool logy_rate;                            /* log scale for the frames per second panel */
	long long size;                            /* the frame size of every row; 0 mixed, -1 unknown */
	char netdev[96];                           /* the backends named by the runs, distinct, " / " */
};

/* Whether t is a test the net chart draws (tx or rx, status ok). */
bool plot_net_is_frame_test(const struct test_result *t);
/*
 * OUT.dat for the net chart from nruns net results (names[i], optional, is the
 * file of runs[i]): one block per series, rows by batch.  Tests it cannot
 * place are left out with a word on stderr.  Returns the row count (0: none to
 * draw), or -1 with errno set (EINVAL: a run that is not net).
 */
int plot_net_write_data(const struct run_result *runs, const char *const *names, size_t nruns,
			const char *path, struct plot_net_info *info);
/* gnuplot on OUT.dat with scripts/plot-net.gp. */
int plot_net_draw(const struct run_result *runs, size_t nruns, const char *dat, const char *png,
		  const char *script, const struct plot_net_info *info);

/* blk: I/Os per second and exits per I/O as bars by (bs, qd), one bar per (device, rw). */
#define PLOT_BLK_MAX_SERIES 8
#define PLOT_BLK_MAX_CATS 32

struct plot_blk_info {
	int rows;                                  /* data rows, one per (series, bs, qd) */
	int nseries;
	char series[PLOT_BLK_MAX_SERIES][128];     /* legend names, in block order */
	int ncats;
	char cats[PLOT_BLK_MAX_CATS][32];          /* "4KiB/qd=1": the clusters, by bs then qd */
	int nclamped;                              /* exit values of 0 drawn at `floor` */
	double floor;
	int nexits, ntimed;                        /* rows with exit counts, with I/Os per second */
	bool logy_iops;
};

/* Whether t is a test the blk chart draws (read or write, status ok). */
bool plot_blk_is_io_test(const struct test_result *t);
/* OUT.dat for the blk chart, as plot_net_write_data (EINVAL: a run that is not blk). */
int plot_blk_write_data(const struct run_result *runs, const char *const *names, size_t nruns,
			const char *path, struct plot_blk_info *info);
/* gnuplot on OUT.dat with scripts/plot-blk.gp. */
int plot_blk_draw(const struct run_result *runs, size_t nruns, const char *dat, const char *png,
		  const char *script, const struct plot_blk_info *info);

/*
 * --cdf, --ccdf (plot_cdf.c): the distribution of the raw samples, one line
 * per ok test that kept them.  OUT.dat has one block per test (sorted, thinned
 * to at most 2000 ranks): cycles_per_op, fraction at or below, fraction at or
 * above, mark (the rows that get the line's point symbol).  info gets the
 * legend's names in block order (the first PLOT_CDF_MAX_KEYS), the log axis'
 * floor for samples <= 0 and the largest sample count.  Returns the block count (0: no test kept samples),
 * or -1 with errno set.
 */
#define PLOT_CDF_MAX_KEYS 128

struct plot_cdf_info {
	int ntests;
	int nlatency;              /* of them, latency tests (plot_test_is_latency): x is their latency */
	bool logx;                 /* some sample is > 0: x on a log axis */
	size_t nonpositive;        /* samples <= 0 (loop overhead subtracted): drawn at xfloor on it */
	double xfloor;             /* a decade below the smallest positive sample */
	size_t max_samples;
	char key[PLOT_CDF_MAX_KEYS][112];
};

int plot_cdf_write_data(const struct run_result *r, const char *path, struct plot_cdf_info *info);
/*
 * Whether t's samples are latencies, not operations timed round trip:
 * exit-costs' irq_device and irq_device_halt (the cycles from the host's
 * eventfd write, TSC-stamped, to the guest's handler).  The collector
 * subtracted the loop overhead from them as from any sample, though no loop
 * is in a latency: the CDF adds overhead_cycles back (exact for one
 * repetition; with --repeat, the median of the repetitions' overheads).
 */
bool plot_test_is_latency(const struct test_result *t);
/* The CDF's x axis label for info's tests (round trips, latencies, or both). */
const char *plot_cdf_xlabel(const struct plot_cdf_info *info);
/*
 * The gnuplot -e assignments of the CDF chart (ccdf: the complementary CDF,
 * fraction at or above x on a log y axis, which spreads the tail out): NULL-
 * terminated, malloc'd strings in a malloc'd array (plot_free_args), NULL on ENOMEM.
 */
char **plot_cdf_args(const struct run_result *r, const char *dat, const char *out,
		     const struct plot_cdf_info *info, bool ccdf);
void plot_free_args(char **args);
/* gnuplot on OUT.dat with scripts/plot-cdf.gp. */
int plot_cdf_draw(const struct run_result *r, const char *dat, const char *out, const char *script,
		  const struct plot_cdf_info *info, bool ccdf);

/*
 * exit-costs at several vCPU counts (plot_vcpus.c): ipi_broadcast,
 * tlb_shootdown, ple_round_robin, ipi and ipi_halt, cycles per operation and
 * KVM exits per operation summed over the vCPUs against N (config.vmm.vcpus).
 */
#define PLOT_VCPUS_MAX_SERIES 10

struct plot_vcpus_info {
	int rows;                                /* data rows, one per (test, file) */
	int nseries;                             /* blocks, one per (test, ring) */
	char series[PLOT_VCPUS_MAX_SERIES][32];  /* "tlb_shootdown cpl0", in block order */
	int npoints[PLOT_VCPUS_MAX_SERIES];
	int nn;                                  /* distinct N among the files */
	long long n[64];                         /* those N, ascending */
	int nexits;                              /* rows with a vcpus.sum exit count */
	bool emulated;                           /* a row is CPL0 instruction-emulated (PVM) */
};

/* The run's vCPU count: config.vmm.vcpus, 1 when the config does not say (files from before --vcpus). */
long long plot_vcpus_of(const struct run_result *r);
/* The distinct vCPU counts of the runs, ascending, at most max of them into n: how many. */
int plot_vcpus_distinct(const struct run_result *runs, size_t nruns, long long *n, int max);
/* Whether t is an SMP test the chart draws (ok, timed, in the guest). */
bool plot_vcpus_is_smp_test(const struct test_result *t);
/*
 * OUT.dat: one block per (test, ring), rows by N then file: vcpus median p1
 * p99 kvm_exits_per_op_all_vcpus file.  Files at the same N are points of
 * their own.  Returns the row count (0: no SMP test to draw), or -1 with errno.
 */
int plot_vcpus_write_data(const struct run_result *runs, const char *const *names, size_t nruns, const char *path,
			  struct plot_vcpus_info *info);

/*
 * The regression timeline (plot_timeline.c) of a directory with several
 * campaign runs.  An entry's name without its repetition ("net/virtio-net/rep2"
 * -> "net/virtio-net"; a last component that is not "rep" and digits is kept).
 */
void plot_entry_group(const char *name, char *buf, size_t len);
/* "2026-12-01T21:28:21Z" (fraction allowed) or "20261201T212821Z" as seconds since 1970 UTC; 0 or -1. */
int plot_time_parse(const char *ts, long long *secs);
struct store_run;
/* Runs by start time (started_at, else the directory name's), unreadable times last; then host, path. */
int plot_run_time_cmp(const struct store_run *a, const struct store_run *b);
void plot_runs_by_time(const struct store_run **runs, size_t n);
/*
 * The timeline's y axis: relative, every panel on one shared scale of %
 * change from the panel's first run (a step of 5 % looks the same in every
 * panel); absolute, each panel in its unit on an axis from zero.
 */
enum plot_scale { PLOT_SCALE_RELATIVE, PLOT_SCALE_ABSOLUTE };
/*
 * Every chart of the timeline of dir's runs into outdir as timeline-<campaign>-<payload>EXT
 * (and -2, -3... when there are more than 16 tests) with the numbers in .dat; script is
 * scripts/plot-timeline.gp; each chart drawn is added to wrote (NULL: not kept; charts.h).
 * An EXIT_* code: 1 when an entry failed or a file was skipped.
 */
struct chart_list;
int plot_timeline(const char *dir, const char *outdir, const char *script, const char *ext,
		  enum plot_scale scale, struct chart_list *wrote);

#endif
