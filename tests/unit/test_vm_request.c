// SPDX-License-Identifier: MIT
/*
 * vm_request (a guest's BENCH_REQUEST): the argument checks on their own,
 * then the real thing on a VM with high RAM and no vCPU (skipped without
 * /dev/kvm): dirty logging seen through KVM_GET_DIRTY_LOG, a discard seen
 * through the memfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "exitlab/bench_proto.h"
#include "vmm/vm.h"

#define PG 4096ULL
#define HI BOOT_HIGH_MEM_GPA
#define START BENCH_REQ_DIRTY_LOG_START
#define STOP BENCH_REQ_DIRTY_LOG_STOP
#define DISCARD BENCH_REQ_DISCARD

/* Layout only: the checks never touch memory. */
static const struct guest_mem layout = {
	.memfd = -1, .size = BOOT_RAM_MAX, .high_size = 1ULL << 30, .page_size = PG,
};

static int check(const struct guest_mem *m, uint32_t op, uint64_t gpa, uint64_t len)
{
	struct vm_request_target t;

	return vm_request_check(m, op, gpa, len, &t);
}

static void test_check_ok(void **state)
{
	struct vm_request_target t;
	(void)state;

	assert_int_equal(vm_request_check(&layout, START, HI, PG, &t), 0);
	assert_int_equal(t.slot, GUEST_MEM_SLOT_HIGH);
	assert_int_equal(t.offset, BOOT_RAM_MAX);
	assert_int_equal(vm_request_check(&layout, STOP, HI + 5, 1ULL << 29, &t), 0);
	assert_int_equal(check(&layout, START, HI, 1ULL << 30), 0);
	assert_int_equal(vm_request_check(&layout, DISCARD, HI + PG, 2 * PG, &t), 0);
	assert_int_equal(t.offset, BOOT_RAM_MAX + PG);
	/* the guest may discard its own low RAM: only itself to hurt */
	assert_int_equal(vm_request_check(&layout, DISCARD, 16 * PG, PG, &t), 0);
	assert_int_equal(t.slot, GUEST_MEM_SLOT_LOW);
	assert_int_equal(t.offset, 16 * PG);
}

static void test_check_refuses(void **state)
{
	struct guest_mem nohigh = layout, huge = layout;
	(void)state;

	/* unknown operations */
	assert_int_equal(check(&layout, 0, HI, PG), -EINVAL);
	assert_int_equal(check(&layout, 4, HI, PG), -EINVAL);
	assert_int_equal(check(&layout, UINT32_MAX, HI, PG), -EINVAL);
	/* dirty logging on slot 0: the payload's code and page tables */
	assert_int_equal(check(&layout, START, 0x200000, PG), -EPERM);
	assert_int_equal(check(&layout, STOP, 0, PG), -EPERM);
	for (uint32_t op = START; op <= DISCARD; op++) {
		/* empty, outside RAM, in the hole, straddling a slot's end, wrapping */
		assert_int_equal(check(&layout, op, HI, 0), -EINVAL);
		assert_int_equal(check(&layout, op, BOOT_RAM_MAX, PG), -EINVAL);
		assert_int_equal(check(&layout, op, BOOT_RAM_MAX - PG, 2 * PG), -EINVAL);
		assert_int_equal(check(&layout, op, HI - PG, 2 * PG), -EINVAL);
		assert_int_equal(check(&layout, op, 0, HI + PG), -EINVAL);
		assert_int_equal(check(&layout, op, HI + (1ULL << 30) - PG, 2 * PG), -EINVAL);
		assert_int_equal(check(&layout, op, HI + (1ULL << 30), PG), -EINVAL);
		assert_int_equal(check(&layout, op, UINT64_MAX - PG + 1, PG), -EINVAL);
		assert_int_equal(check(&layout, op, HI + PG, UINT64_MAX - PG), -EINVAL);
		assert_int_equal(check(&layout, op, UINT64_MAX, UINT64_MAX), -EINVAL);
	}
	/* discards must be whole host pages */
	assert_int_equal(check(&layout, DISCARD, HI + 1, PG), -EINVAL);
	assert_int_equal(check(&layout, DISCARD, HI, PG + 1), -EINVAL);
	assert_int_equal(check(&layout, DISCARD, HI, 100), -EINVAL);
	huge.page_size = 2ULL << 20;
	assert_int_equal(check(&huge, DISCARD, HI, PG), -EINVAL);
	assert_int_equal(check(&huge, DISCARD, HI + PG, 2ULL << 20), -EINVAL);
	assert_int_equal(check(&huge, DISCARD, HI + (2ULL << 20), 4ULL << 20), 0);
	/* no high RAM: nothing above 4 GiB */
	nohigh.size = 64ULL << 20;
	nohigh.high_size = 0;
	assert_int_equal(check(&nohigh, START, HI, PG), -EINVAL);
	assert_int_equal(check(&nohigh, DISCARD, HI, PG), -EINVAL);
	assert_int_equal(check(&nohigh, DISCARD, 64ULL << 20, PG), -EINVAL);
}

static const char *kvm_missing(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return strerror(errno);
	close(fd);
	return NULL;
}

/* KVM_GET_DIRTY_LOG succeeds only while the slot logs (ENOENT otherwise). */
static int dirty_log(struct vm *vm, uint32_t slot)
{
	static uint64_t bitmap[(64ULL << 20) / PG / 64];
	struct kvm_dirty_log l = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &l) < 0 ? -errno : 0;
}

static void test_live_vm(void **state)
{
	struct vm_config cfg = { .mem_size = BOOT_RAM_MAX + (64ULL << 20), .backing = GUEST_BACKING_4K };
	static struct vm vm;
	struct stat st0, st1;
	char err[512];
	const char *why = kvm_missing();
	uint8_t *p;
	(void)state;

	if (why) {
		fprintf(stderr, "skipped: /dev/kvm: %s\n", why);
		skip();
	}
	if (vm_create(&vm, &cfg, err, sizeof(err)) != OUTCOME_OK) {
		fprintf(stderr, "vm_create: %s\n", err);
		vm_destroy(&vm);
		fail();
	}
	assert_int_equal(vm.mem.size, BOOT_RAM_MAX);
	assert_int_equal(vm.mem.high_size, 64ULL << 20);

	assert_int_equal(dirty_log(&vm, GUEST_MEM_SLOT_HIGH), -ENOENT);
	assert_int_equal(vm_request(&vm, START, HI, PG), 0);
	assert_int_equal(dirty_log(&vm, GUEST_MEM_SLOT_HIGH), 0);
	assert_int_equal(vm_request(&vm, START, HI + PG, PG), 0); /* already on: no-op */
	assert_int_equal(vm_request(&vm, STOP, HI, 64ULL << 20), 0);
	assert_int_equal(dirty_log(&vm, GUEST_MEM_SLOT_HIGH), -ENOENT);
	assert_int_equal(vm_request(&vm, START, 0x100000, PG), -EPERM);
	assert_int_equal(dirty_log(&vm, GUEST_MEM_SLOT_LOW), -ENOENT);
	assert_int_equal(vm_request(&vm, START, HI + (64ULL << 20), PG), -EINVAL);

	/* A discard gives the pages back: zero on the next read, fewer blocks in the memfd. */
	p = guest_mem_ptr(&vm.mem, HI + 8 * PG, 4 * PG);
	assert_non_null(p);
	memset(p, 0x5a, 4 * PG);
	assert_int_equal(fstat(vm.mem.memfd, &st0), 0);
	assert_int_equal(vm_request(&vm, DISCARD, HI + 9 * PG, 2 * PG), 0);
	assert_int_equal(fstat(vm.mem.memfd, &st1), 0);
	assert_true(st1.st_blocks < st0.st_blocks);
	assert_int_equal(p[0], 0x5a);
	assert_int_equal(p[PG], 0);
	assert_int_equal(p[3 * PG - 1], 0);
	assert_int_equal(p[3 * PG], 0x5a);
	assert_int_equal(vm_request(&vm, DISCARD, HI + 9 * PG + 1, PG), -EINVAL);
	vm_destroy(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_ok),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_live_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
