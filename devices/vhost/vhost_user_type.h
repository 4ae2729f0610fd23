/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user device behind virtio-pci, as the virtio-net and virtio-blk
 * rows of the device registry build it for vhost-user=SOCK: the back-end
 * process has the data path, the VMM keeps the transport and a monitor.
 */
#ifndef EXITLAB_VHOST_USER_TYPE_H
#define EXITLAB_VHOST_USER_TYPE_H

#include "devices/device_types.h"
#include "devices/vhost/vhost_user_dev.h"
#include "devices/virtio/virtio_pci.h"

struct vhost_user_glue {
	struct vhost_user_dev *vu;
	struct virtio_pci *t;
};

/* Build it (*g set as soon as there is something to destroy): 0, or an exit code with err. */
enum outcome vhost_user_glue_create(struct vhost_user_glue **g, enum vhu_dev_kind kind, const struct device_spec *s,
				    const struct device_env *env, char *err, size_t errlen);
/* The monitor stops first: it must not interrupt through a transport being torn down. */
void vhost_user_glue_stop(struct vhost_user_glue *g);
void vhost_user_glue_destroy(struct vhost_user_glue *g);
const struct dev_metrics *vhost_user_glue_metrics(struct vhost_user_glue *g);

/* The guest's MAC, the same for every NIC model. */
extern const uint8_t device_guest_mac[6];

#endif
