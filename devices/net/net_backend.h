/* SPDX-License-Identifier: MIT */
/*
 * Where a NIC model's packets go and come from, independent of the model
 * (docs/architecture.md): a tap interface, an internal sink (count, check, drop), a
 * generator (produce frames at a chosen rate), or a loopback (what is sent
 * comes back).  Frames are whole Ethernet frames without any virtio-net
 * header; a backend that carries one (tap with IFF_VNET_HDR) says so in
 * `vnet_hdr_len`, and then send/recv take and give the header first.
 */
#ifndef EXITLAB_NET_BACKEND_H
#define EXITLAB_NET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "util/outcome.h"

#define NET_FRAME_MAX 65550   /* 64 KiB + Ethernet header (GSO); without offloads 1514 */

struct net_backend;

struct net_backend_ops {
	const char *kind;         /* "tap", "sink", "gen", "loop" */
	bool sends_nothing;       /* recv never yields a frame (the sink): the guest cannot receive */
	/* Send one frame (gathered). 0 sent, -EAGAIN try later (poll fd for POLLOUT), other -errno. */
	int (*send)(struct net_backend *b, const struct iovec *iov, unsigned n);
	/* Receive one frame into the iovec: its length, -EAGAIN none yet, -EMSGSIZE dropped (too big). */
	ssize_t (*recv)(struct net_backend *b, const struct iovec *iov, unsigned n);
	void (*close)(struct net_backend *b);
	/* Optional: the offloads (NET_OFFLOAD_*) frames handed to recv may use. NULL: it adds none of its own. */
	int (*set_offload)(struct net_backend *b, unsigned flags);
};

/* Offloads a vnet-header backend may hand over (the values are the kernel's TUN_F_*). */
#define NET_OFFLOAD_CSUM    0x01  /* partial checksums (VIRTIO_NET_HDR_F_NEEDS_CSUM) */
#define NET_OFFLOAD_TSO4    0x02
#define NET_OFFLOAD_TSO6    0x04
#define NET_OFFLOAD_TSO_ECN 0x08

struct net_backend_stats {
	uint64_t tx_frames, tx_bytes, tx_errors;  /* from the guest */
	uint64_t rx_frames, rx_bytes, rx_dropped; /* to the guest */
	uint64_t tx_bad_payload;                  /* sink: frames whose pattern check failed */
};

struct net_backend {
	const struct net_backend_ops *ops;
	int fd;                   /* pollable for POLLIN when a frame may be received, or -1 (always ready) */
	unsigned vnet_hdr_len;    /* 0, 10 or 12 */
	uint8_t mac[6];           /* the peer's MAC, for frames it generates */
	struct net_backend_stats stats;  /* relaxed atomics */
	void *priv;
};

/*
 * Open a backend from a spec, as given on the command line:
 *   sink[,check=1]                 drop every frame (check: verify the payload pattern)
 *   gen[,size=N][,rate=PPS][,count=N]  frames of N bytes (60..1514), at most PPS per second (0 = as fast as asked)
 *   loop                           every frame sent is received back
 *   tap,ifname=NAME[,vnet_hdr=1]   an existing or new tap (IFF_NO_PI; IFF_VNET_HDR if asked)
 * NULL with err naming the problem and *why (if given) its outcome: OUTCOME_BAD_INPUT
 * (the spec), OUTCOME_NO_HOST (no /dev/net/tun, no permission) or OUTCOME_FAILED.
 */
struct net_backend *net_backend_open(const char *spec, enum outcome *why, char *err, size_t errlen);
void net_backend_close(struct net_backend *b);
/* "52:54:00:12:34:56" (hex digits either case, colons) into mac: 0, or -EINVAL. */
int net_mac_parse(const char *s, uint8_t mac[6]);
/*
 * Narrow what the backend may hand over to what the guest negotiated: 0, or
 * -errno (a tap's TUNSETOFFLOAD refused). Backends without the op accept anything.
 */
int net_backend_set_offload(struct net_backend *b, unsigned flags);

/*
 * The payload pattern every exitlab guest fills its test frames with, so a
 * sink can check contents: byte i of the frame (i >= 14, after the Ethernet
 * header) is (seq * 31 + i) & 0xff, with seq a 32-bit big-endian counter at
 * bytes 14..17. 
 */
static inline uint8_t net_pattern_byte(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 31u + i);
}

#endif
