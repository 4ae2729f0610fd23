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
#include "guest_bench.h"
#include "guest_irq.h"
#include "string.h"
#include "x86.h"

#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_EDX_APIC         (1u << 9)
#define DEADLINE_AHEAD          3000     /* TSC cycles, as kvm-unit-tests arms it */
#define TPR_MASK_ALL            0x0f     /* CR8: every vector class masked */
/* Both modes, and the xAPIC tests without TPR, share one handler (count, EOI in the current mode): a device vector. */
#define TPR_IPI_IDX             (VEC_DEV_COUNT - 1)
#define TPR_IPI_VEC             (VEC_DEV_BASE + TPR_IPI_IDX)
/* The TSC-deadline timer on a device vector of its own: a backstop that fired late counts apart. */
#define DEADLINE_IDX            (VEC_DEV_COUNT - 3)
#define DEADLINE_VEC            (VEC_DEV_BASE + DEADLINE_IDX)
#define DEADLINES               (&irq_dev_count[DEADLINE_IDX])

struct late_irq due_irq;

const char *due_irq_lost(struct measure_ctx *c, const char *what, uint64_t sent, uint64_t got)
{
	/* More than sent passes, logged: a nested hypervisor can deliver an interrupt again (docs/methodology.md). */
	if (got > sent && !due_irq.lost)
		bench_log("exit-costs: %lu %s, %lu taken on its vector", sent, what, got);
	if (got >= sent && !due_irq.lost)
		return NULL;
	if (due_irq.lost)
		format_snprintf(c->reason, sizeof(c->reason), "%lu %s, %lu taken (%lu waits lost after %u ms)",
				sent, what, got, due_irq.lost, LATE_IRQ_LOST_MS);
	else
		format_snprintf(c->reason, sizeof(c->reason), "%lu %s, %lu taken", sent, what, got);
	return c->reason;
}

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

/*
 * QEMU's TCG (7.2) running KVM's SVM can leave an unmasked self-IPI pending
 * across sti;hlt (a hang), and no backstop timer is safe beside CR8 writes
 * there (see the TPR loops below): the nested testbed's CPU says it is TCG.
 */
#define TCG_BRAND "QEMU TCG CPU"

static const char *no_tcg_tpr_hlt(void)
{
	union { uint32_t r[12]; char s[49]; } brand = { { 0 } };

	if (cpuid(0x80000000u, 0).a < 0x80000004u)
		return NULL;
	for (unsigned i = 0; i < 3; i++) {
		struct cpuid_regs q = cpuid(0x80000002u + i, 0);

		brand.r[4 * i] = q.a;
		brand.r[4 * i + 1] = q.b;
		brand.r[4 * i + 2] = q.c;
		brand.r[4 * i + 3] = q.d;
	}
	for (unsigned i = 0; i + sizeof(TCG_BRAND) - 1 <= 48; i++)
		if (!memcmp(brand.s + i, TCG_BRAND, sizeof(TCG_BRAND) - 1))
			return "QEMU TCG below KVM: an IPI may stay pending across sti;hlt, "
			       "and a backstop timer aborts QEMU";
	return NULL;
}

const char *need_xapic_tpr_hlt(const struct measure_ctx *c)
{
	const char *why = need_xapic(c);

	return why ? why : no_tcg_tpr_hlt();
}

const char *need_x2apic_tpr_hlt(const struct measure_ctx *c)
{
	const char *why = need_x2apic_tpr(c);

	return why ? why : no_tcg_tpr_hlt();
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

/* ---- the TSC-deadline timer ---- */

/* Interrupts on for the loop: the timer is taken as soon as it fires, as in kvm-unit-tests. */
MEASURE_LOOP(tscdeadline, sti(),
	     { uint64_t seen = *DEADLINES;
	       wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + DEADLINE_AHEAD); late_irq_spin(&due_irq, DEADLINES, seen); },
	     cli())
/* The deadline already past: the interrupt is due at once. */
MEASURE_LOOP(tscdeadline_immed, sti(),
	     { uint64_t seen = *DEADLINES;
	       wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc()); late_irq_spin(&due_irq, DEADLINES, seen); },
	     cli())
EXPORT_LOOP(tscdeadline)
EXPORT_LOOP(tscdeadline_immed)

void setup_tscdeadline(struct measure_ctx *c)
{
	apic_timer_deadline_mode(DEADLINE_VEC);
	irq_dev_set_ack(DEADLINE_IDX, NULL, NULL);
	late_irq_begin(&due_irq, c->bi, 0); /* the LAPIC timer is the deadline's: no backstop */
	c->arg = *DEADLINES;
}

const char *check_tscdeadline(struct measure_ctx *c)
{
	uint64_t got = *DEADLINES - c->arg;

	wrmsr(MSR_IA32_TSC_DEADLINE, 0); /* disarmed; the watchdog's next arming restores one-shot */
	late_irq_end(&due_irq);
	return due_irq_lost(c, "TSC deadlines armed", c->ops, got);
}

/* ---- self-IPIs under TPR masking ---- */

static inline void tpr_masked_ipi(void)
{
	write_cr8(TPR_MASK_ALL);
	apic_self_ipi_any(TPR_IPI_VEC);
	write_cr8(0);
}

/*
 * Each operation ends when its IPI is taken: in the window, as a rule; a late
 * one is waited for (late_irq.h), so that the next IPI cannot merge with it.
 * The TPR tests wait with IF=1, never in hlt with a backstop: a timer taken
 * with IF=0 opens an interrupt window, and a CR8 write while one is open
 * aborts QEMU 7.2's TCG (an assertion in its SVM emulation) in the testbed.
 */
#define TPR_IPIS (&irq_dev_count[TPR_IPI_IDX])

static inline void tpr_late_spin(uint64_t seen)
{
	sti();
	late_irq_spin(&due_irq, TPR_IPIS, seen);
	cli();
}

/* Interrupts on: the IPI is taken once the TPR drops (kvm-unit-tests runs this with IF=1). */
MEASURE_LOOP(self_ipi_tpr, sti(),
	     { uint64_t seen = *TPR_IPIS; tpr_masked_ipi(); asm volatile("nop");
	       late_irq_spin(&due_irq, TPR_IPIS, seen); },
	     cli())
MEASURE_LOOP(self_ipi_tpr_sti_nop, (void)0,
	     { uint64_t seen = *TPR_IPIS; tpr_masked_ipi(); sti_nop(); cli(); tpr_late_spin(seen); }, (void)0)
MEASURE_LOOP(self_ipi_tpr_sti_hlt, (void)0,
	     { uint64_t seen = *TPR_IPIS; tpr_masked_ipi(); sti_hlt(); cli(); tpr_late_spin(seen); }, (void)0)
/* The same without the TPR: kvm-unit-tests' self_ipi_sti_nop and self_ipi_sti_hlt. */
MEASURE_LOOP(self_ipi_any_sti_nop, (void)0,
	     { uint64_t seen = *TPR_IPIS; apic_self_ipi_any(TPR_IPI_VEC); sti_nop(); cli();
	       late_irq_halt(&due_irq, TPR_IPIS, seen); },
	     (void)0)
MEASURE_LOOP(self_ipi_any_sti_hlt, (void)0,
	     { uint64_t seen = *TPR_IPIS; apic_self_ipi_any(TPR_IPI_VEC); late_irq_halt(&due_irq, TPR_IPIS, seen); },
	     (void)0)
EXPORT_LOOP(self_ipi_any_sti_nop)
EXPORT_LOOP(self_ipi_any_sti_hlt)
EXPORT_LOOP(self_ipi_tpr)
EXPORT_LOOP(self_ipi_tpr_sti_nop)
EXPORT_LOOP(self_ipi_tpr_sti_hlt)

/* The xAPIC self-IPIs without the TPR: halted waits get the backstop. */
void setup_xapic_any(struct measure_ctx *c)
{
	apic_set_mode(0);
	late_irq_begin(&due_irq, c->bi, 1);
	c->arg = irq_dev_count[TPR_IPI_IDX];
}

void setup_xapic_tpr(struct measure_ctx *c)
{
	apic_set_mode(0);
	late_irq_begin(&due_irq, c->bi, 0);
	c->arg = irq_dev_count[TPR_IPI_IDX];
}

void setup_x2apic_tpr(struct measure_ctx *c)
{
	apic_set_mode(1);
	late_irq_begin(&due_irq, c->bi, 0);
	c->arg = irq_dev_count[TPR_IPI_IDX];
}

const char *check_tpr_ipi(struct measure_ctx *c)
{
	uint64_t got = irq_dev_count[TPR_IPI_IDX] - c->arg;

	late_irq_end(&due_irq);
	apic_set_mode(1); /* back to the mode the other tests expect, where CPUID has it */
	return due_irq_lost(c, "self-IPIs sent", c->ops, got);
}
