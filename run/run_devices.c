// SPDX-License-Identifier: MIT
/*
 * `exitlab run --device …`: builds the PCI host, the irq chip, the NIC's
 * backend and each device through its row in the registry
 * (devices/device_types.h), and brackets every bench phase with a snapshot
 * of every device's counters. It knows no model by name: the rows pair each
 * model with its transport and backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitlab/boot_abi.h"
#include "devices/device_types.h"
#include "util/outcome.h"
#include "devices/net/net_backend.h"
#include "run/run_devices.h"
#include "vmm/thread_cpu.h"
#include "vmm/vm.h"

/* One key=value of arg for s's row: 0 taken, -1 refused with err. */
static int parse_key(struct device_spec *s, char *tok, char *err, size_t errlen)
{
	const struct device_type *t = s->type;
	char *eq = strchr(tok, '=');
	const char *v = eq ? eq + 1 : "";
	int r;

	if (eq)
		*eq = 0;
	r = t->parse_opt ? t->parse_opt(s, tok, v, err, errlen) : 1;
	if (r > 0)
		snprintf(err, errlen, "%s: bad option '%s%s%s' (%s)", t->name, tok, eq ? "=" : "", v, t->usage);
	return r ? -1 : 0;
}

/* "virtio-net,notify=exit", "virtio-blk,file=IMG,readonly=1", "e1000", "virtio-net,vhost-user=SOCK,server=1". */
int run_dev_parse(struct run_dev_opts *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok, names[128];
	struct device_spec s = { 0 };
	int rc = -1;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->ndev >= RUN_DEV_MAX) {
		snprintf(err, errlen, "at most %d --device", RUN_DEV_MAX);
		goto out;
	}
	tok = strtok_r(copy, ",", &save);
	if (!tok) {
		device_type_names(names, sizeof(names), " or ");
		snprintf(err, errlen, "empty --device: give %s", names);
		goto out;
	}
	s.type = device_type_find(tok);
	if (!s.type) {
		device_type_names(names, sizeof(names), ", ");
		snprintf(err, errlen, "unknown device model '%s' (%s)", tok, names);
		goto out;
	}
	while ((tok = strtok_r(NULL, ",", &save)))
		if (parse_key(&s, tok, err, errlen))
			goto out;
	if (s.type->check && s.type->check(&s, err, errlen))
		goto out;
	for (unsigned i = 0; i < o->ndev; i++)
		if (o->dev[i].type->kind == DEVICE_NIC && s.type->kind == DEVICE_NIC) {
			snprintf(err, errlen, "one NIC per run (its backend is --netdev): %s and %s",
				 o->dev[i].type->name, s.type->name);
			goto out;
		}
	o->dev[o->ndev++] = s;
	rc = 0;
out:
	free(copy);
	return rc;
}

json_t *run_dev_describe(const struct run_dev_opts *o)
{
	struct device_env env = { .netdev = o->netdev ? o->netdev : RUN_DEV_DEFAULT_NETDEV };
	json_t *a = json_array();

	for (unsigned i = 0; i < o->ndev; i++) {
		const struct device_spec *s = &o->dev[i];
		json_t *d = json_pack("{s:s, s:s}", "model", s->type->name, "kind", device_kind_name(s->type->kind));

		s->type->describe(s, &env, d);
		json_array_append_new(a, d);
	}
	return a;
}

static const char *const net_names[] = {
	"tx_frames", "tx_bytes", "tx_errors", "rx_frames", "rx_bytes", "rx_dropped", "tx_bad_payload",
};

_Static_assert(sizeof(struct net_backend_stats) == sizeof(net_names) / sizeof(net_names[0]) * sizeof(uint64_t),
	       "net_names must name every net_backend_stats counter, in order");

static int add_metrics(struct run_devices *d, const struct dev_metrics *m)
{
	struct run_dev_metrics *rm = &d->metrics[d->nmetrics];

	rm->m = m;
	rm->before = calloc(m->n ? m->n : 1, sizeof(uint64_t));
	if (!rm->before)
		return -1;
	d->nmetrics++;
	return 0;
}

enum outcome run_devices_create(struct run_devices *d, struct vm *vm, const struct run_dev_opts *o,
				struct boot_info *bi, char *err, size_t errlen)
{
	struct device_env env;
	bool nic = false;
	int rc;

	memset(d, 0, sizeof(*d));
	thread_cpu_reset(); /* the device side is this VM's devices' threads */
	if (!o->ndev && bi)
		return OUTCOME_OK;
	if (irq_chip_init(&d->irq, vm, err, errlen))
		return OUTCOME_NO_HOST;
	if (pci_host_init(&d->pci, vm, &d->irq, err, errlen)) {
		irq_chip_destroy(&d->irq);
		return OUTCOME_FAILED;
	}
	d->on = true;
	for (unsigned i = 0; i < o->ndev; i++)
		nic |= o->dev[i].type->kind == DEVICE_NIC && !o->dev[i].vhost_user[0];
	if (nic) {
		enum outcome why;

		d->net = net_backend_open(o->netdev ? o->netdev : RUN_DEV_DEFAULT_NETDEV, &why, err, errlen);
		if (!d->net)
			return why;
		memcpy(d->net->mac, (const uint8_t[6]){ 0x52, 0x54, 0x00, 0xfe, 0xed, 0x01 }, 6);
		/* rx would wait for frames that never come and fail: skipped, saying what to use. */
		if (d->net->ops->sends_nothing)
			d->skips[d->nskips++] = (struct bench_skip){
				"rx", "--netdev sink sends the guest no frames: receive needs gen, "
				      "tap, or loop with --param loopback=1"
			};
		d->net_metrics = (struct dev_metrics){
			.device = "netdev", .n = sizeof(net_names) / sizeof(net_names[0]),
			.names = net_names, .values = &d->net->stats.tx_frames,
		};
		if (add_metrics(d, &d->net_metrics))
			return OUTCOME_FAILED;
	}
	env = (struct device_env){
		.vm = vm, .pci = &d->pci, .irq = &d->irq, .net = d->net,
		.netdev = o->netdev ? o->netdev : RUN_DEV_DEFAULT_NETDEV,
	};
	for (unsigned i = 0; i < o->ndev; i++) {
		const struct device_type *t = o->dev[i].type;

		d->dev[i].type = t;
		d->n = i + 1;
		rc = t->create(&o->dev[i], &env, &d->dev[i].state, err, errlen);
		if (rc)
			return rc;
		if (t->metrics && add_metrics(d, t->metrics(d->dev[i].state)))
			return OUTCOME_FAILED;
	}
	if (bi)
		bi->pci_ecam_gpa = PCI_ECAM_BASE;
	return OUTCOME_OK;
}

int run_devices_start(struct run_devices *d, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->dev[i].type->start && d->dev[i].type->start(d->dev[i].state, err, errlen))
			return -1;
	/* virtio devices start their workers when the driver sets DRIVER_OK */
	return 0;
}

void run_devices_destroy(struct run_devices *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		const struct device_type *t = d->dev[i].type;

		if (!d->dev[i].state)
			continue;
		if (t->stop)
			t->stop(d->dev[i].state);
		t->destroy(d->dev[i].state);
	}
	if (d->net)
		net_backend_close(d->net);
	for (unsigned i = 0; i < d->nmetrics; i++)
		free(d->metrics[i].before);
	if (d->on) {
		pci_host_destroy(&d->pci);
		irq_chip_destroy(&d->irq);
	}
	memset(d, 0, sizeof(*d));
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void run_devices_phase_begin(struct run_devices *d)
{
	for (unsigned i = 0; i < d->nmetrics; i++)
		for (unsigned k = 0; k < d->metrics[i].m->n; k++)
			d->metrics[i].before[k] = load(&d->metrics[i].m->values[k]);
}

json_t *run_devices_phase_end(struct run_devices *d)
{
	json_t *o = json_object();

	for (unsigned i = 0; i < d->nmetrics; i++) {
		const struct dev_metrics *m = d->metrics[i].m;
		json_t *dev = json_object();

		/* every key always present, zero or not */
		for (unsigned k = 0; k < m->n; k++)
			json_object_set_new(dev, m->names[k],
					    json_integer((json_int_t)(load(&m->values[k]) - d->metrics[i].before[k])));
		json_object_set_new(o, m->device, dev);
	}
	return o;
}

json_t *run_devices_totals(const struct run_devices *d)
{
	json_t *o;

	if (!d->on)
		return NULL;
	o = json_object();
	for (unsigned i = 0; i < d->nmetrics; i++) {
		const struct dev_metrics *m = d->metrics[i].m;
		json_t *dev = json_object();

		for (unsigned k = 0; k < m->n; k++)
			json_object_set_new(dev, m->names[k], json_integer((json_int_t)load(&m->values[k])));
		json_object_set_new(o, m->device, dev);
	}
	json_object_set_new(o, "pci", json_pack("{s:I, s:I, s:I}",
		"config_accesses", (json_int_t)load(&d->pci.cfg_accesses),
		"bar_accesses", (json_int_t)load(&d->pci.bar_accesses),
		"unhandled", (json_int_t)load(&d->pci.unhandled)));
	return o;
}
