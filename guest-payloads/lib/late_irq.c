// SPDX-License-Identifier: MIT
/* The bounds of a wait for a due interrupt (late_irq.h). */
#include "late_irq.h"

void late_irq_begin(struct late_irq *w, const struct boot_info *bi, int backstop)
{
	uint64_t khz = bi->tsc_khz ? bi->tsc_khz : 3000000;

	w->cap = khz * LATE_IRQ_LOST_MS;
	w->lost = 0;
	w->backstop = backstop;
	w->fired = irq_watchdog_count;
	if (backstop)
		apic_timer_oneshot(VEC_WATCHDOG, LATE_IRQ_KICK_NS);
}

/*
 * A backstop that fired in the test's last stretch with IF=0 is still pending:
 * let it in now, so that it neither counts in the next test nor opens an
 * interrupt window there (beside the TPR tests' CR8 writes: late_irq.h).
 */
void late_irq_end(struct late_irq *w)
{
	if (w->backstop) {
		apic_timer_stop();
		sti();
		asm volatile("nop; nop" : : : "memory");
		cli();
	}
	w->backstop = 0;
}
