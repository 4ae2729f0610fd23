// SPDX-License-Identifier: MIT
/*
 * virtio-net's row in the device registry (devices/device_types.h): the
 * VMM's own model, the kernel's vhost-net (vhost=net) or a vhost-user
 * back-end (vhost-user=SOCK) behind the same virtio-pci transport.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/device_types.h"
#include "devices/vhost/vhost_net.h"
#include "devices/vhost/vhost_user_type.h"
#include "devices/virtio/virtio_net.h"
#include "devices/virtio/virtio_type.h"
#include "util/outcome.h"
#include "vmm/thread_cpu.h"
#include "vmm/vm.h"

struct vnet_opts {
	bool vhost_net;               /* vhost=net: the kernel's vhost-net has the data path */
};

_Static_assert(sizeof(struct vnet_opts) <= DEVICE_SPEC_PRIV, "virtio-net's options fit in device_spec.priv");

/* One of: a vhost-user back-end, vhost-net, or our model; t under the latter two. */
struct vnet_state {
	struct vhost_user_glue *vu;
	struct vhost_net *vhost;
	struct virtio_net *net;
	struct virtio_pci *t;
};

static int vnet_parse_opt(struct device_spec *s, const char *key, const char *v, char *err,
			  size_t errlen)
{
	struct vnet_opts *o = device_spec_priv(s);

	if (!strcmp(key, "vhost") && !strcmp(v, "net")) {
		o->vhost_net = true;
		return 0;
	}
	return virtio_type_parse_opt(s, true, key, v, err, errlen);
}

static int vnet_check(const struct device_spec *s, char *err, size_t errlen)
{
	const struct vnet_opts *o = device_spec_priv(s);

	if (o->vhost_net && s->vhost_user[0]) {
		snprintf(err, errlen, "virtio-net: vhost=net and vhost-user= are two different back-ends: pick one");
		return -1;
	}
	return virtio_type_check(s, err, errlen);
}

static void vnet_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	const struct vnet_opts *o = device_spec_priv(s);

	if (virtio_type_describe(s, d))
		return;
	/* who has the data path: the kernel's vhost-net, or the VMM's own model */
	json_object_set_new(d, "backend", json_string(o->vhost_net ? "vhost-net" : "vmm"));
	json_object_set_new(d, "netdev", json_string(env->netdev));
}

static enum outcome make_vhost_net(struct vnet_state *st, const struct device_spec *s, const struct device_env *env,
				   char *err, size_t errlen)
{
	struct vhost_net *h = calloc(1, sizeof(*h));
	enum outcome why;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	why = vhost_net_init(h, &env->vm->mem, env->net, device_guest_mac, err, errlen);
	if (why != OUTCOME_OK) {
		free(h);
		return why;
	}
	st->vhost = h;
	/* The kernel's worker (made by SET_OWNER) moves the frames: its CPU time is the device side's. */
	if (thread_cpu_add_vhost_workers(getpid()) <= 0)
		thread_cpu_unknown_part(1);
	return virtio_type_attach(&st->t, &h->vdev, s, env, err, errlen);
}

static enum outcome vnet_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				size_t errlen)
{
	const struct vnet_opts *o = device_spec_priv(s);
	struct vnet_state *st = calloc(1, sizeof(*st));
	struct virtio_net *n;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	*state = st;
	if (s->vhost_user[0])
		return vhost_user_glue_create(&st->vu, VHU_DEV_NET, s, env, err, errlen);
	if (o->vhost_net)
		return make_vhost_net(st, s, env, err, errlen);
	n = calloc(1, sizeof(*n));
	if (!n || virtio_net_init(n, &env->vm->mem, env->net, device_guest_mac, err, errlen)) {
		free(n);
		return OUTCOME_FAILED;
	}
	st->net = n;
	return virtio_type_attach(&st->t, &n->vdev, s, env, err, errlen);
}

static void vnet_stop(void *state)
{
	struct vnet_state *st = state;

	if (st->vu)
		vhost_user_glue_stop(st->vu);
}

static void vnet_destroy(void *state)
{
	struct vnet_state *st = state;

	if (st->vu)
		vhost_user_glue_destroy(st->vu);
	virtio_type_detach(st->t);
	if (st->vhost) {
		vhost_net_destroy(st->vhost);
		free(st->vhost);
	}
	if (st->net) {
		virtio_net_destroy(st->net);
		free(st->net);
	}
	free(st);
}

static const struct dev_metrics *vnet_metrics(void *state)
{
	struct vnet_state *st = state;

	return st->vu ? vhost_user_glue_metrics(st->vu) : st->vhost ? vhost_net_metrics(st->vhost)
							       : virtio_net_metrics(st->net);
}

const struct device_type device_type_virtio_net = {
	.name = "virtio-net",
	.kind = DEVICE_NIC,
	.usage = "virtio-net takes notify=exit|ioeventfd, vhost=net, vhost-user=SOCK, server=0|1, "
		 "on-disconnect=reset|stop",
	.parse_opt = vnet_parse_opt,
	.check = vnet_check,
	.describe = vnet_describe,
	.create = vnet_create,
	.stop = vnet_stop,
	.destroy = vnet_destroy,
	.metrics = vnet_metrics,
};
