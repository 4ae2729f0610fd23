/* SPDX-License-Identifier: MIT */
/*
 * PVH boot: how another VMM (qemu-system-x86_64 -kernel NAME.elf) starts a
 * payload.  The ELF note XEN_ELFNOTE_PHYS32_ENTRY names pvh_start32, which
 * the loader enters in 32-bit protected mode with paging off and
 * EBX = struct hvm_start_info *.  We do what exitlab's VMM does on the host
 * side (vmm/boot_x86.c): identity page tables for the low 4 GiB at
 * BOOT_PGTABLE_GPA (page 0 not present), PAE + long mode + paging, a flat
 * 64-bit GDT with the boot_abi.h selectors; then pvh_boot_info (pvh.c)
 * writes the struct boot_info and we enter _start as the VMM would.
 * exitlab's own VMM enters at the ELF entry (_start) and never runs this.
 */
#include "pvh.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_DEF  0x7    /* present, writable, user: as the VMM's tables */
#define PTE_PS   0x80
#define CR0_BOOT 0x80050033 /* PG | AM | WP | NE | ET | MP | PE, caches on */
#define CR4_BOOT 0x620  /* PAE | OSFXSR | OSXMMEXCPT */
#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* namesz: "Xen\0" */
	.long 8				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.quad pvh_start32

	.section .text.pvh, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, %esi			/* start_info: esi survives to 64-bit mode */
	movl $PVH_STACK_TOP, %esp

	/* Seven zeroed pages: PML4, PDPT, four PDs, one PT. */
	movl $PVH_PGTABLE_GPA, %edi
	xorl %eax, %eax
	movl $(PVH_PGTABLE_SIZE / 4), %ecx
	rep stosl

	movl $(PVH_PGTABLE_GPA + 0x1000 + PTE_DEF), PVH_PGTABLE_GPA
	movl $(PVH_PGTABLE_GPA + 0x1000), %edi
	movl $(PVH_PGTABLE_GPA + 0x2000 + PTE_DEF), %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $0x1000, %eax
	addl $8, %edi
	decl %ecx
	jnz 1b

	/* 2048 PD entries of 2 MiB each cover 4 GiB. */
	movl $(PVH_PGTABLE_GPA + 0x2000), %edi
	movl $(PTE_DEF | PTE_PS), %eax
	movl $2048, %ecx
2:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	decl %ecx
	jnz 2b

	/*
	 * The first 2 MiB in 4 KiB pages.  Page 0 is mapped for now (QEMU's
	 * start info lives there); pvh_boot_info unmaps it: NULL faults.
	 */
	movl $(PVH_PGTABLE_GPA + 0x6000 + PTE_DEF), PVH_PGTABLE_GPA + 0x2000
	movl $(PVH_PGTABLE_GPA + 0x6000), %edi
	movl $PTE_DEF, %eax
	movl $512, %ecx
3:	movl %eax, (%edi)
	addl $0x1000, %eax
	addl $8, %edi
	decl %ecx
	jnz 3b

	movl $CR4_BOOT, %eax
	movl %eax, %cr4
	movl $PVH_PGTABLE_GPA, %eax
	movl %eax, %cr3

	/* EFER: long mode and syscall; NX only if the CPU has it (else wrmsr faults). */
	movl $0x80000001, %eax
	cpuid
	movl $(EFER_LME | EFER_SCE), %edi
	testl $(1 << 20), %edx
	jz 4f
	orl $EFER_NXE, %edi
4:	movl $MSR_EFER, %ecx
	rdmsr
	orl %edi, %eax
	wrmsr

	lgdt pvh_gdt_ptr
	movl $CR0_BOOT, %eax
	movl %eax, %cr0
	ljmp $PVH_SEL_KCODE, $pvh_start64

	.code64
pvh_start64:
	movl $PVH_SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq $PVH_STACK_TOP, %rsp
	movl %esi, %edi
	call pvh_boot_info		/* returns the struct boot_info * */
	movq %rax, %rdi
	movq $PVH_STACK_TOP, %rsp
	jmp _start

	.section .rodata
	.balign 16
pvh_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_KCODE: 64-bit code */
	.quad 0x00cf92000000ffff	/* SEL_KDATA */
pvh_gdt_ptr:
	.word pvh_gdt_ptr - pvh_gdt - 1
	.long pvh_gdt

	.section .note.GNU-stack, "", @progbits
