/* SPDX-License-Identifier: MIT */
/*
 * The blk payload's data pattern, by LBA, so that a read phase (and the host,
 * in the image afterwards) can check every byte: in each 512-byte sector,
 * bytes 0..7 are the LBA (little-endian) and byte j >= 8 is (lba * 7 + j) & 0xff.
 */
#ifndef GUEST_BLK_PATTERN_H
#define GUEST_BLK_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_PATTERN_SECTOR 512

/* Fill `sectors` sectors at buf with the pattern of lba, lba + 1, ... */
void blk_pattern_fill(uint8_t *buf, uint64_t lba, uint32_t sectors);
/* true if every byte of the `sectors` sectors at buf follows the pattern from lba on. */
bool blk_pattern_check(const uint8_t *buf, uint64_t lba, uint32_t sectors);

#endif
