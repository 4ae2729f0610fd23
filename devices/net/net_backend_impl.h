/* SPDX-License-Identifier: MIT */
/*
 * What the net backends share behind net_backend.h and nobody else needs: the
 * parsed spec handed to each kind's opener, the openers, relaxed-atomic
 * statistics, iovec helpers, and the sink's accounting (the generator is a
 * sink on its TX side too).
 */
#ifndef EXITLAB_NET_BACKEND_IMPL_H
#define EXITLAB_NET_BACKEND_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/net/net_backend.h"

/* Keys of a spec; a bit each in net_backend_args.set (and in each kind's allowed set). */
enum {
	NET_ARG_CHECK    = 1u << 0,
	NET_ARG_SIZE     = 1u << 1,
	NET_ARG_RATE     = 1u << 2,
	NET_ARG_COUNT    = 1u << 3,
	NET_ARG_DST      = 1u << 4,
	NET_ARG_IFNAME   = 1u << 5,
	NET_ARG_VNET_HDR = 1u << 6,
};

#define NET_GEN_SIZE_MIN     60u
#define NET_GEN_SIZE_MAX     1514u
#define NET_GEN_SIZE_DEFAULT 64u
#define NET_GEN_RATE_MAX     100000000ull /* frames per second */
#define NET_IFNAME_MAX       15u          /* IFNAMSIZ - 1 */
#define NET_ETHERTYPE_EXITLAB 0x88B5u     /* IEEE local experimental ethertype 1 */
#define NET_PATTERN_START    18u          /* first pattern byte: after header (14) and seq (4) */

/* A spec after parsing: every value is in range; `set` says which keys were given. */
struct net_backend_args {
	unsigned set;
	bool check;
	bool vnet_hdr;
	unsigned size;
	uint64_t rate;
	uint64_t count;
	uint8_t dst[6];
	char ifname[NET_IFNAME_MAX + 1];
};

/*
 * Each kind fills b (ops, fd, priv, vnet_hdr_len) from the args.  b arrives
 * zeroed with fd -1 and a default mac.  OUTCOME_OK, or the outcome with err
 * after undoing everything it did (the caller frees b).
 */
typedef enum outcome net_kind_open_fn(struct net_backend *b, const struct net_backend_args *a, char *err,
				      size_t errlen);
net_kind_open_fn net_sink_open, net_gen_open, net_loop_open, net_tap_open;

static inline void net_stat_add(uint64_t *counter, uint64_t v)
{
	__atomic_fetch_add(counter, v, __ATOMIC_RELAXED);
}

/* Total bytes of an iovec; SIZE_MAX if the sum overflows. */
size_t net_iov_len(const struct iovec *iov, unsigned n);
/* Scatter len bytes of src into the iovec; how many fitted. */
size_t net_iov_scatter(const struct iovec *iov, unsigned n, const void *src, size_t len);
/* Gather at most cap bytes of the iovec into dst; how many were copied. */
size_t net_iov_gather(void *dst, size_t cap, const struct iovec *iov, unsigned n);

/* The sink's TX-side state (see net_sink.h for what the counters mean). */
struct net_sink_state {
	bool check;
	bool have_seq;            /* written by the sender, read by net_sink_stats */
	uint32_t last_seq;
	uint64_t checked, short_frames, out_of_order, lost;
};

void net_sink_state_init(struct net_sink_state *s, bool check);
/* Count one frame sent to a sink (and check it when s->check): always 0, the frame is dropped. */
int net_sink_account(struct net_backend *b, struct net_sink_state *s, const struct iovec *iov, unsigned n);

#endif
