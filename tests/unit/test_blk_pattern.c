/* SPDX-License-Identifier: MIT */
/*
 * The blk payload's data pattern (guest-payloads/lib/blk_pattern.c),
 * compiled for the host: the fill gives every byte the formula of
 * blk_pattern.h (what the integration tests check in the image), the check
 * accepts it, and any one corrupted byte, in the LBA or in the ramp, at any
 * offset of a sector, or a sector from another LBA, is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest-payloads/lib/blk_pattern.c"

#define SEC BLK_PATTERN_SECTOR

/* The formula, a byte at a time. */
static uint8_t want(uint64_t lba, uint32_t j)
{
	return j < 8 ? (uint8_t)(lba >> (8 * j)) : (uint8_t)(lba * 7 + j);
}

static void test_fill_follows_the_formula(void **state)
{
	static const uint64_t lbas[] = { 0, 1, 36, 37, 255, 256, 0x123456789abcull, ~0ull - 3 };
	static uint8_t buf[16 * SEC];

	(void)state;
	for (size_t k = 0; k < sizeof(lbas) / sizeof(lbas[0]); k++) {
		for (uint32_t n = 1; n <= 16; n *= 4) {
			memset(buf, 0xa5, sizeof(buf));
			blk_pattern_fill(buf, lbas[k], n);
			for (uint32_t i = 0; i < n * SEC; i++)
				if (buf[i] != want(lbas[k] + i / SEC, i % SEC))
					fail_msg("lba %llu, %u sectors: byte %u is 0x%02x, want 0x%02x",
						 (unsigned long long)lbas[k], n, i, buf[i], want(lbas[k] + i / SEC, i % SEC));
			/* the fill stays inside its sectors */
			for (uint32_t i = n * SEC; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xa5);
			assert_true(blk_pattern_check(buf, lbas[k], n));
		}
	}
}

static void test_check_catches_every_byte(void **state)
{
	static uint8_t buf[4 * SEC];

	(void)state;
	blk_pattern_fill(buf, 1000, 4);
	/* every byte of every sector, the LBA words and the ramp, first and last word included */
	for (uint32_t i = 0; i < sizeof(buf); i++) {
		buf[i] ^= 0x01;
		if (blk_pattern_check(buf, 1000, 4))
			fail_msg("a flipped byte %u (sector %u, offset %u) was not caught", i, i / SEC, i % SEC);
		buf[i] ^= 0x80 | 0x01;
		if (blk_pattern_check(buf, 1000, 4))
			fail_msg("a flipped high bit at byte %u was not caught", i);
		buf[i] ^= 0x80;
	}
	assert_true(blk_pattern_check(buf, 1000, 4));
}

static void test_check_catches_the_wrong_lba(void **state)
{
	static uint8_t buf[2 * SEC];

	(void)state;
	blk_pattern_fill(buf, 77, 2);
	assert_false(blk_pattern_check(buf, 76, 2));
	assert_false(blk_pattern_check(buf, 78, 1));
	assert_true(blk_pattern_check(buf + SEC, 78, 1));
	/* a sector holding another LBA's ramp under the right LBA (a stale or misplaced write) */
	blk_pattern_fill(buf + SEC, 79, 1);
	memcpy(buf + SEC, &(uint64_t){ 78 }, 8);
	assert_false(blk_pattern_check(buf, 77, 2));
	/* an all-zero sector (a read from a hole) */
	memset(buf, 0, SEC);
	assert_false(blk_pattern_check(buf, 0, 1));
	/* no sectors: nothing to check */
	assert_true(blk_pattern_check(buf, 5, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_follows_the_formula),
		cmocka_unit_test(test_check_catches_every_byte),
		cmocka_unit_test(test_check_catches_the_wrong_lba),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
