/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "vmm/acpi_tables.h"
#include "vmm/boot_x86.h"
#include "vmm/linux_boot.h"
#include "vmm/linux_boot_params.h"

uint64_t linux_boot_ram_end(const struct guest_mem *m, uint64_t buf_len)
{
	return m->size > buf_len ? (m->size - buf_len) & ~0xfffULL : 0;
}

/* Null, null, __BOOT_CS (64-bit code), __BOOT_DS: what the boot protocol names. */
static int write_gdt(struct guest_mem *m, char *err, size_t errlen)
{
	uint64_t *gdt = guest_mem_ptr(m, LINUX_GDT_GPA, 4 * sizeof(uint64_t));

	if (!gdt) {
		snprintf(err, errlen, "guest RAM too small for the GDT");
		return -1;
	}
	gdt[0] = gdt[1] = 0;
	gdt[LINUX_BOOT_CS / 8] = 0x00af9b000000ffffULL; /* present, DPL0, code, L=1, G=1 */
	gdt[LINUX_BOOT_DS / 8] = 0x00cf93000000ffffULL; /* present, DPL0, data, D/B=1, G=1 */
	return 0;
}

/*
 * The BIOS data area's words Linux reads at boot: the EBDA's segment (0x40e)
 * and the KiB of base memory (0x413), which say where low RAM ends.
 */
static int write_bda(struct guest_mem *m, char *err, size_t errlen)
{
	uint8_t *bda = guest_mem_ptr(m, 0x400, 0x100);

	if (!bda) {
		snprintf(err, errlen, "guest RAM too small for the BIOS data area");
		return -1;
	}
	bda[0x0e] = (uint8_t)(LINUX_EBDA_START >> 4);
	bda[0x0f] = (uint8_t)(LINUX_EBDA_START >> 12);
	bda[0x13] = (uint8_t)(LINUX_EBDA_START >> 10);
	bda[0x14] = (uint8_t)(LINUX_EBDA_START >> 18);
	return 0;
}

static int copy_in(struct guest_mem *m, uint64_t gpa, const void *src, size_t len, const char *what, char *err,
		   size_t errlen)
{
	void *dst = guest_mem_ptr(m, gpa, len);

	if (!dst) {
		snprintf(err, errlen, "%s: %zu bytes at 0x%llx are outside guest RAM", what, len,
			 (unsigned long long)gpa);
		return -1;
	}
	memcpy(dst, src, len);
	return 0;
}

int linux_boot_load(struct guest_mem *m, const struct linux_boot_in *in, struct linux_boot_out *out, char *err,
		    size_t errlen)
{
	uint8_t acpi[8192];                  /* 255 vCPUs take about 3 KiB, the PCI root's _PRT 2 KiB */
	uint8_t *zp;
	struct e820_entry e820[BP_E820_MAX];
	struct linux_mem lm = {
		.low_size = m->size, .high_size = m->high_size, .mailbox_gpa = in->mailbox_gpa,
		.buf_len = in->buf_len, .ecam_gpa = in->ecam_gpa, .ecam_len = in->ecam_len,
	};
	struct acpi_config ac = { .nvcpus = in->nvcpus, .ecam_gpa = in->ecam_gpa,
				  .ecam_last_bus = (uint8_t)(in->ecam_len ? (in->ecam_len >> 20) - 1 : 0),
				  .pci = in->pci };
	struct linux_params lp;
	size_t cmdlen = strlen(in->cmdline), acpi_len, ne;
	uint64_t ram_end = linux_boot_ram_end(m, in->buf_len);

	memset(out, 0, sizeof(*out));
	if (cmdlen + 1 > LINUX_CMDLINE_MAX) {
		snprintf(err, errlen, "the command line has %zu bytes, exitlab passes at most %llu", cmdlen,
			 LINUX_CMDLINE_MAX - 1);
		return -1;
	}
	if (linux_plan(in->k, ram_end, in->initrd ? in->initrd_len : 0, cmdlen, &out->plan, err, errlen))
		return -1;
	out->buf_gpa = lm.buf_gpa = ram_end;
	if (boot_build_page_tables(m, err, errlen) || boot_map_page0(m) || write_bda(m, err, errlen) ||
	    write_gdt(m, err, errlen) ||
	    copy_in(m, out->plan.load_addr, (const uint8_t *)in->kernel + in->k->kernel_off, in->k->kernel_len,
		    "the kernel", err, errlen) ||
	    (in->initrd && copy_in(m, out->plan.initrd_addr, in->initrd, in->initrd_len, "the initrd", err, errlen)) ||
	    copy_in(m, LINUX_CMDLINE_GPA, in->cmdline, cmdlen + 1, "the command line", err, errlen))
		return -1;
	acpi_len = acpi_tables_build(acpi, sizeof(acpi), LINUX_ACPI_GPA, &ac);
	if (!acpi_len) {
		snprintf(err, errlen, "ACPI tables for %u vCPUs do not fit in %llu bytes", in->nvcpus, LINUX_ACPI_MAX);
		return -1;
	}
	if (copy_in(m, LINUX_ACPI_GPA, acpi, acpi_len, "the ACPI tables", err, errlen))
		return -1;
	zp = guest_mem_ptr(m, LINUX_ZERO_PAGE_GPA, BP_SIZE);
	if (!zp) {
		snprintf(err, errlen, "guest RAM too small for the zero page");
		return -1;
	}
	ne = linux_e820_build(&lm, e820, BP_E820_MAX);
	lp = (struct linux_params){
		.cmdline_gpa = LINUX_CMDLINE_GPA, .load_addr = out->plan.load_addr,
		.initrd_addr = out->plan.initrd_addr, .initrd_size = out->plan.initrd_size,
		.rsdp_gpa = LINUX_ACPI_GPA,
	};
	linux_zero_page(zp, in->kernel, in->k, &lp, e820, ne);
	out->entry = out->plan.entry;
	out->zero_page = LINUX_ZERO_PAGE_GPA;
	return 0;
}
