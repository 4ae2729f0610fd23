/* SPDX-License-Identifier: MIT */
/* GDT, TSS and IDT: the selectors of boot_abi.h, one interrupt and one #DF stack. */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#define VEC_DF        8
#define VEC_SELF_IPI  0x40 /* the self-IPI test vector */
#define VEC_WATCHDOG  0x41 /* the LAPIC timer that bounds irq_wait's hlt (lib/irq.h) */
#define VEC_SPURIOUS  0xff
/* Device interrupts (lib/irq.h): VEC_DEV_BASE + i, i < VEC_DEV_COUNT. */
#define VEC_DEV_BASE  0x50
#define VEC_DEV_COUNT 16

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The 64-bit TSS, an IDT gate and a GDTR/IDTR operand, as the CPU reads them. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void desc_init(void);
/* IDT entry vec: a DPL0 64-bit interrupt gate (IF cleared) to handler, on IST stack ist (0: none). */
void idt_set(unsigned int vec, const void *handler, unsigned int ist);
#endif

#endif
