// SPDX-License-Identifier: MIT
/* vhost-user=SOCK under virtio-net or virtio-blk (vhost_user_type.h). */
#include <stdio.h>
#include <stdlib.h>

#include "devices/vhost/vhost_user_type.h"
#include "util/outcome.h"
#include "vmm/vm.h"

const uint8_t device_guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void stop_vm(void *arg, int code, const char *why)
{
	vm_stop(arg, code, why);
}

enum outcome vhost_user_glue_create(struct vhost_user_glue **gp, enum vhu_dev_kind kind, const struct device_spec *s,
				    const struct device_env *env, char *err, size_t errlen)
{
	struct vhost_user_glue *g = calloc(1, sizeof(*g));
	struct vhost_user_dev *vu = calloc(1, sizeof(*vu));
	struct virtio_pci *t = calloc(1, sizeof(*t));
	struct vhost_user_dev_opts vo = {
		.kind = kind, .path = s->vhost_user, .server = s->vhost_user_server,
		.on_disconnect = s->stop_on_disconnect ? VHU_DISC_STOP : VHU_DISC_RESET,
		.mac = device_guest_mac, .stop_vm = stop_vm, .stop_arg = env->vm,
	};
	enum outcome why;

	*gp = NULL;
	if (!g || !vu || !t) {
		free(g);
		free(vu);
		free(t);
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	g->vu = vu;
	*gp = g;
	why = vhost_user_dev_init(vu, &env->vm->mem, &vo, err, errlen);
	if (why != OUTCOME_OK) {
		free(t);
		return why;
	}
	if (virtio_pci_init(t, &vu->vdev, env->vm, env->pci, env->irq, s->notify_by_exit, err, errlen)) {
		free(t);
		return OUTCOME_FAILED;
	}
	g->t = t;
	if (vhost_user_dev_start_monitor(vu)) {
		snprintf(err, errlen, "vhost-user: cannot start the monitor thread");
		return OUTCOME_FAILED;
	}
	return OUTCOME_OK;
}

void vhost_user_glue_stop(struct vhost_user_glue *g)
{
	vhost_user_dev_stop_monitor(g->vu);
}

void vhost_user_glue_destroy(struct vhost_user_glue *g)
{
	if (g->t)
		virtio_pci_destroy(g->t);
	vhost_user_dev_destroy(g->vu);
	free(g->t);
	free(g->vu);
	free(g);
}

const struct dev_metrics *vhost_user_glue_metrics(struct vhost_user_glue *g)
{
	return vhost_user_dev_metrics(g->vu);
}
