/* SPDX-License-Identifier: MIT */
/*
 * The measurement harness: a payload lists its tests in a table and calls
 * measure_run_table(); the harness does the rest for each selected ring:
 *
 *   TEST_BEGIN (the VMM may answer skip: then nothing more is sent)
 *   valid(ctx) says why not?      -> TEST_END skipped, reason
 *   setup(ctx) at CPL0
 *   at the test's ring (run_at_cpl3 for ring 3), with faults caught:
 *     warm-up (also a probe: an unsupported instruction faults here)
 *     calibration: pick n so the timed phase lasts bi->time_goal_cycles
 *       (or n = bi->iterations), capped by the sample buffer
 *     pre-touch the samples, m empty-loop samples, PHASE_BEGIN, n timed
 *     samples, PHASE_END, m empty-loop samples, OVERHEAD (m = min(n, 4096)):
 *     the test's own loop overhead, adjacent to it but outside the phase
 *   a fault in there               -> TEST_END skipped (failed if it hit
 *                                     the timed phase), with vector and rip
 *   check(ctx) at CPL0             -> TEST_END ok, or failed with a reason
 *
 * Each ring's first test is the built-in "empty" (BENCH_TF_OVERHEAD): the
 * same loop with no operation, shown as a row of its own. The whole list runs
 * bi->repeat times (repetitions outermost), in table order or, with
 * BOOT_ORDER_RANDOM, shuffled per ring and repetition (empty stays first).
 *
 * A test is a loop made by MEASURE_LOOP, so the operation is inlined between
 * the fenced TSC reads with no call in the timed region:
 *
 *   MEASURE_LOOP(pio, uint16_t port = c->bi->test_pio_port,  <- once, untimed
 *                outl(port, 0),                               <- timed, per sample
 *                (void)0)                                     <- once, after
 *   MEASURE_TABLE(tests) = {
 *       MEASURE_TEST("pio_vmm", pio_loop, R03, EXITS(1, 1),
 *                    MEASURES("port write handled by the VMM"), .valid = need_pio),
 *   };
 *
 * The table is the payload's catalogue of tests (catalogue.h): the host reads
 * names, rings, MEASURES() and the EXITS() each operation should cost from
 * the ELF, for `exitlab list`, --test checks and the validity of each result.
 */
#ifndef GUEST_MEASURE_H
#define GUEST_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "guest_bench.h"
#include "guest_catalogue.h"
#include "exitlab/boot_abi.h"
#include "timing.h"

struct measure_ctx {
	const struct boot_info *bi;
	unsigned int ring;          /* 0 or 3 */
	uint64_t ops;               /* operations run: warm-up + calibration + timed */
	uint64_t arg;               /* for setup() to hand the loop a value */
	long result;                /* for the loop's `post` to hand check() a value */
	char reason[BENCH_REASON_MAX]; /* scratch for check()'s message */
};

/* Time n operations, one per sample, into samples[0..n). */
typedef void (*measure_loop_fn)(struct measure_ctx *c, uint64_t *samples, uint64_t n);

struct measure_test {
	/* Name ([A-Za-z0-9_.-]), rings, flags, expected exits, help: what the host reads. */
	struct catalogue_test d;
	measure_loop_fn loop;
	/* Why this host cannot run the test at c->ring (-> skipped), or NULL. */
	const char *(*valid)(const struct measure_ctx *c);
	/* At CPL0, before the run. */
	void (*setup)(struct measure_ctx *c);
	/* At CPL0, after the run: NULL if the results are sound, else why not (-> failed). */
	const char *(*check)(struct measure_ctx *c);
};

/*
 * Define name##_loop: `decl` runs once before the loop (hoist loads there),
 * `op` is the timed operation (no top-level commas: wrap them in a call),
 * `post` runs once after the loop.  The context is `c`.
 */
#define MEASURE_LOOP(name, decl, op, post)					\
static void name##_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)	\
{										\
	decl;									\
	(void)c;								\
	for (uint64_t i = 0; i < n; i++) {					\
		uint64_t t0 = tsc_begin();					\
		op;								\
		samples[i] = tsc_end() - t0;					\
	}									\
	post;									\
}

/* Run every test of the table at every ring in bi->ring_mask; returns the failures. */
int measure_run_table(const struct boot_info *bi, const struct measure_test *tests, size_t n);

/* The table of tests, placed in the catalogue section: MEASURE_TABLE(tests) = { ... }; */
#define MEASURE_TABLE(tests) static const struct measure_test tests[] CATALOGUE_ATTR

/*
 * A table entry; optional fields by name:
 * MEASURE_TEST("x", x_loop, R0, EXITS(1, 0), MEASURES("what"), .valid = f)
 */
#define MEASURE_TEST(nm, fn, rg, ...)							\
	{ .d.hdr = CATALOGUE_HDR(CATALOGUE_TEST, struct measure_test), .d.name = nm,	\
	  .d.rings = (rg), .loop = (fn), __VA_ARGS__ }

/* What the test measures, one line (shown by `exitlab list`). */
#define MEASURES(text) .d.help = text

#define MEASURE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
