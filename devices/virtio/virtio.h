/* SPDX-License-Identifier: MIT */
/*
 * A virtio device model, independent of its transport: feature
 * bits, device status, a device-specific configuration area and its
 * queues.  The transport (virtio_pci.c) owns the registers the driver
 * touches and tells the device when queues are ready; notifications reach
 * the device's worker threads through one eventfd per queue; the device
 * asks the transport to interrupt.  Whether a notification came by
 * ioeventfd or by an exit is the transport's business.
 */
#ifndef EXITLAB_VIRTIO_H
#define EXITLAB_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/virtqueue.h"

#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED     34

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_NO_VECTOR  0xffff

struct virtio_dev;

struct virtio_dev_ops {
	/* Features the driver accepted (FEATURES_OK is being set): 0, or -1 to refuse them. */
	int (*set_features)(struct virtio_dev *v, uint64_t features);
	/* Device-specific configuration, bounds already checked against config_len. */
	void (*config_read)(struct virtio_dev *v, unsigned off, void *data, unsigned len);
	void (*config_write)(struct virtio_dev *v, unsigned off, const void *data, unsigned len);
	/* DRIVER_OK was set: queues are configured, start the workers. */
	int (*start)(struct virtio_dev *v);
	/* Reset (status 0) or VMM teardown: stop the workers, forget the queues. */
	void (*stop)(struct virtio_dev *v);
};

/* What the transport offers the device. */
struct virtio_transport_ops {
	/* Interrupt the driver for queue q (its vector), or for a configuration change (q = -1). */
	int (*interrupt)(struct virtio_dev *v, int q);
	/*
	 * The eventfd a queue's notifications land in, always valid once the
	 * queue is enabled: KVM signals it (ioeventfd mode, no userspace exit)
	 * or the transport writes it from the vCPU thread after the exit (exit
	 * mode). The device's workers wait on it and never know which.
	 */
	int (*kick_fd)(struct virtio_dev *v, unsigned q);
	/* The eventfd whose write interrupts for queue q (irqfd), or -1. */
	int (*call_fd)(struct virtio_dev *v, unsigned q);
};

struct virtio_dev {
	const char *name;
	uint16_t device_id;           /* VIRTIO_ID_* */
	uint64_t host_features;       /* offered */
	uint64_t features;            /* accepted by the driver */
	uint8_t status;
	unsigned nqueues;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	uint16_t queue_max[VIRTIO_MAX_QUEUES];
	unsigned config_len;
	uint32_t config_generation;
	const struct virtio_dev_ops *ops;
	void *opaque;                 /* the device model */
	const struct virtio_transport_ops *tops;
	void *transport;
	const struct guest_mem *mem;
};

static inline bool virtio_has_feature(const struct virtio_dev *v, unsigned bit)
{
	return (v->features >> bit) & 1;
}

/*
 * A device-specific configuration read: [off, off + len) of a model's config
 * bytes into data; anything outside them reads as zeroes (the transport checks
 * against config_len already: this is the model's own line of defence).
 */
void virtio_config_copy(const void *config, size_t config_size, unsigned off, void *data, unsigned len);

/* Whether a driver's feature set is one a modern-only model takes: VERSION_1, and nothing not offered. */
static inline bool virtio_features_acceptable(const struct virtio_dev *v, uint64_t f)
{
	return ((f >> VIRTIO_F_VERSION_1) & 1) && !(f & ~v->host_features);
}

/* Mark the device broken (status NEEDS_RESET, config interrupt) with a diagnostic on stderr. */
void virtio_dev_needs_reset(struct virtio_dev *v, const char *why);

#endif
