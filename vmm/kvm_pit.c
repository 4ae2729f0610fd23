/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/kvm_pit.h"

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

int kvm_pit_create(int kvm_fd, int vm_fd, kvm_ioctl_fn io, char *err, size_t errlen)
{
	/* flags 0: the speaker port is the PIT's own (KVM_PIT_SPEAKER_DUMMY would make it inert) */
	struct kvm_pit_config cfg = { .flags = 0 };

	if (!io)
		io = sys_ioctl;
	if (io(kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_PIT2) <= 0) {
		snprintf(err, errlen, "no in-kernel PIT: the host lacks KVM_CAP_PIT2");
		return 0;
	}
	if (io(vm_fd, KVM_CREATE_PIT2, &cfg) < 0) {
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return -1;
	}
	return 1;
}
