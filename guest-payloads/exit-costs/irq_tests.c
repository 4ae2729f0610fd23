// SPDX-License-Identifier: MIT
/*
 * An interrupt from a device: the VMM's interrupt source (BOOT_F_IRQ_SOURCE,
 * include/exitlab/boot_abi.h) fires on request from a host thread through an
 * irqfd on IOAPIC pin BOOT_IRQSRC_GSI, stamping the guest TSC of its eventfd
 * write; each sample is the cycles from that write to this vCPU's handler,
 * while it spins with interrupts on (running) or waits in hlt (halted).  An
 * operation's exits are the request (one ioeventfd write, never reaching the
 * VMM) and whatever the delivery costs: with posted interrupts (APICv) or
 * AVIC none for a running vCPU.
 */
#include "apic.h"
#include "desc.h"
#include "exit_tests.h"
#include "format.h"
#include "guest_irq.h"
#include "x86.h"

#define IRQSRC_IDX      (VEC_DEV_COUNT - 2) /* a device vector of its own */
#define IRQSRC_VEC      (VEC_DEV_BASE + IRQSRC_IDX)
#define IRQSRC_DELAY_US 50                  /* long enough for the vCPU to be spinning or halted */
#define IOAPIC_GPA      0xfec00000ull
#define IOAPIC_REDTBL   0x10
#define IOAPIC_MASKED   (1u << 16)

static volatile uint64_t irq_stamp;   /* the VMM writes the guest TSC of its eventfd write here */
static volatile uint64_t irq_handled; /* the guest TSC in the handler */
static uint64_t irq_unstamped;        /* interrupts whose stamp was missing or after the handler */

const char *need_irq_source(const struct measure_ctx *c)
{
	return c->bi->flags & BOOT_F_IRQ_SOURCE ? NULL
		: "the VMM has no interrupt source (needs an irqchip, ioeventfds and KVM_VCPU_TSC_OFFSET)";
}

static void ioapic_write(unsigned reg, uint32_t v)
{
	mmio_write32(IOAPIC_GPA, reg);
	mmio_write32(IOAPIC_GPA + 0x10, v);
}

static void on_irq(void *arg)
{
	(void)arg;
	irq_handled = rdtsc();
}

void setup_irq_source(struct measure_ctx *c)
{
	apic_enable();
	/* edge, active high, fixed, physical destination: this CPU */
	ioapic_write(IOAPIC_REDTBL + 2 * BOOT_IRQSRC_GSI + 1, apic_id() << 24);
	ioapic_write(IOAPIC_REDTBL + 2 * BOOT_IRQSRC_GSI, IRQSRC_VEC);
	irq_dev_set_ack(IRQSRC_IDX, on_irq, NULL);
	outl(BOOT_IRQSRC_PORT + 4, IRQSRC_DELAY_US);
	outl(BOOT_IRQSRC_PORT + 8, (uint32_t)(uintptr_t)&irq_stamp);
	irq_unstamped = 0;
	late_irq_begin(&due_irq, c->bi, 1);
	c->arg = irq_dev_count[IRQSRC_IDX];
}

const char *check_irq_source(struct measure_ctx *c)
{
	uint64_t got = irq_dev_count[IRQSRC_IDX] - c->arg;

	ioapic_write(IOAPIC_REDTBL + 2 * BOOT_IRQSRC_GSI, IOAPIC_MASKED);
	late_irq_end(&due_irq);
	if (due_irq_lost(c, "interrupts asked for", c->ops, got))
		return c->reason;
	if (irq_unstamped)
		format_snprintf(c->reason, sizeof(c->reason), "%lu of %lu interrupts had no stamp before their handler",
				irq_unstamped, c->ops);
	else
		return NULL;
	return c->reason;
}

/*
 * One sample: ask, wait (spinning with IF=1, or in hlt: late_irq.h bounds
 * both), the latency from the host's write.
 */
static inline uint64_t one_irq(uint16_t port, int halt)
{
	uint64_t seen = irq_dev_count[IRQSRC_IDX], st;

	irq_stamp = 0;
	outl(port, 0);
	if (halt) {
		late_irq_halt(&due_irq, &irq_dev_count[IRQSRC_IDX], seen);
	} else {
		sti();
		late_irq_spin(&due_irq, &irq_dev_count[IRQSRC_IDX], seen);
		cli();
	}
	st = __atomic_load_n(&irq_stamp, __ATOMIC_ACQUIRE);
	if (irq_dev_count[IRQSRC_IDX] == seen || !st || irq_handled < st) {
		irq_unstamped++;
		return 0;
	}
	return irq_handled - st;
}

void irq_device_test(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	(void)c;
	for (uint64_t i = 0; i < n; i++)
		samples[i] = one_irq(BOOT_IRQSRC_PORT, 0);
}

void irq_device_halt_test(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	(void)c;
	for (uint64_t i = 0; i < n; i++)
		samples[i] = one_irq(BOOT_IRQSRC_PORT, 1);
}
