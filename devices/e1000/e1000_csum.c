// SPDX-License-Identifier: MIT
/*
 * The two sums the e1000 computes on frames: the 16-bit ones'-complement
 * Internet checksum (TX checksum insertion) and the Ethernet FCS (CRC-32,
 * appended to received frames unless RCTL.SECRC strips it).
 */
#include "e1000_priv.h"

/* Add bytes as big-endian 16-bit words, the first byte the high one. */
uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xFFFFFFFFu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t e1000_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* IEEE 802.3 CRC-32 (reflected, init and final xor all-ones); sent least significant byte first. */
uint32_t e1000_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;

	pthread_once(&crc_once, crc_table_init);
	for (size_t i = 0; i < len; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}
