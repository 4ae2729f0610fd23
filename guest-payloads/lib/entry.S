/* SPDX-License-Identifier: MIT */
/*
 * Payload entry.  The VMM starts us in long mode at CPL0 with paging on,
 * interrupts off, RDI = struct boot_info *, RSP = BOOT_STACK_TOP.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	andq $-16, %rsp
	movq %rdi, %rbx			/* callee-saved: bi survives runtime_init */
	call runtime_init
	movq %rbx, %rdi
	call payload_main
	movl %eax, %edi
	call runtime_exit
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
