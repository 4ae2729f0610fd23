/* SPDX-License-Identifier: MIT */
/*
 * The e1000's Internet checksum and Ethernet CRC (devices/e1000/e1000_csum.c),
 * eight bytes a step, against the definitions computed a byte (a 16-bit
 * word) at a time: every length from 0 to past two words and the frame
 * sizes around 512 and 1514, at every alignment, with seeds that carry; and
 * a corrupted byte anywhere in a 1514-byte frame changes both sums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/e1000/e1000_priv.h"

/* RFC 1071: big-endian 16-bit words, an odd last byte the high one, carries folded. */
static uint16_t ref_csum(uint32_t seed, const uint8_t *p, size_t len)
{
	uint64_t s = seed;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

/* IEEE 802.3 CRC-32, bit by bit. */
static uint32_t ref_crc(const uint8_t *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static const size_t lens[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 24, 25, 60, 63, 64, 65, 511, 512, 513,
			       1513, 1514, 1518, 9018 };
static const uint32_t seeds[] = { 0, 1, 0xFFFF, 0x1FFFE, 0x7FFFFFFF, 0xFFFFFFFF };

static void fill(uint8_t *b, size_t n, unsigned kind)
{
	srand(1000 + kind);
	for (size_t i = 0; i < n; i++)
		b[i] = kind == 0 ? (uint8_t)rand() : kind == 1 ? 0xFF : kind == 2 ? 0 : (uint8_t)(i * 31);
}

static void test_csum_matches_the_definition(void **state)
{
	static uint8_t buf[9018 + 8];

	(void)state;
	for (unsigned kind = 0; kind < 4; kind++) {
		fill(buf, sizeof(buf), kind);
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (size_t off = 0; off < 8; off++)
				for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
					uint16_t got = e1000_csum_fold(e1000_csum_add(seeds[s], buf + off, lens[l]));
					uint16_t want = ref_csum(seeds[s], buf + off, lens[l]);

					if (got != want)
						fail_msg("data %u, %zu bytes at +%zu, seed 0x%x: 0x%04x, want 0x%04x",
							 kind, lens[l], off, seeds[s], got, want);
				}
	}
	/* summed in pieces (the TX path adds the pseudo-header seed first) */
	fill(buf, sizeof(buf), 0);
	assert_int_equal(e1000_csum_fold(e1000_csum_add(e1000_csum_add(0, buf, 20), buf + 20, 1494)),
			 ref_csum(0, buf, 1514));
}

static void test_crc_matches_the_definition(void **state)
{
	static uint8_t buf[9018 + 8];

	(void)state;
	assert_int_equal(e1000_crc32((const uint8_t *)"123456789", 9), 0xCBF43926);
	for (unsigned kind = 0; kind < 4; kind++) {
		fill(buf, sizeof(buf), kind);
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (size_t off = 0; off < 8; off++) {
				uint32_t got = e1000_crc32(buf + off, lens[l]), want = ref_crc(buf + off, lens[l]);

				if (got != want)
					fail_msg("data %u, %zu bytes at +%zu: 0x%08x, want 0x%08x", kind, lens[l], off,
						 got, want);
			}
	}
}

static void test_a_corrupted_byte_changes_both(void **state)
{
	static uint8_t f[1514];
	uint32_t crc;
	uint16_t cs;

	(void)state;
	fill(f, sizeof(f), 0);
	crc = e1000_crc32(f, sizeof(f));
	cs = e1000_csum_fold(e1000_csum_add(0, f, sizeof(f)));
	for (size_t i = 0; i < sizeof(f); i++)
		for (unsigned bit = 0; bit < 8; bit += 7) {
			f[i] ^= (uint8_t)(1u << bit);
			if (e1000_crc32(f, sizeof(f)) == crc)
				fail_msg("CRC: bit %u of byte %zu flipped, not caught", bit, i);
			if (e1000_csum_fold(e1000_csum_add(0, f, sizeof(f))) == cs)
				fail_msg("checksum: bit %u of byte %zu flipped, not caught", bit, i);
			f[i] ^= (uint8_t)(1u << bit);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_matches_the_definition),
		cmocka_unit_test(test_crc_matches_the_definition),
		cmocka_unit_test(test_a_corrupted_byte_changes_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
