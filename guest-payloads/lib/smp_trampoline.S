/* SPDX-License-Identifier: MIT */
/*
 * The AP trampoline (lib/smp.h): copied by smp_boot to BOOT_AP_TRAMPOLINE_GPA,
 * where a SIPI with vector BOOT_AP_TRAMPOLINE_GPA >> 12 starts an AP in real
 * mode (CS = vector << 8, IP = 0). It goes to 32-bit protected mode on a
 * GDT of its own, turns on PAE, the boot CPU's CR3 and EFER, paging, and in
 * 64-bit mode jumps to smp_ap_entry with the stack and struct smp_cpu the
 * boot CPU patched into its tail for this AP. APs start one at a time, so
 * one copy serves them all.
 */
/* BOOT_AP_TRAMPOLINE_GPA without its C suffix (smp.c checks they agree). */
#define TRAMP_GPA 0x7000
#define T(sym) (TRAMP_GPA + ((sym) - smp_tramp_start))

	.section .rodata
	.balign 16
	.globl smp_tramp_start, smp_tramp_end
	.globl smp_tramp_cr0, smp_tramp_cr3, smp_tramp_cr4, smp_tramp_efer
	.globl smp_tramp_stack, smp_tramp_cpu, smp_tramp_entry
	.code16
smp_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (tramp_gdt_ptr - smp_tramp_start)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp_pm32)

	.code32
tramp_pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl T(smp_tramp_cr4), %eax	/* PAE and the rest, as the boot CPU has them */
	movl %eax, %cr4
	movl T(smp_tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: LME, and SCE/NXE as the boot CPU */
	movl T(smp_tramp_efer), %eax
	xorl %edx, %edx
	wrmsr
	movl T(smp_tramp_cr0), %eax	/* PG: long mode */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp_lm64)

	.code64
tramp_lm64:
	movq smp_tramp_stack(%rip), %rsp
	movq smp_tramp_cpu(%rip), %rdi
	movq smp_tramp_entry(%rip), %rax
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long T(tramp_gdt)
	.balign 8
/* Patched in the copy by smp_boot. */
smp_tramp_cr0:	.long 0
smp_tramp_cr3:	.long 0
smp_tramp_cr4:	.long 0
smp_tramp_efer:	.long 0
smp_tramp_stack: .quad 0
smp_tramp_cpu:	.quad 0
smp_tramp_entry: .quad 0
smp_tramp_end:

	.section .note.GNU-stack, "", @progbits
