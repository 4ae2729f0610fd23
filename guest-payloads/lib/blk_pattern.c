// SPDX-License-Identifier: MIT
/*
 * The blk payload's data pattern (blk_pattern.h), filled and checked a
 * sector at a time from one table: bytes 8..511 of a sector are a run of a
 * 256-periodic ramp, so a fill is the LBA and one copy out of the table
 * (memcpy: rep movsb, one instruction even where CPL0 is emulated) and a
 * check is 64 word compares, instead of a store or a compare per byte,
 * which made the pattern the larger part of a 64 KiB I/O's time.
 */
#include "blk_pattern.h"
#include "string.h"

/* ramp[k] = k & 0xff: byte j of a sector of lba is ramp[(lba * 7) & 0xff + j]. */
static uint8_t ramp[256 + BLK_PATTERN_SECTOR];
static bool ramp_ready;

static const uint8_t *ramp_at(uint64_t lba)
{
	if (!ramp_ready) {
		for (uint32_t k = 0; k < sizeof(ramp); k++)
			ramp[k] = (uint8_t)k;
		ramp_ready = true;
	}
	return ramp + (uint8_t)(lba * 7);
}

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

void blk_pattern_fill(uint8_t *buf, uint64_t lba, uint32_t sectors)
{
	for (uint32_t s = 0; s < sectors; s++, lba++) {
		uint8_t *p = buf + (uint64_t)BLK_PATTERN_SECTOR * s;

		__builtin_memcpy(p, &lba, 8);
		memcpy(p + 8, ramp_at(lba) + 8, BLK_PATTERN_SECTOR - 8);
	}
}

bool blk_pattern_check(const uint8_t *buf, uint64_t lba, uint32_t sectors)
{
	for (uint32_t s = 0; s < sectors; s++, lba++) {
		const uint8_t *p = buf + (uint64_t)BLK_PATTERN_SECTOR * s, *r = ramp_at(lba);

		uint64_t diff = ld64(p) ^ lba;

		/* one test a sector, not a branch a word */
		for (uint32_t j = 8; j < BLK_PATTERN_SECTOR; j += 8)
			diff |= ld64(p + j) ^ ld64(r + j);
		if (diff)
			return false;
	}
	return true;
}
