/* SPDX-License-Identifier: MIT */
/*
 * Lay a Linux guest into guest RAM (MACHINE_BOOT_LINUX): the identity page
 * tables the 64-bit boot protocol wants, a GDT with __BOOT_CS/__BOOT_DS, the
 * protected-mode kernel, the initrd, the command line, the ACPI tables and
 * the zero page (layout: vmm/linux_boot_params.h). The bzImage was parsed
 * (bzimage_parse) before; every write is bounds-checked by guest_mem.
 *
 * exitlab enters the kernel at startup_64 (load address + 0x200) in long
 * mode with RSI = the zero page, as kvmtool and Firecracker do: no real-mode
 * or 32-bit code runs, which is how exitlab starts its own payloads too, and
 * the in-kernel LAPIC starts the APs by INIT-SIPI-SIPI through Linux's own
 * real-mode trampoline.
 */
#ifndef EXITLAB_LINUX_BOOT_H
#define EXITLAB_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/acpi_dsdt.h"
#include "vmm/guest_mem.h"
#include "vmm/linux_bzimage.h"

struct linux_boot_in {
	const void *kernel;       /* the bzImage file */
	size_t kernel_len;
	const struct bzimage *k;  /* bzimage_parse's reading of it */
	const void *initrd;       /* NULL: none */
	size_t initrd_len;
	const char *cmdline;
	unsigned nvcpus;
	uint64_t ecam_gpa;        /* PCI ECAM for the MCFG and e820, 0: none */
	uint64_t ecam_len;
	struct acpi_pci pci;      /* the PCI root bridge for the DSDT (pci.on = false: none) */
	uint64_t mailbox_gpa;     /* the bench mailbox page, e820-reserved */
	uint64_t buf_len;         /* the sample buffer at the top of low RAM, e820-reserved */
};

struct linux_boot_out {
	uint64_t entry;           /* startup_64 */
	uint64_t zero_page;       /* RSI */
	uint64_t buf_gpa;         /* where the sample buffer went */
	struct linux_plan plan;
};

/* The RAM below 4 GiB that the kernel and initrd may use (below the sample buffer). */
uint64_t linux_boot_ram_end(const struct guest_mem *m, uint64_t buf_len);
/* 0, or -1 with err: the kernel or initrd does not fit (bad input), tables too large. */
int linux_boot_load(struct guest_mem *m, const struct linux_boot_in *in, struct linux_boot_out *out, char *err,
		    size_t errlen);

#endif
