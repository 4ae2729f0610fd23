/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel i8254 PIT (KVM_CREATE_PIT2): ports 0x40..0x43 and 0x61
 * answered inside KVM, so a port read there is an exit that never reaches
 * the VMM (exit-costs' inl_from_kernel).  Nothing programs it, so it raises
 * no interrupt.  Needs the in-kernel irqchip.
 */
#ifndef EXITLAB_KVM_PIT_H
#define EXITLAB_KVM_PIT_H

#include <stddef.h>

/* An ioctl(2) on an fd; the seam the unit tests replace. */
typedef int (*kvm_ioctl_fn)(int fd, unsigned long req, void *arg);

/*
 * Create the PIT on vm_fd if the host offers KVM_CAP_PIT2 (asked on kvm_fd):
 * 1 created, 0 not offered (err says why), -1 the ioctl failed (err says so).
 * io NULL means ioctl(2).
 */
int kvm_pit_create(int kvm_fd, int vm_fd, kvm_ioctl_fn io, char *err, size_t errlen);

#endif
