// SPDX-License-Identifier: MIT
/*
 * What every virtio device model shares, whatever its transport (see
 * virtio.h): giving up on a device the driver broke.
 */
#include <stdio.h>
#include <string.h>

#include "devices/virtio/virtio.h"

void virtio_dev_needs_reset(struct virtio_dev *v, const char *why)
{
	uint8_t old = __atomic_fetch_or(&v->status, VIRTIO_STATUS_NEEDS_RESET, __ATOMIC_SEQ_CST);

	if (old & VIRTIO_STATUS_NEEDS_RESET)
		return; /* said once already */
	fprintf(stderr, "%s: device needs reset: %s\n", v->name ? v->name : "virtio", why);
	if (v->tops && v->tops->interrupt)
		v->tops->interrupt(v, -1);
}

void virtio_config_copy(const void *config, size_t config_size, unsigned off, void *data, unsigned len)
{
	if (off <= config_size && len <= config_size - off)
		memcpy(data, (const uint8_t *)config + off, len);
	else
		memset(data, 0, len);
}
