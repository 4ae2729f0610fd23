/* SPDX-License-Identifier: MIT */
/*
 * Running a payload's own phase (not a measure.h loop) at ring 0 or 3 with
 * faults caught, the way the measure harness does: net and blk fill, kick,
 * poll and time at the test's ring, so that on PVM (CPL0 emulated, CPL3
 * native) a CPL3 figure is the device's cost, not the emulator's.
 */
#ifndef GUEST_RING_RUN_H
#define GUEST_RING_RUN_H

#include <stdbool.h>

#include "ring.h"

/*
 * fn(arg) at CPL0 (IF stays 0) or at CPL3 (IF set if `irq`, so device
 * interrupts are taken; the handlers run at CPL0 and return to CPL3).
 * 0 if fn returned; -1 if an exception abandoned it (why names it).
 */
int ring_run_caught(unsigned ring, bool irq, ring_fn fn, void *arg, char *why, unsigned whylen);

/*
 * Does this host deliver interrupts to CPL3 code that runs with IF=1?  A
 * LAPIC one-shot timer armed at CPL0, then waited for (up to LATE_IRQ_LOST_MS) at
 * CPL3; a stalled host makes it late, not absent (late_irq.h).  Probed once,
 * then cached.
 */
bool irq_reaches_cpl3(unsigned tsc_khz);

#endif
