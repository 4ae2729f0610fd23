// SPDX-License-Identifier: MIT
/* The VMX and SVM exit-reason tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/exit_reasons_hw.h"

static void test_sorted(void **state)
{
	(void)state;
	assert_int_equal(exit_reasons_hw_check(), 0);
}

static void test_vmx_known(void **state)
{
	(void)state;
	assert_string_equal(vmx_exit_reason_name(0), "EXCEPTION_NMI");
	assert_string_equal(vmx_exit_reason_name(10), "CPUID");
	assert_string_equal(vmx_exit_reason_name(12), "HLT");
	assert_string_equal(vmx_exit_reason_name(18), "VMCALL");
	assert_string_equal(vmx_exit_reason_name(30), "IO_INSTRUCTION");
	assert_string_equal(vmx_exit_reason_name(31), "MSR_READ");
	assert_string_equal(vmx_exit_reason_name(48), "EPT_VIOLATION");
	assert_string_equal(vmx_exit_reason_name(49), "EPT_MISCONFIG");
	assert_string_equal(vmx_exit_reason_name(75), "NOTIFY");
	assert_string_equal(vmx_exit_reason_name(77), "TDCALL");
}

static void test_vmx_unknown(void **state)
{
	(void)state;
	/* Reserved numbers in the SDM's table. */
	assert_null(vmx_exit_reason_name(35));
	assert_null(vmx_exit_reason_name(38));
	assert_null(vmx_exit_reason_name(42));
	assert_null(vmx_exit_reason_name(71));
	assert_null(vmx_exit_reason_name(1000));
	assert_null(vmx_exit_reason_name(0xffff));
}

static void test_vmx_high_bits(void **state)
{
	(void)state;
	/* Bit 31 = VM-entry failure; the basic reason is bits 15:0 only. */
	assert_int_equal(vmx_exit_reason_basic(0x80000021), 33);
	assert_true(vmx_exit_reason_failed_entry(0x80000021));
	assert_false(vmx_exit_reason_failed_entry(33));
	assert_string_equal(vmx_exit_reason_name(0x80000021), "INVALID_STATE");
	assert_string_equal(vmx_exit_reason_name(0x80000022), "MSR_LOAD_FAIL");
	/* Bits 16..30 (e.g. bit 27, "enclave mode") do not change the name either. */
	assert_string_equal(vmx_exit_reason_name(0x0800001e), "IO_INSTRUCTION");
	assert_int_equal(vmx_exit_reason_basic(0xffff0000), 0);
	assert_string_equal(vmx_exit_reason_name(0xffff0000), "EXCEPTION_NMI");
}

static void test_svm(void **state)
{
	(void)state;
	assert_string_equal(svm_exit_code_name(0x000), "read_cr0");
	assert_string_equal(svm_exit_code_name(0x00f), "read_cr15");
	assert_string_equal(svm_exit_code_name(0x018), "write_cr8");
	assert_string_equal(svm_exit_code_name(0x027), "read_dr7");
	assert_string_equal(svm_exit_code_name(0x04e), "excp_pf");
	assert_string_equal(svm_exit_code_name(0x060), "intr");
	assert_string_equal(svm_exit_code_name(0x072), "cpuid");
	assert_string_equal(svm_exit_code_name(0x078), "hlt");
	assert_string_equal(svm_exit_code_name(0x07b), "ioio");
	assert_string_equal(svm_exit_code_name(0x07c), "msr");
	assert_string_equal(svm_exit_code_name(0x081), "vmmcall");
	assert_string_equal(svm_exit_code_name(0x098), "cr8_write_trap");
	assert_string_equal(svm_exit_code_name(0x400), "npf");
	assert_string_equal(svm_exit_code_name(0x401), "avic_incomplete_ipi");
	assert_string_equal(svm_exit_code_name(0x402), "avic_unaccelerated_access");
	assert_string_equal(svm_exit_code_name(0x403), "vmgexit");
	assert_string_equal(svm_exit_code_name(UINT64_MAX), "invalid");
	assert_string_equal(svm_exit_code_name(0xffffffff), "invalid");
	assert_null(svm_exit_code_name(0x0a7));
	assert_null(svm_exit_code_name(0x3ff));
	assert_null(svm_exit_code_name(0x404));
	assert_null(svm_exit_code_name(0x80000001));	/* vmgexit sub-codes: omitted */
}

static void test_by_isa(void **state)
{
	(void)state;
	assert_string_equal(hw_exit_reason_name(EXIT_ISA_VMX, 30), "IO_INSTRUCTION");
	assert_string_equal(hw_exit_reason_name(EXIT_ISA_SVM, 0x7b), "ioio");
	assert_string_equal(hw_exit_reason_name(EXIT_ISA_SVM, 30), "write_cr14");
	assert_null(hw_exit_reason_name(0, 30));
	assert_null(hw_exit_reason_name(3, 30));
	assert_null(hw_exit_reason_name(EXIT_ISA_VMX, 1ull << 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_vmx_known),
		cmocka_unit_test(test_vmx_unknown),
		cmocka_unit_test(test_vmx_high_bits),
		cmocka_unit_test(test_svm),
		cmocka_unit_test(test_by_isa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
