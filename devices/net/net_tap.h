/* SPDX-License-Identifier: MIT */
/*
 * What only a tap backend can do beyond net_backend.h: change the offloads
 * the kernel may hand over, so that a device model can narrow them to what
 * its guest negotiated (net_backend_open sets CSUM|TSO4|TSO6|TSO_ECN when
 * vnet_hdr=1), and the size of the vnet header.
 */
#ifndef EXITLAB_NET_TAP_H
#define EXITLAB_NET_TAP_H

struct net_backend;

/* TUNSETOFFLOAD with TUN_F_* flags; only on a tap with vnet_hdr.  0 or -errno (-EINVAL if not such a tap). */
int net_tap_set_offload(struct net_backend *b, unsigned tun_flags);
/*
 * TUNSETVNETHDRSZ: the header size the kernel reads and writes before every
 * frame (10, or 12 for VERSION_1/MRG_RXBUF), also in b->vnet_hdr_len.  For a
 * device whose data path is not ours (vhost-net).  0 or -errno (-EINVAL if
 * b is not a tap opened with vnet_hdr=1, or len is neither 10 nor 12).
 */
int net_tap_set_vnet_hdr_len(struct net_backend *b, unsigned len);

#endif
