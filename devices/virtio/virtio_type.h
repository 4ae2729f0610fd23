/* SPDX-License-Identifier: MIT */
/*
 * What the virtio rows of the device registry (devices/device_types.h)
 * share: the notify= key, the vhost-user keys of virtio-net and virtio-blk,
 * their part of the description, and the virtio-pci transport under a model.
 */
#ifndef EXITLAB_VIRTIO_TYPE_H
#define EXITLAB_VIRTIO_TYPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "devices/device_types.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/virtio_pci.h"

/*
 * notify=exit|ioeventfd, and with vhost_user also vhost-user=SOCK, server=0|1,
 * on-disconnect=reset|stop: a device_type.parse_opt answer (0, 1 not ours, -1).
 */
int virtio_type_parse_opt(struct device_spec *s, bool vhost_user, const char *key, const char *v, char *err,
			  size_t errlen);
/* server= and on-disconnect= without vhost-user=: -1 with err. */
int virtio_type_check(const struct device_spec *s, char *err, size_t errlen);
/* "notify", and for a vhost-user back-end "backend", "socket", "server", "on_disconnect": true if vhost-user. */
bool virtio_type_describe(const struct device_spec *s, json_t *d);
/* A virtio-pci transport for v on env's bridge (notify= as s says): 0, or EXIT_FAILED with err. */
enum outcome virtio_type_attach(struct virtio_pci **tp, struct virtio_dev *v, const struct device_spec *s,
				const struct device_env *env, char *err, size_t errlen);
/* Tear down and free a transport from virtio_type_attach (NULL: nothing). */
void virtio_type_detach(struct virtio_pci *t);

#endif
