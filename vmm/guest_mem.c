/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_mem.h"

#define HUGE_2M (2ULL << 20)

int guest_mem_create(struct guest_mem *m, uint64_t size, bool hugepages, char *err, size_t errlen)
{
	unsigned int flags = MFD_CLOEXEC;

	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	if (hugepages) {
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
		size = (size + HUGE_2M - 1) & ~(HUGE_2M - 1);
	}
	m->memfd = memfd_create("exitlab-guest-ram", flags);
	if (m->memfd < 0) {
		snprintf(err, errlen, "memfd_create%s: %s", hugepages ? " (MFD_HUGETLB)" : "",
			 strerror(errno));
		return -1;
	}
	if (ftruncate(m->memfd, (off_t)size) < 0) {
		snprintf(err, errlen, "sizing guest RAM to %llu bytes: %s%s",
			 (unsigned long long)size, strerror(errno),
			 hugepages ? " (are 2 MiB hugepages reserved? see /proc/sys/vm/nr_hugepages)" : "");
		goto fail;
	}
	m->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->memfd, 0);
	if (m->host == MAP_FAILED) {
		m->host = NULL;
		snprintf(err, errlen, "mapping guest RAM: %s", strerror(errno));
		goto fail;
	}
	if (hugepages) {
		/* hugetlbfs reports exhaustion only at fault time (SIGBUS): fault it all now. */
		if (madvise(m->host, size, MADV_POPULATE_WRITE) < 0) {
			int e = errno;

			snprintf(err, errlen, "populating %llu MiB of 2 MiB hugepages: %s "
				 "(reserve them with: echo N > /proc/sys/vm/nr_hugepages)",
				 (unsigned long long)(size >> 20),
				 e == EFAULT || e == ENOMEM ? "not enough free hugepages" : strerror(e));
			goto fail;
		}
	}
	m->size = size;
	m->hugepages = hugepages;
	return 0;
fail:
	if (m->host)
		munmap(m->host, size);
	close(m->memfd);
	m->memfd = -1;
	m->host = NULL;
	return -1;
}

void guest_mem_destroy(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->memfd >= 0)
		close(m->memfd);
	m->host = NULL;
	m->memfd = -1;
}

int guest_mem_register(struct guest_mem *m, int vm_fd, uint32_t slot, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = 0,
		.memory_size = m->size,
		.userspace_addr = (uint64_t)(uintptr_t)m->host,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION (slot %u, %llu MiB): %s", slot,
			 (unsigned long long)(m->size >> 20), strerror(errno));
		return -1;
	}
	return 0;
}
