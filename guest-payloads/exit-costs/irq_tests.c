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
#define IRQ_SPIN_CAP    2000000000ull       /* TSC cycles: a lost interrupt ends the wait */
#define IRQ_HALT_WAKE_NS 10000000u          /* the halted wait's watchdog: 10 ms, re-armed only after it fired */
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
	c->arg = irq_dev_count[IRQSRC_IDX];
}

const char *check_irq_source(struct measure_ctx *c)
{
	uint64_t got = irq_dev_count[IRQSRC_IDX] - c->arg;

	ioapic_write(IOAPIC_REDTBL + 2 * BOOT_IRQSRC_GSI, IOAPIC_MASKED);
	if (got != c->ops)
		format_snprintf(c->reason, sizeof(c->reason), "%lu interrupts asked for, %lu delivered", c->ops, got);
	else if (irq_unstamped)
		format_snprintf(c->reason, sizeof(c->reason), "%lu of %lu interrupts had no stamp before their handler",
				irq_unstamped, c->ops);
	else
		return NULL;
	return c->reason;
}

/*
 * One sample: ask, wait (spinning with IF=1, or in hlt), the latency from the
 * host's write. A halted wait is bounded by a LAPIC timer armed once per test
 * (irq_device_halt_test) and re-armed only when it has fired, so that a lost
 * interrupt ends at the cap instead of hanging the guest, at no cost per
 * operation while interrupts arrive.
 */
static inline uint64_t one_irq(uint16_t port, int halt, uint64_t *fired)
{
	uint64_t seen = irq_dev_count[IRQSRC_IDX], st, t0;

	irq_stamp = 0;
	outl(port, 0);
	t0 = rdtsc();
	if (halt) {
		while (irq_dev_count[IRQSRC_IDX] == seen && rdtsc() - t0 < IRQ_SPIN_CAP) {
			sti_hlt();
			cli();
			if (irq_watchdog_count != *fired) {
				*fired = irq_watchdog_count;
				apic_timer_oneshot(VEC_WATCHDOG, IRQ_HALT_WAKE_NS);
			}
		}
	} else {
		sti();
		while (irq_dev_count[IRQSRC_IDX] == seen && rdtsc() - t0 < IRQ_SPIN_CAP)
			asm volatile("" : : : "memory");
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
		samples[i] = one_irq(BOOT_IRQSRC_PORT, 0, NULL);
}

void irq_device_halt_test(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	uint64_t fired = irq_watchdog_count;

	(void)c;
	apic_timer_oneshot(VEC_WATCHDOG, IRQ_HALT_WAKE_NS);
	for (uint64_t i = 0; i < n; i++)
		samples[i] = one_irq(BOOT_IRQSRC_PORT, 1, &fired);
	apic_timer_stop();
}
