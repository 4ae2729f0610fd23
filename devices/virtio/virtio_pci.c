// SPDX-License-Identifier: MIT
/*
 * The virtio 1.x modern PCI transport (see virtio_pci.h), written from the
 * virtio 1.x specification, section 4.1: the capabilities, the common
 * configuration register file (feature negotiation, status, queue setup),
 * notifications by ioeventfd or by exit, the ISR and INTx, and MSI-X with
 * one irqfd route per queue.  Every register value the driver writes is
 * checked: out-of-range selectors, bad queue sizes and accesses of the
 * wrong width are ignored and counted in bad_accesses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/irq.h"
#include "devices/pci/pci_host.h"
#include "devices/virtio/virtio_pci.h"

#define VIRTIO_PCI_VENDOR    0x1af4
#define VIRTIO_PCI_DEVICE0   0x1040
#define VIRTIO_CAP_LEN       16
#define VIRTIO_NOTIFY_CAP_LEN 20

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static struct virtio_pci *of_dev(struct virtio_dev *v)
{
	return v->transport;
}

static uint64_t notify_addr(struct virtio_pci *t, unsigned q)
{
	uint64_t base = pci_bar_decoded(&t->pci, VIRTIO_PCI_BAR);

	return base ? base + VIRTIO_PCI_NOTIFY_OFF + q * VIRTIO_PCI_NOTIFY_MULT : 0;
}

/* ioeventfd mode: (re)register queue q's kick fd at its notify address. */
static void notify_register(struct virtio_pci *t, unsigned q)
{
	struct virtio_pci_queue *vq = &t->q[q];
	uint64_t addr = notify_addr(t, q);
	char err[256];

	if (vq->ev.fd >= 0)
		ioeventfd_detach(t->vm, &vq->ev);
	if (t->notify_by_exit || !t->vm || !vq->enabled || vq->kick_fd < 0 || !addr)
		return;
	/* The driver writes the 16-bit queue index; other widths still reach the BAR handler. */
	if (ioeventfd_attach(t->vm, &vq->ev, vq->kick_fd, addr, 2, false, false, 0, err, sizeof(err)))
		fprintf(stderr, "%s: queue %u: %s (notifications fall back to exits)\n", t->dev->name, q, err);
}

/* Point queue q's MSI route at its vector's MSI-X entry, or mask it. */
static void route_update(struct virtio_pci *t, unsigned q)
{
	struct virtio_pci_queue *vq = &t->q[q];
	uint64_t addr = 0;
	uint32_t data = 0;
	bool masked = true, was_live = vq->route_live;

	if (!t->irq || vq->gsi < 0)
		return;
	if (pci_msix_enabled(&t->pci) && vq->msix_vector != VIRTIO_NO_VECTOR &&
	    pci_msi_message(&t->pci, vq->msix_vector, &addr, &data, &masked))
		masked = true;
	if (irq_msi_route_set(t->irq, vq->gsi, addr, data, masked))
		return;
	vq->route_live = !masked && irq_is_msi_addr(addr);
	/* A write to call_fd while masked was dropped: one (maybe spurious) interrupt makes up for it. */
	if (!was_live && vq->route_live && vq->enabled && (t->dev->status & VIRTIO_STATUS_DRIVER_OK)) {
		uint64_t one = 1;

		if (write(vq->call_fd, &one, sizeof(one)) != sizeof(one))
			fprintf(stderr, "%s: queue %u: call eventfd write failed\n", t->dev->name, q);
	}
}

static void routes_update(struct virtio_pci *t)
{
	for (unsigned q = 0; q < t->dev->nqueues; q++)
		route_update(t, q);
}

/* The transport ops the device model uses. */
static int vp_interrupt(struct virtio_dev *v, int q)
{
	struct virtio_pci *t = of_dev(v);
	int rc;

	if (q >= (int)v->nqueues)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (q < 0)
		count(&t->config_irqs);
	if (pci_msix_enabled(&t->pci)) {
		uint16_t vec = q < 0 ? t->msix_config : t->q[q].msix_vector;

		/* No vector mapped: the driver asked for no interrupt (spec 4.1.4.3). */
		if (vec == VIRTIO_NO_VECTOR || vec >= t->pci.msix_nvec) {
			rc = 0;
		} else {
			rc = pci_irq_raise(&t->pci, vec);
			if (!rc)
				count(&t->irqs_by_vector[vec]);
		}
	} else {
		t->isr |= q < 0 ? VIRTIO_PCI_ISR_CONFIG : VIRTIO_PCI_ISR_QUEUE;
		rc = pci_irq_raise(&t->pci, 0);
		count(&t->intx_irqs);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static int vp_kick_fd(struct virtio_dev *v, unsigned q)
{
	return q < v->nqueues ? of_dev(v)->q[q].kick_fd : -1;
}

static int vp_call_fd(struct virtio_dev *v, unsigned q)
{
	struct virtio_pci *t = of_dev(v);

	if (q >= v->nqueues || t->q[q].call_fd < 0 || !pci_msix_enabled(&t->pci) ||
	    t->q[q].msix_vector == VIRTIO_NO_VECTOR)
		return -1;
	return t->q[q].call_fd;
}

static const struct virtio_transport_ops vp_tops = {
	.interrupt = vp_interrupt, .kick_fd = vp_kick_fd, .call_fd = vp_call_fd,
};

/* Reset: stop the device, forget features and queues (status 0, or teardown). */
static void vp_reset(struct virtio_pci *t)
{
	struct virtio_dev *v = t->dev;

	if (v->ops && v->ops->stop)
		v->ops->stop(v);   /* not under t->lock: its workers may be in vp_interrupt */
	pthread_mutex_lock(&t->lock);
	for (unsigned q = 0; q < v->nqueues; q++) {
		struct virtio_pci_queue *vq = &t->q[q];

		if (vq->ev.fd >= 0)
			ioeventfd_detach(t->vm, &vq->ev);
		if (vq->kick_fd >= 0)
			close(vq->kick_fd);
		vq->kick_fd = -1;
		virtq_reset(&v->vq[q]);
		vq->size = v->queue_max[q];
		vq->msix_vector = VIRTIO_NO_VECTOR;
		vq->enabled = false;
		vq->desc = vq->driver = vq->device = 0;
		route_update(t, q);
	}
	v->features = 0;
	t->driver_features = 0;
	t->dfselect = t->gfselect = 0;
	t->msix_config = VIRTIO_NO_VECTOR;
	t->queue_select = 0;
	t->isr = 0;
	pci_intx_lower(&t->pci);
	__atomic_store_n(&v->status, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&t->lock);
}

static void queue_enable(struct virtio_pci *t, unsigned q)
{
	struct virtio_dev *v = t->dev;
	struct virtio_pci_queue *vq = &t->q[q];
	char why[200];

	if (virtq_init(&v->vq[q], v->mem, vq->size, vq->desc, vq->driver, vq->device,
		       virtio_has_feature(v, VIRTIO_RING_F_EVENT_IDX),
		       virtio_has_feature(v, VIRTIO_RING_F_INDIRECT_DESC))) {
		snprintf(why, sizeof(why), "queue %u: %s", q, v->vq[q].why);
		virtio_dev_needs_reset(v, why);
		return;
	}
	vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kick_fd < 0) {
		snprintf(why, sizeof(why), "queue %u: eventfd: %s", q, strerror(errno));
		virtq_reset(&v->vq[q]);
		virtio_dev_needs_reset(v, why);
		return;
	}
	vq->enabled = true;
	pthread_mutex_lock(&t->lock);
	notify_register(t, q);
	route_update(t, q);
	pthread_mutex_unlock(&t->lock);
}

/*
 * A status write.  Bits only go up until a reset (status 0): the driver must
 * not clear them (virtio 1.x 2.1.2), and a hostile one that tries must not
 * unfreeze the features of a running device (its workers read them) or
 * restart it behind their back.  The bits are added with one atomic OR, so a
 * NEEDS_RESET that a worker sets meanwhile is never lost; NEEDS_RESET itself
 * is the device's to set, never the driver's.
 */
static void status_write(struct virtio_pci *t, uint8_t val)
{
	struct virtio_dev *v = t->dev;
	uint8_t old = __atomic_load_n(&v->status, __ATOMIC_SEQ_CST), add;

	if (val == 0) {
		vp_reset(t);
		return;
	}
	add = val & ~old & ~VIRTIO_STATUS_NEEDS_RESET;
	if (add & VIRTIO_STATUS_FEATURES_OK) {
		uint64_t f = t->driver_features;
		bool ok = virtio_features_acceptable(v, f);

		if (ok && v->ops && v->ops->set_features && v->ops->set_features(v, f))
			ok = false;
		if (ok)
			v->features = f;
		else
			add &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	/* No DRIVER_OK before features are agreed. */
	if ((add & VIRTIO_STATUS_DRIVER_OK) && !((old | add) & VIRTIO_STATUS_FEATURES_OK))
		add &= ~VIRTIO_STATUS_DRIVER_OK;
	__atomic_fetch_or(&v->status, add, __ATOMIC_SEQ_CST);
	if ((add & VIRTIO_STATUS_DRIVER_OK) && v->ops && v->ops->start && v->ops->start(v))
		virtio_dev_needs_reset(v, "the device failed to start");
}

static uint16_t valid_vector(const struct virtio_pci *t, uint16_t vec)
{
	return vec < t->pci.msix_nvec ? vec : VIRTIO_NO_VECTOR;
}

static struct virtio_pci_queue *selected(struct virtio_pci *t)
{
	return t->queue_select < t->dev->nqueues ? &t->q[t->queue_select] : NULL;
}

/* The common configuration structure as the driver reads it. */
static void common_image(struct virtio_pci *t, uint8_t img[VIRTIO_PCI_COMMON_LEN])
{
	struct virtio_dev *v = t->dev;
	struct virtio_pci_queue *vq = selected(t);
	uint32_t df = t->dfselect < 2 ? v->host_features >> (32 * t->dfselect) : 0;
	uint32_t gf = t->gfselect < 2 ? t->driver_features >> (32 * t->gfselect) : 0;
	uint16_t nq = v->nqueues, noff = t->queue_select;

	memset(img, 0, VIRTIO_PCI_COMMON_LEN);
	memcpy(img + VIRTIO_PCI_DFSELECT, &t->dfselect, 4);
	memcpy(img + VIRTIO_PCI_DF, &df, 4);
	memcpy(img + VIRTIO_PCI_GFSELECT, &t->gfselect, 4);
	memcpy(img + VIRTIO_PCI_GF, &gf, 4);
	memcpy(img + VIRTIO_PCI_MSIX_CONFIG, &t->msix_config, 2);
	memcpy(img + VIRTIO_PCI_NUM_QUEUES, &nq, 2);
	img[VIRTIO_PCI_STATUS] = __atomic_load_n(&v->status, __ATOMIC_SEQ_CST);
	img[VIRTIO_PCI_CFG_GEN] = v->config_generation;
	memcpy(img + VIRTIO_PCI_Q_SELECT, &t->queue_select, 2);
	if (!vq)
		return;   /* an unavailable queue reads size 0 */
	uint16_t en = vq->enabled;

	memcpy(img + VIRTIO_PCI_Q_SIZE, &vq->size, 2);
	memcpy(img + VIRTIO_PCI_Q_MSIX, &vq->msix_vector, 2);
	memcpy(img + VIRTIO_PCI_Q_ENABLE, &en, 2);
	memcpy(img + VIRTIO_PCI_Q_NOFF, &noff, 2);
	memcpy(img + VIRTIO_PCI_Q_DESC, &vq->desc, 8);
	memcpy(img + VIRTIO_PCI_Q_DRIVER, &vq->driver, 8);
	memcpy(img + VIRTIO_PCI_Q_DEVICE, &vq->device, 8);
}

static int common_read(struct virtio_pci *t, uint64_t off, void *data, unsigned size)
{
	uint8_t img[VIRTIO_PCI_COMMON_LEN];

	if (off + size > VIRTIO_PCI_COMMON_LEN || (off & (size - 1))) {
		count(&t->bad_accesses);
		memset(data, 0xff, size);
		return 0;
	}
	common_image(t, img);
	memcpy(data, img + off, size);
	return 0;
}

/* A 64-bit queue address written whole or by 32-bit halves. */
static bool addr_write(uint64_t *field, uint64_t off, uint64_t base, uint64_t val, unsigned size)
{
	if (size == 8 && off == base) {
		*field = val;
	} else if (size == 4 && off == base) {
		*field = (*field & ~0xffffffffULL) | (uint32_t)val;
	} else if (size == 4 && off == base + 4) {
		*field = (*field & 0xffffffffULL) | val << 32;
	} else {
		return false;
	}
	return true;
}

static int common_write(struct virtio_pci *t, uint64_t off, const void *data, unsigned size)
{
	struct virtio_dev *v = t->dev;
	struct virtio_pci_queue *vq = selected(t);
	uint64_t val = 0;
	bool ok = true;

	if (off + size > VIRTIO_PCI_COMMON_LEN || (off & (size - 1))) {
		count(&t->bad_accesses);
		return 0;
	}
	memcpy(&val, data, size);
	switch (off) {
	case VIRTIO_PCI_DFSELECT:
		if ((ok = size == 4))
			t->dfselect = val;
		break;
	case VIRTIO_PCI_GFSELECT:
		if ((ok = size == 4))
			t->gfselect = val;
		break;
	case VIRTIO_PCI_GF:
		ok = size == 4;
		/* Features are fixed once FEATURES_OK is set; only two words exist. */
		if (ok && t->gfselect < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * t->gfselect;

			t->driver_features = (t->driver_features & ~(0xffffffffULL << sh)) | val << sh;
		}
		break;
	case VIRTIO_PCI_MSIX_CONFIG:
		if ((ok = size == 2))
			t->msix_config = valid_vector(t, val);
		break;
	case VIRTIO_PCI_STATUS:
		if ((ok = size == 1))
			status_write(t, val);
		break;
	case VIRTIO_PCI_Q_SELECT:
		if ((ok = size == 2))
			t->queue_select = val;
		break;
	case VIRTIO_PCI_Q_SIZE:
		ok = size == 2 && vq && val && !(val & (val - 1)) && val <= v->queue_max[t->queue_select];
		if (ok && !vq->enabled)
			vq->size = val;
		break;
	case VIRTIO_PCI_Q_MSIX:
		ok = size == 2 && vq;
		if (ok) {
			pthread_mutex_lock(&t->lock);
			vq->msix_vector = valid_vector(t, val);
			route_update(t, t->queue_select);
			pthread_mutex_unlock(&t->lock);
		}
		break;
	case VIRTIO_PCI_Q_ENABLE:
		ok = size == 2 && vq;
		/* Writing 0 is not allowed (queues go away by reset only). */
		if (ok && val == 1 && !vq->enabled) {
			/*
			 * The device starts its queues' workers at DRIVER_OK: one
			 * enabled later would never be served, silently.  Queues are
			 * set up before DRIVER_OK (virtio 1.x 3.1.1); say so.
			 */
			if (__atomic_load_n(&t->dev->status, __ATOMIC_SEQ_CST) & VIRTIO_STATUS_DRIVER_OK) {
				char why[120];

				snprintf(why, sizeof(why), "queue %u enabled after DRIVER_OK: queues are set up "
					 "before it (virtio 1.x 3.1.1)", t->queue_select);
				virtio_dev_needs_reset(t->dev, why);
			} else {
				queue_enable(t, t->queue_select);
			}
		}
		break;
	case VIRTIO_PCI_Q_DESC:
	case VIRTIO_PCI_Q_DESC + 4:
		ok = vq && (vq->enabled || addr_write(&vq->desc, off, VIRTIO_PCI_Q_DESC, val, size));
		break;
	case VIRTIO_PCI_Q_DRIVER:
	case VIRTIO_PCI_Q_DRIVER + 4:
		ok = vq && (vq->enabled || addr_write(&vq->driver, off, VIRTIO_PCI_Q_DRIVER, val, size));
		break;
	case VIRTIO_PCI_Q_DEVICE:
	case VIRTIO_PCI_Q_DEVICE + 4:
		ok = vq && (vq->enabled || addr_write(&vq->device, off, VIRTIO_PCI_Q_DEVICE, val, size));
		break;
	default:
		ok = false;   /* read-only fields */
		break;
	}
	if (!ok)
		count(&t->bad_accesses);
	return 0;
}

static int isr_read(struct virtio_pci *t, uint64_t off, void *data, unsigned size)
{
	memset(data, 0, size);
	if (off != 0) {
		count(&t->bad_accesses);
		return 0;
	}
	/* Reading clears it and deasserts INTx. */
	pthread_mutex_lock(&t->lock);
	((uint8_t *)data)[0] = t->isr;
	t->isr = 0;
	pci_intx_lower(&t->pci);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static bool device_cfg_ok(struct virtio_pci *t, uint64_t off, unsigned size)
{
	return off < t->dev->config_len && size <= t->dev->config_len - off && t->dev->ops;
}

static void notify_exit(struct virtio_pci *t, uint64_t off)
{
	unsigned q = off / VIRTIO_PCI_NOTIFY_MULT;
	uint64_t one = 1;

	if (q >= t->dev->nqueues || !t->q[q].enabled || t->q[q].kick_fd < 0) {
		count(&t->bad_accesses);
		return;
	}
	count(&t->notifies_by_exit);
	count(&t->q[q].notifies_by_exit);
	if (write(t->q[q].kick_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "%s: queue %u: kick eventfd write failed\n", t->dev->name, q);
}

static int bar_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct virtio_pci *t = opaque;

	if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_LEN)
		return common_read(t, off - VIRTIO_PCI_COMMON_OFF, data, size);
	if (off >= VIRTIO_PCI_ISR_OFF && off < VIRTIO_PCI_ISR_OFF + VIRTIO_PCI_ISR_LEN)
		return isr_read(t, off - VIRTIO_PCI_ISR_OFF, data, size);
	if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_DEVICE_OFF + VIRTIO_PCI_DEVICE_MAX) {
		off -= VIRTIO_PCI_DEVICE_OFF;
		if (device_cfg_ok(t, off, size) && t->dev->ops->config_read) {
			t->dev->ops->config_read(t->dev, off, data, size);
			return 0;
		}
	}
	/* notify region reads, gaps, past the device config: all-ones */
	count(&t->bad_accesses);
	memset(data, 0xff, size);
	return 0;
}

static int bar_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct virtio_pci *t = opaque;

	if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_LEN)
		return common_write(t, off - VIRTIO_PCI_COMMON_OFF, data, size);
	if (off >= VIRTIO_PCI_NOTIFY_OFF &&
	    off < VIRTIO_PCI_NOTIFY_OFF + (uint64_t)t->dev->nqueues * VIRTIO_PCI_NOTIFY_MULT) {
		notify_exit(t, off - VIRTIO_PCI_NOTIFY_OFF);
		return 0;
	}
	if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_DEVICE_OFF + VIRTIO_PCI_DEVICE_MAX) {
		off -= VIRTIO_PCI_DEVICE_OFF;
		if (device_cfg_ok(t, off, size) && t->dev->ops->config_write) {
			t->dev->ops->config_write(t->dev, off, data, size);
			return 0;
		}
	}
	count(&t->bad_accesses);
	return 0;
}

static const struct bus_ops vp_bar_ops = { .read = bar_read, .write = bar_write };

static int msix_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct virtio_pci *t = opaque;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = pci_msix_table_read(&t->pci, off, data, size);
	pthread_mutex_unlock(&t->lock);
	if (rc) {
		count(&t->bad_accesses);
		memset(data, 0xff, size);
	}
	return 0;
}

static int msix_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct virtio_pci *t = opaque;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = pci_msix_table_write(&t->pci, off, data, size);   /* routes follow via irq_config_changed */
	pthread_mutex_unlock(&t->lock);
	if (rc)
		count(&t->bad_accesses);
	return 0;
}

static const struct bus_ops vp_msix_ops = { .read = msix_read, .write = msix_write };

/* PCI hooks */
static void vp_bar_moved(struct pci_device *d, int bar, uint64_t old_addr, uint64_t new_addr)
{
	struct virtio_pci *t = d->opaque;

	(void)old_addr;
	(void)new_addr;
	if (bar != VIRTIO_PCI_BAR)
		return;
	pthread_mutex_lock(&t->lock);
	for (unsigned q = 0; q < t->dev->nqueues; q++)
		notify_register(t, q);
	pthread_mutex_unlock(&t->lock);
}

static void vp_irq_config_changed(struct pci_device *d)
{
	struct virtio_pci *t = d->opaque;

	pthread_mutex_lock(&t->lock);
	routes_update(t);
	pthread_mutex_unlock(&t->lock);
}

static const struct pci_device_ops vp_pci_ops = {
	.bar_moved = vp_bar_moved, .irq_config_changed = vp_irq_config_changed,
};

/* One virtio_pci_cap (and the notify multiplier for NOTIFY_CFG). */
static int add_vcap(struct pci_device *d, uint8_t type, uint32_t off, uint32_t len)
{
	unsigned clen = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_NOTIFY_CAP_LEN : VIRTIO_CAP_LEN;
	int c = pci_cap_add(d, PCI_CAP_ID_VNDR, clen);
	uint32_t mult = VIRTIO_PCI_NOTIFY_MULT;

	if (c < 0)
		return c;
	d->cfg[c + 2] = clen;
	d->cfg[c + 3] = type;
	d->cfg[c + 4] = VIRTIO_PCI_BAR;
	memcpy(&d->cfg[c + 8], &off, 4);
	memcpy(&d->cfg[c + 12], &len, 4);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		memcpy(&d->cfg[c + 16], &mult, 4);
	return 0;
}

static uint32_t class_of(uint16_t device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return 0x020000;   /* network, ethernet */
	case VIRTIO_ID_BLK:
		return 0x018000;   /* mass storage, other */
	default:
		return 0xff0000;
	}
}

static void release_irqs(struct virtio_pci *t)
{
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		struct virtio_pci_queue *vq = &t->q[q];

		if (vq->call_fd >= 0 && vq->gsi >= 0 && t->irq)
			irq_irqfd_detach(t->irq, vq->call_fd, vq->gsi);
		if (vq->gsi >= 0 && t->irq)
			irq_msi_route_free(t->irq, vq->gsi);
		if (vq->call_fd >= 0)
			close(vq->call_fd);
		vq->call_fd = vq->gsi = -1;
	}
}

int virtio_pci_init(struct virtio_pci *t, struct virtio_dev *dev, struct vm *vm, struct pci_host *h,
		    struct irq_chip *irq, bool notify_by_exit, char *err, size_t errlen)
{
	const char *name = dev->name ? dev->name : "virtio";
	pthread_mutexattr_t ma;
	int rc;

	memset(t, 0, sizeof(*t));
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		t->q[q].kick_fd = t->q[q].call_fd = t->q[q].gsi = -1;
		t->q[q].ev.fd = -1;
	}
	if (dev->nqueues == 0 || dev->nqueues > VIRTIO_MAX_QUEUES) {
		snprintf(err, errlen, "%s: %u queues (1..%d)", name, dev->nqueues, VIRTIO_MAX_QUEUES);
		return -1;
	}
	if (dev->config_len > VIRTIO_PCI_DEVICE_MAX) {
		snprintf(err, errlen, "%s: device config of %u bytes (at most %d)", name, dev->config_len,
			 VIRTIO_PCI_DEVICE_MAX);
		return -1;
	}
	for (unsigned q = 0; q < dev->nqueues; q++) {
		uint16_t m = dev->queue_max[q];

		if (!m || (m & (m - 1)) || m > VIRTQ_MAX_SIZE) {
			snprintf(err, errlen, "%s: queue %u max size %u is not a power of two in 1..%d",
				 name, q, m, VIRTQ_MAX_SIZE);
			return -1;
		}
	}
	t->dev = dev;
	t->vm = vm;
	t->host = h;
	t->irq = irq;
	t->notify_by_exit = notify_by_exit || !vm;
	t->msix_config = VIRTIO_NO_VECTOR;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &ma);
	pthread_mutexattr_destroy(&ma);

	pci_device_init(&t->pci, name, VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE0 + dev->device_id,
			class_of(dev->device_id), VIRTIO_PCI_VENDOR, 0x40 + dev->device_id);
	t->pci.cfg[PCI_REVISION_ID] = 1;   /* modern (non-transitional) */
	t->pci.ops = &vp_pci_ops;
	t->pci.opaque = t;
	if (pci_bar_init(&t->pci, VIRTIO_PCI_BAR, PCI_BAR_MEM64, VIRTIO_PCI_BAR_SIZE, &vp_bar_ops, t,
			 "virtio-regs") ||
	    pci_bar_init(&t->pci, VIRTIO_PCI_MSIX_BAR, PCI_BAR_MEM32, VIRTIO_PCI_MSIX_SIZE, &vp_msix_ops, t,
			 "virtio-msix") ||
	    add_vcap(&t->pci, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN) ||
	    add_vcap(&t->pci, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
		     dev->nqueues * VIRTIO_PCI_NOTIFY_MULT) ||
	    add_vcap(&t->pci, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN) ||
	    (dev->config_len &&
	     add_vcap(&t->pci, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF, dev->config_len)) ||
	    pci_msix_init(&t->pci, dev->nqueues + 1, VIRTIO_PCI_MSIX_BAR, VIRTIO_PCI_MSIX_TABLE,
			  VIRTIO_PCI_MSIX_PBA) < 0) {
		snprintf(err, errlen, "%s: building the PCI function failed", name);
		goto fail;
	}
	for (unsigned q = 0; q < dev->nqueues; q++) {
		t->q[q].size = dev->queue_max[q];
		t->q[q].msix_vector = VIRTIO_NO_VECTOR;
	}
	/* One irqfd per queue, bound to its own (initially masked) MSI route. */
	if (irq) {
		for (unsigned q = 0; q < dev->nqueues; q++) {
			struct virtio_pci_queue *vq = &t->q[q];

			vq->gsi = irq_msi_route_alloc(irq);
			if (vq->gsi < 0) {
				snprintf(err, errlen, "%s: no MSI route left for queue %u", name, q);
				goto fail;
			}
			vq->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (vq->call_fd < 0) {
				snprintf(err, errlen, "%s: eventfd: %s", name, strerror(errno));
				goto fail;
			}
			rc = irq_irqfd_attach(irq, vq->call_fd, vq->gsi);
			if (rc) {
				snprintf(err, errlen, "%s: KVM_IRQFD for queue %u (GSI %d): %s", name, q, vq->gsi,
					 strerror(-rc));
				close(vq->call_fd);
				vq->call_fd = -1;
				goto fail;
			}
		}
	}
	dev->tops = &vp_tops;
	dev->transport = t;
	if (h && pci_host_add(h, &t->pci, -1, err, errlen))
		goto fail_unhook;
	return 0;
fail_unhook:
	dev->tops = NULL;
	dev->transport = NULL;
fail:
	release_irqs(t);
	pci_device_destroy(&t->pci);
	pthread_mutex_destroy(&t->lock);
	t->dev = NULL;
	return -1;
}

void virtio_pci_destroy(struct virtio_pci *t)
{
	struct pci_host *h = t->host;

	if (!t->dev)
		return;
	vp_reset(t);
	release_irqs(t);
	/* The host keeps no other reference; take it off the bus (the vCPUs have stopped). */
	if (h) {
		pthread_rwlock_wrlock(&h->lock);
		for (int s = 0; s < PCI_MAX_DEVICES; s++)
			if (h->devs[s] == &t->pci)
				h->devs[s] = NULL;
		pthread_rwlock_unlock(&h->lock);
	}
	pci_device_destroy(&t->pci);
	pthread_mutex_destroy(&t->lock);
	t->dev->tops = NULL;
	t->dev->transport = NULL;
	t->dev = NULL;
}
