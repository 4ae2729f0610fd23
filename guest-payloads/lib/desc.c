// SPDX-License-Identifier: MIT
/*
 * Descriptor tables.  Each CPL0 instruction is emulated on PVM (~0.6 us), so
 * everything that can be a static initializer is one, and only the IDT gates
 * and the TSS descriptor (address bits split across fields) are built here.
 */
#include <stdint.h>

#include "desc.h"
#include "exceptions.h"
#include "exitlab/boot_abi.h"

#define INTR_STACK_SIZE 16384
#define DF_STACK_SIZE   4096

static uint8_t intr_stack[INTR_STACK_SIZE] __attribute__((aligned(4096)));
static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(4096)));
static struct idt_gate idt[256] __attribute__((aligned(4096)));

/*
 * rsp0: where exceptions from CPL3 land; IST1: #DF only.
 * Ring 3 runs with IOPL=3, which makes the I/O bitmap moot on hardware, but
 * PVM runs CPL3 with the host's IOPL and honours only the guest's bitmap:
 * an all-zero bitmap grants every port (the trailing 0xff byte is required).
 */
static struct {
	struct tss64 tss;
	uint8_t iomap[8192];
	uint8_t iomap_end;
} __attribute__((packed, aligned(128))) tss = {
	.tss = {
		.rsp = { (uint64_t)(intr_stack + INTR_STACK_SIZE) },
		.ist = { (uint64_t)(df_stack + DF_STACK_SIZE) },
		.iomap_base = sizeof(struct tss64),
	},
	.iomap_end = 0xff,
};

/* Flat 64-bit segments; the order is what syscall/sysret need (STAR in ring3.c). */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
	[SEL_KCODE >> 3] = 0x00af9a000000ffffull, /* P, DPL0, code, L */
	[SEL_KDATA >> 3] = 0x00cf92000000ffffull, /* P, DPL0, data, writable */
	[SEL_UDATA >> 3] = 0x00cff2000000ffffull, /* P, DPL3, data, writable */
	[SEL_UCODE >> 3] = 0x00affa000000ffffull, /* P, DPL3, code, L */
	/* SEL_TSS: two slots, filled by desc_init() */
};

void idt_set(unsigned int vec, const void *handler, unsigned int ist)
{
	uint64_t a = (uint64_t)handler;

	idt[vec] = (struct idt_gate){
		.off_lo = a,
		.sel = SEL_KCODE,
		.ist = ist,
		.type_attr = 0x8e, /* present, DPL0, 64-bit interrupt gate: IF cleared */
		.off_mid = a >> 16,
		.off_hi = a >> 32,
	};
}

void desc_init(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	gdt[SEL_TSS >> 3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			    (base >> 24 & 0xff) << 56; /* present, available 64-bit TSS */
	gdt[(SEL_TSS >> 3) + 1] = base >> 32;

	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, exception_stubs[v], v == VEC_DF);
	idt_set(VEC_SELF_IPI, irq_self_ipi_entry, 0);
	idt_set(VEC_WATCHDOG, irq_watchdog_entry, 0);
	for (unsigned int i = 0; i < VEC_DEV_COUNT; i++)
		idt_set(VEC_DEV_BASE + i, irq_dev_stubs[i], 0);
	idt_set(VEC_SPURIOUS, irq_spurious_entry, 0);

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n" /* reload CS from the new GDT */
		     "1:\tmov %2, %%eax\n\t"
		     "mov %%eax, %%ss\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "ltr %w3\n\t"
		     "lidt %4"
		     : : "m"(gdtr), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS), "m"(idtr)
		     : "rax", "memory");
}
