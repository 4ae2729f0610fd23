/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts: vectors VEC_DEV_BASE + i (desc.h), each counted by its
 * handler, optionally acknowledged at the device first (a level-triggered
 * INTx line stays asserted until the device is read), then EOI'd at the
 * local APIC.  Drivers wait with irq_wait / irq_wait_any.
 *
 * Waiting depends on the ring.  At CPL0 (IF=0 outside the wait) the wait is
 * the race-free idiom: check the count with IF=0, then `sti; hlt` (the STI
 * shadow lets a pending interrupt wake the HLT, where `sti; nop; cli` lets
 * PVM's CPL0 emulator miss it), then cli; a LAPIC one-shot timer of
 * IRQ_WATCHDOG_NS armed before each hlt bounds it, so a lost interrupt
 * cannot hang the guest (its interrupts count in irq_watchdog_count, never as
 * device interrupts).  At CPL3 the caller runs with IF already set
 * (run_at_cpl3_flags(..., RFLAGS_IF)) and the wait spins: interrupts are
 * taken by the CPL0 handlers through the IDT and return to CPL3.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdint.h>

#include "desc.h"

#define IRQ_WATCHDOG_NS 1000000u

extern volatile uint64_t irq_dev_count[VEC_DEV_COUNT];
/* Every device interrupt, whatever its vector. */
extern volatile uint64_t irq_dev_total;
/* Watchdog timer interrupts (VEC_WATCHDOG). */
extern volatile uint64_t irq_watchdog_count;

/* Called in the handler before the EOI (NULL: none). */
void irq_dev_set_ack(unsigned idx, void (*ack)(void *), void *arg);
/* Called by the stubs (exceptions.S). */
void irq_dev_handle(unsigned idx);
void irq_watchdog_handle(unsigned unused);
/*
 * Wait until irq_dev_count[idx] differs from `seen`: at CPL0 one hlt (woken
 * by any interrupt, or the watchdog); at CPL3 up to `spins` pauses.  The
 * caller re-checks its device afterwards either way.
 */
void irq_wait(unsigned idx, uint64_t seen, unsigned spins);
/* The same for any device interrupt: until irq_dev_total differs from `seen`. */
void irq_wait_any(uint64_t seen, unsigned spins);
/* Cancel an armed watchdog (after a CPL0 phase, so that it does not fire in the next one). */
void irq_wait_done(void);

#endif
