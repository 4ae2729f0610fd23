// SPDX-License-Identifier: MIT
/* Unit tests for vmm/linux_bzimage.c and vmm/linux_boot_params.c on crafted setup headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/linux_bzimage.h"
#include "vmm/linux_boot_params.h"

#define SECTS 4
#define KLEN  0x4000
#define IMG   ((SECTS + 1) * 512 + KLEN)

static uint8_t img[IMG];
static char err[256];

static void w(size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t r(const uint8_t *b, size_t off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

/* A 2.15 bzImage header as Debian's 6.1 kernel has it, scaled down. */
static void build(void)
{
	memset(img, 0, sizeof(img));
	img[BZ_SETUP_SECTS] = SECTS;
	w(0x1f4, KLEN / 16, 4);
	w(BZ_BOOT_FLAG, 0xaa55, 2);
	img[BZ_JUMP] = 0xeb;
	img[BZ_JUMP + 1] = 0x6a;
	w(BZ_HEADER, BZ_MAGIC, 4);
	w(BZ_VERSION, 0x020f, 2);
	img[BZ_LOADFLAGS] = BZ_LOADED_HIGH | BZ_CAN_USE_HEAP;
	w(BZ_CODE32_START, 0x100000, 4);
	w(BZ_INITRD_ADDR_MAX, 0x7fffffff, 4);
	w(BZ_KERNEL_ALIGNMENT, 0x200000, 4);
	img[BZ_RELOCATABLE] = 1;
	w(BZ_XLOADFLAGS, 0x7f, 2);
	w(BZ_CMDLINE_SIZE, 2047, 4);
	w(BZ_PREF_ADDRESS, 0x1000000, 8);
	w(BZ_INIT_SIZE, 0x3f98000, 4);
}

static void test_parse_good(void **state)
{
	struct bzimage k;

	(void)state;
	build();
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(k.version, 0x020f);
	assert_int_equal(k.setup_size, (SECTS + 1) * 512);
	assert_int_equal(k.kernel_off, (SECTS + 1) * 512);
	assert_int_equal(k.kernel_len, KLEN);
	assert_int_equal(k.hdr_end, 0x26c);
	assert_true(k.relocatable);
	assert_int_equal(k.pref_address, 0x1000000);
	assert_int_equal(k.init_size, 0x3f98000);
	assert_int_equal(k.cmdline_size, 2047);
	/* setup_sects 0 means 4 */
	img[BZ_SETUP_SECTS] = 0;
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(k.setup_size, 5 * 512);
}

static void expect_refused(size_t len, const char *why)
{
	struct bzimage k;

	err[0] = 0;
	assert_int_equal(bzimage_parse(img, len, &k, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("expected \"%s\" in \"%s\"", why, err);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	build();
	expect_refused(0x100, "shorter than a setup header");
	build();
	w(BZ_HEADER, 0x464c457f, 4);
	expect_refused(sizeof(img), "no \"HdrS\"");
	build();
	w(BZ_BOOT_FLAG, 0, 2);
	expect_refused(sizeof(img), "boot flag");
	build();
	w(BZ_VERSION, 0x0209, 2);
	expect_refused(sizeof(img), "boot protocol 2.09");
	build();
	img[BZ_LOADFLAGS] = 0;
	expect_refused(sizeof(img), "LOADED_HIGH");
	build();
	w(BZ_XLOADFLAGS, 0, 2);
	expect_refused(sizeof(img), "XLF_KERNEL_64");
	build();
	img[BZ_SETUP_SECTS] = 200;
	expect_refused(sizeof(img), "setup_sects 200");
	build();
	expect_refused((SECTS + 1) * 512, "truncated");
	build();
	expect_refused(sizeof(img) - 16, "truncated"); /* syssize says more than the file has */
	build();
	w(BZ_KERNEL_ALIGNMENT, 0x300000, 4);
	expect_refused(sizeof(img), "power of two");
}

static void test_plan(void **state)
{
	struct bzimage k;
	struct linux_plan p;

	(void)state;
	build();
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(linux_plan(&k, 256 << 20, 0, 10, &p, err, sizeof(err)), 0);
	assert_int_equal(p.load_addr, 0x1000000);
	assert_int_equal(p.entry, 0x1000200);
	assert_int_equal(p.initrd_addr, 0);
	/* the initrd as high as it fits, page-aligned */
	assert_int_equal(linux_plan(&k, 256 << 20, 5000, 10, &p, err, sizeof(err)), 0);
	assert_int_equal(p.initrd_addr, ((256ULL << 20) - 5000) & ~0xfffULL);
	assert_int_equal(p.initrd_size, 5000);
	/* below initrd_addr_max */
	w(BZ_INITRD_ADDR_MAX, 0x0fffffff, 4);
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(linux_plan(&k, 1ULL << 30, 4096, 10, &p, err, sizeof(err)), 0);
	assert_int_equal(p.initrd_addr, 0x10000000 - 4096);
	/* a kernel larger than RAM, an initrd that cannot fit, a command line too long */
	assert_int_equal(linux_plan(&k, 64 << 20, 0, 10, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "raise --mem"));
	assert_int_equal(linux_plan(&k, 96 << 20, 32 << 20, 10, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "initrd"));
	assert_int_equal(linux_plan(&k, 256 << 20, 0, 2048, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 2047"));
	/* not relocatable: 1 MiB */
	img[BZ_RELOCATABLE] = 0;
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(linux_plan(&k, 256 << 20, 0, 0, &p, err, sizeof(err)), 0);
	assert_int_equal(p.load_addr, 0x100000);
}

static void test_e820(void **state)
{
	struct linux_mem m = {
		.low_size = 256 << 20, .mailbox_gpa = 0x10000,
		.buf_gpa = (256 << 20) - (16 << 20), .buf_len = 16 << 20,
		.ecam_gpa = 0xe0000000, .ecam_len = 1 << 20,
	};
	struct e820_entry e[16];
	size_t n;

	(void)state;
	n = linux_e820_build(&m, e, 16);
	assert_int_equal(n, 9);
	assert_true(e[0].addr == 0 && e[0].size == 0x10000 && e[0].type == E820_RAM);
	assert_true(e[1].addr == 0x10000 && e[1].size == 0x1000 && e[1].type == E820_RESERVED);
	assert_true(e[2].addr == 0x11000 && e[2].size == 0x9fc00 - 0x11000 && e[2].type == E820_RAM);
	assert_true(e[3].addr == 0x9fc00 && e[3].size == 0x100000 - 0x9fc00 && e[3].type == E820_RESERVED);
	assert_true(e[4].addr == 0x100000 && e[4].size == m.buf_gpa - 0x100000 && e[4].type == E820_RAM);
	/* the buffer and the ECAM: reserved (the buffer reaches the end of low RAM) */
	assert_true(e[5].addr == m.buf_gpa && e[5].size == m.buf_len && e[5].type == E820_RESERVED);
	assert_true(e[6].addr == 0xe0000000 && e[6].type == E820_RESERVED);
	assert_true(e[7].addr == 0xfec00000 && e[7].type == E820_RESERVED);
	assert_true(e[8].addr == 0xfee00000 && e[8].type == E820_RESERVED);
	/* a full table keeps what fits */
	assert_int_equal(linux_e820_build(&m, e, 3), 3);
	/* RAM above 4 GiB comes last */
	m.high_size = 1 << 30;
	n = linux_e820_build(&m, e, 16);
	assert_int_equal(n, 10);
	assert_true(e[8].addr == 0xfee00000 && e[8].type == E820_RESERVED);
	assert_true(e[9].addr == 0x100000000ULL && e[9].size == 1 << 30 && e[9].type == E820_RAM);
	for (size_t i = 1; i < n; i++)
		assert_true(e[i].addr >= e[i - 1].addr + e[i - 1].size);
}

static void test_zero_page(void **state)
{
	static uint8_t zp[BP_SIZE];
	struct e820_entry e[2] = { { 0, 0x9fc00, E820_RAM }, { 0x100000, 0x1000000, E820_RAM } };
	struct linux_params p = {
		.cmdline_gpa = LINUX_CMDLINE_GPA, .load_addr = 0x1000000, .initrd_addr = 0x8000000,
		.initrd_size = 12345, .rsdp_gpa = LINUX_ACPI_GPA,
	};
	struct bzimage k;

	(void)state;
	build();
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	memset(zp, 0xee, sizeof(zp));
	linux_zero_page(zp, img, &k, &p, e, 2);
	assert_int_equal(r(zp, BZ_HEADER, 4), BZ_MAGIC);
	assert_int_equal(r(zp, BZ_VERSION, 2), 0x020f);
	assert_int_equal(zp[BZ_TYPE_OF_LOADER], 0xff);
	assert_int_equal(r(zp, BZ_VID_MODE, 2), 0xffff);
	assert_int_equal(zp[BZ_LOADFLAGS], BZ_LOADED_HIGH);
	assert_int_equal(r(zp, BZ_CODE32_START, 4), 0x1000000);
	assert_int_equal(r(zp, BZ_CMD_LINE_PTR, 4), LINUX_CMDLINE_GPA);
	assert_int_equal(r(zp, BZ_RAMDISK_IMAGE, 4), 0x8000000);
	assert_int_equal(r(zp, BZ_RAMDISK_SIZE, 4), 12345);
	assert_int_equal(r(zp, BP_ACPI_RSDP_ADDR, 8), LINUX_ACPI_GPA);
	assert_int_equal(zp[BP_E820_ENTRIES], 2);
	assert_int_equal(r(zp, BP_E820_TABLE + 20 + 8, 8), 0x1000000);
	assert_int_equal(r(zp, BP_E820_TABLE + 20 + 16, 4), E820_RAM);
	/* nothing past the header came from the image, the rest is zero */
	assert_int_equal(zp[0x26c], 0);
	assert_int_equal(zp[0], 0);
	/* before 2.14 there is no acpi_rsdp_addr */
	w(BZ_VERSION, 0x020d, 2);
	assert_int_equal(bzimage_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	linux_zero_page(zp, img, &k, &p, e, 2);
	assert_int_equal(r(zp, BP_ACPI_RSDP_ADDR, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_zero_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
