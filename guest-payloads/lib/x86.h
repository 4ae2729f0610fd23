/* SPDX-License-Identifier: MIT */
/* Thin inline wrappers for the privileged and I/O instructions payloads time. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_IA32_SPEC_CTRL    0x48
#define MSR_IA32_PRED_CMD     0x49
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_TSX_CTRL     0x122
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_KERNEL_GS_BASE    0xc0000102
#define MSR_EFER              0xc0000080
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_SFMASK            0xc0000084
#define MSR_X2APIC_EOI        0x80b
#define MSR_X2APIC_SVR        0x80f
#define MSR_X2APIC_SELF_IPI   0x83f

#define RFLAGS_TF   (1ul << 8)
#define RFLAGS_IF   (1ul << 9)
#define RFLAGS_DF   (1ul << 10)
#define RFLAGS_IOPL (3ul << 12)
#define RFLAGS_NT   (1ul << 14)
#define RFLAGS_AC   (1ul << 18)

#define CR0_WP  (1ul << 16)
#define CR4_PGE (1ul << 7)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* MMIO: one 32-bit access the compiler may neither merge nor drop. */
static inline void mmio_write32(uint64_t gpa, uint32_t v)
{
	*(volatile uint32_t *)gpa = v;
}

static inline uint32_t mmio_read32(uint64_t gpa)
{
	return *(volatile uint32_t *)gpa;
}

#define DEFINE_CR(n)								\
static inline uint64_t read_cr##n(void)						\
{										\
	uint64_t v;								\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));				\
	return v;								\
}										\
static inline void write_cr##n(uint64_t v)					\
{										\
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");			\
}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
DEFINE_CR(8)
#undef DEFINE_CR

static inline void write_dr7(uint64_t v)
{
	asm volatile("mov %0, %%dr7" : : "r"(v));
}

struct cpuid_regs {
	uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
	return r;
}

/* KVM hypercalls: RAX = nr, result in RAX (rbx/rcx/rdx/rsi are arguments). */
static inline long vmcall(unsigned long nr)
{
	long ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static inline long vmmcall(unsigned long nr)
{
	long ret;

	asm volatile("vmmcall" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static inline void cli(void) { asm volatile("cli" : : : "memory"); }
static inline void sti(void) { asm volatile("sti" : : : "memory"); }
static inline void hlt(void) { asm volatile("hlt" : : : "memory"); }
/* sti's one-instruction shadow makes the pair atomic: no wake-up is lost. */
static inline void sti_hlt(void) { asm volatile("sti; hlt" : : : "memory"); }
static inline void sti_nop(void) { asm volatile("sti; nop" : : : "memory"); }

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

static inline unsigned int read_cpl(void)
{
	uint16_t cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

#endif
