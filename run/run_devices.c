// SPDX-License-Identifier: MIT
/*
 * `exitlab run --device …`: builds the PCI host, the irq chip and each
 * device model with its backend, and brackets every bench phase with a
 * snapshot of every device's counters. Models and backends are independent
 * (docs/architecture.md): this file is the only place that pairs them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitlab/boot_abi.h"
#include "devices/blk/blk_backend.h"
#include "util/outcome.h"
#include "devices/e1000/e1000.h"
#include "devices/net/net_backend.h"
#include "run/run_devices.h"
#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtio_net.h"
#include "devices/virtio/virtio_pci.h"
#include "devices/vhost/vhost_net.h"
#include "devices/vhost/vhost_user_dev.h"
#include "devices/vfio/vfio.h"
#include "vmm/thread_cpu.h"
#include "vmm/vm.h"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static const char *model_name(enum run_dev_model m)
{
	switch (m) {
	case RUN_DEV_E1000: return "e1000";
	case RUN_DEV_VIRTIO_NET: return "virtio-net";
	case RUN_DEV_VIRTIO_BLK: return "virtio-blk";
	case RUN_DEV_VFIO: return "vfio";
	}
	return "?";
}

static bool is_nic(enum run_dev_model m)
{
	return m == RUN_DEV_E1000 || m == RUN_DEV_VIRTIO_NET;
}

/* "virtio-net,notify=exit", "virtio-blk,file=IMG,readonly=1", "e1000", "virtio-net,vhost-user=SOCK,server=1". */
int run_dev_parse(struct run_dev_opts *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	struct run_dev_spec s = { 0 };
	bool vu_opts = false;
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
		snprintf(err, errlen, "empty --device: give e1000, virtio-net or virtio-blk");
		goto out;
	}
	if (!strcmp(tok, "e1000"))
		s.model = RUN_DEV_E1000;
	else if (!strcmp(tok, "virtio-net"))
		s.model = RUN_DEV_VIRTIO_NET;
	else if (!strcmp(tok, "virtio-blk"))
		s.model = RUN_DEV_VIRTIO_BLK;
	else if (!strcmp(tok, "vfio"))
		s.model = RUN_DEV_VFIO;
	else {
		snprintf(err, errlen, "unknown device model '%s' (e1000, virtio-net, virtio-blk, vfio)", tok);
		goto out;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";

		if (eq)
			*eq = 0;
		if (s.model == RUN_DEV_VFIO) {
			/* vfio,host=BDF: the one option; a malformed address is a usage error */
			if (strcmp(tok, "host") || vfio_bdf_parse(v, s.host)) {
				snprintf(err, errlen, "vfio: bad option '%s%s%s' (vfio takes host=DDDD:BB:DD.F, "
					 "a PCI address from lspci -D)", tok, eq ? "=" : "", v);
				goto out;
			}
		} else if (!strcmp(tok, "notify") && s.model != RUN_DEV_E1000 &&
		    (!strcmp(v, "exit") || !strcmp(v, "ioeventfd"))) {
			s.notify_by_exit = !strcmp(v, "exit");
		} else if (!strcmp(tok, "file") && s.model == RUN_DEV_VIRTIO_BLK && *v) {
			if (strlen(v) >= sizeof(s.file)) {
				snprintf(err, errlen, "virtio-blk: file= path longer than %zu bytes", sizeof(s.file) - 1);
				goto out;
			}
			snprintf(s.file, sizeof(s.file), "%s", v);
		} else if (!strcmp(tok, "readonly") && s.model == RUN_DEV_VIRTIO_BLK &&
			   (!strcmp(v, "0") || !strcmp(v, "1"))) {
			s.read_only = v[0] == '1';
		} else if (!strcmp(tok, "vhost-user") && s.model != RUN_DEV_E1000 && *v) {
			if (strlen(v) >= sizeof(s.vhost_user)) {
				snprintf(err, errlen, "%s: vhost-user= socket path longer than %zu bytes",
					 model_name(s.model), sizeof(s.vhost_user) - 1);
				goto out;
			}
			snprintf(s.vhost_user, sizeof(s.vhost_user), "%s", v);
		} else if (!strcmp(tok, "vhost") && s.model == RUN_DEV_VIRTIO_NET && !strcmp(v, "net")) {
			s.vhost_net = true;
		} else if (!strcmp(tok, "server") && s.model != RUN_DEV_E1000 &&
			   (!strcmp(v, "0") || !strcmp(v, "1"))) {
			s.vhost_user_server = v[0] == '1';
			vu_opts = true;
		} else if (!strcmp(tok, "on-disconnect") && s.model != RUN_DEV_E1000 &&
			   (!strcmp(v, "reset") || !strcmp(v, "stop"))) {
			s.stop_on_disconnect = !strcmp(v, "stop");
			vu_opts = true;
		} else {
			snprintf(err, errlen, "%s: bad option '%s%s%s' (%s)", model_name(s.model), tok,
				 eq ? "=" : "", v,
				 s.model == RUN_DEV_E1000 ? "e1000 takes no options" :
				 s.model == RUN_DEV_VIRTIO_NET ? "virtio-net takes notify=exit|ioeventfd, vhost=net, "
				 "vhost-user=SOCK, server=0|1, on-disconnect=reset|stop" :
				 "virtio-blk takes file=PATH, readonly=0|1, notify=exit|ioeventfd, "
				 "vhost-user=SOCK, server=0|1, on-disconnect=reset|stop");
			goto out;
		}
	}
	if (s.vhost_net && s.vhost_user[0]) {
		snprintf(err, errlen, "virtio-net: vhost=net and vhost-user= are two different back-ends: pick one");
		goto out;
	}
	if (vu_opts && !s.vhost_user[0]) {
		snprintf(err, errlen, "%s: server= and on-disconnect= go with vhost-user=SOCK", model_name(s.model));
		goto out;
	}
	if (s.vhost_user[0] && (s.file[0] || s.read_only)) {
		snprintf(err, errlen, "virtio-blk: vhost-user=SOCK takes no file= or readonly= (the back-end has the disk)");
		goto out;
	}
	if (s.model == RUN_DEV_VFIO && !s.host[0]) {
		snprintf(err, errlen, "vfio needs host=DDDD:BB:DD.F (the host PCI function to pass through)");
		goto out;
	}
	if (s.model == RUN_DEV_VIRTIO_BLK && !s.file[0] && !s.vhost_user[0]) {
		snprintf(err, errlen, "virtio-blk needs file=PATH (a raw image) or vhost-user=SOCK");
		goto out;
	}
	for (unsigned i = 0; i < o->ndev; i++)
		if (is_nic(o->dev[i].model) && is_nic(s.model)) {
			snprintf(err, errlen, "one NIC per run (its backend is --netdev): %s and %s",
				 model_name(o->dev[i].model), model_name(s.model));
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
	json_t *a = json_array();

	for (unsigned i = 0; i < o->ndev; i++) {
		const struct run_dev_spec *s = &o->dev[i];
		json_t *d = json_pack("{s:s}", "model", model_name(s->model));

		if (s->model == RUN_DEV_VFIO) {
			json_object_set_new(d, "host", json_string(s->host));
			json_object_set_new(d, "backend", json_string("passthrough"));   /* charts: "vfio (passthrough)" */
			json_array_append_new(a, d);
			continue;
		}
		if (s->model != RUN_DEV_E1000)
			json_object_set_new(d, "notify", json_string(s->notify_by_exit ? "exit" : "ioeventfd"));
		if (s->vhost_user[0]) {
			json_object_set_new(d, "backend", json_string("vhost-user"));
			json_object_set_new(d, "socket", json_string(s->vhost_user));
			json_object_set_new(d, "server", json_boolean(s->vhost_user_server));
			json_object_set_new(d, "on_disconnect", json_string(s->stop_on_disconnect ? "stop" : "reset"));
		} else if (is_nic(s->model)) {
			/* who has the data path: the kernel's vhost-net, or the VMM's own model */
			json_object_set_new(d, "backend", json_string(s->vhost_net ? "vhost-net" : "vmm"));
			json_object_set_new(d, "netdev", json_string(o->netdev ? o->netdev : RUN_DEV_DEFAULT_NETDEV));
		} else {
			json_object_set_new(d, "backend", json_string("vmm"));
		}
		if (s->file[0]) {
			json_object_set_new(d, "file", json_string(s->file));
			json_object_set_new(d, "readonly", json_boolean(s->read_only));
		}
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

static void stop_vm(void *arg, int code, const char *why)
{
	vm_stop(arg, code, why);
}

/* A vhost-user device behind virtio-pci: the back-end process has the data path. */
static int make_vhost_user(struct run_devices *d, struct vm *vm, const struct run_dev_spec *s, unsigned i,
			   char *err, size_t errlen)
{
	struct vhost_user_dev *vu = calloc(1, sizeof(*vu));
	struct virtio_pci *t = calloc(1, sizeof(*t));
	struct vhost_user_dev_opts vo = {
		.kind = s->model == RUN_DEV_VIRTIO_NET ? VHU_DEV_NET : VHU_DEV_BLK,
		.path = s->vhost_user, .server = s->vhost_user_server,
		.on_disconnect = s->stop_on_disconnect ? VHU_DISC_STOP : VHU_DISC_RESET,
		.mac = guest_mac, .stop_vm = stop_vm, .stop_arg = vm,
	};
	bool host_fault = false;

	if (!vu || !t) {
		free(vu);
		free(t);
		snprintf(err, errlen, "out of memory");
		return EXIT_FAILED;
	}
	d->models[i] = vu;
	d->vhost_user[i] = true;
	if (vhost_user_dev_init(vu, &vm->mem, &vo, &host_fault, err, errlen)) {
		free(t);
		return host_fault ? EXIT_NOHOST : EXIT_FAILED;
	}
	if (virtio_pci_init(t, &vu->vdev, vm, &d->pci, &d->irq, s->notify_by_exit, err, errlen)) {
		free(t);
		return EXIT_FAILED;
	}
	d->transports[i] = t;
	if (vhost_user_dev_start_monitor(vu)) {
		snprintf(err, errlen, "vhost-user: cannot start the monitor thread");
		return EXIT_FAILED;
	}
	return add_metrics(d, vhost_user_dev_metrics(vu)) ? EXIT_FAILED : 0;
}

static int make_nic(struct run_devices *d, struct vm *vm, const struct run_dev_spec *s, unsigned i, char *err,
		    size_t errlen)
{
	struct pci_device *pdev;

	if (s->model == RUN_DEV_E1000) {
		struct e1000 *e = calloc(1, sizeof(*e));

		if (!e || e1000_init(e, &vm->mem, d->net, guest_mac, err, errlen)) {
			free(e);
			return EXIT_FAILED;
		}
		d->models[i] = e;
		pdev = e1000_pci_device(e);
		if (pci_host_add(&d->pci, pdev, -1, err, errlen))
			return EXIT_FAILED;
		return add_metrics(d, e1000_metrics(e)) ? EXIT_FAILED : 0;
	} else if (s->vhost_net) {
		struct vhost_net *h = calloc(1, sizeof(*h));
		struct virtio_pci *t = calloc(1, sizeof(*t));
		bool host_fault = false;

		if (!h || !t) {
			free(h);
			free(t);
			snprintf(err, errlen, "out of memory");
			return EXIT_FAILED;
		}
		if (vhost_net_init(h, &vm->mem, d->net, guest_mac, &host_fault, err, errlen)) {
			free(h);
			free(t);
			return host_fault ? EXIT_NOHOST : EXIT_USAGE;
		}
		d->models[i] = h;
		d->vhost_net[i] = true;
		/* The kernel's worker (made by SET_OWNER) moves the frames: its CPU time is the device side's. */
		if (thread_cpu_add_vhost_workers(getpid()) <= 0)
			thread_cpu_unknown_part(1);
		if (virtio_pci_init(t, &h->vdev, vm, &d->pci, &d->irq, s->notify_by_exit, err, errlen)) {
			free(t);
			return EXIT_FAILED;
		}
		d->transports[i] = t;
		return add_metrics(d, vhost_net_metrics(h)) ? EXIT_FAILED : 0;
	} else {
		struct virtio_net *n = calloc(1, sizeof(*n));
		struct virtio_pci *t = calloc(1, sizeof(*t));

		if (!n || !t || virtio_net_init(n, &vm->mem, d->net, guest_mac, err, errlen)) {
			free(n);
			free(t);
			return EXIT_FAILED;
		}
		d->models[i] = n;
		if (virtio_pci_init(t, &n->vdev, vm, &d->pci, &d->irq, s->notify_by_exit, err, errlen)) {
			free(t);
			return EXIT_FAILED;
		}
		d->transports[i] = t;
		return add_metrics(d, virtio_net_metrics(n)) ? EXIT_FAILED : 0;
	}
}

static int make_blk(struct run_devices *d, struct vm *vm, const struct run_dev_spec *s, unsigned i, char *err,
		    size_t errlen)
{
	struct blk_backend *b = calloc(1, sizeof(*b));
	struct virtio_blk *vb = calloc(1, sizeof(*vb));
	struct virtio_pci *t = calloc(1, sizeof(*t));
	bool host_fault = false;

	if (!b || !vb || !t) {
		free(b);
		free(vb);
		free(t);
		snprintf(err, errlen, "out of memory");
		return EXIT_FAILED;
	}
	b->fd = -1;
	d->blk[i] = b;
	if (blk_backend_open(b, s->file, s->read_only, &host_fault, err, errlen)) {
		free(vb);
		free(t);
		return host_fault ? EXIT_NOHOST : EXIT_USAGE;
	}
	if (virtio_blk_init(vb, &vm->mem, b, err, errlen)) {
		free(vb);
		free(t);
		return EXIT_FAILED;
	}
	d->models[i] = vb;
	if (virtio_pci_init(t, &vb->vdev, vm, &d->pci, &d->irq, s->notify_by_exit, err, errlen)) {
		free(t);
		return EXIT_FAILED;
	}
	d->transports[i] = t;
	return add_metrics(d, virtio_blk_metrics(vb)) ? EXIT_FAILED : 0;
}

/* A host function passed through with VFIO (devices/vfio/vfio.h). */
static int make_vfio(struct run_devices *d, struct vm *vm, const struct run_dev_spec *s, unsigned i, char *err,
		     size_t errlen)
{
	struct vfio_dev *v = calloc(1, sizeof(*v));
	bool host_fault = false;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return EXIT_FAILED;
	}
	if (vfio_dev_init(v, s->host, &vm->mem, vm, &d->irq, NULL, NULL, &host_fault, err, errlen)) {
		free(v);
		return host_fault ? EXIT_NOHOST : EXIT_FAILED;
	}
	d->models[i] = v;
	if (pci_host_add(&d->pci, vfio_dev_pci(v), -1, err, errlen))
		return EXIT_FAILED;
	vfio_dev_start(v);   /* INTx on its GSI, now that the bridge assigned one */
	return add_metrics(d, vfio_dev_metrics(v)) ? EXIT_FAILED : 0;
}

int run_devices_create(struct run_devices *d, struct vm *vm, const struct run_dev_opts *o,
		       struct boot_info *bi, char *err, size_t errlen)
{
	bool nic = false;
	int rc;

	memset(d, 0, sizeof(*d));
	thread_cpu_reset(); /* the device side is this VM's devices' threads */
	if (!o->ndev)
		return 0;
	if (irq_chip_init(&d->irq, vm, err, errlen))
		return EXIT_NOHOST;
	if (pci_host_init(&d->pci, vm, &d->irq, err, errlen)) {
		irq_chip_destroy(&d->irq);
		return EXIT_FAILED;
	}
	d->on = true;
	for (unsigned i = 0; i < o->ndev; i++)
		nic |= is_nic(o->dev[i].model) && !o->dev[i].vhost_user[0];
	if (nic) {
		bool host_fault = false;

		d->net = net_backend_open(o->netdev ? o->netdev : RUN_DEV_DEFAULT_NETDEV, &host_fault, err, errlen);
		if (!d->net)
			return host_fault ? EXIT_NOHOST : EXIT_USAGE;
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
			return EXIT_FAILED;
	}
	for (unsigned i = 0; i < o->ndev; i++) {
		const struct run_dev_spec *s = &o->dev[i];

		d->kinds[i] = s->model;
		d->n = i + 1;
		if (s->model == RUN_DEV_VFIO)
			rc = make_vfio(d, vm, s, i, err, errlen);
		else if (s->vhost_user[0])
			rc = make_vhost_user(d, vm, s, i, err, errlen);
		else
			rc = is_nic(s->model) ? make_nic(d, vm, s, i, err, errlen) : make_blk(d, vm, s, i, err, errlen);
		if (rc)
			return rc;
	}
	bi->pci_ecam_gpa = PCI_ECAM_BASE;
	return 0;
}

int run_devices_start(struct run_devices *d, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->kinds[i] == RUN_DEV_E1000 && e1000_start(d->models[i])) {
			snprintf(err, errlen, "e1000: cannot start its RX thread");
			return -1;
		}
	/* virtio devices start their workers when the driver sets DRIVER_OK */
	return 0;
}

void run_devices_destroy(struct run_devices *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		/* a vhost-user monitor must not interrupt through a transport being torn down */
		if (d->vhost_user[i] && d->models[i])
			vhost_user_dev_stop_monitor(d->models[i]);
		if (d->transports[i])
			virtio_pci_destroy(d->transports[i]);
		if (d->models[i]) {
			if (d->vhost_user[i])
				vhost_user_dev_destroy(d->models[i]);
			else if (d->vhost_net[i])
				vhost_net_destroy(d->models[i]);
			else if (d->kinds[i] == RUN_DEV_E1000)
				e1000_destroy(d->models[i]);
			else if (d->kinds[i] == RUN_DEV_VFIO)
				vfio_dev_destroy(d->models[i]);
			else if (d->kinds[i] == RUN_DEV_VIRTIO_NET)
				virtio_net_destroy(d->models[i]);
			else
				virtio_blk_destroy(d->models[i]);
		}
		if (d->blk[i] && ((struct blk_backend *)d->blk[i])->fd >= 0)
			blk_backend_close(d->blk[i]);
		free(d->transports[i]);
		free(d->models[i]);
		free(d->blk[i]);
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
