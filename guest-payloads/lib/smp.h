/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs (docs/smp.md). The boot CPU runs the payload; smp_boot wakes
 * the others (APs) the way hardware firmware does: INIT, SIPI, SIPI through
 * the local APIC to each, one at a time. An AP starts in real mode at
 * BOOT_AP_TRAMPOLINE_GPA, where lib/smp_trampoline.S (copied there) takes it
 * to long mode on the boot page tables and into smp_ap_main, which loads its
 * own GDT and TSS, the shared IDT, enables its local APIC in the boot CPU's
 * mode, checks in and waits for work: on_cpu(k, fn, arg).
 *
 * Per CPU: a stack, a #DF stack, a GDT and TSS, a struct smp_cpu (GS base
 * points at it: cpu_id() is one load) and a sample buffer. All static, inside
 * the image: the measure harness owns [free_start, free_end).
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>

#include "exitlab/boot_abi.h"

#define SMP_MAX_CPUS     64	/* = the host's VM_MAX_VCPUS */
#define SMP_SAMPLES      1024	/* per-CPU sample buffer, uint64_t each */
/* Vectors (lib/desc.h has the runtime's own; these are above its device range). */
#define VEC_SMP_WAKE     0x60	/* wakes a halted AP for on_cpu: EOI only */
#define VEC_SMP_IPI      0x61	/* the IPI tests: count, EOI */
#define VEC_SMP_FLUSH    0x62	/* the shootdown: INVLPG smp_flush_addr, count, EOI */

/* How an idle AP waits for work. */
enum smp_idle { SMP_IDLE_HALT = 0, SMP_IDLE_SPIN };

struct smp_cpu {
	uint32_t id;			/* offset 0: cpu_id() reads %gs:0 */
	uint32_t apic_id;
	volatile uint32_t up;		/* checked in */
	volatile uint32_t idle;		/* enum smp_idle, set by the boot CPU */
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile uint64_t req, done;	/* on_cpu: work asked for, work finished */
	volatile uint64_t ipis;		/* VEC_SMP_IPI taken here */
	volatile uint64_t flushes;	/* VEC_SMP_FLUSH taken here */
	uint64_t *samples;		/* SMP_SAMPLES of them */
} __attribute__((aligned(64)));

extern struct smp_cpu smp_cpus[SMP_MAX_CPUS];
/* Acknowledgements of VEC_SMP_IPI and VEC_SMP_FLUSH, summed over every CPU. */
extern volatile uint64_t smp_acks;
/* The address the VEC_SMP_FLUSH handler invalidates. */
extern volatile uint64_t smp_flush_addr;

/*
 * Wake every AP boot_info names (bi->nvcpus), each bounded by ~200 ms of
 * TSC: an AP that never checks in is reported by bench_log and left out.
 * Returns the CPUs up, the boot CPU included (1 without APs). Once only.
 */
unsigned smp_boot(const struct boot_info *bi);
/* CPUs up (1 before smp_boot). */
unsigned smp_ncpus(void);
/* This CPU's index: 0 on the boot CPU, 1.. on APs in the order they came up. */
static inline unsigned cpu_id(void)
{
	extern volatile uint32_t smp_gs_ready;
	uint32_t id;

	if (!smp_gs_ready)
		return 0;
	asm volatile("movl %%gs:0, %0" : "=r"(id));
	return id;
}
/* 1 if the APIC is in x2APIC mode (MSR access), 0 in xAPIC mode (MMIO). */
int smp_x2apic(void);
/* This CPU's APIC on (lib/apic.h apic_enable) and its mode recorded for the ICR writes; smp_boot does it. */
int smp_apic_init(void);

/* Run fn(arg) on CPU k (k != self, k up) and wait for it; the async form does not wait. */
void on_cpu(unsigned k, void (*fn)(void *), void *arg);
void on_cpu_async(unsigned k, void (*fn)(void *), void *arg);
void on_cpu_wait(unsigned k);
/* fn(arg) on every CPU up, this one included, and wait for all. */
void on_all_cpus(void (*fn)(void *), void *arg);
/* How CPU k waits for work from now on (a halted one needs a VEC_SMP_WAKE for each). */
void smp_set_idle(unsigned k, enum smp_idle how);
/*
 * A sense-reversing barrier for the n CPUs that call it (all of them up,
 * usually smp_ncpus()).
 */
void smp_barrier(unsigned n);

/* ICR writes: a fixed vector to CPU k, to all but self; in the APIC's mode. */
void smp_send_ipi(unsigned k, uint8_t vector);
void smp_send_ipi_all_but_self(uint8_t vector);
/* Any ICR value (delivery mode, shorthand, vector) to an APIC ID: for tests of the APIC itself. */
void smp_icr_write(uint32_t apic_id, uint32_t lo);
void smp_eoi(void);

#endif
