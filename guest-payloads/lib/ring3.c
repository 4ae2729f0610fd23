// SPDX-License-Identifier: MIT
#include "exitlab/boot_abi.h"
#include "ring.h"
#include "x86.h"

_Static_assert(SEL_UCODE == 0x23 && SEL_UDATA == 0x1b, "ring3.S hard-codes the user selectors");

void syscall_null_entry(void);

volatile int ring_catch;
struct ring_fault ring_fault = { .vector = -1 };

void ring3_init(void)
{
	/* syscall: CS=0x08 SS=0x10; sysret: CS=0x10+16|3=0x23 SS=0x10+8|3=0x1b */
	wrmsr(MSR_STAR, (uint64_t)SEL_KCODE << 32 | (uint64_t)SEL_KDATA << 48);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_null_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
}
