// SPDX-License-Identifier: MIT
/* VFIO passthrough's row in the device registry (devices/device_types.h): vfio,host=BDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_types.h"
#include "devices/pci/pci_host.h"
#include "devices/vfio/vfio.h"
#include "util/outcome.h"
#include "vmm/vm.h"

struct vfio_type_opts {
	char host[16];                /* the host PCI function passed through, normalized */
};

_Static_assert(sizeof(struct vfio_type_opts) <= DEVICE_SPEC_PRIV, "vfio's options fit in device_spec.priv");

static int vfio_parse_opt(struct device_spec *s, const char *key, const char *v, char *err,
			  size_t errlen)
{
	struct vfio_type_opts *o = device_spec_priv(s);

	(void)err, (void)errlen;
	/* the one option; a malformed address is a usage error */
	return strcmp(key, "host") || vfio_bdf_parse(v, o->host) ? 1 : 0;
}

static int vfio_check(const struct device_spec *s, char *err, size_t errlen)
{
	const struct vfio_type_opts *o = device_spec_priv(s);

	if (!o->host[0]) {
		snprintf(err, errlen, "vfio needs host=DDDD:BB:DD.F (the host PCI function to pass through)");
		return -1;
	}
	return 0;
}

static void vfio_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	const struct vfio_type_opts *o = device_spec_priv(s);

	(void)env;
	json_object_set_new(d, "host", json_string(o->host));
	json_object_set_new(d, "backend", json_string("passthrough"));   /* charts: "vfio (passthrough)" */
}

static enum outcome vfio_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				size_t errlen)
{
	const struct vfio_type_opts *o = device_spec_priv(s);
	struct vfio_dev *v = calloc(1, sizeof(*v));
	enum outcome why;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	why = vfio_dev_init(v, o->host, &env->vm->mem, env->vm, env->irq, NULL, NULL, err, errlen);
	if (why != OUTCOME_OK) {
		free(v);
		return why;
	}
	*state = v;
	if (pci_host_add(env->pci, vfio_dev_pci(v), -1, err, errlen))
		return OUTCOME_FAILED;
	vfio_dev_start(v);   /* INTx on its GSI, now that the bridge assigned one */
	return OUTCOME_OK;
}

static void vfio_type_destroy(void *state)
{
	vfio_dev_destroy(state);
	free(state);
}

static const struct dev_metrics *vfio_type_metrics(void *state)
{
	return vfio_dev_metrics(state);
}

/* Not "the NIC": an emulated one may sit beside it (its driver is the payload's business). */
const struct device_type device_type_vfio = {
	.name = "vfio",
	.kind = DEVICE_OTHER,
	.usage = "vfio takes host=DDDD:BB:DD.F, a PCI address from lspci -D",
	.parse_opt = vfio_parse_opt,
	.check = vfio_check,
	.describe = vfio_describe,
	.create = vfio_create,
	.destroy = vfio_type_destroy,
	.metrics = vfio_type_metrics,
};
