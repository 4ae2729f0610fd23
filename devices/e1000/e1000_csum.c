// SPDX-License-Identifier: MIT
/*
 * The two sums the e1000 computes on frames: the 16-bit ones'-complement
 * Internet checksum (TX checksum insertion, the RX packet checksum) and the
 * Ethernet FCS (CRC-32, appended to received frames unless RCTL.SECRC strips
 * it).  Both take eight bytes a step: a byte at a time they were most of the
 * RX thread's time per frame, more than the copies the model exists for.
 */
#include "devices/e1000/e1000_priv.h"

/*
 * Add bytes as big-endian 16-bit words, the first byte the high one.  The
 * ones'-complement sum does not depend on byte order but for a final swap
 * (RFC 1071, 2(B)), so the body is summed as little-endian 64-bit words with
 * the carries added back, folded to 16 bits and swapped; the last len % 8
 * bytes (pairs from an even offset, as before) go a word at a time.  The
 * result is zero only if every byte and sum are, so e1000_csum_fold gives
 * the same checksum as a word-by-word sum.
 */
uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0, w, t;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		s += w;
		s += s < w;     /* end-around carry */
	}
	s = (s & 0xFFFFFFFFu) + (s >> 32);
	s = (s & 0xFFFFFFFFu) + (s >> 32);
	s = (s & 0xFFFF) + (s >> 16);
	s = (s & 0xFFFF) + (s >> 16);
	s = (s & 0xFFFF) + (s >> 16);
	t = (uint64_t)sum + (uint16_t)(s << 8 | s >> 8);
	for (; i + 1 < len; i += 2)
		t += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		t += (uint32_t)p[len - 1] << 8;
	while (t >> 32)
		t = (t & 0xFFFFFFFFu) + (t >> 32);
	return (uint32_t)t;
}

uint16_t e1000_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

/* crc_table[k][b]: the CRC of byte b followed by k zero bytes (slicing by 8). */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xFF];
}

/* IEEE 802.3 CRC-32 (reflected, init and final xor all-ones); sent least significant byte first. */
uint32_t e1000_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i = 0;

	pthread_once(&crc_once, crc_table_init);
	for (; i + 8 <= len; i += 8) {
		uint32_t lo = e1000_le32(p + i) ^ c, hi = e1000_le32(p + i + 4);

		c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^ crc_table[5][(lo >> 16) & 0xFF] ^
		    crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF] ^
		    crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
	}
	for (; i < len; i++)
		c = crc_table[0][(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}
