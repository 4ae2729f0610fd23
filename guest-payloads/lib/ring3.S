/* SPDX-License-Identifier: MIT */
/*
 * Ring transitions (see ring.h).  run_at_* save the callee-saved registers
 * and the kernel RSP; ring_resume restores them, whether fn returned, CPL3
 * code reached ring3_exit_ud2, or an exception handler called ring_abort.
 */
/* boot_abi.h is C-only; ring3.c checks that these match SEL_UCODE/SEL_UDATA. */
#define RING3_CS 0x23
#define RING3_SS 0x1b

#define RING3_STACK_SIZE 65536

	.text
.macro SAVE_KCTX
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, ring_kctx_rsp(%rip)
.endm

/* long run_at_cpl0(ring_fn fn, void *arg) */
	.globl run_at_cpl0
run_at_cpl0:
	SAVE_KCTX
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	jmp ring_resume

/* long run_at_cpl3_flags(ring_fn fn, void *arg, uint64_t rflags) */
	.globl run_at_cpl3_flags
run_at_cpl3_flags:
	SAVE_KCTX
	orq $0x3002, %rdx		/* IOPL=3, reserved bit 1 */
	pushq $RING3_SS		/* SS */
	pushq $ring3_stack_top		/* RSP */
	pushq %rdx			/* RFLAGS */
	pushq $RING3_CS		/* CS */
	pushq $ring3_trampoline		/* RIP */
	iretq				/* RDI = fn, RSI = arg survive it */

ring3_trampoline:
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	movq %rax, %rdi
	/*
	 * Back to CPL0 through a fault: PVM turns int $n from CPL3 into #UD and
	 * delivers syscall without leaving CPL3, but exceptions work everywhere.
	 * The #UD stub (exceptions.S) recognises this address.
	 */
	.globl ring3_exit_ud2
ring3_exit_ud2:
	ud2

/* From the #UD stub, on the interrupt stack: RDI carries fn's return value. */
	.globl ring3_exit_entry
ring3_exit_entry:
	movq %rdi, %rax
	jmp ring_resume

/* void ring_abort(long value) */
	.globl ring_abort
ring_abort:
	movq %rdi, %rax
ring_resume:
	movq ring_kctx_rsp(%rip), %rsp
	movq $0, ring_kctx_rsp(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* LSTAR: the null system call returns at once. */
	.globl syscall_null_entry
syscall_null_entry:
	sysretq

	.bss
	.globl ring_kctx_rsp
	.balign 8
ring_kctx_rsp:
	.quad 0
	.balign 4096
ring3_stack:
	.skip RING3_STACK_SIZE
ring3_stack_top:

	.section .note.GNU-stack, "", @progbits
