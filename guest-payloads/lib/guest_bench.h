/* SPDX-License-Identifier: MIT */
/*
 * Guest side of the bench protocol (include/exitlab/bench_proto.h): fill the
 * mailbox, ring the doorbell port, read the reply.  One exit per message.
 * Callable at CPL3 too: the mailbox is user-accessible and ring-3 code runs
 * with IOPL=3.  Not reentrant (one vCPU, one mailbox).  Without a bench
 * device (boot_info.bench_port 0, PVH boot) every call prints one line on
 * COM1 instead (bench_serial.h) and bench_done exits QEMU by isa-debug-exit.
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <stdint.h>

#include "exitlab/bench_proto.h"
#include "exitlab/boot_abi.h"

/* Where the mailbox and doorbell are; falls back to the defaults if bi is bad. */
void bench_init(const struct boot_info *bi);
int32_t bench_send(uint16_t cmd, const void *body, uint32_t len);

void bench_hello(const char *payload);
/* 1: run the test; 0: the VMM says skip (send nothing more for it). */
int bench_test_begin(const char *name, unsigned int ring, uint32_t flags);
/* The same with a key=value list of what the test measures at (docs/bench-protocol.md). */
int bench_test_begin_kv(const char *name, unsigned int ring, uint32_t flags, const char *params);
void bench_phase_begin(void);
void bench_phase_end(uint64_t iterations, const uint64_t *samples, uint64_t nsamples,
		     uint64_t ops_per_sample);
void bench_test_end(enum bench_status status, const char *reason);
/* The test's empty-loop samples, nbefore then nafter (struct bench_overhead). */
void bench_overhead(const uint64_t *samples, uint64_t nbefore, uint64_t nafter);
/* The same with a key=value list of what the guest counted or checked. */
void bench_test_end_kv(enum bench_status status, const char *reason, const char *metrics);
/* BENCH_REQUEST (enum bench_req_op) outside a phase: 0 or -errno from the VMM. */
int32_t bench_request(uint32_t op, uint64_t a0, uint64_t a1);
void bench_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_exception(const struct bench_exception *e);
/* The VMM (or isa-debug-exit) stops the VM; returns only if it does not. */
void bench_done(uint32_t status);

#endif
