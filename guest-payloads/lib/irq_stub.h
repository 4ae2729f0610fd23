/* SPDX-License-Identifier: MIT */
/*
 * IRQ_C name, fn, arg: an interrupt entry that saves what C may clobber
 * (nine pushes on the CPU's five keep the stack 16-byte aligned for the
 * call), calls fn(arg) and returns. For the device vectors (exceptions.S)
 * and the SMP vectors (smp_irq.S).
 */
#ifndef GUEST_IRQ_STUB_H
#define GUEST_IRQ_STUB_H

#ifdef __ASSEMBLER__
.macro IRQ_C name, fn, arg
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
	call \fn
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
#endif

#endif
