// SPDX-License-Identifier: MIT
/*
 * Unit tests for the platform's timers: devices/platform/pm_timer.c (the
 * ACPI PM timer the VMM emulates) on a clock the test moves, and
 * vmm/kvm_pit.c (KVM_CREATE_PIT2) through its ioctl seam, and the
 * TSC-deadline bit vmm/boot_x86.c adds to the guest's CPUID.
 */
#include <stdlib.h>
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/platform/pm_timer.h"
#include "vmm/boot_x86.h"
#include "vmm/kvm_pit.h"

static uint64_t fake_ns;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static void test_pm_timer_value(void **state)
{
	(void)state;
	assert_int_equal(pm_timer_value(0), 0);
	assert_int_equal(pm_timer_value(1000000000ull), PM_TIMER_HZ & PM_TIMER_MASK); /* one second */
	assert_int_equal(pm_timer_value(1000ull), 3);                                 /* 3.58 ticks */
	/* 24 bits wrap after 2^24 / 3579545 s = 4.687 s */
	assert_int_equal(pm_timer_value(4687500000ull), (uint32_t)(4687500000ull * PM_TIMER_HZ / 1000000000ull) & PM_TIMER_MASK);
	assert_int_equal(pm_timer_value(4687500000ull), 16779117 - 16777216); /* wrapped */
	/* past 2^64 / 3579545 ns (85 minutes) the product needs more than 64 bits */
	assert_int_equal(pm_timer_value(6000ull * 1000000000ull),
			 (uint32_t)((unsigned __int128)6000 * PM_TIMER_HZ) & PM_TIMER_MASK);
}

static void test_pm_timer_reads(void **state)
{
	struct pm_timer t;
	uint32_t v = 0xdeadbeef;
	uint8_t b = 0;

	(void)state;
	fake_ns = 5000;
	pm_timer_init(&t, fake_clock);
	assert_int_equal(pm_timer_bus_ops.read(&t, 0, &v, 4), 0);
	assert_int_equal(v, 0); /* counts from its start */
	fake_ns += 1000000000ull;
	assert_int_equal(pm_timer_bus_ops.read(&t, 0, &v, 4), 0);
	assert_int_equal(v, PM_TIMER_HZ & PM_TIMER_MASK);
	assert_int_equal(pm_timer_bus_ops.read(&t, 1, &b, 1), 0); /* byte 1 of the same value */
	assert_int_equal(b, (PM_TIMER_HZ >> 8) & 0xff);
	assert_int_equal(pm_timer_bus_ops.write(&t, 0, &v, 4), 0); /* read-only: ignored, counted */
	assert_int_equal(t.reads, 3);
	assert_int_equal(t.writes, 1);
}

static void test_pm_timer_monotonic_clock(void **state)
{
	struct pm_timer t;
	uint32_t a, b;

	(void)state;
	pm_timer_init(&t, NULL);
	assert_int_equal(pm_timer_bus_ops.read(&t, 0, &a, 4), 0);
	assert_int_equal(pm_timer_bus_ops.read(&t, 0, &b, 4), 0);
	assert_true(a <= PM_TIMER_MASK && b <= PM_TIMER_MASK);
	assert_true(b >= a); /* no wrap within the first 4.6 s */
}

/* The ioctl seam: what the PIT path asked, what it is answered. */
static struct {
	int check_ret, create_ret, create_errno;
	int checks, creates, create_fd;
	unsigned long cap;
	uint32_t flags;
} io;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (req == KVM_CHECK_EXTENSION) {
		io.checks++;
		io.cap = (unsigned long)arg;
		return io.check_ret;
	}
	if (req == KVM_CREATE_PIT2) {
		io.creates++;
		io.create_fd = fd;
		io.flags = ((struct kvm_pit_config *)arg)->flags;
		errno = io.create_errno;
		return io.create_ret;
	}
	fail_msg("unexpected ioctl 0x%lx", req);
	return -1;
}

static void test_pit_created(void **state)
{
	char err[128] = "";

	(void)state;
	memset(&io, 0, sizeof(io));
	io.check_ret = 1;
	assert_int_equal(kvm_pit_create(3, 7, fake_ioctl, err, sizeof(err)), 1);
	assert_int_equal(io.cap, KVM_CAP_PIT2);
	assert_int_equal(io.creates, 1);
	assert_int_equal(io.create_fd, 7); /* on the VM fd */
	assert_int_equal(io.flags, 0);
}

static void test_pit_not_offered(void **state)
{
	char err[128] = "";

	(void)state;
	memset(&io, 0, sizeof(io));
	io.check_ret = 0;
	assert_int_equal(kvm_pit_create(3, 7, fake_ioctl, err, sizeof(err)), 0);
	assert_int_equal(io.creates, 0);
	assert_non_null(strstr(err, "KVM_CAP_PIT2"));
}

static void test_pit_create_fails(void **state)
{
	char err[128] = "";

	(void)state;
	memset(&io, 0, sizeof(io));
	io.check_ret = 1;
	io.create_ret = -1;
	io.create_errno = EEXIST;
	assert_int_equal(kvm_pit_create(3, 7, fake_ioctl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "KVM_CREATE_PIT2"));
	assert_non_null(strstr(err, strerror(EEXIST)));
}

static void test_cpuid_tsc_deadline(void **state)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 3 * sizeof(c->entries[0]));

	(void)state;
	assert_non_null(c);
	c->nent = 3;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 0, .ecx = 0x6c65746e };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = 1u << 21 };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 7, .ecx = 0 };
	boot_cpuid_set_tsc_deadline(c);
	assert_int_equal(c->entries[1].ecx, (1u << 21) | CPUID1_ECX_TSC_DEADLINE); /* x2APIC kept */
	assert_int_equal(c->entries[0].ecx, 0x6c65746e);
	assert_int_equal(c->entries[2].ecx, 0);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pm_timer_value),
		cmocka_unit_test(test_pm_timer_reads),
		cmocka_unit_test(test_pm_timer_monotonic_clock),
		cmocka_unit_test(test_pit_created),
		cmocka_unit_test(test_pit_not_offered),
		cmocka_unit_test(test_pit_create_fails),
		cmocka_unit_test(test_cpuid_tsc_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
