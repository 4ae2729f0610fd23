// SPDX-License-Identifier: MIT
/* Several CPUs: the APs' start, their tables, on_cpu, the barrier, the IPI vectors (smp.h). */
#include "apic.h"
#include "desc.h"
#include "guest_bench.h"
#include "smp.h"
#include "string.h"
#include "timing.h"
#include "x86.h"

#define SMP_STACK       16384
#define SMP_DF_STACK    2048
#define CHECKIN_MS      1000	/* an AP that takes longer is reported and the boot stops */
#define MSR_GS_BASE     0xc0000101
#define MSR_X2APIC_ICR  0x830
#define XAPIC_ICR_LO    0x300
#define XAPIC_ICR_HI    0x310
#define XAPIC_EOI       0xb0
#define XAPIC_SVR       0xf0
#define APIC_BASE_EXTD  (1ull << 10)
#define APIC_BASE_EN    (1ull << 11)
#define ICR_INIT        0x4500	/* INIT, level assert */
#define ICR_STARTUP     0x4600	/* SIPI, | the vector (page number) */
#define ICR_ALL_BUT_SELF 0xc0000
#define CR4_PCIDE       (1ul << 17)
#define EFER_LMA        (1ul << 10)

_Static_assert(BOOT_AP_TRAMPOLINE_GPA == 0x7000, "lib/smp_trampoline.S has the address too");
_Static_assert(BOOT_AP_TRAMPOLINE_GPA % 4096 == 0 && BOOT_AP_TRAMPOLINE_GPA < 0x100000,
	       "a SIPI vector names a page below 1 MiB");

extern const char smp_tramp_start[], smp_tramp_end[];
extern const char smp_tramp_cr0[], smp_tramp_cr3[], smp_tramp_cr4[], smp_tramp_efer[];
extern const char smp_tramp_stack[], smp_tramp_cpu[], smp_tramp_entry[];
void smp_irq_wake_entry(void);
void smp_irq_ipi_entry(void);
void smp_irq_flush_entry(void);
void smp_irq_handle(unsigned which);
void smp_ap_entry(struct smp_cpu *c) __attribute__((noreturn));

struct smp_cpu smp_cpus[SMP_MAX_CPUS];
volatile uint64_t smp_acks;
volatile uint64_t smp_flush_addr;
volatile uint32_t smp_gs_ready;

static uint8_t stacks[SMP_MAX_CPUS][SMP_STACK] __attribute__((aligned(4096)));
static uint8_t df_stacks[SMP_MAX_CPUS][SMP_DF_STACK] __attribute__((aligned(16)));
static uint64_t gdts[SMP_MAX_CPUS][8] __attribute__((aligned(16)));
static struct tss64 tsses[SMP_MAX_CPUS] __attribute__((aligned(128)));
static uint64_t samples[SMP_MAX_CPUS][SMP_SAMPLES];
static struct desc_ptr boot_gdtr, boot_idtr; /* the boot CPU's: the APs copy the one, share the other */
static unsigned ncpus = 1;
static int x2;
static volatile uint32_t bar_count, bar_sense;
static uint32_t bar_local[SMP_MAX_CPUS];

static inline void pause(void)
{
	asm volatile("pause" : : : "memory");
}

int smp_x2apic(void)
{
	return x2;
}

int smp_apic_init(void)
{
	x2 = apic_enable();
	return x2;
}

unsigned smp_ncpus(void)
{
	return ncpus;
}

static void apic_wr(unsigned off, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + off / 16, v);
	else
		mmio_write32(APIC_XAPIC_GPA + off, v);
}

/*
 * KVM's local APIC delivers within the write and never sets the xAPIC's
 * delivery-status bit, so there is no busy-wait: an extra MMIO read per IPI
 * would be an exit of its own in every figure.
 */
void smp_icr_write(uint32_t apic_id, uint32_t lo)
{
	if (x2) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | lo);
		return;
	}
	if (!(lo & ICR_ALL_BUT_SELF))
		mmio_write32(APIC_XAPIC_GPA + XAPIC_ICR_HI, apic_id << 24);
	mmio_write32(APIC_XAPIC_GPA + XAPIC_ICR_LO, lo);
}

void smp_send_ipi(unsigned k, uint8_t vector)
{
	smp_icr_write(smp_cpus[k].apic_id, vector);
}

void smp_send_ipi_all_but_self(uint8_t vector)
{
	smp_icr_write(0, ICR_ALL_BUT_SELF | vector);
}

void smp_eoi(void)
{
	apic_wr(XAPIC_EOI, 0);
}

void smp_irq_handle(unsigned which)
{
	struct smp_cpu *c = &smp_cpus[cpu_id()];

	if (which == 1) {
		c->ipis++;
		__atomic_add_fetch(&smp_acks, 1, __ATOMIC_RELEASE);
	} else if (which == 2) {
		asm volatile("invlpg (%0)" : : "r"(smp_flush_addr) : "memory");
		c->flushes++;
		__atomic_add_fetch(&smp_acks, 1, __ATOMIC_RELEASE);
	}
	smp_eoi();
}

/* This CPU's local APIC on, in the boot CPU's mode. */
static void apic_on_here(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	uint64_t want = base | APIC_BASE_EN | (x2 ? APIC_BASE_EXTD : 0);

	if (want != base)
		wrmsr(MSR_IA32_APIC_BASE, want);
	apic_wr(XAPIC_SVR, 0x100 | 0xff);
}

/* The AP's own GDT (the boot CPU's segments, its own TSS), the shared IDT. */
static void load_tables(unsigned k)
{
	uint64_t *gdt = gdts[k];
	struct tss64 *tss = &tsses[k];
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
	struct desc_ptr gdtr = { sizeof(gdts[k]) - 1, (uint64_t)gdt };

	memcpy(gdt, (const void *)boot_gdtr.base, (SEL_TSS >> 3) * sizeof(uint64_t));
	memset(tss, 0, sizeof(*tss));
	tss->rsp[0] = (uint64_t)(stacks[k] + SMP_STACK);
	tss->ist[0] = (uint64_t)(df_stacks[k] + SMP_DF_STACK);
	tss->iomap_base = sizeof(*tss); /* beyond the limit: no I/O bitmap (APs stay at CPL0) */
	gdt[SEL_TSS >> 3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			    (base >> 24 & 0xff) << 56;
	gdt[(SEL_TSS >> 3) + 1] = base >> 32;
	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmov %2, %%eax\n\t"
		     "mov %%eax, %%ss\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "ltr %w3\n\t"
		     "lidt %4"
		     : : "m"(gdtr), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS), "m"(boot_idtr)
		     : "rax", "memory");
}

void smp_ap_entry(struct smp_cpu *c)
{
	load_tables(c->id);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	apic_on_here();
	__atomic_store_n(&c->up, 1, __ATOMIC_RELEASE);
	for (;;) {
		cli();
		if (__atomic_load_n(&c->req, __ATOMIC_ACQUIRE) != c->done) {
			uint64_t r = c->req;

			c->fn(c->arg);
			cli();
			__atomic_store_n(&c->done, r, __ATOMIC_RELEASE);
			continue;
		}
		/* sti's shadow: a wake-up IPI sent after the check still ends the hlt. */
		if (c->idle == SMP_IDLE_HALT) {
			sti_hlt();
		} else {
			sti();
			pause();
		}
	}
}

static void patch32(const char *sym, uint32_t v)
{
	*(volatile uint32_t *)(BOOT_AP_TRAMPOLINE_GPA + (uint64_t)(sym - smp_tramp_start)) = v;
}

static void patch64(const char *sym, uint64_t v)
{
	*(volatile uint64_t *)(BOOT_AP_TRAMPOLINE_GPA + (uint64_t)(sym - smp_tramp_start)) = v;
}

/* INIT, SIPI, SIPI to one APIC ID, then wait (bounded) for it to check in as CPU k. */
static int start_ap(unsigned k, uint32_t apic_id, uint64_t bound)
{
	struct smp_cpu *c = &smp_cpus[k];
	uint64_t t0;

	c->id = k;
	c->apic_id = apic_id;
	c->samples = samples[k];
	patch64(smp_tramp_stack, (uint64_t)(stacks[k] + SMP_STACK));
	patch64(smp_tramp_cpu, (uint64_t)c);
	asm volatile("" : : : "memory");
	smp_icr_write(apic_id, ICR_INIT);
	smp_icr_write(apic_id, ICR_STARTUP | (uint32_t)(BOOT_AP_TRAMPOLINE_GPA >> 12));
	smp_icr_write(apic_id, ICR_STARTUP | (uint32_t)(BOOT_AP_TRAMPOLINE_GPA >> 12));
	t0 = rdtsc();
	while (!__atomic_load_n(&c->up, __ATOMIC_ACQUIRE))
		if (rdtsc() - t0 > bound)
			return -1;
		else
			pause();
	return 0;
}

unsigned smp_boot(const struct boot_info *bi)
{
	static int booted;
	unsigned want = bi->nvcpus ? bi->nvcpus : 1;
	uint64_t khz = bi->tsc_khz ? bi->tsc_khz : 3000000;

	if (booted)
		return ncpus;
	booted = 1;
	if (want > SMP_MAX_CPUS)
		want = SMP_MAX_CPUS;
	smp_cpus[0].id = 0;
	smp_cpus[0].up = 1;
	smp_cpus[0].samples = samples[0];
	wrmsr(MSR_GS_BASE, (uint64_t)&smp_cpus[0]);
	smp_gs_ready = 1;
	if (want == 1)
		return 1;
	smp_apic_init();
	smp_cpus[0].apic_id = apic_id();
	asm volatile("sgdt %0\n\tsidt %1" : "=m"(boot_gdtr), "=m"(boot_idtr));
	idt_set(VEC_SMP_WAKE, smp_irq_wake_entry, 0);
	idt_set(VEC_SMP_IPI, smp_irq_ipi_entry, 0);
	idt_set(VEC_SMP_FLUSH, smp_irq_flush_entry, 0);

	memcpy((void *)BOOT_AP_TRAMPOLINE_GPA, smp_tramp_start, (size_t)(smp_tramp_end - smp_tramp_start));
	patch32(smp_tramp_cr0, (uint32_t)read_cr0());
	patch32(smp_tramp_cr3, (uint32_t)read_cr3());
	patch32(smp_tramp_cr4, (uint32_t)(read_cr4() & ~CR4_PCIDE));
	patch32(smp_tramp_efer, (uint32_t)(rdmsr(MSR_EFER) & ~EFER_LMA));
	patch64(smp_tramp_entry, (uint64_t)smp_ap_entry);

	/* exitlab's VMM gives vCPU i APIC ID i; the boot CPU is 0. */
	for (uint32_t id = 0; id < want && ncpus < want; id++) {
		if (id == smp_cpus[0].apic_id)
			continue;
		if (start_ap(ncpus, id, khz * CHECKIN_MS)) {
			/* A late AP would take the trampoline's next stack: start no more. */
			bench_log("smp: the AP with APIC ID %u did not check in within %u ms; %u of %u CPUs up",
				  id, CHECKIN_MS, ncpus, want);
			break;
		}
		ncpus++;
	}
	return ncpus;
}

void smp_set_idle(unsigned k, enum smp_idle how)
{
	smp_cpus[k].idle = how;
}

void on_cpu_async(unsigned k, void (*fn)(void *), void *arg)
{
	struct smp_cpu *c = &smp_cpus[k];

	c->fn = fn;
	c->arg = arg;
	__atomic_store_n(&c->req, c->req + 1, __ATOMIC_RELEASE);
	if (c->idle == SMP_IDLE_HALT)
		smp_send_ipi(k, VEC_SMP_WAKE);
}

void on_cpu_wait(unsigned k)
{
	struct smp_cpu *c = &smp_cpus[k];

	while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != c->req)
		pause();
}

void on_cpu(unsigned k, void (*fn)(void *), void *arg)
{
	on_cpu_async(k, fn, arg);
	on_cpu_wait(k);
}

void on_all_cpus(void (*fn)(void *), void *arg)
{
	unsigned me = cpu_id();

	for (unsigned k = 0; k < ncpus; k++)
		if (k != me)
			on_cpu_async(k, fn, arg);
	fn(arg);
	for (unsigned k = 0; k < ncpus; k++)
		if (k != me)
			on_cpu_wait(k);
}

void smp_barrier(unsigned n)
{
	unsigned me = cpu_id();
	uint32_t sense = bar_local[me] ^= 1;

	if (__atomic_add_fetch(&bar_count, 1, __ATOMIC_ACQ_REL) == n) {
		bar_count = 0;
		__atomic_store_n(&bar_sense, sense, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&bar_sense, __ATOMIC_ACQUIRE) != sense)
			pause();
	}
}
