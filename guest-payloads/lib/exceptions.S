/* SPDX-License-Identifier: MIT */
/*
 * Interrupt entry stubs.  Exceptions never return (they are reported and the
 * vCPU halts, or a measurement is abandoned), so the stubs save no registers:
 * they make the frame uniform (error code, vector) and call C.
 */
#include "desc.h"
#include "irq_stub.h"

	.text
.macro EXC_NOERR vec
exc_\vec:
	pushq $0
	pushq $\vec
	jmp exception_common
.endm
.macro EXC_ERR vec
exc_\vec:
	pushq $\vec
	jmp exception_common
.endm

	EXC_NOERR 0
	EXC_NOERR 1
	EXC_NOERR 2
	EXC_NOERR 3
	EXC_NOERR 4
	EXC_NOERR 5
/* #UD: the ud2 at ring3_exit_ud2 is run_at_cpl3's way home, not an error. */
exc_6:
	cmpq $ring3_exit_ud2, (%rsp)
	je ring3_exit_entry
	pushq $0
	pushq $6
	jmp exception_common
	EXC_NOERR 7
	EXC_ERR   8
	EXC_NOERR 9
	EXC_ERR   10
	EXC_ERR   11
	EXC_ERR   12
	EXC_ERR   13
	EXC_ERR   14
	EXC_NOERR 15
	EXC_NOERR 16
	EXC_ERR   17
	EXC_NOERR 18
	EXC_NOERR 19
	EXC_NOERR 20
	EXC_ERR   21
	EXC_NOERR 22
	EXC_NOERR 23
	EXC_NOERR 24
	EXC_NOERR 25
	EXC_NOERR 26
	EXC_NOERR 27
	EXC_NOERR 28
	EXC_ERR   29
	EXC_ERR   30
	EXC_NOERR 31

exception_common:
	movq %rsp, %rdi
	andq $-16, %rsp
	call exception_handle
1:	cli
	hlt
	jmp 1b

/* Self-IPI test vector: count, EOI through the x2APIC, return. */
	.globl irq_self_ipi_entry
irq_self_ipi_entry:
	pushq %rax
	pushq %rcx
	pushq %rdx
	incq irq_self_ipi_count(%rip)
	movl $0x80b, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	popq %rdx
	popq %rcx
	popq %rax
	iretq

/* Device vectors: count and EOI in C. */
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	IRQ_C irq_dev_\i, irq_dev_handle, \i
	.endr

/* The irq_wait watchdog (VEC_WATCHDOG): counted apart from device interrupts. */
	.globl irq_watchdog_entry
	IRQ_C irq_watchdog_entry, irq_watchdog_handle, 0

/* A spurious interrupt needs no EOI. */
	.globl irq_spurious_entry
irq_spurious_entry:
	iretq

	.section .rodata
	.globl exception_stubs
	.balign 8
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_\v
	.endr

	.globl irq_dev_stubs
	.balign 8
irq_dev_stubs:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.quad irq_dev_\i
	.endr

	.bss
	.globl irq_self_ipi_count
	.balign 8
irq_self_ipi_count:
	.quad 0

	.section .note.GNU-stack, "", @progbits
