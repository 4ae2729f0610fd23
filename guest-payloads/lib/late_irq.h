/* SPDX-License-Identifier: MIT */
/*
 * Waiting for an interrupt that is due: a self-IPI just unmasked, a timer past
 * its deadline, a device's irqfd.  Two things make such a wait hard to bound
 * by time.  A host under load stalls this vCPU for milliseconds while the
 * TSC runs on (a shared core, or the nested testbed under TCG).  A hypervisor
 * below us may leave a due interrupt pending until its next exit (seen under
 * nested SVM on TCG: a TPR-masked self-IPI stuck across sti;hlt).  So a wait
 * ends when the count moves, or after LATE_IRQ_LOST_MS of TSC: then the
 * interrupt is lost, the rest of the test does not wait, and the test's check
 * reports the loss.  A halted wait is kicked by a LAPIC one-shot (VEC_WATCHDOG)
 * armed at late_irq_begin and re-armed before a hlt only once it has fired:
 * while interrupts arrive on time it costs no exit per operation.
 */
#ifndef GUEST_LATE_IRQ_H
#define GUEST_LATE_IRQ_H

#include <stdint.h>

#include "apic.h"
#include "desc.h"
#include "exitlab/boot_abi.h"
#include "guest_irq.h"
#include "timing.h"
#include "x86.h"

#define LATE_IRQ_LOST_MS 1000
#define LATE_IRQ_KICK_NS 50000000u /* the backstop's period: 50 ms */

struct late_irq {
	uint64_t cap;      /* TSC cycles in LATE_IRQ_LOST_MS */
	uint64_t fired;    /* irq_watchdog_count when the backstop was last armed */
	uint64_t lost;     /* waits that reached the cap */
	int backstop;      /* a LAPIC one-shot kicks halted waits */
};

/* At CPL0, IF=0, the APIC in the mode the test uses: start a test's waits (backstop: arm the kick). */
void late_irq_begin(struct late_irq *w, const struct boot_info *bi, int backstop);
/* At CPL0: the test is over; the backstop is cancelled. */
void late_irq_end(struct late_irq *w);

static inline int late_irq_expired(struct late_irq *w, uint64_t t0)
{
	if (w->lost || rdtsc() - t0 > w->cap) {
		w->lost++;
		return 1;
	}
	return 0;
}

/* Spin with IF as the caller set it until *count differs from seen: 1, or 0 if lost. */
static inline int late_irq_spin(struct late_irq *w, const volatile uint64_t *count, uint64_t seen)
{
	uint64_t t0;

	if (*count != seen)
		return 1;
	t0 = rdtsc();
	while (*count == seen)
		if (late_irq_expired(w, t0))
			return 0;
	return 1;
}

/*
 * With IF=0: sti;hlt until *count differs from seen (STI's shadow lets a
 * pending interrupt wake the hlt), IF=0 again after.  1, or 0 if lost.
 */
static inline int late_irq_halt(struct late_irq *w, const volatile uint64_t *count, uint64_t seen)
{
	uint64_t t0;

	if (*count != seen)
		return 1;
	if (w->lost) {
		w->lost++;
		return 0;
	}
	t0 = rdtsc();
	do {
		if (w->backstop && irq_watchdog_count != w->fired) {
			w->fired = irq_watchdog_count;
			apic_timer_oneshot(VEC_WATCHDOG, LATE_IRQ_KICK_NS);
		}
		sti_hlt();
		cli();
		if (*count != seen)
			return 1;
	} while (!late_irq_expired(w, t0));
	return 0;
}

#endif
