// SPDX-License-Identifier: MIT
/*
 * e1000 interrupts: ICR holds the causes, IMS the enabled ones; the INTx
 * line is asserted while (ICR & IMS) != 0 and drops when the guest reads
 * ICR (which clears it) or masks the causes with IMC.  ITR throttles: a new
 * assertion waits until ITR * 256 ns have passed since the previous one
 * (the RX thread, or the next register access, fires it when due).
 */
#include "devices/e1000/e1000_priv.h"

static void set_line(struct e1000 *e, bool level)
{
	if (e->irq_level == level)
		return;
	e->irq_level = level;
	if (level)
		DEV_METRIC_ADD(&e->metrics[E1000_M_INTERRUPTS], 1);
	if (e->irq_set)
		e->irq_set(e->irq_opaque, level);
}

static uint64_t itr_interval_ns(const struct e1000 *e)
{
	return (uint64_t)(e1000_r(e, E1000_ITR) & 0xFFFF) * 256;
}

void e1000_irq_update(struct e1000 *e)
{
	uint64_t now, gap;

	if (!(e1000_r(e, E1000_ICR) & e1000_r(e, E1000_IMS))) {
		e->irq_deferred = false;
		set_line(e, false);
		return;
	}
	if (e->irq_level)
		return;
	gap = itr_interval_ns(e);
	now = e1000_now(e);
	if (gap && e->irq_ever && now - e->irq_last_ns < gap) {
		if (!e->irq_deferred) {
			e->irq_deferred = true;
			e1000_kick(e);   /* the RX thread sleeps until the interval ends */
		}
		return;
	}
	e->irq_deferred = false;
	e->irq_ever = true;
	e->irq_last_ns = now;
	set_line(e, true);
}

void e1000_irq_cause(struct e1000 *e, uint32_t causes)
{
	e1000_w(e, E1000_ICR, e1000_r(e, E1000_ICR) | causes);
	e1000_irq_update(e);
}

int64_t e1000_irq_timer(struct e1000 *e)
{
	uint64_t gap, now, due;

	if (!e->irq_deferred)
		return -1;
	gap = itr_interval_ns(e);
	now = e1000_now(e);
	due = e->irq_last_ns + gap;
	if (gap && now < due)
		return (int64_t)(due - now);
	e1000_irq_update(e);
	return -1;
}
