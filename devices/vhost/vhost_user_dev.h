/* SPDX-License-Identifier: MIT */
/*
 * vhost-user-net and vhost-user-blk as struct virtio_dev models behind the
 * virtio-pci transport: the guest sees a virtio-net or virtio-blk device;
 * at DRIVER_OK its queues are handed to a back-end process over the
 * vhost-user socket, with the transport's ioeventfd as kick and its irqfd
 * as call, so the VMM is out of the data path.  A monitor thread
 * ("vhost-user-mon") watches the socket: a back-end that goes away marks
 * the device NEEDS_RESET (and the VMM reconnects and replays the setup)
 * or stops the VM, by option.
 */
#ifndef EXITLAB_VHOST_USER_DEV_H
#define EXITLAB_VHOST_USER_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/vhost/vhost_user.h"
#include "devices/virtio/virtio.h"

enum vhu_dev_kind { VHU_DEV_NET, VHU_DEV_BLK };
enum vhu_on_disconnect { VHU_DISC_RESET, VHU_DISC_STOP };

struct vhost_user_dev_opts {
	enum vhu_dev_kind kind;
	const char *path;             /* the socket */
	bool server;                  /* we listen (the back-end runs with client=1) */
	enum vhu_on_disconnect on_disconnect;
	const uint8_t *mac;           /* net: the guest's MAC */
	/* on-disconnect=stop: stop the VM with code and reason (any thread) */
	void (*stop_vm)(void *arg, int code, const char *why);
	void *stop_arg;
};

enum vhu_dev_metric {
	VHUD_MESSAGES_SENT, VHUD_REPLIES, VHUD_FDS_SENT, VHUD_BACKEND_ERRORS, VHUD_DISCONNECTS,
	VHUD_RECONNECTS, VHUD_RING_SETUPS, VHUD_CALLS_RELAYED, VHUD_ERR_SIGNALS,
	VHUD_NMETRICS
};

#define VHUD_CONFIG_MAX 64

struct vhost_user_dev {
	struct virtio_dev vdev;       /* what the transport drives */
	const struct guest_mem *mem;
	struct vhost_user u;
	struct vhost_user_dev_opts o;
	char path[108];
	uint8_t config[VHUD_CONFIG_MAX];
	pthread_mutex_t lock;         /* device state: start/stop vs the monitor */
	bool started;                 /* rings are the back-end's */
	bool handed[VIRTIO_MAX_QUEUES];
	int relay_fd[VIRTIO_MAX_QUEUES]; /* our call eventfd when the transport has no irqfd, or -1 */
	int err_fd[VIRTIO_MAX_QUEUES];
	int mon_stop_fd, relay_stop_fd;
	pthread_t mon, relay;
	bool mon_running, relay_running;
	bool gave_up;                 /* disconnected for good */
	uint64_t counters[VHUD_NMETRICS];
	struct dev_metrics metrics;
};

/*
 * Connect (or listen and accept), handshake, fetch the config (blk), and
 * fill d->vdev for the transport.  OUTCOME_OK, or with err: OUTCOME_NO_HOST
 * (the socket path is wrong or stale, no back-end), OUTCOME_BAD_INPUT (a path
 * no socket can have), OUTCOME_FAILED (the back-end's handshake).
 */
enum outcome vhost_user_dev_init(struct vhost_user_dev *d, const struct guest_mem *mem,
				 const struct vhost_user_dev_opts *o, char *err, size_t errlen);
/* Start the monitor thread (after the transport set d->vdev.tops). 0 or -1. */
int vhost_user_dev_start_monitor(struct vhost_user_dev *d);
const struct dev_metrics *vhost_user_dev_metrics(struct vhost_user_dev *d);
/* Stop the monitor (before the transport goes away). */
void vhost_user_dev_stop_monitor(struct vhost_user_dev *d);
/* Stop the threads, close the socket; the transport has already stopped the device. */
void vhost_user_dev_destroy(struct vhost_user_dev *d);

#endif
