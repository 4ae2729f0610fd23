// SPDX-License-Identifier: MIT
/*
 * Cache flushes and MSR writes: WBINVD and INVD always exit (KVM never lets
 * a guest run INVD on the hardware: it emulates it), the MSRs depend on
 * KVM's MSR bitmaps.  The CPUID tests are kvm-unit-tests' x86/vmexit.c ones.
 */
#include "exit_tests.h"
#include "x86.h"

#define CPUID7_EDX_SPEC_CTRL    (1u << 26) /* IBRS and IBPB (Intel; KVM sets it for AMD's too) */
#define CPUID7_EDX_ARCH_CAP     (1u << 29) /* IA32_ARCH_CAPABILITIES */
#define CPUIDX8_EBX_AMD_IBPB    (1u << 12) /* CPUID 0x80000008 EBX: IBPB */
#define ARCH_CAP_TSX_CTRL_MSR   (1ull << 7)
#define PRED_CMD_IBPB           1
#define SPEC_CTRL_IBRS          1

static uint32_t cpuid7_edx(void)
{
	return cpuid(0, 0).a >= 7 ? cpuid(7, 0).d : 0;
}

const char *need_tsx_ctrl(const struct measure_ctx *c)
{
	(void)c;
	if (!(cpuid7_edx() & CPUID7_EDX_ARCH_CAP))
		return "no IA32_ARCH_CAPABILITIES in CPUID (7.0:EDX[29])";
	return rdmsr(MSR_IA32_ARCH_CAPABILITIES) & ARCH_CAP_TSX_CTRL_MSR ? NULL
		: "IA32_ARCH_CAPABILITIES has no TSX_CTRL (bit 7)";
}

const char *need_spec_ctrl(const struct measure_ctx *c)
{
	(void)c;
	return cpuid7_edx() & CPUID7_EDX_SPEC_CTRL ? NULL : "no SPEC_CTRL in CPUID (7.0:EDX[26])";
}

const char *need_ibpb(const struct measure_ctx *c)
{
	(void)c;
	if (cpuid7_edx() & CPUID7_EDX_SPEC_CTRL)
		return NULL;
	if (cpuid(0x80000000, 0).a >= 0x80000008 && (cpuid(0x80000008, 0).b & CPUIDX8_EBX_AMD_IBPB))
		return NULL;
	return "no IBPB in CPUID (7.0:EDX[26] or 0x80000008:EBX[12])";
}

MEASURE_LOOP(wbinvd, (void)0, asm volatile("wbinvd" : : : "memory"), (void)0)
MEASURE_LOOP(invd, (void)0, asm volatile("invd" : : : "memory"), (void)0)
/* Zero, as kvm-unit-tests writes: GS base after swapgs, which nothing here uses. */
MEASURE_LOOP(wr_kernel_gs_base, (void)0, wrmsr(MSR_KERNEL_GS_BASE, 0), (void)0)
/* The value read written back: kvm-unit-tests writes 0, which would enable RTM. */
MEASURE_LOOP(wr_tsx_ctrl, uint64_t v = rdmsr(MSR_IA32_TSX_CTRL), wrmsr(MSR_IA32_TSX_CTRL, v), (void)0)
/* One operation = IBRS set and cleared: two writes. */
MEASURE_LOOP(wr_ibrs, (void)0,
	     { wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS); wrmsr(MSR_IA32_SPEC_CTRL, 0); }, (void)0)
MEASURE_LOOP(wr_ibpb, (void)0, wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB), (void)0)

EXPORT_LOOP(wbinvd)
EXPORT_LOOP(invd)
EXPORT_LOOP(wr_kernel_gs_base)
EXPORT_LOOP(wr_tsx_ctrl)
EXPORT_LOOP(wr_ibrs)
EXPORT_LOOP(wr_ibpb)
