/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one memfd for all of it (so that a vhost-user backend can map
 * the same pages later, whole), mapped shared into the VMM.  Low RAM is
 * [0, size) at memfd offset 0, KVM slot 0; RAM beyond BOOT_RAM_MAX continues
 * at BOOT_HIGH_MEM_GPA, memfd offset `size`, KVM slot 1.  The hole between
 * them holds the MMIO devices.  Every guest-supplied address goes through
 * guest_mem_ptr(), which refuses anything not wholly inside one range.
 */
#ifndef EXITLAB_GUEST_MEM_H
#define EXITLAB_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitlab/boot_abi.h"
#include "util/outcome.h"

/* How the host backs guest RAM. */
enum guest_backing {
	GUEST_BACKING_4K,         /* shmem, MADV_NOHUGEPAGE: base pages only */
	GUEST_BACKING_THP,        /* shmem, MADV_HUGEPAGE: transparent huge pages */
	GUEST_BACKING_HUGETLB_2M, /* hugetlbfs 2 MiB pages, populated up front */
	GUEST_BACKING_HUGETLB_1G, /* hugetlbfs 1 GiB pages, populated up front */
};

#define GUEST_MEM_SLOT_LOW  0u
#define GUEST_MEM_SLOT_HIGH 1u
#define GUEST_MEM_NSLOTS    2
#define GUEST_MEM_MAX       (256ULL << 30) /* total RAM we agree to map */

struct guest_mem {
	int memfd;
	uint8_t *host;          /* the whole memfd: low RAM, then high RAM */
	uint64_t size;          /* low RAM: GPA [0, size) at host + 0 */
	uint64_t high_size;     /* high RAM: GPA [BOOT_HIGH_MEM_GPA, +high_size) at host + size */
	uint64_t page_size;     /* host page backing it; size and high_size are multiples */
	enum guest_backing backing;
	uint32_t slot_flags[GUEST_MEM_NSLOTS]; /* KVM_MEM_* as last registered */
};

/*
 * Low RAM of low_size bytes (at most BOOT_RAM_MAX) and high_size bytes above
 * 4 GiB, each rounded up to the backing's page size.  OUTCOME_OK, or with
 * err OUTCOME_NO_HOST when the host lacks something (no hugetlb pages, shmem
 * THP off) and OUTCOME_FAILED when the request is wrong or mapping fails.
 */
enum outcome guest_mem_create(struct guest_mem *m, uint64_t low_size, uint64_t high_size,
			      enum guest_backing backing, char *err, size_t errlen);
void guest_mem_destroy(struct guest_mem *m);
/* Register slot 0 (low) and, if any, slot 1 (high) with the VM. */
int guest_mem_register(struct guest_mem *m, int vm_fd, char *err, size_t errlen);

/* "4k", "thp", "hugetlb-2m", "hugetlb-1g"; parse: 0 or -1. */
const char *guest_backing_name(enum guest_backing b);
int guest_backing_parse(const char *s, enum guest_backing *b);

/*
 * The slot wholly holding [gpa, gpa + len), len > 0, and the range's offset
 * in the memfd: 0, or -EINVAL (outside RAM, straddling the hole, overflow).
 */
int guest_mem_locate(const struct guest_mem *m, uint64_t gpa, uint64_t len, uint32_t *slot,
		     uint64_t *offset);
/* Re-register `slot` with KVM_MEM_LOG_DIRTY_PAGES set or clear: 0 or -errno. */
int guest_mem_set_dirty_log(struct guest_mem *m, int vm_fd, uint32_t slot, bool on);
/* Punch [offset, offset + len) of the memfd out of the host: 0 or -errno. */
int guest_mem_discard(struct guest_mem *m, uint64_t offset, uint64_t len);

static inline uint64_t guest_mem_total(const struct guest_mem *m)
{
	return m->size + m->high_size;
}

/* Host pointer for [gpa, gpa+len), or NULL unless it lies wholly in low or in high RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (gpa <= m->size && len <= m->size - gpa)
		return m->host + gpa;
	if (gpa < BOOT_HIGH_MEM_GPA || !m->high_size)
		return NULL;
	off = gpa - BOOT_HIGH_MEM_GPA;
	if (off > m->high_size || len > m->high_size - off)
		return NULL;
	return m->host + m->size + off;
}

#endif
