// SPDX-License-Identifier: MIT
/*
 * vmm/vm_slot.c without a VM: the argument checks (page alignment, size 0,
 * wrap-around), slot numbers handed out and given back on failure, and
 * vm_slot_unmap refusing slots it did not hand out (guest RAM's among them).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/vm.h"

static void test_checks(void **state)
{
	struct vm vm;
	static uint8_t page[8192] __attribute__((aligned(4096)));

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = -1;
	assert_int_equal(vm_slot_map(&vm, 0xd0000000, 0, page), -EINVAL);
	assert_int_equal(vm_slot_map(&vm, 0xd0000100, 4096, page), -EINVAL);
	assert_int_equal(vm_slot_map(&vm, 0xd0000000, 100, page), -EINVAL);
	assert_int_equal(vm_slot_map(&vm, 0xd0000000, 4096, page + 1), -EINVAL);
	assert_int_equal(vm_slot_map(&vm, ~0xfffULL, 8192, page), -EINVAL);
	/* a well-formed request reaches KVM (here: no VM fd) and gives its slot back */
	assert_int_equal(vm_slot_map(&vm, 0xd0000000, 4096, page), -EBADF);
	assert_int_equal(vm.extra_slots, 0);
	/* only slots handed out may be removed: never guest RAM's 0 and 1 */
	assert_int_equal(vm_slot_unmap(&vm, 0), -EINVAL);
	assert_int_equal(vm_slot_unmap(&vm, 1), -EINVAL);
	assert_int_equal(vm_slot_unmap(&vm, VM_EXTRA_SLOT_BASE), -EINVAL);
	assert_int_equal(vm_slot_unmap(&vm, VM_EXTRA_SLOT_BASE + VM_EXTRA_SLOTS), -EINVAL);
	assert_int_equal(vm_slot_unmap(&vm, -1), -EINVAL);
	/* all taken: -ENOSPC */
	vm.extra_slots = ~0ULL;
	assert_int_equal(vm_slot_map(&vm, 0xd0000000, 4096, page), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
