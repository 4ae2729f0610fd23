/* SPDX-License-Identifier: MIT */
/*
 * What only a tap backend can do beyond net_backend.h: change the offloads
 * the kernel may hand over, so that a device model can narrow them to what
 * its guest negotiated (net_backend_open sets CSUM|TSO4|TSO6|TSO_ECN when
 * vnet_hdr=1).
 */
#ifndef EXITLAB_NET_TAP_H
#define EXITLAB_NET_TAP_H

struct net_backend;

/* TUNSETOFFLOAD with TUN_F_* flags; only on a tap with vnet_hdr.  0 or -errno (-EINVAL if not such a tap). */
int net_tap_set_offload(struct net_backend *b, unsigned tun_flags);

#endif
