// SPDX-License-Identifier: MIT
/*
 * Filling and checking exitlab test frames (net_frame.h): the pattern is a
 * 256-periodic ramp, so every run of it is a slice of one table; a frame is
 * filled by one string copy out of it (rep movsb, which moves whole cache
 * lines where it can: faster than a loop of 8-byte stores into buffers whose
 * lines the device's core has just read; docs/devices.md) and checked eight
 * bytes at a time against it.
 */
#include "net_frame.h"

#define HDR 18 /* Ethernet header and seq; the pattern starts here */

/* ramp[k] = k & 0xff: the pattern of a frame from any phase, for a whole frame. */
static uint8_t ramp[256 + NET_FRAME_MAX + 8];
static bool ramp_ready;
bool net_frame_fill_payload = true;

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
	if (len > i && net_frame_fill_payload) {
		/* rep movsb: the CPU's own fast string copy (whole lines at a time where it can) */
		uint8_t *d = f + i;
		const uint8_t *sr = r + i;
		uint64_t n = len - i;

		asm volatile("rep movsb" : "+D"(d), "+S"(sr), "+c"(n) : : "memory");
	}
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
