/* SPDX-License-Identifier: MIT */
/* Finding another process's KVM objects through /proc (here: our own). */
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "instruments/kvm_process.h"

static void test_classify(void **state)
{
	int id = -1;
	(void)state;

	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vm", &id), KVM_FD_VM);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vcpu:3", &id), KVM_FD_VCPU);
	assert_int_equal(id, 3);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vm-stats", &id), KVM_FD_VM_STATS);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vcpu-stats:7", &id), KVM_FD_VCPU_STATS);
	assert_int_equal(id, 7);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vcpu:", &id), KVM_FD_OTHER);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vcpu:3x", &id), KVM_FD_OTHER);
	assert_int_equal(kvm_process_classify_link("anon_inode:kvm-vcpu:-1", &id), KVM_FD_OTHER);
	assert_int_equal(kvm_process_classify_link("/dev/kvm", &id), KVM_FD_OTHER);
	assert_int_equal(kvm_process_classify_link("anon_inode:[eventfd]", &id), KVM_FD_OTHER);
}

static void test_scan_self(void **state)
{
	struct kvm_process p;
	char err[256];
	int kvm, vm, vcpu, copy;
	(void)state;

	/* Without a VM we are not a KVM process. */
	assert_int_equal(kvm_process_scan(getpid(), &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no KVM VM"));
	assert_int_equal(kvm_process_scan(0x7ffffff0, &p, err, sizeof(err)), -1);

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "skipped: /dev/kvm not usable here\n");
		skip();
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	assert_true(vm >= 0);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	assert_true(vcpu >= 0);
	assert_int_equal(kvm_process_scan(getpid(), &p, err, sizeof(err)), 0);
	assert_int_equal(p.nvm, 1);
	assert_int_equal(p.vm_fds[0], vm);
	assert_int_equal(p.nvcpu, 1);
	assert_int_equal(p.vcpu_fds[0], vcpu);
	assert_int_equal(p.vcpu_ids[0], 0);
	assert_true(p.ntids >= 1);
	{
		int sfd = ioctl(vm, KVM_GET_STATS_FD, NULL);

		if (sfd >= 0) {
			assert_int_equal(kvm_process_scan(getpid(), &p, err, sizeof(err)), 0);
			assert_int_equal(p.nvm_stats, 1);
			assert_int_equal(p.vm_stats_fds[0], sfd);
			close(sfd);
		}
	}
	/* The copied fd is the same VM: it accepts VM ioctls. */
	copy = kvm_process_dup_fd(getpid(), vm);
	assert_true(copy >= 0);
	assert_true(ioctl(copy, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) > 0);
	close(copy);
	close(vcpu);
	close(vm);
	close(kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_scan_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
