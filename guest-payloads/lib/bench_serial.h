/* SPDX-License-Identifier: MIT */
/*
 * The bench protocol without exitlab's VMM (PVH boot under another VMM,
 * bench_port = 0): each message becomes one line on COM1 that a host-side
 * harness parses (tests/integration/qemu_harness.h), and BENCH_DONE exits
 * through QEMU's isa-debug-exit device.  Lines:
 *   exitlab: hello payload=NAME
 *   exitlab: test name=NAME ring=R params=k=v,k=v
 *   exitlab: end name=NAME status=ok|skipped|failed iterations=N samples=S median_cycles=M
 *            phase_cycles=C metrics=k=v,k=v reason=free text to the end of the line
 *   exitlab: log free text
 *   exitlab: exception vector=V error=0xE rip=0xR cr2=0xC
 *   exitlab: done status=S
 * (the end line is one line; values never hold spaces except reason's, which comes last).
 */
#ifndef GUEST_BENCH_SERIAL_H
#define GUEST_BENCH_SERIAL_H

#include <stdint.h>

#include "exitlab/bench_proto.h"

/* QEMU's -device isa-debug-exit,iobase=0xf4,iosize=4: writing v exits QEMU with (v << 1) | 1. */
#define BENCH_DEBUG_EXIT_PORT 0xf4

void bench_serial_hello(const char *payload);
void bench_serial_test_begin(const char *name, unsigned int ring, const char *params);
void bench_serial_phase_begin(void);
/* Reorders samples[] (an in-place median). */
void bench_serial_phase_end(uint64_t iterations, uint64_t *samples, uint64_t nsamples,
			    uint64_t ops_per_sample);
void bench_serial_test_end(enum bench_status status, const char *reason, const char *metrics);
void bench_serial_log(const char *text);
void bench_serial_exception(const struct bench_exception *e);
void bench_serial_done(uint32_t status);
/* Any other raw message: logged, answered with BENCH_REPLY_ERROR. */
int32_t bench_serial_raw(uint16_t cmd);

/* The median of a[0..n) (reorders a); 0 if n == 0. */
uint64_t bench_median(uint64_t *a, uint64_t n);

#endif
