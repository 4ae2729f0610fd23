/* SPDX-License-Identifier: MIT */
/*
 * Running code at CPL3.  PVM emulates every CPL0 instruction but runs CPL3
 * natively, so timed loops belong at CPL3 whenever the operation allows it.
 *
 * run_at_cpl3(fn, arg) iretq's to fn(arg) on a user stack with IOPL=3 (port
 * I/O and the bench protocol work; PVM needs the TSS I/O bitmap instead, see
 * desc.c) and IF=0; when fn returns, a ud2 at a known address (the #UD stub
 * checks it) brings the CPU back to CPL0, and fn's value is returned.  run_at_cpl0 is the same call
 * without the ring change, so that both can be abandoned by an exception
 * when ring_catch is set (the harness uses this to skip unsupported tests).
 * Not reentrant: no nesting.
 *
 * syscall from CPL3 enters syscall_null_entry, which is a lone sysretq:
 * the null system call, the in-guest round-trip floor.  (PVM enters LSTAR
 * but stays at CPL3, so sysretq faults there: the harness skips the test.)
 */
#ifndef GUEST_RING_H
#define GUEST_RING_H

#include <stdint.h>

#include "exceptions.h"

typedef long (*ring_fn)(void *arg);

long run_at_cpl0(ring_fn fn, void *arg);
long run_at_cpl3_flags(ring_fn fn, void *arg, uint64_t rflags);
static inline long run_at_cpl3(ring_fn fn, void *arg)
{
	return run_at_cpl3_flags(fn, arg, 0);
}
/* ring: 0 or 3 */
static inline long run_at_ring(unsigned int ring, ring_fn fn, void *arg)
{
	return ring ? run_at_cpl3(fn, arg) : run_at_cpl0(fn, arg);
}

/* Program STAR/LSTAR/SFMASK for syscall_null_entry (EFER.SCE is the VMM's). */
void ring3_init(void);

/* Nonzero: an exception inside run_at_* abandons the call (see ring_fault). */
extern volatile int ring_catch;
/* The exception that abandoned the last run_at_* call; vector is -1 if none. */
struct ring_fault {
	long vector;
	uint64_t error_code, rip, cr2;
	unsigned int cpl;
};
extern struct ring_fault ring_fault;

/* Internal: resume the innermost run_at_* caller, returning value. */
void ring_abort(long value) __attribute__((noreturn));
/* Internal: the kernel stack pointer saved by run_at_*, 0 outside them. */
extern uint64_t ring_kctx_rsp;

#endif
