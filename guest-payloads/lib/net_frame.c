// SPDX-License-Identifier: MIT
/* Filling and checking exitlab test frames (net_frame.h). */
#include "net_frame.h"

void net_frame_fill(uint8_t *f, uint32_t len, uint32_t seq, const uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		f[i] = 0xff;
		f[6 + i] = mac[i];
	}
	f[12] = NET_ETHERTYPE >> 8;
	f[13] = NET_ETHERTYPE & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	for (uint32_t i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 31u + i);
}

bool net_frame_check(const uint8_t *f, uint32_t len, uint32_t *seq)
{
	uint32_t s;

	if (len < 18 || f[12] != (NET_ETHERTYPE >> 8) || f[13] != (NET_ETHERTYPE & 0xff))
		return false;
	s = (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
	for (uint32_t i = 18; i < len; i++)
		if (f[i] != (uint8_t)(s * 31u + i))
			return false;
	if (seq)
		*seq = s;
	return true;
}
