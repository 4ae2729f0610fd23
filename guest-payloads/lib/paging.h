/* SPDX-License-Identifier: MIT */
/*
 * A virtual window at 512 GiB (PML4 slot 1, beside the VMM's identity map of
 * the low 4 GiB in slot 0) onto any guest-physical range, mapped with 4 KiB,
 * 2 MiB or 1 GiB pages, user-accessible. The tables are plain memory in low
 * RAM, which is identity-mapped and user-writable: build them at CPL3
 * (paging_window_build inside run_at_cpl3), since on PVM every CPL0
 * instruction is emulated. Then paging_window_flush at CPL0.
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include <stdint.h>

#define PAGING_WINDOW_VA (1ull << 39)
#define PAGING_WINDOW_MAX (1ull << 39) /* one PML4 slot */

/* Bytes of page tables a window of len bytes with 2^page_shift pages needs. */
uint64_t paging_window_table_bytes(uint64_t len, unsigned page_shift);
/*
 * Write the tables at tables_gpa (page aligned, table_bytes long) mapping
 * [PAGING_WINDOW_VA, +len) to [data_gpa, +len), and point PML4 slot 1 at them.
 * data_gpa and len must be aligned to the page size. 0, or -1 if not.
 */
int paging_window_build(uint64_t data_gpa, uint64_t len, unsigned page_shift, uint64_t tables_gpa);
/* At CPL0: drop stale translations of the window (CR3 reload). */
void paging_window_flush(void);

#endif
