/* SPDX-License-Identifier: MIT */
/*
 * exitlab's test frames (devices/net/net_backend.h, net_pattern_byte):
 * broadcast destination, our MAC as source, ethertype 0x88B5 (local
 * experimental), a 32-bit big-endian sequence number at bytes 14..17, then
 * byte i = (seq * 31 + i) & 0xff, so any receiver can check the contents.
 */
#ifndef GUEST_NET_FRAME_H
#define GUEST_NET_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define NET_ETHERTYPE 0x88b5
#define NET_FRAME_MIN 60
#define NET_FRAME_MAX 1514

void net_frame_fill(uint8_t *f, uint32_t len, uint32_t seq, const uint8_t mac[6]);
/*
 * false: net_frame_fill writes the header and seq only, the payload being
 * whatever the buffer held (the net payload's fill=0): the data path measured
 * without the harness's writes, for a receiver that does not check (the sink
 * with check=0).  true by default.
 */
extern bool net_frame_fill_payload;
/* true if f holds an exitlab frame of len bytes with a correct pattern; *seq gets its number. */
bool net_frame_check(const uint8_t *f, uint32_t len, uint32_t *seq);

#endif
