// SPDX-License-Identifier: MIT
/*
 * vmm/guest_mem.c and vmm/host_mem.c without a VM: address translation over
 * low RAM, the hole and high RAM; slot lookup; a real 4k memfd (no KVM
 * needed) with high RAM and a discard; host memory file parsing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/guest_mem.h"
#include "vmm/host_mem.h"

#define PG 4096ULL
#define HI BOOT_HIGH_MEM_GPA

/* Four pages of low RAM, two of high RAM, laid out as guest_mem_create would. */
static uint8_t buf[6 * PG];
static const struct guest_mem fake = {
	.memfd = -1, .host = buf, .size = 4 * PG, .high_size = 2 * PG, .page_size = PG,
};

static void test_ptr_low_and_high(void **state)
{
	(void)state;
	assert_ptr_equal(guest_mem_ptr(&fake, 0, 4 * PG), buf);
	assert_ptr_equal(guest_mem_ptr(&fake, PG, 8), buf + PG);
	assert_ptr_equal(guest_mem_ptr(&fake, 4 * PG - 1, 1), buf + 4 * PG - 1);
	assert_ptr_equal(guest_mem_ptr(&fake, HI, 2 * PG), buf + 4 * PG);
	assert_ptr_equal(guest_mem_ptr(&fake, HI + PG + 7, 9), buf + 5 * PG + 7);
	assert_ptr_equal(guest_mem_ptr(&fake, HI + 2 * PG - 1, 1), buf + 6 * PG - 1);
}

static void test_ptr_refuses(void **state)
{
	(void)state;
	/* past low RAM, in the hole, straddling either end, past high RAM */
	assert_null(guest_mem_ptr(&fake, 4 * PG - 1, 2));
	assert_null(guest_mem_ptr(&fake, 4 * PG, 1));
	assert_null(guest_mem_ptr(&fake, BOOT_MMIO_BASE, 4));
	assert_null(guest_mem_ptr(&fake, HI - 1, 2));
	assert_null(guest_mem_ptr(&fake, HI - 4 * PG, 5 * PG));
	assert_null(guest_mem_ptr(&fake, HI + 2 * PG - 1, 2));
	assert_null(guest_mem_ptr(&fake, HI + 2 * PG, 1));
	/* a low range whose length would reach high RAM through the hole */
	assert_null(guest_mem_ptr(&fake, 0, HI + PG));
	/* wrap-around */
	assert_null(guest_mem_ptr(&fake, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&fake, HI + PG, UINT64_MAX));
	assert_null(guest_mem_ptr(&fake, 8, UINT64_MAX - 4));
}

static void test_ptr_no_high(void **state)
{
	struct guest_mem m = fake;
	(void)state;

	m.high_size = 0;
	assert_non_null(guest_mem_ptr(&m, 0, 8));
	assert_null(guest_mem_ptr(&m, HI, 1));
	assert_null(guest_mem_ptr(&m, HI, 0));
}

static void test_locate(void **state)
{
	uint32_t slot = 99;
	uint64_t off = 99;
	(void)state;

	assert_int_equal(guest_mem_locate(&fake, PG, PG, &slot, &off), 0);
	assert_int_equal(slot, GUEST_MEM_SLOT_LOW);
	assert_int_equal(off, PG);
	assert_int_equal(guest_mem_locate(&fake, HI + PG, PG, &slot, &off), 0);
	assert_int_equal(slot, GUEST_MEM_SLOT_HIGH);
	assert_int_equal(off, 5 * PG); /* after all of low RAM in the memfd */
	assert_int_equal(guest_mem_locate(&fake, 0, 0, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, 3 * PG, 2 * PG, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, 0, HI + PG, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, 4 * PG, 1, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, HI + 2 * PG, 1, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, HI + PG, UINT64_MAX, &slot, &off), -EINVAL);
	assert_int_equal(guest_mem_locate(&fake, UINT64_MAX, 1, &slot, &off), -EINVAL);
}

static void test_backing_names(void **state)
{
	static const char *const names[] = { "4k", "thp", "hugetlb-2m", "hugetlb-1g" };
	enum guest_backing b;
	(void)state;

	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(guest_backing_parse(names[i], &b), 0);
		assert_string_equal(guest_backing_name(b), names[i]);
	}
	assert_int_equal(guest_backing_parse("2m", &b), -1);
	assert_int_equal(guest_backing_parse("", &b), -1);
}

/* A real memfd, 4k-backed: rounding, one file for both ranges, discard. */
static void test_memfd_high_and_discard(void **state)
{
	struct guest_mem m;
	struct stat st;
	char err[256];
	uint8_t *lo, *hi, back;
	(void)state;

	assert_int_equal(guest_mem_create(&m, 5000, 3 * PG + 1, GUEST_BACKING_4K, err, sizeof(err)),
			 OUTCOME_OK);
	assert_int_equal(m.size, 2 * PG);
	assert_int_equal(m.high_size, 4 * PG);
	assert_int_equal(m.page_size, PG);
	assert_int_equal(fstat(m.memfd, &st), 0);
	assert_int_equal(st.st_size, 6 * PG);

	lo = guest_mem_ptr(&m, 0, 2 * PG);
	hi = guest_mem_ptr(&m, HI, 4 * PG);
	assert_non_null(lo);
	assert_non_null(hi);
	memset(lo, 0x11, 2 * PG);
	memset(hi, 0x22, 4 * PG);
	/* High RAM sits right after low RAM in the one memfd (what vhost-user will map). */
	assert_int_equal(pread(m.memfd, &back, 1, 2 * PG), 1);
	assert_int_equal(back, 0x22);

	assert_int_equal(guest_mem_discard(&m, 3 * PG, PG), 0);
	assert_int_equal(hi[PG], 0);
	assert_int_equal(hi[PG - 1], 0x22);
	assert_int_equal(hi[2 * PG], 0x22);
	assert_int_equal(lo[0], 0x11);
	assert_int_equal(guest_mem_discard(&m, 6 * PG, 1), -EINVAL);
	assert_int_equal(guest_mem_discard(&m, PG, UINT64_MAX), -EINVAL);
	assert_int_equal(guest_mem_discard(&m, 0, 0), -EINVAL);
	guest_mem_destroy(&m);
}

static void test_create_refuses(void **state)
{
	struct guest_mem m;
	char err[256];
	(void)state;

	/* Wrong requests, not a host that lacks something. */
	assert_int_equal(guest_mem_create(&m, 0, 0, GUEST_BACKING_4K, err, sizeof(err)), OUTCOME_FAILED);
	assert_int_equal(guest_mem_create(&m, BOOT_RAM_MAX + PG, 0, GUEST_BACKING_4K, err, sizeof(err)),
			 OUTCOME_FAILED);
	assert_int_equal(guest_mem_create(&m, PG, GUEST_MEM_MAX, GUEST_BACKING_4K, err, sizeof(err)),
			 OUTCOME_FAILED);
	assert_int_equal(guest_mem_create(&m, PG, UINT64_MAX, GUEST_BACKING_4K, err, sizeof(err)),
			 OUTCOME_FAILED);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/exitlab-test-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_meminfo_parse(void **state)
{
	char *p = write_tmp("MemTotal:       24684096 kB\nMemFree:  1 kB\nSwapTotal:  0 kB\n"
			    "Hugepagesize:       2048 kB\nBad: x kB\n");
	uint64_t kb = 7;
	(void)state;

	assert_int_equal(host_mem_meminfo_kb(p, "MemTotal", &kb), 0);
	assert_int_equal(kb, 24684096);
	assert_int_equal(host_mem_meminfo_kb(p, "SwapTotal", &kb), 0);
	assert_int_equal(kb, 0);
	assert_int_equal(host_mem_meminfo_kb(p, "Hugepagesize", &kb), 0);
	assert_int_equal(kb, 2048);
	assert_int_equal(host_mem_meminfo_kb(p, "Mem", &kb), -ENOENT);
	assert_int_equal(host_mem_meminfo_kb(p, "Bad", &kb), -EINVAL);
	assert_int_equal(host_mem_meminfo_kb("/nonexistent/meminfo", "MemTotal", &kb), -ENOENT);
	unlink(p);
	free(p);
}

static void test_policy_parse(void **state)
{
	char v[16];
	(void)state;

	assert_int_equal(host_mem_policy_parse("always within_size advise [never] deny force\n", v,
					       sizeof(v)), 0);
	assert_string_equal(v, "never");
	assert_int_equal(host_mem_policy_parse("[always] madvise never", v, sizeof(v)), 0);
	assert_string_equal(v, "always");
	assert_int_equal(host_mem_policy_parse("always madvise never", v, sizeof(v)), -EINVAL);
	assert_int_equal(host_mem_policy_parse("a [] b", v, sizeof(v)), -EINVAL);
	assert_int_equal(host_mem_policy_parse("a [unterminated", v, sizeof(v)), -EINVAL);
	assert_int_equal(host_mem_policy_parse("[waytoolongforthebuffer]", v, sizeof(v)), -EINVAL);
	assert_true(host_mem_shmem_thp_allows_madvise("advise"));
	assert_true(host_mem_shmem_thp_allows_madvise("within_size"));
	assert_true(host_mem_shmem_thp_allows_madvise("always"));
	assert_true(host_mem_shmem_thp_allows_madvise("force"));
	assert_false(host_mem_shmem_thp_allows_madvise("never"));
	assert_false(host_mem_shmem_thp_allows_madvise("deny"));
	assert_false(host_mem_shmem_thp_allows_madvise("inherit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptr_low_and_high),
		cmocka_unit_test(test_ptr_refuses),
		cmocka_unit_test(test_ptr_no_high),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_backing_names),
		cmocka_unit_test(test_memfd_high_and_discard),
		cmocka_unit_test(test_create_refuses),
		cmocka_unit_test(test_meminfo_parse),
		cmocka_unit_test(test_policy_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
