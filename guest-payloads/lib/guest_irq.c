// SPDX-License-Identifier: MIT
/* Counting device-interrupt handlers and the ring-aware wait (irq.h). */
#include "apic.h"
#include "guest_irq.h"
#include "x86.h"

volatile uint64_t irq_dev_count[VEC_DEV_COUNT];
volatile uint64_t irq_dev_total;
volatile uint64_t irq_watchdog_count;
static int watchdog_armed;

static struct {
	void (*fn)(void *);
	void *arg;
} acks[VEC_DEV_COUNT];

void irq_dev_set_ack(unsigned idx, void (*ack)(void *), void *arg)
{
	if (idx < VEC_DEV_COUNT) {
		acks[idx].fn = ack;
		acks[idx].arg = arg;
	}
}

void irq_dev_handle(unsigned idx)
{
	if (idx >= VEC_DEV_COUNT)
		return;
	irq_dev_count[idx]++;
	irq_dev_total++;
	if (acks[idx].fn)
		acks[idx].fn(acks[idx].arg);
	apic_eoi_any();
}

void irq_watchdog_handle(unsigned unused)
{
	(void)unused;
	irq_watchdog_count++;
	apic_eoi_any();
}

static void wait_on(const volatile uint64_t *count, uint64_t seen, unsigned spins)
{
	if (read_cpl()) {
		/* CPL3: IF is the caller's (set for interrupts); never touch it here. */
		while (*count == seen && spins--)
			asm volatile("pause" : : : "memory");
		return;
	}
	cli();
	if (*count != seen)
		return;
	/* Re-armed before every hlt: the timer restarts, so a lost interrupt costs at most 1 ms. */
	apic_timer_oneshot(VEC_WATCHDOG, IRQ_WATCHDOG_NS);
	watchdog_armed = 1;
	sti_hlt();
	cli();
}

void irq_wait(unsigned idx, uint64_t seen, unsigned spins)
{
	if (idx < VEC_DEV_COUNT)
		wait_on(&irq_dev_count[idx], seen, spins);
}

void irq_wait_any(uint64_t seen, unsigned spins)
{
	wait_on(&irq_dev_total, seen, spins);
}

void irq_wait_done(void)
{
	if (watchdog_armed && !read_cpl()) {
		apic_timer_stop();
		watchdog_armed = 0;
	}
}
