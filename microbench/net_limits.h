/* SPDX-License-Identifier: MIT */
/*
 * The host's own limits for a frame data path, the figures a device model's
 * packet rate is to be read against (build/microbench/net-limits,
 * docs/devices.md "Limits of this host"). Each case runs one round of
 * `frames` frames of `size` bytes and gives nanoseconds per frame:
 *   copy    a producer thread on `cpu` writes frames into a 256-slot ring, a
 *           consumer on `peer_cpu` copies each out and frees its slot: moving
 *           a frame between cores (wall time over the round);
 *   memcmp  the sink's pattern check (net_pattern_matches) on `cpu`, over the
 *           frames of a 256-slot ring in turn (wall time);
 *   device  virtio-net's own TX worker (devices/virtio/virtio_net.c) on `cpu`
 *           draining a 256-descriptor split ring into the sink with check=1;
 *           a fake driver on `peer_cpu` refills the ring with valid frames
 *           and kicks while the worker sleeps (the worker's CPU time).
 */
#ifndef EXITLAB_NET_LIMITS_H
#define EXITLAB_NET_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define NET_LIMITS_RING      256u   /* slots of every ring here: the virtio-net queue size */
#define NET_LIMITS_SLOT      2048u  /* bytes per slot, as the guest driver's TX buffers */
#define NET_LIMITS_SIZE_MIN  60u
#define NET_LIMITS_SIZE_MAX  1514u

struct net_limits_opts {
	unsigned size;         /* frame bytes, NET_LIMITS_SIZE_MIN..MAX */
	uint64_t frames;       /* per round, >= 1 */
	int cpu, peer_cpu;     /* CPUs to pin to; -1: leave unpinned */
};

enum net_limits_case { NET_LIMITS_COPY, NET_LIMITS_MEMCMP, NET_LIMITS_DEVICE, NET_LIMITS_NCASES };

extern const char *const net_limits_case_names[NET_LIMITS_NCASES];

/* One round of case c: 0 and its ns per frame in *ns, or -1 with err (a CPU not there, a frame not checked). */
int net_limits_round(enum net_limits_case c, const struct net_limits_opts *o, double *ns, char *err,
		     size_t errlen);

#endif
