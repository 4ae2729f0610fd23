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
#include "devices/device_types.h"
#include "vmm/irq.h"
#include "devices/pci/pci_host.h"

struct vm;
struct boot_info;

#define RUN_DEV_MAX 4
#define RUN_DEV_DEFAULT_NETDEV "sink,check=1"

struct run_dev_opts {
	struct device_spec dev[RUN_DEV_MAX];  /* each with its row in devices/device_types.h */
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
	struct {
		const struct device_type *type;
		void *state;              /* the row's, NULL until its create set it */
	} dev[RUN_DEV_MAX];
	unsigned n;
	struct run_dev_metrics metrics[RUN_DEV_MAX + 1];
	unsigned nmetrics;
	struct bench_skip skips[1];   /* tests this configuration cannot run (bench_dev.skip) */
	size_t nskips;
};

/*
 * Create every device of o on vm and tell the payload where the PCI
 * configuration space is (bi). bi NULL is a Linux guest: it has no
 * boot_info, and its PCI host exists even without a device (its DSDT names
 * the root bridge). 0, or an exit code (3 = the host lacks something,
 * 2 = bad input, 1 = other) with err.
 */
enum outcome run_devices_create(struct run_devices *d, struct vm *vm, const struct run_dev_opts *o,
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
