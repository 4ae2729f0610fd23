// SPDX-License-Identifier: MIT
/* Counting device-interrupt handlers (irq.h). */
#include "apic.h"
#include "irq.h"
#include "x86.h"

volatile uint64_t irq_dev_count[VEC_DEV_COUNT];

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
	if (acks[idx].fn)
		acks[idx].fn(acks[idx].arg);
	apic_eoi_any();
}

/* Interrupts on while spinning, not hlt: nothing here arms a timer, a lost interrupt must not hang us. */
void irq_wait(unsigned idx, uint64_t seen, unsigned spins)
{
	if (idx >= VEC_DEV_COUNT)
		return;
	sti();
	while (irq_dev_count[idx] == seen && spins--)
		asm volatile("pause" : : : "memory");
	cli();
}
