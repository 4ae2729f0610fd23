/* SPDX-License-Identifier: MIT */
/*
 * The minimal program's guest (minimal_kvm.c): one loop per operation, run
 * at CPL3.  Each sample is the operation between two fenced TSC reads
 * (lfence; rdtsc; lfence, as guest-payloads/lib/timing.h), stored at
 * (%rsi); %r9 samples, %r8 the target (port or address).  Then a write to
 * port 0x5ff says done.  Copied into guest RAM: position independent.
 * The vCPU starts at CPL0 in minimal_enter, which irets to the loop in %rdi
 * at CPL3 (selectors as minimal_kvm.c's GDT; IOPL 3 for port I/O).
 */
#define DONE_PORT 0x5ff

.macro TSC reg
	lfence
	rdtsc
	lfence
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, \reg
.endm

/* The operations, as kvm-unit-tests' and exitlab's exit-costs tests do them. */
.macro OP_empty
.endm
.macro OP_pio
	movl %r8d, %edx
	xorl %eax, %eax
	outl %eax, %dx
.endm
.macro OP_mmio
	movl $0, (%r8)
.endm
.macro OP_cpuid
	xorl %eax, %eax
	xorl %ecx, %ecx
	cpuid
.endm

.macro LOOP name
	.globl minimal_loop_\name
minimal_loop_\name:
1:	TSC %r11
	OP_\name
	TSC %r12
	subq %r11, %r12
	movq %r12, (%rsi)
	addq $8, %rsi
	decq %r9
	jnz 1b
	movw $DONE_PORT, %dx
	outb %al, %dx
	jmp .
.endm

	.section .rodata.minimal_guest, "a"
	.globl minimal_guest, minimal_guest_end
	.code64
minimal_guest:
	.globl minimal_enter
minimal_enter:
	movq %rsp, %rax
	pushq $0x1b		/* SS: user data */
	pushq %rax		/* RSP */
	pushq $0x3002		/* RFLAGS: IOPL 3, interrupts off */
	pushq $0x23		/* CS: user code */
	pushq %rdi		/* RIP: the loop */
	iretq

	LOOP empty
	LOOP pio
	LOOP mmio
	LOOP cpuid
minimal_guest_end:

	.section .note.GNU-stack, "", @progbits
