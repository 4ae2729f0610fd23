// SPDX-License-Identifier: MIT
/*
 * virtio-blk's row in the device registry (devices/device_types.h): the
 * VMM's model over a raw image (file=, readonly=), or a vhost-user back-end
 * that has the disk (vhost-user=SOCK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/blk/blk_backend.h"
#include "devices/device_types.h"
#include "devices/vhost/vhost_user_type.h"
#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtio_type.h"
#include "util/outcome.h"
#include "vmm/vm.h"

struct vblk_opts {
	char file[512];               /* the image */
	bool read_only;
};

_Static_assert(sizeof(struct vblk_opts) <= DEVICE_SPEC_PRIV, "virtio-blk's options fit in device_spec.priv");

struct vblk_state {
	struct vhost_user_glue *vu;   /* vhost-user=SOCK, or: */
	struct blk_backend *be;
	struct virtio_blk *vb;
	struct virtio_pci *t;
};

static int vblk_parse_opt(struct device_spec *s, const char *key, const char *v, char *err,
			  size_t errlen)
{
	struct vblk_opts *o = device_spec_priv(s);

	if (!strcmp(key, "file") && *v) {
		if (strlen(v) >= sizeof(o->file)) {
			snprintf(err, errlen, "virtio-blk: file= path longer than %zu bytes", sizeof(o->file) - 1);
			return -1;
		}
		snprintf(o->file, sizeof(o->file), "%s", v);
		return 0;
	}
	if (!strcmp(key, "readonly") && (!strcmp(v, "0") || !strcmp(v, "1"))) {
		o->read_only = v[0] == '1';
		return 0;
	}
	return virtio_type_parse_opt(s, true, key, v, err, errlen);
}

static int vblk_check(const struct device_spec *s, char *err, size_t errlen)
{
	const struct vblk_opts *o = device_spec_priv(s);

	if (virtio_type_check(s, err, errlen))
		return -1;
	if (s->vhost_user[0] && (o->file[0] || o->read_only)) {
		snprintf(err, errlen, "virtio-blk: vhost-user=SOCK takes no file= or readonly= (the back-end has the disk)");
		return -1;
	}
	if (!o->file[0] && !s->vhost_user[0]) {
		snprintf(err, errlen, "virtio-blk needs file=PATH (a raw image) or vhost-user=SOCK");
		return -1;
	}
	return 0;
}

static void vblk_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	const struct vblk_opts *o = device_spec_priv(s);

	(void)env;
	if (!virtio_type_describe(s, d))
		json_object_set_new(d, "backend", json_string("vmm"));
	if (o->file[0]) {
		json_object_set_new(d, "file", json_string(o->file));
		json_object_set_new(d, "readonly", json_boolean(o->read_only));
	}
}

static enum outcome vblk_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				size_t errlen)
{
	const struct vblk_opts *o = device_spec_priv(s);
	struct vblk_state *st = calloc(1, sizeof(*st));
	struct blk_backend *b;
	struct virtio_blk *vb;
	enum outcome why;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	*state = st;
	if (s->vhost_user[0])
		return vhost_user_glue_create(&st->vu, VHU_DEV_BLK, s, env, err, errlen);
	b = calloc(1, sizeof(*b));
	vb = calloc(1, sizeof(*vb));
	if (!b || !vb) {
		free(b);
		free(vb);
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	b->fd = -1;
	st->be = b;
	why = blk_backend_open(b, o->file, o->read_only, err, errlen);
	if (why != OUTCOME_OK) {
		free(vb);
		return why;
	}
	if (virtio_blk_init(vb, &env->vm->mem, b, err, errlen)) {
		free(vb);
		return OUTCOME_FAILED;
	}
	st->vb = vb;
	return virtio_type_attach(&st->t, &vb->vdev, s, env, err, errlen);
}

static void vblk_stop(void *state)
{
	struct vblk_state *st = state;

	if (st->vu)
		vhost_user_glue_stop(st->vu);
}

static void vblk_destroy(void *state)
{
	struct vblk_state *st = state;

	if (st->vu)
		vhost_user_glue_destroy(st->vu);
	virtio_type_detach(st->t);
	if (st->vb) {
		virtio_blk_destroy(st->vb);
		free(st->vb);
	}
	if (st->be && st->be->fd >= 0)
		blk_backend_close(st->be);
	free(st->be);
	free(st);
}

static const struct dev_metrics *vblk_metrics(void *state)
{
	struct vblk_state *st = state;

	return st->vu ? vhost_user_glue_metrics(st->vu) : virtio_blk_metrics(st->vb);
}

const struct device_type device_type_virtio_blk = {
	.name = "virtio-blk",
	.kind = DEVICE_BLK,
	.usage = "virtio-blk takes file=PATH, readonly=0|1, notify=exit|ioeventfd, vhost-user=SOCK, server=0|1, "
		 "on-disconnect=reset|stop",
	.parse_opt = vblk_parse_opt,
	.check = vblk_check,
	.describe = vblk_describe,
	.create = vblk_create,
	.stop = vblk_stop,
	.destroy = vblk_destroy,
	.metrics = vblk_metrics,
};
