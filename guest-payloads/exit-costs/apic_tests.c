// SPDX-License-Identifier: MIT
/*
 * The in-kernel local APIC: the TSC-deadline timer armed and taken, and
 * self-IPIs sent while the TPR masks them, then unmasked (kvm-unit-tests'
 * x86/vmexit.c self_ipi_tpr family), in xAPIC (MMIO ICR) and x2APIC (the
 * SELF_IPI MSR) mode.  Their exits depend on the hardware (TPR shadow,
 * APICv/AVIC, the VMX preemption timer): no EXITS() is declared.
 */
#include "apic.h"
#include "desc.h"
#include "exit_tests.h"
#include "format.h"
#include "guest_irq.h"
#include "x86.h"

#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_EDX_APIC         (1u << 9)
#define DEADLINE_AHEAD          3000     /* TSC cycles, as kvm-unit-tests arms it */
#define SPIN_CAP                30000000 /* TSC cycles (>= 10 ms): a lost interrupt ends it */
#define TPR_MASK_ALL            0x0f     /* CR8: every vector class masked */
/* Both modes, and the xAPIC tests without TPR, share one handler (count, EOI in the current mode): a device vector. */
#define TPR_IPI_IDX             (VEC_DEV_COUNT - 1)
#define TPR_IPI_VEC             (VEC_DEV_BASE + TPR_IPI_IDX)

/* ---- validity ---- */

const char *need_tscdeadline(const struct measure_ctx *c)
{
	(void)c;
	if (!(cpuid(1, 0).d & CPUID1_EDX_APIC))
		return "no local APIC in CPUID";
	return cpuid(1, 0).c & CPUID1_ECX_TSC_DEADLINE ? NULL : "no TSC-deadline timer in CPUID (1:ECX[24])";
}

const char *need_xapic(const struct measure_ctx *c)
{
	(void)c;
	return cpuid(1, 0).d & CPUID1_EDX_APIC ? NULL : "no local APIC in CPUID";
}

/* Unmeasured on PVM, but self_ipi's window is not delivered there (main.c). */
static const char *no_pvm_window(const struct measure_ctx *c)
{
	return c->bi->flags & BOOT_F_PVM
		? "PVM's CPL0 emulation does not deliver interrupts in a one-instruction window" : NULL;
}

const char *need_xapic_window(const struct measure_ctx *c)
{
	const char *why = no_pvm_window(c);

	return why ? why : need_xapic(c);
}

const char *need_x2apic_tpr(const struct measure_ctx *c)
{
	return c->bi->flags & BOOT_F_X2APIC ? NULL : "no in-kernel x2APIC";
}

const char *need_x2apic_window(const struct measure_ctx *c)
{
	const char *why = no_pvm_window(c);

	return why ? why : need_x2apic_tpr(c);
}

/* ---- the TSC-deadline timer, on the watchdog's vector and handler ---- */

static void spin_until(uint64_t seen)
{
	uint64_t t0 = rdtsc();

	while (irq_watchdog_count == seen && rdtsc() - t0 < SPIN_CAP)
		asm volatile("" : : : "memory");
}

/* Interrupts on for the loop: the timer is taken as soon as it fires, as in kvm-unit-tests. */
MEASURE_LOOP(tscdeadline, sti(),
	     { uint64_t seen = irq_watchdog_count;
	       wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + DEADLINE_AHEAD); spin_until(seen); },
	     cli())
/* The deadline already past: the interrupt is due at once. */
MEASURE_LOOP(tscdeadline_immed, sti(),
	     { uint64_t seen = irq_watchdog_count;
	       wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc()); spin_until(seen); },
	     cli())
EXPORT_LOOP(tscdeadline)
EXPORT_LOOP(tscdeadline_immed)

void setup_tscdeadline(struct measure_ctx *c)
{
	apic_timer_deadline_mode(VEC_WATCHDOG);
	c->arg = irq_watchdog_count;
}

const char *check_tscdeadline(struct measure_ctx *c)
{
	uint64_t got = irq_watchdog_count - c->arg;

	wrmsr(MSR_IA32_TSC_DEADLINE, 0); /* disarmed; the watchdog's next arming restores one-shot */
	if (got == c->ops)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "%lu TSC deadlines armed, %lu timer interrupts taken",
			c->ops, got);
	return c->reason;
}

/* ---- self-IPIs under TPR masking ---- */

static inline void tpr_masked_ipi(void)
{
	write_cr8(TPR_MASK_ALL);
	apic_self_ipi_any(TPR_IPI_VEC);
	write_cr8(0);
}

/* Interrupts on: the IPI is taken once the TPR drops (kvm-unit-tests runs this with IF=1). */
MEASURE_LOOP(self_ipi_tpr, sti(), { tpr_masked_ipi(); asm volatile("nop"); }, cli())
MEASURE_LOOP(self_ipi_tpr_sti_nop, (void)0, { tpr_masked_ipi(); sti_nop(); cli(); }, (void)0)
MEASURE_LOOP(self_ipi_tpr_sti_hlt, (void)0, { tpr_masked_ipi(); sti_hlt(); cli(); }, (void)0)
/* The same without the TPR: kvm-unit-tests' self_ipi_sti_nop and self_ipi_sti_hlt. */
MEASURE_LOOP(self_ipi_any_sti_nop, (void)0, { apic_self_ipi_any(TPR_IPI_VEC); sti_nop(); cli(); }, (void)0)
MEASURE_LOOP(self_ipi_any_sti_hlt, (void)0, { apic_self_ipi_any(TPR_IPI_VEC); sti_hlt(); cli(); }, (void)0)
EXPORT_LOOP(self_ipi_any_sti_nop)
EXPORT_LOOP(self_ipi_any_sti_hlt)
EXPORT_LOOP(self_ipi_tpr)
EXPORT_LOOP(self_ipi_tpr_sti_nop)
EXPORT_LOOP(self_ipi_tpr_sti_hlt)

void setup_xapic_tpr(struct measure_ctx *c)
{
	apic_set_mode(0);
	c->arg = irq_dev_count[TPR_IPI_IDX];
}

void setup_x2apic_tpr(struct measure_ctx *c)
{
	apic_set_mode(1);
	c->arg = irq_dev_count[TPR_IPI_IDX];
}

const char *check_tpr_ipi(struct measure_ctx *c)
{
	uint64_t got = irq_dev_count[TPR_IPI_IDX] - c->arg;

	apic_set_mode(1); /* back to the mode the other tests expect, where CPUID has it */
	if (got == c->ops)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "%lu self-IPIs sent, %lu delivered", c->ops, got);
	return c->reason;
}
