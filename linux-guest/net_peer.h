/* SPDX-License-Identifier: MIT */
/* Where the network workloads send: the peer given, else a default that exists. */
#ifndef LG_NET_PEER_H
#define LG_NET_PEER_H

#include <netinet/in.h>
#include <stddef.h>

/*
 * The peer address: --param peer=A.B.C.D if given; else, under exitlab, the
 * default gateway (/proc/net/route: the VMM's side of the NIC), and
 * unmeasured 127.0.0.1.  0, or -1 with why.
 */
int lg_net_peer(const char *given, int measured, uint16_t port, struct sockaddr_in *sa, char *why,
		size_t whylen);

#endif
