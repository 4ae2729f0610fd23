/* SPDX-License-Identifier: MIT */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exitlab/bench_proto.h"
#include "vmm/vm.h"

bool vm_host_is_amd(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0, &a, &b, &c, &d))
		return false;
	/* "AuthenticAMD" and "HygonGenuine" both use vmmcall. */
	return (b == 0x68747541 && d == 0x69746e65) || (b == 0x6f677948 && d == 0x6e65476e);
}

static enum outcome open_kvm(struct vm *vm, char *err, size_t errlen)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, errlen, "/dev/kvm does not exist: this host has no KVM "
				 "(load kvm_intel or kvm_amd, and enable virtualization in firmware)");
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "/dev/kvm: permission denied (add yourself to group "
				 "'kvm', or run as root)");
		else
			snprintf(err, errlen, "open /dev/kvm: %s", strerror(e));
		return OUTCOME_NO_HOST;
	}
	vm->api_version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (vm->api_version != KVM_API_VERSION) {
		snprintf(err, errlen, "KVM API version %d, exitlab needs %d", vm->api_version,
			 KVM_API_VERSION);
		return OUTCOME_NO_HOST;
	}
	return OUTCOME_OK;
}

static bool has_cap(struct vm *vm, long cap)
{
	return ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

enum outcome vm_create(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	static const struct { long cap; const char *name; } required[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	};
	enum outcome e;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	vm->mem.memfd = -1;
	vm->cfg = *cfg;
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_mutex_init(&vm->bus_lock, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");

	e = open_kvm(vm, err, errlen);
	if (e)
		return e;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has_cap(vm, required[i].cap)) {
			snprintf(err, errlen, "KVM lacks %s", required[i].name);
			return OUTCOME_NO_HOST;
		}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return errno == ENOMEM ? OUTCOME_FAILED : OUTCOME_NO_HOST;
	}
	/* Intel needs a TSS area for real-mode emulation; harmless elsewhere. */
	if (has_cap(vm, KVM_CAP_SET_TSS_ADDR))
		ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (cfg->irqchip && has_cap(vm, KVM_CAP_IRQCHIP)) {
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) == 0)
			vm->has_irqchip = true;
	}
	vm->coalesced_mmio_page = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (vm->coalesced_mmio_page < 0)
		vm->coalesced_mmio_page = 0;

	{
		uint64_t low = cfg->mem_size < BOOT_RAM_MAX ? cfg->mem_size : BOOT_RAM_MAX;

		e = guest_mem_create(&vm->mem, low, cfg->mem_size - low, cfg->backing, err, errlen);
		if (e)
			return e;
	}
	if (guest_mem_register(&vm->mem, vm->vm_fd, err, errlen))
		return OUTCOME_FAILED;
	return OUTCOME_OK;
}

void vm_destroy(struct vm *vm)
{
	for (int i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	vm->nvcpus = 0;
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	guest_mem_destroy(&vm->mem);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	pthread_mutex_destroy(&vm->stop_lock);
	pthread_mutex_destroy(&vm->bus_lock);
}

void vm_stop(struct vm *vm, enum outcome o, const char *reason)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->stopping) {
		vm->stop_outcome = o;
		snprintf(vm->stop_reason, sizeof(vm->stop_reason), "%s", reason);
		__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	for (int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].started && !pthread_equal(pthread_self(), vm->vcpus[i].thread))
			vcpu_kick(&vm->vcpus[i]);
}

int vm_request_check(const struct guest_mem *m, uint32_t op, uint64_t gpa, uint64_t len,
		     struct vm_request_target *t)
{
	if (op != BENCH_REQ_DIRTY_LOG_START && op != BENCH_REQ_DIRTY_LOG_STOP &&
	    op != BENCH_REQ_DISCARD)
		return -EINVAL;
	if (guest_mem_locate(m, gpa, len, &t->slot, &t->offset))
		return -EINVAL;
	if (op == BENCH_REQ_DISCARD)
		/* Slots start page-aligned in GPA and memfd: aligned gpa means aligned offset. */
		return (gpa | len) & (m->page_size - 1) ? -EINVAL : 0;
	return t->slot == GUEST_MEM_SLOT_LOW ? -EPERM : 0;
}

int vm_request(struct vm *vm, uint32_t op, uint64_t gpa, uint64_t len)
{
	struct vm_request_target t;
	int ret = vm_request_check(&vm->mem, op, gpa, len, &t);

	if (ret)
		return ret;
	if (op == BENCH_REQ_DISCARD)
		return guest_mem_discard(&vm->mem, t.offset, len);
	return guest_mem_set_dirty_log(&vm->mem, vm->vm_fd, t.slot, op == BENCH_REQ_DIRTY_LOG_START);
}

int vm_irq_line(struct vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (!vm->has_irqchip)
		return -ENODEV;
	if (gsi >= 24)
		return -EINVAL;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}
