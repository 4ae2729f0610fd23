// SPDX-License-Identifier: MIT
/*
 * Filling and checking exitlab test frames (net_frame.h) eight bytes at a
 * time: the pattern is a 256-periodic ramp, so every run of it is a slice of
 * one table, and the guest's share of a frame's cost stays a few word copies
 * instead of one store per byte.
 */
#include "net_frame.h"

#define HDR 18 /* Ethernet header and seq; the pattern starts here */

/* ramp[k] = k & 0xff: the pattern of a frame from any phase, for a whole frame. */
static uint8_t ramp[256 + NET_FRAME_MAX + 8];
static bool ramp_ready;

static const uint8_t *ramp_at(uint32_t seq)
{
	if (!ramp_ready) {
		for (uint32_t k = 0; k < sizeof(ramp); k++)
			ramp[k] = (uint8_t)k;
		ramp_ready = true;
	}
	/* byte i of frame seq is (seq * 31 + i) & 0xff: ramp[(seq * 31 + HDR) & 0xff + (i - HDR)] */
	return ramp + (uint8_t)(seq * 31u + HDR);
}

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void st64(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

void net_frame_fill(uint8_t *f, uint32_t len, uint32_t seq, const uint8_t mac[6])
{
	const uint8_t *r;
	uint32_t i = HDR;

	for (int k = 0; k < 6; k++) {
		f[k] = 0xff;
		f[6 + k] = mac[k];
	}
	f[12] = NET_ETHERTYPE >> 8;
	f[13] = NET_ETHERTYPE & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	if (len > NET_FRAME_MAX)
		len = NET_FRAME_MAX;
	r = ramp_at(seq) - HDR;
	for (; i + 8 <= len; i += 8)
		st64(f + i, ld64(r + i));
	for (; i < len; i++)
		f[i] = r[i];
}

bool net_frame_check(const uint8_t *f, uint32_t len, uint32_t *seq)
{
	const uint8_t *r;
	uint32_t s, i = HDR;

	if (len < HDR || len > NET_FRAME_MAX || f[12] != (NET_ETHERTYPE >> 8) ||
	    f[13] != (NET_ETHERTYPE & 0xff))
		return false;
	s = (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
	r = ramp_at(s) - HDR;
	for (; i + 8 <= len; i += 8)
		if (ld64(f + i) != ld64(r + i))
			return false;
	for (; i < len; i++)
		if (f[i] != r[i])
			return false;
	if (seq)
		*seq = s;
	return true;
}
