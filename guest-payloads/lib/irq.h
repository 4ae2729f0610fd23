/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts: vectors VEC_DEV_BASE + i (desc.h), each counted by its
 * handler, optionally acknowledged at the device first (a level-triggered
 * INTx line stays asserted until the device is read), then EOI'd at the
 * local APIC.  Drivers wait with irq_wait.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdint.h>

#include "desc.h"

extern volatile uint64_t irq_dev_count[VEC_DEV_COUNT];

/* Called in the handler before the EOI (NULL: none). */
void irq_dev_set_ack(unsigned idx, void (*ack)(void *), void *arg);
/* Called by the stubs (exceptions.S). */
void irq_dev_handle(unsigned idx);
/* With interrupts on, spin until irq_dev_count[idx] differs from `seen` or `spins` pauses pass. */
void irq_wait(unsigned idx, uint64_t seen, unsigned spins);

#endif
