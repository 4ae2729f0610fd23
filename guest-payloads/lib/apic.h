/* SPDX-License-Identifier: MIT */
/* The local APIC in x2APIC mode (MSR access; needs the in-kernel LAPIC). */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdint.h>

#include "exitlab/boot_abi.h"
#include "x86.h"

/* Enable x2APIC mode and the APIC (spurious vector 0xff). 0, or -1 if !BOOT_F_X2APIC. */
int apic_init(const struct boot_info *bi);

/*
 * For device interrupts under any VMM: x2APIC mode if CPUID has it, else
 * xAPIC through its MMIO page at APIC_XAPIC_GPA (QEMU's TCG has no x2APIC).
 * 1 if x2APIC, 0 if xAPIC.
 */
#define APIC_XAPIC_GPA 0xfee00000ull
int apic_enable(void);
/* The boot CPU's APIC ID, as MSI addresses and IOAPIC destinations name it. */
uint32_t apic_id(void);
/* EOI in whichever mode apic_enable chose. */
void apic_eoi_any(void);
/*
 * The LAPIC timer as a watchdog, in whichever mode apic_enable chose: one
 * shot on `vector` after `ns` nanoseconds at KVM's and QEMU's 1 GHz APIC
 * bus (divide by 1; a slower bus only makes it later).  Arming again
 * restarts it; apic_timer_stop cancels it.
 */
void apic_timer_oneshot(uint8_t vector, uint32_t ns);
void apic_timer_stop(void);
/*
 * Switch to x2APIC (1) or xAPIC (0) mode, the APIC enabled; x2APIC -> xAPIC
 * passes through disabled, which masks the LVTs. 0, or -1 if CPUID has no x2APIC.
 */
int apic_set_mode(int x2apic);
/* A fixed self-IPI in whichever mode is on (x2APIC SELF_IPI MSR, or the xAPIC ICR shorthand). */
void apic_self_ipi_any(uint8_t vector);
/*
 * The LAPIC timer in TSC-deadline mode on `vector` (CPUID.1:ECX[24]); fire it
 * by writing MSR_IA32_TSC_DEADLINE. apic_timer_oneshot returns it to one-shot.
 */
void apic_timer_deadline_mode(uint8_t vector);

static inline void apic_self_ipi(uint8_t vector)
{
	wrmsr(MSR_X2APIC_SELF_IPI, vector);
}

static inline void apic_eoi(void)
{
	wrmsr(MSR_X2APIC_EOI, 0);
}

#endif
