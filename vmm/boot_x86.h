/* SPDX-License-Identifier: MIT */
/*
 * Start a vCPU directly in 64-bit long mode, as KVM selftests do: the VMM
 * writes identity page tables into guest RAM and loads flat segments,
 * CR0/CR3/CR4/EFER and the entry registers, so the payload runs no real-mode
 * or protected-mode bring-up code (which PVM would have to emulate).
 */
#ifndef EXITLAB_BOOT_X86_H
#define EXITLAB_BOOT_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

struct kvm_cpuid2;

/* Identity-map [0, BOOT_IDENTITY_LIMIT) with 2 MiB pages (page 0 unmapped). */
int boot_build_page_tables(struct guest_mem *m, char *err, size_t errlen);
/*
 * Map page 0 too (after boot_build_page_tables): Linux's decompressor reads
 * the BIOS data area there (the EBDA segment at 0x40e, base memory at 0x413)
 * before it has page tables of its own. 0, or -1 if RAM is too small.
 */
int boot_map_page0(struct guest_mem *m);
/* Load long-mode sregs and regs: RIP=entry, RSP=stack_top, RDI=arg. */
int boot_setup_vcpu(int vcpu_fd, uint64_t entry, uint64_t stack_top, uint64_t arg, char *err,
		    size_t errlen);
/*
 * Linux's 64-bit boot protocol (the kernel's Documentation/x86/boot.rst): long
 * mode as above, CS = __BOOT_CS and DS/ES/SS = __BOOT_DS of the GDT at
 * gdt_gpa (4 entries), RIP = startup_64, RSI = the zero page.
 */
#define BOOT_LINUX_CS 0x10
#define BOOT_LINUX_DS 0x18
int boot_setup_vcpu_linux(int vcpu_fd, uint64_t entry, uint64_t zero_page, uint64_t gdt_gpa, char *err,
			  size_t errlen);
/*
 * Give the vCPU everything KVM supports (KVM_GET_SUPPORTED_CPUID), with its
 * own initial APIC ID (= its vCPU id, as the in-kernel LAPIC has it) in
 * leaves 1, 0xb and 0x1f, and the TSC-deadline timer where
 * KVM_CAP_TSC_DEADLINE_TIMER says the in-kernel LAPIC has it: KVM offers
 * that bit by the capability only, never in the supported CPUID (a VMM sets
 * it, as QEMU does).
 */
int boot_setup_cpuid(int kvm_fd, int vcpu_fd, unsigned apic_id, bool hypervisor, char *err, size_t errlen);
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
/*
 * With hypervisor (a Linux guest), CPUID 1's ECX bit 31 too: Linux looks
 * for KVM's leaves (0x40000000 "KVMKVMKVM", 0x40000001 its paravirtual
 * features such as kvmclock, both in KVM's supported list and passed through
 * as they are) only when that bit says it runs under a hypervisor.
 */
#define CPUID1_ECX_HYPERVISOR (1u << 31)
void boot_cpuid_set_hypervisor(struct kvm_cpuid2 *c);
/* boot_setup_cpuid's edits of the supported list, pure (unit-tested). */
struct kvm_cpuid2;
/* CPUID leaf 1's ECX gains CPUID1_ECX_TSC_DEADLINE. */
void boot_cpuid_set_tsc_deadline(struct kvm_cpuid2 *c);
void boot_cpuid_set_apic_id(struct kvm_cpuid2 *c, unsigned apic_id);
/*
 * The guest sees the host's brand string (CPUID 0x80000002..4, as `-cpu host`
 * shows it) where CPUID 0x80000000 reaches it: payloads tell hosts apart by it
 * (the nested testbed's "QEMU TCG CPU").  Leaves KVM did not offer are
 * appended while c->nent < cap.
 */
void boot_cpuid_set_brand(struct kvm_cpuid2 *c, size_t cap, const uint32_t brand[12]);

#endif
