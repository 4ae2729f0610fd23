/* SPDX-License-Identifier: MIT */
/*
 * A VM: /dev/kvm, the VM fd, guest RAM, the PIO and MMIO buses, and its
 * vCPUs.  Every failure says which capability or permission was missing and
 * whether that is the host's fault (OUTCOME_NO_HOST) or ours.
 */
#ifndef EXITLAB_VM_H
#define EXITLAB_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/guest_mem.h"
#include "util/outcome.h"
#include "vmm/vcpu.h"

/*
 * vCPUs a machine may have: struct vcpu is about 1.2 KiB, so the array costs
 * 75 KiB in the (heap-allocated) machine. The AP trampoline and the guest
 * runtime's per-CPU tables are sized for it too (guest-payloads/lib/smp.h).
 */
#define VM_MAX_VCPUS 64

struct vm_config {
	uint64_t mem_size;     /* total RAM: below BOOT_RAM_MAX, the rest from 4 GiB up */
	enum guest_backing backing;
	bool irqchip;          /* in-kernel LAPIC/IOAPIC/PIC */
};

struct vm {
	int kvm_fd, vm_fd;
	int api_version;
	struct vm_config cfg;
	struct guest_mem mem;
	struct bus pio, mmio;
	bool has_irqchip;
	int coalesced_mmio_page;   /* page offset of the ring in the vCPU mapping, 0 = none */
	struct vcpu vcpus[VM_MAX_VCPUS];
	int nvcpus;
	/*
	 * With several vCPUs the device models (written for one caller at a
	 * time) see one access at a time: the exit loop takes this around PIO,
	 * MMIO and the coalesced ring's replay when nvcpus > 1.
	 */
	pthread_mutex_t bus_lock;
	uint64_t extra_slots;      /* bitmap of vm_slot_map's slots (bit i = slot VM_EXTRA_SLOT_BASE + i) */

	/* Stopping: the first reason wins. */
	pthread_mutex_t stop_lock;
	volatile int stopping;
	enum outcome stop_outcome; /* what the stop means for the run: OK, FAILED, NO_HOST */
	char stop_reason[512];     /* and why, for the message */
};

/* Opens /dev/kvm, creates the VM and its RAM: OK, NO_HOST or FAILED with err. */
enum outcome vm_create(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);
/* Ask the VM to stop (any thread); the first call's outcome and reason are kept. */
void vm_stop(struct vm *vm, enum outcome o, const char *reason);
/*
 * A guest's BENCH_REQUEST (enum bench_req_op) on [gpa, gpa + len): dirty
 * logging on or off for the slot holding it, or discarding its pages. Every
 * argument is checked (the guest is hostile). 0 or -errno.
 */
int vm_request(struct vm *vm, uint32_t op, uint64_t gpa, uint64_t len);

/* What a checked request acts on: the KVM slot and the range's memfd offset. */
struct vm_request_target {
	uint32_t slot;
	uint64_t offset;
};
/*
 * vm_request's argument checks, without a VM: 0, or -EINVAL (unknown op,
 * empty range, not wholly inside one slot, a discard not aligned to the
 * backing's page size), -EPERM (dirty logging on slot 0, where the payload's
 * code and page tables live).
 */
int vm_request_check(const struct guest_mem *m, uint32_t op, uint64_t gpa, uint64_t len,
		     struct vm_request_target *t);

/*
 * Extra memory slots for host memory that is not guest RAM (a passed-through
 * device's mmapped BAR): [gpa, gpa + size) backed by `host`, page-aligned.
 * vm_slot_map returns the slot number or -errno (-ENOSPC when all are taken);
 * vm_slot_unmap deletes it (0 or -errno).  Callable while vCPUs run.
 */
#define VM_EXTRA_SLOT_BASE 8u
#define VM_EXTRA_SLOTS     64u
int vm_slot_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host);
int vm_slot_unmap(struct vm *vm, int slot);

/* Whether the host CPU is AMD-like (vmmcall instead of vmcall). */
bool vm_host_is_amd(void);
/*
 * Drive ISA/IOAPIC line gsi (< 24) of the in-kernel irqchip to level
 * (KVM_IRQ_LINE): 0, or -errno (no irqchip: -ENODEV).
 */
int vm_irq_line(struct vm *vm, unsigned gsi, bool level);

#endif
