/* SPDX-License-Identifier: MIT */
/*
 * virtio-net whose data path is the kernel's vhost-net (/dev/vhost-net):
 * the same struct virtio_dev as devices/virtio/virtio_net.h, behind the same
 * virtio-pci transport, but no worker of ours touches a ring or a frame.
 * We own the feature offer, the configuration space (MAC, link status) and
 * the setup: the guest's RAM slots as vhost's memory table, each ring's
 * size, base and addresses, the transport's kick eventfd (signalled by KVM's
 * ioeventfd: no exit reaches us) and its call eventfd (an irqfd: the
 * interrupt never passes through us either), and the tap as the backend.
 * Interrupts are relayed by a thread only when the transport has no irqfd
 * (MSI-X off or no in-kernel irqchip); ring errors the kernel reports mark
 * the device NEEDS_RESET.  A driver reset detaches the tap and takes the
 * rings back, so the driver can start again.
 *
 * How the CLI selects it (devices/virtio/virtio_net_type.c):
 *   --device virtio-net,vhost=net --netdev tap,ifname=NAME,vnet_hdr=1
 * then vhost_net_init(h, mem, tap, mac, err, sizeof(err)) in
 * place of virtio_net_init, virtio_pci_init(&t, &h->vdev, vm, host, irq,
 * notify_by_exit, ...), vhost_net_metrics(h) for the phase counters, and at
 * the end virtio_pci_destroy(&t) then vhost_net_destroy(h).  A failed init
 * says which outcome it is: OUTCOME_NO_HOST (no /dev/vhost-net, no
 * permission, a kernel without VERSION_1), OUTCOME_BAD_INPUT (not a tap, no
 * vnet_hdr=1) or OUTCOME_FAILED (the device refused a request).
 *
 * Every ioctl goes through struct vhost_net_ops so that the unit tests can
 * run the whole model against a fake that records them.
 */
#ifndef EXITLAB_VHOST_NET_H
#define EXITLAB_VHOST_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/net/net_backend.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/virtio_net.h"

#define VHOST_NET_DEV_PATH "/dev/vhost-net"
#define VHOST_NET_NQUEUES  2          /* VIRTIO_NET_RXQ, VIRTIO_NET_TXQ: vhost-net's indices too */
#define VHOST_NET_QUEUE_MAX 256

/* The "vhost device" the model talks to: the kernel's, or a test's fake. */
struct vhost_net_ops {
	/* Open the vhost-net device: an fd, or -errno. */
	int (*open)(void *ctx, const char *path);
	/* One ioctl on it: >= 0, or -errno. */
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	void (*close)(void *ctx, int fd);
	/* The tap's vnet header size (TUNSETVNETHDRSZ) and offloads (TUNSETOFFLOAD): 0 or -errno. */
	int (*tap_vnet_hdr_len)(void *ctx, struct net_backend *tap, unsigned len);
	int (*tap_offload)(void *ctx, struct net_backend *tap, unsigned tun_flags);
};

/* The real thing: open(2), ioctl(2), close(2), net_tap_set_vnet_hdr_len, net_tap_set_offload. */
extern const struct vhost_net_ops vhost_net_kernel_ops;

/* What the VMM still sees; the data path is counted by the kernel (docs/devices.md, "vhost-net"). */
enum vhost_net_metric {
	VHN_INTERRUPTS_RELAYED,   /* call eventfd -> tops->interrupt, when there is no irqfd */
	VHN_RING_ERRORS,          /* the kernel signalled a queue's error eventfd */
	VHN_STARTS,               /* DRIVER_OK: the rings handed to the kernel */
	VHN_RESETS,               /* a started device stopped: tap detached, rings taken back */
	VHN_SETUP_ERRORS,         /* a refused ring or a failed ioctl at start: NEEDS_RESET */
	VHN_NMETRICS
};

struct vhost_net {
	struct virtio_dev vdev;       /* what the transport drives */
	const struct guest_mem *mem;
	struct net_backend *tap;
	const struct vhost_net_ops *ops;
	void *ctx;
	int fd;                       /* /dev/vhost-net, -1 when closed */
	uint64_t vhost_features;      /* VHOST_GET_FEATURES */
	uint64_t features;            /* as the driver accepted them */
	uint8_t config[VIRTIO_NET_CONFIG_LEN];
	bool started;                 /* the kernel has our rings */
	bool configured[VHOST_NET_NQUEUES];  /* ring set up in the kernel */
	bool attached[VHOST_NET_NQUEUES];    /* VHOST_NET_SET_BACKEND done with the tap */
	bool relay[VHOST_NET_NQUEUES];       /* interrupts through call_fd and our thread */
	uint16_t last_avail[VHOST_NET_NQUEUES]; /* VHOST_GET_VRING_BASE at the last stop */
	int call_fd[VHOST_NET_NQUEUES];      /* our eventfds for the relay */
	int err_fd[VHOST_NET_NQUEUES];       /* the kernel's error eventfds, watched */
	int stop_fd;                  /* eventfd: the threads exit when it is readable */
	pthread_t call_thread, err_thread;
	bool call_running, err_running;
	char why[256];                /* the last start refusal, as sent to virtio_dev_needs_reset */
	uint64_t counters[VHN_NMETRICS];
	struct dev_metrics metrics;
};

/*
 * Open /dev/vhost-net, take ownership, read its features, give it the guest
 * memory table, and fill h->vdev for virtio_pci_init.  The tap must have been
 * opened with vnet_hdr=1; it stays the caller's.  OUTCOME_OK, or the
 * outcome with err (above).
 */
enum outcome vhost_net_init(struct vhost_net *h, const struct guest_mem *mem, struct net_backend *tap,
			    const uint8_t mac[6], char *err, size_t errlen);
/* The same over another vhost device (tests). */
enum outcome vhost_net_init_ops(struct vhost_net *h, const struct guest_mem *mem, struct net_backend *tap,
				const uint8_t mac[6], const struct vhost_net_ops *ops, void *ctx, char *err,
				size_t errlen);
const struct dev_metrics *vhost_net_metrics(struct vhost_net *h);
/* Stop (if started) and close what init opened; safe on a failed init. */
void vhost_net_destroy(struct vhost_net *h);

#endif
