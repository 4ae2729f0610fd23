/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "vmm/linux_boot_params.h"

#define HIGH_MEM_GPA 0x100000000ULL

static void wr(uint8_t *b, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static size_t add(struct e820_entry *e, size_t n, size_t max, uint64_t addr, uint64_t end, uint32_t type)
{
	if (end <= addr || n >= max)
		return n;
	/* Merge with the previous entry when they touch and agree. */
	if (n && e[n - 1].type == type && e[n - 1].addr + e[n - 1].size == addr) {
		e[n - 1].size += end - addr;
		return n;
	}
	e[n] = (struct e820_entry){ addr, end - addr, type };
	return n + 1;
}

/* RAM in [lo, hi) with the holes in hole[] (sorted, disjoint) reserved. */
static size_t add_ram(struct e820_entry *e, size_t n, size_t max, uint64_t lo, uint64_t hi,
		      const uint64_t (*hole)[2], size_t nhole)
{
	uint64_t at = lo;

	for (size_t i = 0; i < nhole; i++) {
		uint64_t a = hole[i][0], b = hole[i][1];

		if (b <= at || a >= hi || a == b)
			continue;
		if (a < at)
			a = at;
		if (b > hi)
			b = hi;
		n = add(e, n, max, at, a, E820_RAM);
		n = add(e, n, max, a, b, E820_RESERVED);
		at = b;
	}
	return add(e, n, max, at, hi, E820_RAM);
}

size_t linux_e820_build(const struct linux_mem *m, struct e820_entry *e, size_t max)
{
	uint64_t hole[3][2] = {
		{ m->mailbox_gpa, m->mailbox_gpa + 0x1000 },
		{ LINUX_EBDA_START, 0x100000 },
		{ m->buf_gpa, m->buf_gpa + m->buf_len },
	};
	size_t n;

	/* Sorted by start (the mailbox sits below the EBDA, the buffer above 1 MiB, or none). */
	if (hole[0][0] >= LINUX_EBDA_START)
		hole[0][1] = hole[0][0];
	n = add_ram(e, 0, max, 0, m->low_size, (const uint64_t (*)[2])hole, 3);
	if (m->low_size < 0x100000)
		n = add(e, n, max, m->low_size > LINUX_EBDA_START ? m->low_size : LINUX_EBDA_START, 0x100000,
			E820_RESERVED);
	if (m->ecam_len)
		n = add(e, n, max, m->ecam_gpa, m->ecam_gpa + m->ecam_len, E820_RESERVED);
	n = add(e, n, max, LINUX_IOAPIC_GPA, LINUX_IOAPIC_GPA + 0x1000, E820_RESERVED);
	n = add(e, n, max, LINUX_LAPIC_GPA, LINUX_LAPIC_GPA + 0x1000, E820_RESERVED);
	if (m->high_size)
		n = add(e, n, max, HIGH_MEM_GPA, HIGH_MEM_GPA + m->high_size, E820_RAM);
	return n;
}

void linux_zero_page(uint8_t *zp, const void *image, const struct bzimage *k, const struct linux_params *p,
		     const struct e820_entry *e, size_t ne)
{
	memset(zp, 0, BP_SIZE);
	memcpy(zp + BZ_HDR_OFFSET, (const uint8_t *)image + BZ_HDR_OFFSET, k->hdr_end - BZ_HDR_OFFSET);
	zp[BZ_TYPE_OF_LOADER] = 0xff;           /* undefined loader: no ID assigned */
	wr(zp, BZ_VID_MODE, 0xffff, 2);         /* "normal": no mode change */
	zp[BZ_LOADFLAGS] &= (uint8_t)~BZ_CAN_USE_HEAP; /* no real-mode code runs: no heap */
	wr(zp, BZ_CODE32_START, p->load_addr, 4);
	wr(zp, BZ_CMD_LINE_PTR, p->cmdline_gpa, 4);
	wr(zp, BZ_RAMDISK_IMAGE, p->initrd_addr, 4);
	wr(zp, BZ_RAMDISK_SIZE, p->initrd_size, 4);
	if (k->version >= 0x020e)
		wr(zp, BP_ACPI_RSDP_ADDR, p->rsdp_gpa, 8);
	if (ne > BP_E820_MAX)
		ne = BP_E820_MAX;
	zp[BP_E820_ENTRIES] = (uint8_t)ne;
	for (size_t i = 0; i < ne; i++) {
		wr(zp, BP_E820_TABLE + 20 * i, e[i].addr, 8);
		wr(zp, BP_E820_TABLE + 20 * i + 8, e[i].size, 8);
		wr(zp, BP_E820_TABLE + 20 * i + 16, e[i].type, 4);
	}
}
