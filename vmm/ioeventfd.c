/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/ioeventfd.h"
#include "vmm/vm.h"

static void fill(struct kvm_ioeventfd *k, const struct ioeventfd *ev)
{
	memset(k, 0, sizeof(*k));
	k->addr = ev->addr;
	k->len = ev->len;
	k->fd = ev->fd;
	k->datamatch = ev->value;
	if (ev->pio)
		k->flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (ev->datamatch)
		k->flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
}

int ioeventfd_add(struct vm *vm, struct ioeventfd *ev, uint64_t addr, unsigned len, bool pio,
		  bool datamatch, uint64_t value, char *err, size_t errlen)
{
	struct kvm_ioeventfd k;

	memset(ev, 0, sizeof(*ev));
	ev->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev->fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	ev->addr = addr;
	ev->len = len;
	ev->pio = pio;
	ev->datamatch = datamatch;
	ev->value = value;
	fill(&k, ev);
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &k) < 0) {
		snprintf(err, errlen, "KVM_IOEVENTFD (%s 0x%llx, %u bytes%s): %s", pio ? "port" : "mmio",
			 (unsigned long long)addr, len, datamatch ? ", datamatch" : "", strerror(errno));
		close(ev->fd);
		ev->fd = -1;
		return -1;
	}
	return 0;
}

int ioeventfd_del(struct vm *vm, struct ioeventfd *ev)
{
	struct kvm_ioeventfd k;
	int rc;

	if (ev->fd < 0)
		return 0;
	fill(&k, ev);
	k.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	rc = ioctl(vm->vm_fd, KVM_IOEVENTFD, &k);
	close(ev->fd);
	ev->fd = -1;
	return rc;
}

int ioeventfd_attach(struct vm *vm, struct ioeventfd *ev, int fd, uint64_t addr, unsigned len, bool pio,
		     bool datamatch, uint64_t value, char *err, size_t errlen)
{
	struct kvm_ioeventfd k;

	*ev = (struct ioeventfd){
		.fd = fd, .addr = addr, .len = len, .pio = pio, .datamatch = datamatch, .value = value,
	};
	fill(&k, ev);
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &k) < 0) {
		snprintf(err, errlen, "KVM_IOEVENTFD (%s 0x%llx, %u bytes%s): %s", pio ? "port" : "mmio",
			 (unsigned long long)addr, len, datamatch ? ", datamatch" : "", strerror(errno));
		ev->fd = -1;
		return -1;
	}
	return 0;
}

int ioeventfd_detach(struct vm *vm, struct ioeventfd *ev)
{
	struct kvm_ioeventfd k;
	int rc;

	if (ev->fd < 0)
		return 0;
	fill(&k, ev);
	k.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	rc = ioctl(vm->vm_fd, KVM_IOEVENTFD, &k);
	ev->fd = -1;
	return rc;
}

uint64_t ioeventfd_drain(struct ioeventfd *ev)
{
	uint64_t n = 0;

	if (ev->fd < 0 || read(ev->fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

int coalesced_zone_add(struct vm *vm, uint64_t addr, uint32_t size, bool pio, char *err,
		       size_t errlen)
{
	struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = size, .pio = pio };

	if (!vm->coalesced_mmio_page) {
		snprintf(err, errlen, "KVM has no coalesced MMIO (KVM_CAP_COALESCED_MMIO)");
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0) {
		snprintf(err, errlen, "KVM_REGISTER_COALESCED_MMIO 0x%llx+%u: %s",
			 (unsigned long long)addr, size, strerror(errno));
		return -1;
	}
	return 0;
}
