/* SPDX-License-Identifier: MIT */
/*
 * The device-type registry: one row per PCI device model `exitlab run
 * --device NAME,k=v,...` can build (kvmtool's init lists are the model).
 * A row names the model, says what kind of device it is, parses its own
 * option keys, builds, starts, stops and destroys it, and hands over its
 * counters and its description for the results. run/run_devices.c loops
 * over the rows and knows no model; a new model is its own files plus one
 * row in device_types.c.
 */
#ifndef EXITLAB_DEVICE_TYPES_H
#define EXITLAB_DEVICE_TYPES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "devices/dev_metrics.h"

struct vm;
struct pci_host;
struct irq_chip;
struct net_backend;

/* What analysis asks of a device: is it the run's NIC, a disk, or something else. */
enum device_kind { DEVICE_NIC, DEVICE_BLK, DEVICE_OTHER };

#define DEVICE_SPEC_PRIV 640

/* One --device as parsed: the keys the virtio family shares, and the model's own. */
struct device_spec {
	const struct device_type *type;
	bool notify_by_exit;          /* virtio: notifications as userspace exits, not ioeventfd */
	char vhost_user[108];         /* virtio-net/blk: the vhost-user back-end's socket ("" = ours) */
	bool vhost_user_server;       /* we listen, the back-end connects (its client=1) */
	bool stop_on_disconnect;      /* on-disconnect=stop (default reset: NEEDS_RESET, reconnect) */
	bool vhost_user_opts;         /* server= or on-disconnect= was given */
	/* the model's own keys (file=, host=, ...), as its row's parser lays them out */
	_Alignas(8) unsigned char priv[DEVICE_SPEC_PRIV];
};

/* What a row builds its device on. */
struct device_env {
	struct vm *vm;
	struct pci_host *pci;
	struct irq_chip *irq;
	struct net_backend *net;      /* the NIC's backend (--netdev), or NULL */
	const char *netdev;           /* its spec, for the description */
};

struct device_type {
	const char *name;             /* the --device NAME and the results' "model" */
	enum device_kind kind;
	const char *usage;            /* "virtio-rng takes notify=exit|ioeventfd": the bad-option hint */
	/*
	 * One key (value "" when there was no '='): 0 taken,
	 * 1 not a key of this model (the caller says "bad option" with usage),
	 * -1 refused with err.
	 */
	int (*parse_opt)(struct device_spec *s, const char *key, const char *v, char *err,
			 size_t errlen);
	/* After the last key: 0, or -1 with err (a required key missing, two that exclude each other). */
	int (*check)(const struct device_spec *s, char *err, size_t errlen);
	/* The model's part of the run's config.devices entry (after "model" and "kind"). */
	void (*describe)(const struct device_spec *s, const struct device_env *env, json_t *d);
	/*
	 * Build it on env: OUTCOME_OK, or the outcome with err. *state
	 * is set as soon as there is anything for destroy to release, failure or not.
	 */
	enum outcome (*create)(const struct device_spec *s, const struct device_env *env, void **state, char *err,
			       size_t errlen);
	/* Before the vCPU runs (NULL: nothing to start; virtio starts at DRIVER_OK). 0 or -1 with err. */
	int (*start)(void *state, char *err, size_t errlen);
	/* First step of the teardown (NULL: none): nothing of this device may act on the others after it. */
	void (*stop)(void *state);
	/* Release everything create took and free state. */
	void (*destroy)(void *state);
	/* Its counters, snapshotted at every bench phase boundary (NULL: none). */
	const struct dev_metrics *(*metrics)(void *state);
};

/* The rows, in the order `--help` and the errors list them; NULL-terminated. */
extern const struct device_type *const device_types[];

const struct device_type *device_type_find(const char *name);
const char *device_kind_name(enum device_kind k);
/* "e1000, virtio-net, ..., virtio-rng": every row's name, for messages. */
void device_type_names(char *buf, size_t len, const char *last_sep);

/* The model's own options in s->priv (a row checks with _Static_assert that its struct fits). */
static inline void *device_spec_priv(const struct device_spec *s)
{
	return (void *)s->priv;
}

#endif
