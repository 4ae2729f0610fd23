// SPDX-License-Identifier: MIT
/* The e1000's row in the device registry (devices/device_types.h): the run's NIC; mac= its one option. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_types.h"
#include "devices/e1000/e1000.h"
#include "devices/net/net_backend.h"
#include "devices/pci/pci_host.h"
#include "devices/vhost/vhost_user_type.h"
#include "util/outcome.h"
#include "vmm/vm.h"

/* The MAC the EEPROM (words 0-2) and RAL0/RAH0 carry: mac= or the guest MAC every NIC model shares. */
struct e1000_opts {
	bool has_mac;
	uint8_t mac[6];
};

_Static_assert(sizeof(struct e1000_opts) <= DEVICE_SPEC_PRIV, "e1000_opts must fit device_spec.priv");

static const uint8_t *e1000_mac_of(const struct device_spec *s)
{
	const struct e1000_opts *o = device_spec_priv(s);

	return o->has_mac ? o->mac : device_guest_mac;
}

static int e1000_parse_opt(struct device_spec *s, const char *key, const char *v, char *err, size_t errlen)
{
	struct e1000_opts *o = device_spec_priv(s);

	if (strcmp(key, "mac") || net_mac_parse(v, o->mac))
		return 1;
	/* what Linux's is_valid_ether_addr() refuses, refused here rather than by the guest's driver */
	if (o->mac[0] & 1 || !(o->mac[0] | o->mac[1] | o->mac[2] | o->mac[3] | o->mac[4] | o->mac[5])) {
		snprintf(err, errlen, "e1000: mac=%s is a %s address: a NIC's own MAC is unicast and not zero", v,
			 o->mac[0] & 1 ? "multicast" : "zero");
		return -1;
	}
	o->has_mac = true;
	return 0;
}

static void e1000_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	const uint8_t *m = e1000_mac_of(s);
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	json_object_set_new(d, "backend", json_string("vmm"));
	json_object_set_new(d, "netdev", json_string(env->netdev));
	json_object_set_new(d, "mac", json_string(mac));
}

static enum outcome e1000_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				   size_t errlen)
{
	struct e1000 *e = calloc(1, sizeof(*e));

	if (!e || e1000_init(e, &env->vm->mem, env->net, e1000_mac_of(s), err, errlen)) {
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
	.usage = "e1000 takes mac=xx:xx:xx:xx:xx:xx",
	.parse_opt = e1000_parse_opt,
	.describe = e1000_describe,
	.create = e1000_create,
	.start = e1000_type_start,
	.destroy = e1000_type_destroy,
	.metrics = e1000_type_metrics,
};
