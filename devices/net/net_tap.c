// SPDX-License-Identifier: MIT
/*
 * The tap backend, `tap,ifname=NAME[,vnet_hdr=1]`: a real Linux interface.
 * /dev/net/tun with TUNSETIFF(IFF_TAP | IFF_NO_PI) attaches to the tap NAME
 * (creating it, non-persistent, if it does not exist); with vnet_hdr=1 also
 * IFF_VNET_HDR, a 12-byte header (virtio_net_hdr_mrg_rxbuf) before every
 * frame in both directions, and checksum/TSO offloads.  The fd is
 * non-blocking; the link is brought up if it is down.  send is one writev,
 * recv one readv with a spare byte after the caller's buffers, so that a
 * frame too big for them is seen and dropped (-EMSGSIZE) rather than handed
 * over cut short.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/net/net_backend_impl.h"
#include "devices/net/net_tap.h"

#define TAP_VNET_HDR_LEN 12
#define TAP_IOV_MAX      256
#define TAP_OFFLOADS     (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

struct net_tap {
	char ifname[IFNAMSIZ];
	bool failed_noted;        /* the first failed send was reported */
};

/*
 * A send that fails for another reason than a full queue (the interface was
 * deleted under the run: EBADFD; or it went away: EIO, ENODEV): said once on
 * stderr, naming the interface, since every later frame is dropped the same
 * way (counted in tx_errors, the device's tx_dropped).
 */
static void tap_note_failure(struct net_backend *b, int e)
{
	struct net_tap *t = b->priv;

	if (!t || __atomic_exchange_n(&t->failed_noted, true, __ATOMIC_RELAXED))
		return;
	fprintf(stderr, "exitlab: net backend tap %s: sending a frame failed: %s%s; frames that cannot be "
		"sent are dropped (tx_errors)\n", t->ifname, strerror(e),
		e == EBADFD || e == EIO || e == ENODEV ? " (the interface was deleted or went away)" : "");
}

static int tap_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	size_t len = net_iov_len(iov, n);
	ssize_t r;

	if (n == 0 || n > TAP_IOV_MAX || len < b->vnet_hdr_len + 14 || len > b->vnet_hdr_len + NET_FRAME_MAX) {
		net_stat_add(&b->stats.tx_errors, 1);
		return len > b->vnet_hdr_len + NET_FRAME_MAX ? -EMSGSIZE : -EINVAL;
	}
	do
		r = writev(b->fd, iov, (int)n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;

		if (e == EAGAIN || e == EWOULDBLOCK)
			return -EAGAIN;
		net_stat_add(&b->stats.tx_errors, 1);
		tap_note_failure(b, e);
		return -e;
	}
	if ((size_t)r != len) {
		net_stat_add(&b->stats.tx_errors, 1);
		return -EIO;
	}
	net_stat_add(&b->stats.tx_frames, 1);
	net_stat_add(&b->stats.tx_bytes, len - b->vnet_hdr_len);
	return 0;
}

static ssize_t tap_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct iovec v[TAP_IOV_MAX + 1];
	size_t cap = net_iov_len(iov, n);
	uint8_t spare;
	ssize_t r;

	if (n > TAP_IOV_MAX || cap < b->vnet_hdr_len)
		return -EINVAL;
	memcpy(v, iov, n * sizeof(*iov));
	v[n].iov_base = &spare;
	v[n].iov_len = 1;
	do
		r = readv(b->fd, v, (int)n + 1);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;

		if (e == EAGAIN || e == EWOULDBLOCK)
			return -EAGAIN;
		if (e == EMSGSIZE || e == EFAULT) {
			/* the kernel refused to cut the frame to our buffers */
			net_stat_add(&b->stats.rx_dropped, 1);
			return -EMSGSIZE;
		}
		return -e;
	}
	if ((size_t)r > cap) {
		net_stat_add(&b->stats.rx_dropped, 1);
		return -EMSGSIZE;
	}
	if ((size_t)r < b->vnet_hdr_len) {
		net_stat_add(&b->stats.rx_dropped, 1);
		return -EIO;
	}
	net_stat_add(&b->stats.rx_frames, 1);
	net_stat_add(&b->stats.rx_bytes, (uint64_t)r - b->vnet_hdr_len);
	return r;
}

static void tap_close(struct net_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->priv);
	b->priv = NULL;
}

static int tap_set_offload(struct net_backend *b, unsigned tun_flags)
{
	if (!b->vnet_hdr_len)
		return tun_flags ? -EOPNOTSUPP : 0;  /* without a header the kernel never offloads */
	if (ioctl(b->fd, TUNSETOFFLOAD, (unsigned long)tun_flags))
		return -errno;
	return 0;
}

static const struct net_backend_ops tap_ops = {
	.kind = "tap",
	.send = tap_send,
	.recv = tap_recv,
	.close = tap_close,
	.set_offload = tap_set_offload,
};

int net_tap_set_offload(struct net_backend *b, unsigned tun_flags)
{
	if (!b || b->ops != &tap_ops || !b->vnet_hdr_len)
		return -EINVAL;
	return tap_set_offload(b, tun_flags);
}

int net_tap_set_vnet_hdr_len(struct net_backend *b, unsigned len)
{
	int l = (int)len;

	if (!b || b->ops != &tap_ops || !b->vnet_hdr_len || (len != 10 && len != 12))
		return -EINVAL;
	if (ioctl(b->fd, TUNSETVNETHDRSZ, &l))
		return -errno;
	b->vnet_hdr_len = len;
	return 0;
}

static enum outcome link_up(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0) {
		snprintf(err, errlen, "net backend tap %s: socket for SIOCSIFFLAGS: %s", ifname, strerror(errno));
		return OUTCOME_FAILED;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr)) {
		snprintf(err, errlen, "net backend tap %s: SIOCGIFFLAGS: %s", ifname, strerror(errno));
		close(s);
		return OUTCOME_FAILED;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
			int e = errno;
			enum outcome o = OUTCOME_FAILED;

			if (e == EPERM || e == EACCES) {
				o = OUTCOME_NO_HOST;
				snprintf(err, errlen, "net backend tap %s: the link is down and bringing it up was "
					 "refused (%s): run as root or give CAP_NET_ADMIN, or 'ip link set %s up' first",
					 ifname, strerror(e), ifname);
			} else {
				snprintf(err, errlen, "net backend tap %s: SIOCSIFFLAGS (up): %s", ifname,
					 strerror(e));
			}
			close(s);
			return o;
		}
	}
	close(s);
	return OUTCOME_OK;
}

/* What TUNSETIFF's errno e means, in err; which outcome it is. */
static enum outcome tunsetiff_error(const char *ifname, int e, char *err, size_t errlen)
{
	switch (e) {
	case EPERM:
	case EACCES:
		snprintf(err, errlen, "net backend tap %s: TUNSETIFF: %s: run as root or give CAP_NET_ADMIN "
			 "(or create the tap for this user: ip tuntap add %s mode tap user $USER)", ifname,
			 strerror(e), ifname);
		return OUTCOME_NO_HOST;
	case EBUSY:
		snprintf(err, errlen, "net backend tap %s: TUNSETIFF: busy: another process has the tap open "
			 "(or it is a multi-queue tap)", ifname);
		return OUTCOME_BAD_INPUT;
	case EINVAL:
		snprintf(err, errlen, "net backend tap %s: TUNSETIFF: invalid: %s exists and is not a "
			 "single-queue tap (a tun, a multi-queue tap, or another kind of interface)", ifname, ifname);
		return OUTCOME_BAD_INPUT;
	default:
		snprintf(err, errlen, "net backend tap %s: TUNSETIFF: %s", ifname, strerror(e));
		return OUTCOME_FAILED;
	}
}

enum outcome net_tap_open(struct net_backend *b, const struct net_backend_args *a, char *err, size_t errlen)
{
	struct net_tap *t;
	struct ifreq ifr;
	enum outcome o;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		o = OUTCOME_NO_HOST;
		if (e == ENOENT || e == ENODEV || e == ENXIO) {
			snprintf(err, errlen, "net backend tap %s: /dev/net/tun: %s: this host has no tun/tap "
				 "(modprobe tun; in a container, pass /dev/net/tun through)", a->ifname, strerror(e));
		} else if (e == EPERM || e == EACCES) {
			snprintf(err, errlen, "net backend tap %s: /dev/net/tun: %s: run as root or give "
				 "CAP_NET_ADMIN", a->ifname, strerror(e));
		} else {
			snprintf(err, errlen, "net backend tap %s: /dev/net/tun: %s", a->ifname, strerror(e));
			o = OUTCOME_FAILED;
		}
		return o;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (a->vnet_hdr ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		o = tunsetiff_error(a->ifname, errno, err, errlen);
		close(fd);
		return o;
	}
	if (a->vnet_hdr) {
		int len = TAP_VNET_HDR_LEN;

		if (ioctl(fd, TUNSETVNETHDRSZ, &len)) {
			snprintf(err, errlen, "net backend tap %s: TUNSETVNETHDRSZ %d: %s", a->ifname, len,
				 strerror(errno));
			close(fd);
			return OUTCOME_FAILED;
		}
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS)) {
			snprintf(err, errlen, "net backend tap %s: TUNSETOFFLOAD csum+tso: %s", a->ifname,
				 strerror(errno));
			close(fd);
			return OUTCOME_FAILED;
		}
	}
	o = link_up(ifr.ifr_name, err, errlen);
	if (o != OUTCOME_OK) {
		close(fd);
		return o;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "net backend tap %s: out of memory", a->ifname);
		close(fd);
		return OUTCOME_FAILED;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	b->fd = fd;
	b->vnet_hdr_len = a->vnet_hdr ? TAP_VNET_HDR_LEN : 0;
	b->ops = &tap_ops;
	b->priv = t;
	return OUTCOME_OK;
}
