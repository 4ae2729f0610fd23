// SPDX-License-Identifier: MIT
/* The e1000's row in the device registry (devices/device_types.h): no options, the run's NIC. */
#include <stdio.h>
#include <stdlib.h>

#include "devices/device_types.h"
#include "devices/e1000/e1000.h"
#include "devices/pci/pci_host.h"
#include "devices/vhost/vhost_user_type.h"
#include "util/outcome.h"
#include "vmm/vm.h"

static void e1000_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	(void)s;
	json_object_set_new(d, "backend", json_string("vmm"));
	json_object_set_new(d, "netdev", json_string(env->netdev));
}

static enum outcome e1000_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				   size_t errlen)
{
	struct e1000 *e = calloc(1, sizeof(*e));

	(void)s;
	if (!e || e1000_init(e, &env->vm->mem, env->net, device_guest_mac, err, errlen)) {
		free(e);
		return OUTCOME_FAILED;
	}
	*state = e;
	if (pci_host_add(env->pci, e1000_pci_device(e), -1, err, errlen))
		return OUTCOME_FAILED;
	return OUTCOME_OK;
}

static int e1000_type_start(void *state, char *err, size_t errlen)
{
	if (e1000_start(state)) {
		snprintf(err, errlen, "e1000: cannot start its RX thread");
		return -1;
	}
	return 0;
}

static void e1000_type_destroy(void *state)
{
	e1000_destroy(state);
	free(state);
}

static const struct dev_metrics *e1000_type_metrics(void *state)
{
	return e1000_metrics(state);
}

const struct device_type device_type_e1000 = {
	.name = "e1000",
	.kind = DEVICE_NIC,
	.usage = "e1000 takes no options",
	.describe = e1000_describe,
	.create = e1000_create,
	.start = e1000_type_start,
	.destroy = e1000_type_destroy,
	.metrics = e1000_type_metrics,
};
