/* SPDX-License-Identifier: MIT */
/*
 * The host's memory facts that decide how guest RAM can be backed: RAM and
 * swap totals, the shmem THP policy, hugetlb pools.  Readers of /proc and
 * /sys only; each returns 0 or -errno, so callers can say why a fact is
 * missing.  Paths are parameters where tests need to feed their own files.
 */
#ifndef EXITLAB_HOST_MEM_H
#define EXITLAB_HOST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_MEM_THP_DIR "/sys/kernel/mm/transparent_hugepage"

struct host_hugepool {
	uint64_t total, free, reserved; /* pages */
};

/* A "Key:  N kB" line of a meminfo-format file, in kB. -ENOENT if absent. */
int host_mem_meminfo_kb(const char *path, const char *key, uint64_t *kb);

/* The [selected] word of a sysfs policy line ("always [madvise] never"). */
int host_mem_policy_parse(const char *line, char *out, size_t outlen);
/* The same, read from a file. */
int host_mem_policy_read(const char *path, char *out, size_t outlen);

/*
 * The shmem THP policy that applies to PMD-sized folios: the per-size
 * hugepages-<pmd>kB/shmem_enabled unless it says "inherit" (or is absent,
 * on kernels before 6.11), else the global shmem_enabled.  path gets the
 * file that decided (the one to write to change it).
 */
int host_mem_shmem_thp(char *policy, size_t len, char *path, size_t pathlen);
/* Whether a shmem THP policy lets MADV_HUGEPAGE give huge pages. */
bool host_mem_shmem_thp_allows_madvise(const char *policy);
/* hpage_pmd_size, or 2 MiB when the kernel does not say. */
uint64_t host_mem_thp_pmd_size(void);

/* /sys/kernel/mm/hugepages/hugepages-<kb>kB: nr, free and resv counts. */
int host_mem_hugepool(uint64_t page_size, struct host_hugepool *p);
/* The sysfs file whose value reserves pages of that size. */
void host_mem_hugepool_path(uint64_t page_size, char *buf, size_t len);

#endif
