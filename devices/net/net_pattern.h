/* SPDX-License-Identifier: MIT */
/*
 * The test-frame pattern (net_pattern_byte in net_backend.h) at memory
 * speed: byte i of frame seq is (seq * 31 + i) & 0xff, so any run of it is a
 * run of a 256-periodic ramp, and filling or checking one is a memcpy or a
 * memcmp against a table instead of a call per byte.
 */
#ifndef EXITLAB_NET_PATTERN_H
#define EXITLAB_NET_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* dst[0..len) = the pattern of frame seq at positions from..from+len. */
void net_pattern_fill(uint8_t *dst, uint32_t seq, size_t from, size_t len);
/* Whether p[0..len) is the pattern of frame seq at positions from..from+len. */
bool net_pattern_matches(const uint8_t *p, uint32_t seq, size_t from, size_t len);

#endif
