// SPDX-License-Identifier: MIT
/*
 * The table of device types (device_types.h): one row per model, each
 * defined beside its model (devices/MODEL/..._type.c). Adding a model is
 * adding its row here.
 */
#include <stdio.h>
#include <string.h>

#include "devices/device_types.h"

extern const struct device_type device_type_e1000, device_type_virtio_net, device_type_virtio_blk,
	device_type_vfio, device_type_virtio_rng;

const struct device_type *const device_types[] = {
	&device_type_e1000,
	&device_type_virtio_net,
	&device_type_virtio_blk,
	&device_type_vfio,
	&device_type_virtio_rng,
	NULL,
};

const struct device_type *device_type_find(const char *name)
{
	for (unsigned i = 0; device_types[i]; i++)
		if (!strcmp(device_types[i]->name, name))
			return device_types[i];
	return NULL;
}

const char *device_kind_name(enum device_kind k)
{
	switch (k) {
	case DEVICE_NIC: return "nic";
	case DEVICE_BLK: return "blk";
	case DEVICE_OTHER: break;
	}
	return "other";
}

void device_type_names(char *buf, size_t len, const char *last_sep)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; device_types[i] && n < len; i++) {
		const char *sep = !i ? "" : device_types[i + 1] ? ", " : last_sep;
		int w = snprintf(buf + n, len - n, "%s%s", sep, device_types[i]->name);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}
