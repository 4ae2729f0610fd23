/* SPDX-License-Identifier: MIT */
/*
 * The optional devices of `exitlab run`: a PCI host bridge with the NIC
 * and disk models the user asked for (--device), their backends (--netdev,
 * file=), interrupts through the in-kernel irqchip, and every device's
 * counters snapshotted at the bench phase boundaries, so that each test's
 * results carry per-device deltas ("host.devices").
 */
#ifndef EXITLAB_RUN_DEVICES_H
#define EXITLAB_RUN_DEVICES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/platform/bench.h"
#include "devices/dev_metrics.h"
#include "vmm/irq.h"
#include "devices/pci/pci_host.h"

struct vm;
struct boot_info;

#define RUN_DEV_MAX 4
#define RUN_DEV_DEFAULT_NETDEV "sink,check=1"

enum run_dev_model { RUN_DEV_E1000, RUN_DEV_VIRTIO_NET, RUN_DEV_VIRTIO_BLK, RUN_DEV_VFIO };

struct run_dev_spec {
	enum run_dev_model model;
	bool notify_by_exit;          /* virtio: notifications as userspace exits, not ioeventfd */
	char file[512];               /* virtio-blk: the image ("" for NICs) */
	bool read_only;
	char vhost_user[108];         /* virtio-net/blk: the vhost-user back-end's socket ("" = ours) */
	bool vhost_user_server;       /* we listen, the back-end connects (its client=1) */
	bool stop_on_disconnect;      /* on-disconnect=stop (default reset: NEEDS_RESET, reconnect) */
	bool vhost_net;               /* virtio-net,vhost=net: the kernel's vhost-net has the data path */
	char host[16];                /* vfio,host=BDF: the host PCI function passed through */
};

struct run_dev_opts {
	struct run_dev_spec dev[RUN_DEV_MAX];
	unsigned ndev;
	const char *netdev;           /* backend spec for the NIC; NULL = RUN_DEV_DEFAULT_NETDEV */
};

/* Parse one --device argument into o; 0, or -1 with err naming what is wrong. */
int run_dev_parse(struct run_dev_opts *o, const char *arg, char *err, size_t errlen);
/* What the devices were, for the run's config (model, notify mode, backend, addresses). */
json_t *run_dev_describe(const struct run_dev_opts *o);

struct run_dev_metrics {
	const struct dev_metrics *m;
	uint64_t *before;             /* m->n values at phase begin */
};

struct run_devices {
	bool on;                      /* any device: PCI host and irq chip exist */
	struct irq_chip irq;
	struct pci_host pci;
	struct net_backend *net;
	struct dev_metrics net_metrics;   /* the backend's own stats, as metrics */
	void *models[RUN_DEV_MAX];    /* struct e1000 / virtio_net / virtio_blk / vfio_dev */
	void *transports[RUN_DEV_MAX];/* struct virtio_pci, or NULL */
	void *blk[RUN_DEV_MAX];       /* struct blk_backend, or NULL */
	enum run_dev_model kinds[RUN_DEV_MAX];
	bool vhost_user[RUN_DEV_MAX]; /* models[i] is a struct vhost_user_dev */
	bool vhost_net[RUN_DEV_MAX];  /* models[i] is a struct vhost_net */
	unsigned n;
	struct run_dev_metrics metrics[RUN_DEV_MAX + 1];
	unsigned nmetrics;
	struct bench_skip skips[1];   /* tests this configuration cannot run (bench_dev.skip) */
	size_t nskips;
};

/*
 * Create every device of o on vm and tell the payload where the PCI
 * configuration space is (bi). 0, or an exit code (3 = the host lacks
 * something, 2 = bad input, 1 = other) with err.
 */
int run_devices_create(struct run_devices *d, struct vm *vm, const struct run_dev_opts *o,
		       struct boot_info *bi, char *err, size_t errlen);
/* Start the devices' worker threads (before the vCPU runs). */
int run_devices_start(struct run_devices *d, char *err, size_t errlen);
void run_devices_destroy(struct run_devices *d);

/* Phase boundaries: remember the counters; then their deltas as {"device": {"name": n}} (new ref). */
void run_devices_phase_begin(struct run_devices *d);
json_t *run_devices_phase_end(struct run_devices *d);
/* Whole-run totals, for the results' "vmm" object (new ref, or NULL without devices). */
json_t *run_devices_totals(const struct run_devices *d);

#endif
