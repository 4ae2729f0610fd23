/* SPDX-License-Identifier: MIT */
/*
 * Exceptions and the few interrupts the runtime takes.  An exception is
 * reported to the VMM (BENCH_EXCEPTION) and the vCPU halts, unless a
 * measurement armed ring_catch (ring.h): then the run is abandoned and the
 * harness reports the test as not runnable on this host.
 */
#ifndef GUEST_EXCEPTIONS_H
#define GUEST_EXCEPTIONS_H

#include <stdint.h>

/* What the stubs push, lowest address first, then the CPU's frame. */
struct exc_frame {
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

extern const void *const exception_stubs[32];
void irq_self_ipi_entry(void);
void irq_spurious_entry(void);
/* VEC_WATCHDOG: calls irq_watchdog_handle (lib/irq.c). */
void irq_watchdog_entry(void);
/* Device vectors VEC_DEV_BASE.. (desc.h): each calls irq_dev_handle (lib/irq.c). */
extern const void *const irq_dev_stubs[16];

/* Incremented by the self-IPI handler (vector 0x40), which also sends the EOI. */
extern volatile uint64_t irq_self_ipi_count;

void exception_handle(struct exc_frame *f) __attribute__((noreturn));
const char *exception_name(unsigned int vector);

#endif
