// SPDX-License-Identifier: MIT
/* Phases at a ring with faults caught; the CPL3 interrupt probe (ring_run.h). */
#include "apic.h"
#include "exceptions.h"
#include "format.h"
#include "guest_irq.h"
#include "late_irq.h"
#include "ring_run.h"
#include "timing.h"
#include "x86.h"

int ring_run_caught(unsigned ring, bool irq, ring_fn fn, void *arg, char *why, unsigned whylen)
{
	ring_fault.vector = -1;
	ring_catch = 1;
	if (ring)
		run_at_cpl3_flags(fn, arg, irq ? RFLAGS_IF : 0);
	else
		run_at_cpl0(fn, arg);
	ring_catch = 0;
	if (ring_fault.vector < 0)
		return 0;
	format_snprintf(why, whylen, "%s (vector %ld, error 0x%lx) at CPL%u rip 0x%lx",
			exception_name((unsigned)ring_fault.vector), ring_fault.vector, ring_fault.error_code,
			ring_fault.cpl, ring_fault.rip);
	return -1;
}

struct probe {
	uint64_t seen, cycles;
};

static long probe_spin(void *arg)
{
	const struct probe *p = arg;
	uint64_t t0 = rdtsc();

	while (irq_watchdog_count == p->seen && rdtsc() - t0 < p->cycles)
		asm volatile("pause" : : : "memory");
	return irq_watchdog_count != p->seen;
}

bool irq_reaches_cpl3(unsigned tsc_khz)
{
	static int known = -1;
	struct probe p = { .seen = irq_watchdog_count, .cycles = (tsc_khz ? tsc_khz : 3000000) * (uint64_t)LATE_IRQ_LOST_MS };
	if (known >= 0)
		return known;
	apic_timer_oneshot(VEC_WATCHDOG, 100000); /* 100 us */
	ring_fault.vector = -1;
	ring_catch = 1;
	known = run_at_cpl3_flags(probe_spin, &p, RFLAGS_IF) == 1;
	ring_catch = 0;
	if (ring_fault.vector >= 0)
		known = 0;
	apic_timer_stop();
	return known;
}
