// SPDX-License-Identifier: MIT
#include "exitlab/boot_abi.h"
#include "paging.h"
#include "string.h"
#include "x86.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_DEF (PTE_P | PTE_RW | PTE_US)

static uint64_t pages_of(uint64_t len, unsigned shift)
{
	return (len + (1ull << shift) - 1) >> shift;
}

uint64_t paging_window_table_bytes(uint64_t len, unsigned page_shift)
{
	uint64_t bytes = 4096; /* the PDPT */

	if (page_shift <= 21)
		bytes += pages_of(len, 30) * 4096; /* PDs */
	if (page_shift == 12)
		bytes += pages_of(len, 21) * 4096; /* PTs */
	return bytes;
}

int paging_window_build(uint64_t data_gpa, uint64_t len, unsigned page_shift, uint64_t tables_gpa)
{
	uint64_t *pdpt = (uint64_t *)tables_gpa, *pd, *pt, page = 1ull << page_shift;
	uint64_t npd = pages_of(len, 30), npt = pages_of(len, 21);

	if ((page_shift != 12 && page_shift != 21 && page_shift != 30) || !len ||
	    len > PAGING_WINDOW_MAX || (data_gpa | len) & (page - 1) || tables_gpa & 4095)
		return -1;
	memset(pdpt, 0, paging_window_table_bytes(len, page_shift));
	pd = pdpt + 512;
	pt = pd + npd * 512;
	if (page_shift == 30) {
		for (uint64_t i = 0; i < npd; i++)
			pdpt[i] = (data_gpa + (i << 30)) | PTE_DEF | PTE_PS;
	} else {
		for (uint64_t i = 0; i < npd; i++)
			pdpt[i] = ((uint64_t)pd + i * 4096) | PTE_DEF;
		for (uint64_t i = 0; i < npt; i++)
			pd[i] = page_shift == 21 ? (data_gpa + (i << 21)) | PTE_DEF | PTE_PS :
						   ((uint64_t)pt + i * 4096) | PTE_DEF;
		if (page_shift == 12)
			for (uint64_t i = 0; i < pages_of(len, 12); i++)
				pt[i] = (data_gpa + (i << 12)) | PTE_DEF;
	}
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = tables_gpa | PTE_DEF;
	return 0;
}

void paging_window_flush(void)
{
	write_cr3(read_cr3());
}
