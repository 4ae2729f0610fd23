/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/guest_mem.h"
#include "vmm/host_mem.h"

#define SZ_4K 4096ULL
#define SZ_2M (2ULL << 20)
#define SZ_1G (1ULL << 30)

static const char *const backing_names[] = {
	[GUEST_BACKING_4K] = "4k",
	[GUEST_BACKING_THP] = "thp",
	[GUEST_BACKING_HUGETLB_2M] = "hugetlb-2m",
	[GUEST_BACKING_HUGETLB_1G] = "hugetlb-1g",
};

const char *guest_backing_name(enum guest_backing b)
{
	return (unsigned)b < sizeof(backing_names) / sizeof(backing_names[0]) ? backing_names[b] : "?";
}

int guest_backing_parse(const char *s, enum guest_backing *b)
{
	for (unsigned i = 0; i < sizeof(backing_names) / sizeof(backing_names[0]); i++)
		if (!strcmp(s, backing_names[i])) {
			*b = (enum guest_backing)i;
			return 0;
		}
	return -1;
}

static bool is_hugetlb(enum guest_backing b)
{
	return b == GUEST_BACKING_HUGETLB_2M || b == GUEST_BACKING_HUGETLB_1G;
}

static const char *size_name(uint64_t page)
{
	return page == SZ_1G ? "1 GiB" : page == SZ_2M ? "2 MiB" : "4 KiB";
}

/* Shmem THP must be allowed for MADV_HUGEPAGE to mean anything: say how to allow it. */
static int thp_check(char *err, size_t errlen)
{
	char policy[32], path[160];
	int ret = host_mem_shmem_thp(policy, sizeof(policy), path, sizeof(path));

	if (ret) {
		snprintf(err, errlen, "--backing thp: cannot read %s: %s (a kernel without "
			 "CONFIG_TRANSPARENT_HUGEPAGE?)", path, strerror(-ret));
		return -1;
	}
	if (host_mem_shmem_thp_allows_madvise(policy))
		return 0;
	snprintf(err, errlen, "--backing thp: transparent huge pages are off for shmem "
		 "(%s says '%s'); enable them as root with: echo advise > %s",
		 path, policy, path);
	return -1;
}

/* hugetlb exhaustion, with the numbers and the command that fixes it. */
static void hugetlb_short(char *err, size_t errlen, uint64_t page, uint64_t bytes, int e)
{
	struct host_hugepool p;
	uint64_t need = bytes / page, avail, want, dflt_kb;
	char path[128];
	int ret = host_mem_hugepool(page, &p);

	host_mem_hugepool_path(page, path, sizeof(path));
	if (ret) {
		snprintf(err, errlen, "backing %" PRIu64 " MiB of guest RAM with %s hugetlb pages: "
			 "%s; and %s: %s (does this host support %s pages?)",
			 bytes >> 20, size_name(page), strerror(e), path, strerror(-ret), size_name(page));
		return;
	}
	/* free_hugepages counts pages reserved by other mappings, not yet faulted. */
	avail = p.free > p.reserved ? p.free - p.reserved : 0;
	want = p.total + (need > avail ? need - avail : 0);
	/* /proc/sys/vm/nr_hugepages is the default size's pool: name it only when that is ours. */
	if (host_mem_meminfo_kb("/proc/meminfo", "Hugepagesize", &dflt_kb) == 0 && dflt_kb << 10 == page)
		snprintf(path, sizeof(path), "/proc/sys/vm/nr_hugepages");
	snprintf(err, errlen, "not enough free %s hugetlb pages for %" PRIu64 " MiB of guest RAM: "
		 "need %" PRIu64 ", %" PRIu64 " free now (pool %" PRIu64 ", %" PRIu64 " reserved); "
		 "reserve them as root with: echo %" PRIu64 " > %s%s",
		 size_name(page), bytes >> 20, need, avail, p.total, p.reserved, want, path,
		 page == SZ_1G ? " (or, if memory is too fragmented for that, boot with "
				 "hugepagesz=1G hugepages=N on the kernel command line)" : "");
}

/* A shared mapping of the memfd whose start is aligned to `align`. */
static void *map_aligned(int fd, uint64_t len, uint64_t align, int flags)
{
	uint8_t *res, *p;

	if (align <= SZ_4K)
		return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | flags, fd, 0);
	/* Reserve len + align of address space, then place the file inside it. */
	res = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	p = (uint8_t *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | flags, fd, 0) == MAP_FAILED) {
		int e = errno;

		munmap(res, len + align);
		errno = e;
		return MAP_FAILED;
	}
	if (p > res)
		munmap(res, p - res);
	munmap(p + len, res + align - p);
	return p;
}

enum outcome guest_mem_create(struct guest_mem *m, uint64_t low_size, uint64_t high_size,
			      enum guest_backing backing, char *err, size_t errlen)
{
	enum outcome fault = OUTCOME_FAILED;
	unsigned int flags = MFD_CLOEXEC;
	uint64_t page, total;
	int mflags = MAP_NORESERVE;

	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	switch (backing) {
	case GUEST_BACKING_4K:
		page = SZ_4K;
		break;
	case GUEST_BACKING_THP:
		page = host_mem_thp_pmd_size();
		if (thp_check(err, errlen))
			return OUTCOME_NO_HOST;
		break;
	case GUEST_BACKING_HUGETLB_2M:
		page = SZ_2M;
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
		mflags = 0; /* reserve the pages at mmap: exhaustion shows there, not as SIGBUS */
		break;
	case GUEST_BACKING_HUGETLB_1G:
		page = SZ_1G;
		flags |= MFD_HUGETLB | MFD_HUGE_1GB;
		mflags = 0;
		break;
	default:
		snprintf(err, errlen, "unknown guest RAM backing %d", (int)backing);
		return OUTCOME_FAILED;
	}
	if (!low_size || low_size > BOOT_RAM_MAX || high_size > GUEST_MEM_MAX - low_size) {
		snprintf(err, errlen, "guest RAM of %" PRIu64 "+%" PRIu64 " bytes: low RAM must be "
			 "1..%llu bytes, the total at most %llu", low_size, high_size,
			 (unsigned long long)BOOT_RAM_MAX, (unsigned long long)GUEST_MEM_MAX);
		return OUTCOME_FAILED;
	}
	/* Each slot a whole number of pages, so both start page-aligned in GPA and memfd. */
	low_size = (low_size + page - 1) & ~(page - 1);
	high_size = (high_size + page - 1) & ~(page - 1);
	total = low_size + high_size;

	m->memfd = memfd_create("exitlab-guest-ram", flags);
	if (m->memfd < 0) {
		snprintf(err, errlen, "memfd_create%s: %s%s",
			 is_hugetlb(backing) ? (page == SZ_1G ? " (MFD_HUGETLB|MFD_HUGE_1GB)"
						     : " (MFD_HUGETLB|MFD_HUGE_2MB)") : "",
			 strerror(errno),
			 is_hugetlb(backing) ? " (does this kernel support hugetlb pages of that size? "
					       "see /sys/kernel/mm/hugepages)" : "");
		return is_hugetlb(backing) ? OUTCOME_NO_HOST : OUTCOME_FAILED;
	}
	if (ftruncate(m->memfd, (off_t)total) < 0) {
		snprintf(err, errlen, "sizing guest RAM to %" PRIu64 " bytes: %s", total, strerror(errno));
		goto fail;
	}
	m->host = map_aligned(m->memfd, total, page, mflags);
	if (m->host == MAP_FAILED) {
		int e = errno;

		m->host = NULL;
		if (is_hugetlb(backing) && e == ENOMEM) {
			fault = OUTCOME_NO_HOST;
			hugetlb_short(err, errlen, page, total, e);
		} else {
			snprintf(err, errlen, "mapping %" PRIu64 " MiB of guest RAM: %s", total >> 20,
				 strerror(e));
		}
		goto fail;
	}
	switch (backing) {
	case GUEST_BACKING_4K:
		/* Fails only without THP in the kernel: then there are only base pages anyway. */
		madvise(m->host, total, MADV_NOHUGEPAGE);
		break;
	case GUEST_BACKING_THP:
		if (madvise(m->host, total, MADV_HUGEPAGE) < 0) {
			fault = OUTCOME_NO_HOST;
			snprintf(err, errlen, "madvise(MADV_HUGEPAGE) on guest RAM: %s", strerror(errno));
			goto fail;
		}
		break;
	default:
		/* A reservation can still lose to a surplus-page race: fault it all in now. */
		if (madvise(m->host, total, MADV_POPULATE_WRITE) < 0) {
			int e = errno;

			fault = OUTCOME_NO_HOST;
			if (e == ENOMEM || e == EFAULT || e == EHWPOISON)
				hugetlb_short(err, errlen, page, total, e);
			else
				snprintf(err, errlen, "populating guest RAM with %s pages: %s",
					 size_name(page), strerror(e));
			goto fail;
		}
		break;
	}
	m->size = low_size;
	m->high_size = high_size;
	m->page_size = page;
	m->backing = backing;
	return OUTCOME_OK;
fail:
	if (m->host)
		munmap(m->host, total);
	close(m->memfd);
	m->memfd = -1;
	m->host = NULL;
	return fault;
}

void guest_mem_destroy(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, guest_mem_total(m));
	if (m->memfd >= 0)
		close(m->memfd);
	m->host = NULL;
	m->memfd = -1;
}

static int set_slot(struct guest_mem *m, int vm_fd, uint32_t slot, uint32_t flags)
{
	bool high = slot == GUEST_MEM_SLOT_HIGH;
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = high ? BOOT_HIGH_MEM_GPA : 0,
		.memory_size = high ? m->high_size : m->size,
		.userspace_addr = (uint64_t)(uintptr_t)(m->host + (high ? m->size : 0)),
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	m->slot_flags[slot] = flags;
	return 0;
}

int guest_mem_register(struct guest_mem *m, int vm_fd, char *err, size_t errlen)
{
	for (uint32_t s = 0; s < GUEST_MEM_NSLOTS; s++) {
		uint64_t len = s == GUEST_MEM_SLOT_HIGH ? m->high_size : m->size;
		int ret;

		if (!len)
			continue;
		ret = set_slot(m, vm_fd, s, 0);
		if (ret) {
			snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION (slot %u, %" PRIu64 " MiB): %s",
				 s, len >> 20, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

int guest_mem_locate(const struct guest_mem *m, uint64_t gpa, uint64_t len, uint32_t *slot,
		     uint64_t *offset)
{
	if (!len)
		return -EINVAL;
	if (gpa < m->size && len <= m->size - gpa) {
		*slot = GUEST_MEM_SLOT_LOW;
		*offset = gpa;
		return 0;
	}
	if (gpa >= BOOT_HIGH_MEM_GPA && gpa - BOOT_HIGH_MEM_GPA < m->high_size &&
	    len <= m->high_size - (gpa - BOOT_HIGH_MEM_GPA)) {
		*slot = GUEST_MEM_SLOT_HIGH;
		*offset = m->size + (gpa - BOOT_HIGH_MEM_GPA);
		return 0;
	}
	return -EINVAL;
}

int guest_mem_set_dirty_log(struct guest_mem *m, int vm_fd, uint32_t slot, bool on)
{
	uint32_t flags;

	if (slot >= GUEST_MEM_NSLOTS || !(slot == GUEST_MEM_SLOT_HIGH ? m->high_size : m->size))
		return -EINVAL;
	flags = on ? m->slot_flags[slot] | KVM_MEM_LOG_DIRTY_PAGES
		   : m->slot_flags[slot] & ~KVM_MEM_LOG_DIRTY_PAGES;
	if (flags == m->slot_flags[slot])
		return 0;
	return set_slot(m, vm_fd, slot, flags);
}

int guest_mem_discard(struct guest_mem *m, uint64_t offset, uint64_t len)
{
	uint64_t total = guest_mem_total(m);

	if (!len || offset > total || len > total - offset)
		return -EINVAL;
	/* The mapping's PTEs go too, so KVM's MMU notifier zaps the guest's view. */
	if (fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
		      (off_t)len) < 0)
		return -errno;
	return 0;
}
