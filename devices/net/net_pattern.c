// SPDX-License-Identifier: MIT
#include <string.h>

#include "devices/net/net_backend.h"
#include "devices/net/net_pattern.h"

/* Compared or copied a chunk at a time: the ramp repeats every 256 bytes. */
#define CHUNK 4096

/* ramp[k] = k & 0xff, long enough for a chunk starting at any phase. */
static uint8_t ramp[256 + CHUNK];

__attribute__((constructor)) static void ramp_init(void)
{
	for (size_t k = 0; k < sizeof(ramp); k++)
		ramp[k] = (uint8_t)k;
}

/* Where in the ramp position `from` of frame seq starts. */
static const uint8_t *phase(uint32_t seq, size_t from)
{
	return ramp + net_pattern_byte(seq, from);
}

void net_pattern_fill(uint8_t *dst, uint32_t seq, size_t from, size_t len)
{
	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;

		memcpy(dst, phase(seq, from), n);
		dst += n;
		from += n;
		len -= n;
	}
}

bool net_pattern_matches(const uint8_t *p, uint32_t seq, size_t from, size_t len)
{
	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;

		if (memcmp(p, phase(seq, from), n))
			return false;
		p += n;
		from += n;
		len -= n;
	}
	return true;
}
