/* SPDX-License-Identifier: MIT */
/*
 * Hardware VM-exit reasons as the kvm:kvm_exit tracepoint reports them:
 * VMX basic exit reasons (Intel SDM Vol. 3, Appendix C) and SVM exit codes
 * (AMD APM Vol. 2, Appendix C).  Unknown codes give NULL, never a guess:
 * callers print the number.
 */
#ifndef EXITLAB_EXIT_REASONS_HW_H
#define EXITLAB_EXIT_REASONS_HW_H

#include <stdbool.h>
#include <stdint.h>

/* kvm_exit's "isa" field. */
#define EXIT_ISA_VMX 1
#define EXIT_ISA_SVM 2

#define VMX_EXIT_FAILED_VMENTRY 0x80000000u

/* The basic exit reason: bits 15:0 of the VMCS exit-reason field. */
static inline uint16_t vmx_exit_reason_basic(uint32_t exit_reason)
{
	return (uint16_t)(exit_reason & 0xffff);
}

static inline bool vmx_exit_reason_failed_entry(uint32_t exit_reason)
{
	return exit_reason & VMX_EXIT_FAILED_VMENTRY;
}

/* Name of the basic reason (the high bits are masked off), or NULL. */
const char *vmx_exit_reason_name(uint32_t exit_reason);
/* Name of an SVM exit code ("npf", "ioio"…), or NULL. -1 is "invalid". */
const char *svm_exit_code_name(uint64_t exit_code);
/* Either of the above by kvm_exit's isa; NULL for an unknown isa or code. */
const char *hw_exit_reason_name(unsigned isa, uint64_t exit_reason);
/* 0 if both tables are strictly sorted (lookups bisect them), else -1. */
int exit_reasons_hw_check(void);

#endif
