/* SPDX-License-Identifier: MIT */
/* The SMP vectors (lib/smp.h): save what C may clobber, call smp_irq_handle(which). */
	.text
.macro SMP_IRQ name, arg
	.globl \name
\name:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movl $\arg, %edi
	cld
	call smp_irq_handle
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq
.endm
	SMP_IRQ smp_irq_wake_entry, 0
	SMP_IRQ smp_irq_ipi_entry, 1
	SMP_IRQ smp_irq_flush_entry, 2

	.section .note.GNU-stack, "", @progbits
