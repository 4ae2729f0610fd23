// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "linux-guest/net_peer.h"

/* The IPv4 default route's gateway from /proc/net/route (hex, network byte order), or 0. */
static int default_gateway(struct in_addr *gw)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], ifname[64];
	unsigned dst, via, flags;
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %x %x %x", ifname, &dst, &via, &flags) == 4 && dst == 0 && via &&
		    (flags & 0x2 /* RTF_GATEWAY */)) {
			gw->s_addr = via; /* the kernel prints it in network byte order */
			found = 1;
		}
	fclose(f);
	return found;
}

int lg_net_peer(const char *given, int measured, uint16_t port, struct sockaddr_in *sa, char *why,
		size_t whylen)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (given) {
		if (inet_pton(AF_INET, given, &sa->sin_addr) != 1) {
			snprintf(why, whylen, "peer=%s: not an IPv4 address", given);
			return -1;
		}
		return 0;
	}
	if (measured) {
		if (default_gateway(&sa->sin_addr))
			return 0;
		snprintf(why, whylen, "no peer: no default route (give --param peer=A.B.C.D)");
		return -1;
	}
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}
