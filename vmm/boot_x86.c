/* SPDX-License-Identifier: MIT */
#include <cpuid.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "exitlab/boot_abi.h"
#include "vmm/boot_x86.h"

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)
#define PTE_PS  (1ULL << 7)
/* Everything is user-accessible: payloads run timed loops at CPL3 (no SMEP/SMAP). */
#define PTE_DEF (PTE_P | PTE_RW | PTE_US)

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

int boot_build_page_tables(struct guest_mem *m, char *err, size_t errlen)
{
	uint64_t *pml4, *pdpt, *pd, *pt;
	const uint64_t base = BOOT_PGTABLE_GPA;

	pml4 = guest_mem_ptr(m, base, BOOT_PGTABLE_SIZE);
	if (!pml4) {
		snprintf(err, errlen, "guest RAM too small for the boot page tables");
		return -1;
	}
	memset(pml4, 0, BOOT_PGTABLE_SIZE);
	pdpt = pml4 + 512;
	pd = pdpt + 512;          /* four consecutive PDs: 4 GiB */
	pt = pd + 4 * 512;        /* the first 2 MiB in 4 KiB pages */

	pml4[0] = (base + 0x1000) | PTE_DEF;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (base + 0x2000 + 0x1000ULL * i) | PTE_DEF;
	for (uint64_t j = 0; j < 4 * 512; j++)
		pd[j] = (j << 21) | PTE_DEF | PTE_PS;
	pd[0] = (base + 0x6000) | PTE_DEF;
	/* pt[0] stays zero: page 0 is not present, a NULL dereference faults. */
	for (uint64_t k = 1; k < 512; k++)
		pt[k] = (k << 12) | PTE_DEF;
	return 0;
}

int boot_map_page0(struct guest_mem *m)
{
	uint64_t *pt = guest_mem_ptr(m, BOOT_PGTABLE_GPA + 0x6000, 8);

	if (!pt)
		return -1;
	pt[0] = 0 | PTE_DEF;
	return 0;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

int boot_setup_vcpu(int vcpu_fd, uint64_t entry, uint64_t stack_top, uint64_t arg, char *err,
		    size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	seg_flat(&sregs.cs, SEL_KCODE, 11, 1);
	seg_flat(&sregs.ds, SEL_KDATA, 3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	/* A busy 64-bit TSS, as VMX entry checks require; the payload loads its own. */
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = SEL_TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 11;
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = 0;
	sregs.gdt.limit = 0;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;

	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.cr3 = BOOT_PGTABLE_GPA;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_SET_SREGS (64-bit long mode): %s", strerror(errno));
		return -1;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = stack_top;
	regs.rdi = arg;
	regs.rflags = 0x2;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int boot_setup_vcpu_linux(int vcpu_fd, uint64_t entry, uint64_t zero_page, uint64_t gdt_gpa, char *err,
			  size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (boot_setup_vcpu(vcpu_fd, entry, 0, 0, err, errlen))
		return -1;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	/* The 64-bit boot protocol's selectors, in a GDT that has them (vmm/linux_boot.c). */
	seg_flat(&sregs.cs, BOOT_LINUX_CS, 11, 1);
	seg_flat(&sregs.ds, BOOT_LINUX_DS, 3, 0);
	sregs.es = sregs.ss = sregs.ds;
	sregs.gdt.base = gdt_gpa;
	sregs.gdt.limit = 4 * 8 - 1;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_SET_SREGS (Linux's 64-bit entry): %s", strerror(errno));
		return -1;
	}
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0) {
		snprintf(err, errlen, "KVM_GET_REGS: %s", strerror(errno));
		return -1;
	}
	regs.rsi = zero_page;
	regs.rdi = 0;
	regs.rsp = 0;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void boot_cpuid_set_hypervisor(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID1_ECX_HYPERVISOR;
}

void boot_cpuid_set_tsc_deadline(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID1_ECX_TSC_DEADLINE;
}

void boot_cpuid_set_apic_id(struct kvm_cpuid2 *c, unsigned apic_id)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (apic_id & 0xffu) << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = apic_id;
	}
}

void boot_cpuid_set_brand(struct kvm_cpuid2 *c, size_t cap, const uint32_t brand[12])
{
	uint32_t max_ext = 0;

	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x80000000u)
			max_ext = c->entries[i].eax;
	if (max_ext < 0x80000004u)
		return;
	for (uint32_t leaf = 0; leaf < 3; leaf++) {
		struct kvm_cpuid_entry2 *e = NULL;

		for (uint32_t i = 0; i < c->nent && !e; i++)
			if (c->entries[i].function == 0x80000002u + leaf)
				e = &c->entries[i];
		if (!e && c->nent < cap) {
			e = &c->entries[c->nent++];
			*e = (struct kvm_cpuid_entry2){ .function = 0x80000002u + leaf };
		}
		if (!e)
			return;
		e->eax = brand[4 * leaf];
		e->ebx = brand[4 * leaf + 1];
		e->ecx = brand[4 * leaf + 2];
		e->edx = brand[4 * leaf + 3];
	}
}

/* The host's brand string (CPUID 0x80000002..4), or zeros where it has none. */
static void host_brand(uint32_t brand[12])
{
	unsigned a, b, cx, d;

	memset(brand, 0, 12 * sizeof(brand[0]));
	if (!__get_cpuid(0x80000000u, &a, &b, &cx, &d) || a < 0x80000004u)
		return;
	for (unsigned leaf = 0; leaf < 3; leaf++)
		__cpuid(0x80000002u + leaf, brand[4 * leaf], brand[4 * leaf + 1], brand[4 * leaf + 2],
			brand[4 * leaf + 3]);
}

int boot_setup_cpuid(int kvm_fd, int vcpu_fd, unsigned apic_id, bool hypervisor, char *err, size_t errlen)
{
	struct kvm_cpuid2 *c = NULL;
	uint32_t brand[12];
	int nent = 64;

	for (;;) {
		/* three spare entries: the brand string's leaves, where KVM offers none */
		c = calloc(1, sizeof(*c) + (nent + 3) * sizeof(c->entries[0]));
		if (!c) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		free(c);
		if (errno != E2BIG || nent >= 4096) {
			snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return -1;
		}
		nent *= 2;
	}
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		boot_cpuid_set_tsc_deadline(c);
	boot_cpuid_set_apic_id(c, apic_id);
	if (hypervisor)
		boot_cpuid_set_hypervisor(c);
	host_brand(brand);
	boot_cpuid_set_brand(c, c->nent + 3, brand);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0) {
		snprintf(err, errlen, "KVM_SET_CPUID2: %s", strerror(errno));
		free(c);
		return -1;
	}
	free(c);
	return 0;
}
