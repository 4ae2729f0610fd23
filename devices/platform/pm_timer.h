/* SPDX-License-Identifier: MIT */
/*
 * The ACPI power-management timer, emulated by the VMM: a free-running
 * 3.579545 MHz counter of 24 bits (FADT TMR_VAL_EXT clear), read as a 32-bit
 * port; derived from the host's monotonic clock at each read, so every read
 * is an exit to the VMM (exit-costs' inl_from_pmtimer).  Writes are ignored.
 */
#ifndef EXITLAB_PM_TIMER_H
#define EXITLAB_PM_TIMER_H

#include <stdint.h>

#include "vmm/bus.h"

#define PM_TIMER_HZ   3579545ull
#define PM_TIMER_MASK 0xffffffu

struct pm_timer {
	uint64_t (*now_ns)(void); /* the clock; the unit tests set their own */
	uint64_t start_ns;        /* the counter's zero */
	uint64_t reads, writes;
};

/* Start counting from now; now_ns NULL means CLOCK_MONOTONIC. */
void pm_timer_init(struct pm_timer *t, uint64_t (*now_ns)(void));
/* The counter's value ns nanoseconds after its start. */
uint32_t pm_timer_value(uint64_t ns);

extern const struct bus_ops pm_timer_bus_ops; /* opaque = struct pm_timer * */

#endif
