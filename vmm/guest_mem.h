/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one memfd (so that a vhost-user backend can map the same pages
 * later), mapped shared into the VMM, registered as KVM memory slot 0 at GPA 0.
 * Every guest-supplied address goes through guest_mem_ptr(), which refuses
 * anything not wholly inside RAM.
 */
#ifndef EXITLAB_GUEST_MEM_H
#define EXITLAB_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	int memfd;
	uint8_t *host;      /* mapping of GPA 0 */
	uint64_t size;
	bool hugepages;     /* backed by 2 MiB hugetlbfs pages */
};

/* 0, or -1 with err (errno kept) if the memfd or mapping cannot be made. */
int guest_mem_create(struct guest_mem *m, uint64_t size, bool hugepages, char *err, size_t errlen);
void guest_mem_destroy(struct guest_mem *m);
/* Register as slot `slot` at GPA 0 of the VM. */
int guest_mem_register(struct guest_mem *m, int vm_fd, uint32_t slot, char *err, size_t errlen);

/* Host pointer for [gpa, gpa+len), or NULL if any byte lies outside RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

#endif
