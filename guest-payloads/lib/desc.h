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
void desc_init(void);
#endif

#endif
