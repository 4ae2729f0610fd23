// SPDX-License-Identifier: MIT
/*
 * Extra KVM memory slots (see vm.h): host mappings that are not guest RAM,
 * such as a passed-through device's BAR pages, so that guest accesses to
 * them are plain memory accesses and cause no exit.  Slot numbers come from
 * a bitmap in struct vm; KVM_SET_USER_MEMORY_REGION with size 0 deletes.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "vmm/vm.h"

static int set_region(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int vm_slot_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	uint64_t page = 4096;
	int rc;

	if (!size || (gpa | size | (uint64_t)(uintptr_t)host) & (page - 1) || gpa + size < gpa)
		return -EINVAL;
	for (unsigned i = 0; i < VM_EXTRA_SLOTS; i++) {
		uint64_t bit = 1ULL << i, old = __atomic_fetch_or(&vm->extra_slots, bit, __ATOMIC_ACQ_REL);

		if (old & bit)
			continue;
		rc = set_region(vm, VM_EXTRA_SLOT_BASE + i, gpa, size, host);
		if (rc) {
			__atomic_fetch_and(&vm->extra_slots, ~bit, __ATOMIC_ACQ_REL);
			return rc;
		}
		return VM_EXTRA_SLOT_BASE + i;
	}
	return -ENOSPC;
}

int vm_slot_unmap(struct vm *vm, int slot)
{
	unsigned i = (unsigned)slot - VM_EXTRA_SLOT_BASE;
	int rc;

	if (slot < (int)VM_EXTRA_SLOT_BASE || i >= VM_EXTRA_SLOTS ||
	    !(__atomic_load_n(&vm->extra_slots, __ATOMIC_ACQUIRE) & (1ULL << i)))
		return -EINVAL;
	rc = set_region(vm, slot, 0, 0, 0);
	__atomic_fetch_and(&vm->extra_slots, ~(1ULL << i), __ATOMIC_ACQ_REL);
	return rc;
}
