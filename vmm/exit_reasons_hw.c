/* SPDX-License-Identifier: MIT */
/* VMX and SVM exit-reason tables, sorted by code and bisected. */
#include <stddef.h>

#include "vmm/exit_reasons_hw.h"

struct hw_reason {
	uint64_t code;
	const char *name;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Intel SDM Vol. 3, Appendix C "VMX basic exit reasons". */
static const struct hw_reason vmx_reasons[] = {
	{ 0, "EXCEPTION_NMI" },
	{ 1, "EXTERNAL_INTERRUPT" },
	{ 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" },
	{ 4, "SIPI_SIGNAL" },
	{ 5, "IO_SMI" },
	{ 6, "OTHER_SMI" },
	{ 7, "INTERRUPT_WINDOW" },
	{ 8, "NMI_WINDOW" },
	{ 9, "TASK_SWITCH" },
	{ 10, "CPUID" },
	{ 11, "GETSEC" },
	{ 12, "HLT" },
	{ 13, "INVD" },
	{ 14, "INVLPG" },
	{ 15, "RDPMC" },
	{ 16, "RDTSC" },
	{ 17, "RSM" },
	{ 18, "VMCALL" },
	{ 19, "VMCLEAR" },
	{ 20, "VMLAUNCH" },
	{ 21, "VMPTRLD" },
	{ 22, "VMPTRST" },
	{ 23, "VMREAD" },
	{ 24, "VMRESUME" },
	{ 25, "VMWRITE" },
	{ 26, "VMXOFF" },
	{ 27, "VMXON" },
	{ 28, "CR_ACCESS" },
	{ 29, "DR_ACCESS" },
	{ 30, "IO_INSTRUCTION" },
	{ 31, "MSR_READ" },
	{ 32, "MSR_WRITE" },
	{ 33, "INVALID_STATE" },
	{ 34, "MSR_LOAD_FAIL" },
	{ 36, "MWAIT_INSTRUCTION" },
	{ 37, "MONITOR_TRAP_FLAG" },
	{ 39, "MONITOR_INSTRUCTION" },
	{ 40, "PAUSE_INSTRUCTION" },
	{ 41, "MCE_DURING_VMENTRY" },
	{ 43, "TPR_BELOW_THRESHOLD" },
	{ 44, "APIC_ACCESS" },
	{ 45, "EOI_INDUCED" },
	{ 46, "GDTR_IDTR" },
	{ 47, "LDTR_TR" },
	{ 48, "EPT_VIOLATION" },
	{ 49, "EPT_MISCONFIG" },
	{ 50, "INVEPT" },
	{ 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" },
	{ 53, "INVVPID" },
	{ 54, "WBINVD" },
	{ 55, "XSETBV" },
	{ 56, "APIC_WRITE" },
	{ 57, "RDRAND" },
	{ 58, "INVPCID" },
	{ 59, "VMFUNC" },
	{ 60, "ENCLS" },
	{ 61, "RDSEED" },
	{ 62, "PML_FULL" },
	{ 63, "XSAVES" },
	{ 64, "XRSTORS" },
	{ 65, "PCONFIG" },
	{ 66, "SPP_EVENT" },
	{ 67, "UMWAIT" },
	{ 68, "TPAUSE" },
	{ 69, "LOADIWKEY" },
	{ 70, "ENCLV" },
	{ 72, "ENQCMD_PASID_FAIL" },
	{ 73, "ENQCMDS_PASID_FAIL" },
	{ 74, "BUS_LOCK" },
	{ 75, "NOTIFY" },
	{ 76, "SEAMCALL" },
	{ 77, "TDCALL" },
	{ 78, "RDMSRLIST" },
	{ 79, "WRMSRLIST" },
	{ 84, "MSR_READ_IMM" },
	{ 85, "MSR_WRITE_IMM" },
};

/* Sixteen consecutive codes base+0 … base+15 named PRE "0" … PRE "15" SUF. */
#define R16(base, pre, suf) \
	{ (base) + 0, pre "0" suf }, { (base) + 1, pre "1" suf }, \
	{ (base) + 2, pre "2" suf }, { (base) + 3, pre "3" suf }, \
	{ (base) + 4, pre "4" suf }, { (base) + 5, pre "5" suf }, \
	{ (base) + 6, pre "6" suf }, { (base) + 7, pre "7" suf }, \
	{ (base) + 8, pre "8" suf }, { (base) + 9, pre "9" suf }, \
	{ (base) + 10, pre "10" suf }, { (base) + 11, pre "11" suf }, \
	{ (base) + 12, pre "12" suf }, { (base) + 13, pre "13" suf }, \
	{ (base) + 14, pre "14" suf }, { (base) + 15, pre "15" suf }

/* AMD APM Vol. 2, Appendix C "SVM intercept exit codes". */
static const struct hw_reason svm_codes[] = {
	R16(0x000, "read_cr", ""),
	R16(0x010, "write_cr", ""),
	R16(0x020, "read_dr", ""),
	R16(0x030, "write_dr", ""),
	{ 0x040, "excp_de" }, { 0x041, "excp_db" }, { 0x042, "excp_nmi" },
	{ 0x043, "excp_bp" }, { 0x044, "excp_of" }, { 0x045, "excp_br" },
	{ 0x046, "excp_ud" }, { 0x047, "excp_nm" }, { 0x048, "excp_df" },
	{ 0x049, "excp_9" }, { 0x04a, "excp_ts" }, { 0x04b, "excp_np" },
	{ 0x04c, "excp_ss" }, { 0x04d, "excp_gp" }, { 0x04e, "excp_pf" },
	{ 0x04f, "excp_15" }, { 0x050, "excp_mf" }, { 0x051, "excp_ac" },
	{ 0x052, "excp_mc" }, { 0x053, "excp_xf" }, { 0x054, "excp_ve" },
	{ 0x055, "excp_cp" }, { 0x056, "excp_22" }, { 0x057, "excp_23" },
	{ 0x058, "excp_24" }, { 0x059, "excp_25" }, { 0x05a, "excp_26" },
	{ 0x05b, "excp_27" }, { 0x05c, "excp_hv" }, { 0x05d, "excp_vc" },
	{ 0x05e, "excp_sx" }, { 0x05f, "excp_31" },
	{ 0x060, "intr" },
	{ 0x061, "nmi" },
	{ 0x062, "smi" },
	{ 0x063, "init" },
	{ 0x064, "vintr" },
	{ 0x065, "cr0_sel_write" },
	{ 0x066, "idtr_read" },
	{ 0x067, "gdtr_read" },
	{ 0x068, "ldtr_read" },
	{ 0x069, "tr_read" },
	{ 0x06a, "idtr_write" },
	{ 0x06b, "gdtr_write" },
	{ 0x06c, "ldtr_write" },
	{ 0x06d, "tr_write" },
	{ 0x06e, "rdtsc" },
	{ 0x06f, "rdpmc" },
	{ 0x070, "pushf" },
	{ 0x071, "popf" },
	{ 0x072, "cpuid" },
	{ 0x073, "rsm" },
	{ 0x074, "iret" },
	{ 0x075, "swint" },
	{ 0x076, "invd" },
	{ 0x077, "pause" },
	{ 0x078, "hlt" },
	{ 0x079, "invlpg" },
	{ 0x07a, "invlpga" },
	{ 0x07b, "ioio" },
	{ 0x07c, "msr" },
	{ 0x07d, "task_switch" },
	{ 0x07e, "ferr_freeze" },
	{ 0x07f, "shutdown" },
	{ 0x080, "vmrun" },
	{ 0x081, "vmmcall" },
	{ 0x082, "vmload" },
	{ 0x083, "vmsave" },
	{ 0x084, "stgi" },
	{ 0x085, "clgi" },
	{ 0x086, "skinit" },
	{ 0x087, "rdtscp" },
	{ 0x088, "icebp" },
	{ 0x089, "wbinvd" },
	{ 0x08a, "monitor" },
	{ 0x08b, "mwait" },
	{ 0x08c, "mwait_conditional" },
	{ 0x08d, "xsetbv" },
	{ 0x08e, "rdpru" },
	{ 0x08f, "efer_write_trap" },
	R16(0x090, "cr", "_write_trap"),
	{ 0x0a0, "invlpgb" },
	{ 0x0a1, "invlpgb_illegal" },
	{ 0x0a2, "invpcid" },
	{ 0x0a3, "mcommit" },
	{ 0x0a4, "tlbsync" },
	{ 0x0a5, "buslock" },
	{ 0x0a6, "idle_hlt" },
	{ 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" },
	{ 0x402, "avic_unaccelerated_access" },
	{ 0x403, "vmgexit" },
	/* VMEXIT_INVALID is -1 in the 64-bit VMCB field; kvm_exit keeps 32 bits. */
	{ 0xffffffff, "invalid" },
};

static const char *lookup(const struct hw_reason *t, size_t n, uint64_t code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].code == code)
			return t[mid].name;
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *vmx_exit_reason_name(uint32_t exit_reason)
{
	return lookup(vmx_reasons, N(vmx_reasons), vmx_exit_reason_basic(exit_reason));
}

const char *svm_exit_code_name(uint64_t exit_code)
{
	if (exit_code == UINT64_MAX)
		exit_code = 0xffffffff;
	return lookup(svm_codes, N(svm_codes), exit_code);
}

const char *hw_exit_reason_name(unsigned isa, uint64_t exit_reason)
{
	switch (isa) {
	case EXIT_ISA_VMX:
		return exit_reason > UINT32_MAX ? NULL : vmx_exit_reason_name((uint32_t)exit_reason);
	case EXIT_ISA_SVM:
		return svm_exit_code_name(exit_reason);
	default:
		return NULL;
	}
}

static int sorted(const struct hw_reason *t, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (t[i - 1].code >= t[i].code)
			return -1;
	return 0;
}

int exit_reasons_hw_check(void)
{
	return sorted(vmx_reasons, N(vmx_reasons)) || sorted(svm_codes, N(svm_codes)) ? -1 : 0;
}
