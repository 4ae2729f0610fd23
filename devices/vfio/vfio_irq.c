// SPDX-License-Identifier: MIT
/*
 * Interrupts of a passed-through function.  The guest programs MSI or
 * MSI-X in pci.c's emulation (capability and table); after every change we
 * make the host side match: the device's vectors enabled in VFIO
 * (VFIO_DEVICE_SET_IRQS, one eventfd per vector), one MSI route per vector
 * (irq.h) carrying the guest's address and data, and an irqfd binding the
 * eventfd to the route while the vector is unmasked.  A masked vector's
 * irqfd is unbound, so its interrupts accumulate in the eventfd (the PBA
 * shows them pending) and KVM delivers one when the irqfd is bound again
 * on unmask.  Addresses outside the MSI window count as masked.
 *
 * INTx, where the device has it, is on while neither MSI nor MSI-X is:
 * VFIO signals a trigger eventfd bound to the pin's GSI by a resampling
 * irqfd (KVM asserts the line); at the guest's EOI KVM deasserts it and
 * signals the resample eventfd, which VFIO takes as its unmask eventfd, so
 * the host line (automasked by VFIO when it fired) is looked at again, all
 * in the kernel.  COMMAND.INTX_DISABLE masks and unmasks it in VFIO (the
 * bit also reaches the device's config, where vfio-pci keeps a resample
 * from unmasking a line the guest disabled).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/irq.h"
#include "devices/vfio/vfio.h"

static void count(struct vfio_dev *v, enum vfio_metric m)
{
	DEV_METRIC_ADD(&v->counters[m], 1);
}

/* VFIO_DEVICE_SET_IRQS: n eventfds (fds) or none (fds NULL) for `action` on vectors 0..n-1. */
static int set_irqs_action(struct vfio_dev *v, unsigned index, uint32_t action, unsigned n, const int *fds)
{
	size_t len = sizeof(struct vfio_irq_set) + (fds ? n * sizeof(int32_t) : 0);
	struct vfio_irq_set *s = calloc(1, len);
	int rc;

	if (!s)
		return -ENOMEM;
	s->argsz = len;
	s->flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | action;
	s->index = index;
	s->start = 0;
	s->count = n;
	for (unsigned i = 0; fds && i < n; i++)
		memcpy(s->data + i * sizeof(int32_t), &fds[i], sizeof(int32_t));
	rc = v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_SET_IRQS, s);
	free(s);
	return rc < 0 ? rc : 0;
}

static int set_irqs(struct vfio_dev *v, unsigned index, unsigned n, const int *fds)
{
	return set_irqs_action(v, index, VFIO_IRQ_SET_ACTION_TRIGGER, n, n ? fds : NULL);
}

static unsigned vfio_index(enum vfio_irq_mode m)
{
	return m == VFIO_IRQ_MSIX ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO_PCI_MSI_IRQ_INDEX;
}

static void vecs_release(struct vfio_dev *v)
{
	for (unsigned i = 0; i < VFIO_MAX_MSIX; i++) {
		struct vfio_vec *q = &v->vec[i];

		if (q->attached)
			v->ops->irqfd(v->ctx, q->efd, q->gsi, false);
		if (q->gsi >= 0)
			v->ops->route_free(v->ctx, q->gsi);
		if (q->efd >= 0)
			v->ops->close(v->ctx, q->efd);
		*q = (struct vfio_vec){ .efd = -1, .gsi = -1 };
	}
}

/* Host side off: VFIO's vectors first (no more eventfd signals), then irqfds, routes, eventfds. */
static void host_disable(struct vfio_dev *v)
{
	if (v->irq_mode != VFIO_IRQ_NONE && set_irqs(v, vfio_index(v->irq_mode), 0, NULL))
		count(v, VFIO_M_IRQ_ERRORS);
	v->irq_mode = VFIO_IRQ_NONE;
	v->irq_nvec = 0;
	vecs_release(v);
}

static int host_enable(struct vfio_dev *v, enum vfio_irq_mode mode, unsigned n)
{
	int fds[VFIO_MAX_MSIX], rc;

	for (unsigned i = 0; i < n; i++) {
		struct vfio_vec *q = &v->vec[i];

		q->efd = v->ops->eventfd(v->ctx);
		q->gsi = q->efd >= 0 ? v->ops->route_alloc(v->ctx) : -1;
		if (q->efd < 0 || q->gsi < 0) {
			rc = q->efd < 0 ? q->efd : q->gsi;
			goto fail;
		}
		fds[i] = q->efd;
	}
	rc = set_irqs(v, vfio_index(mode), n, fds);
	if (rc)
		goto fail;
	v->irq_mode = mode;
	v->irq_nvec = n;
	return 0;
fail:
	vecs_release(v);
	if (!__atomic_load_n(&v->counters[VFIO_M_IRQ_ERRORS], __ATOMIC_RELAXED))   /* once: the guest retries */
		fprintf(stderr, "exitlab: vfio %s: cannot enable %u %s vector(s): %s\n", v->bdf, n,
			mode == VFIO_IRQ_MSIX ? "MSI-X" : "MSI", strerror(-rc));
	count(v, VFIO_M_IRQ_ERRORS);
	return rc;
}

/* MSI vectors the driver enabled (Multiple Message Enable, capped by what we offer). */
static unsigned msi_nvec(const struct vfio_dev *v)
{
	uint16_t ctrl = pci_config_read((struct pci_device *)&v->pci, v->pci.msi_cap + 2, 2);
	unsigned mmc = (ctrl >> 1) & 7, mme = (ctrl >> 4) & 7;

	return 1u << (mme < mmc ? mme : mmc);
}

static void vec_sync(struct vfio_dev *v, unsigned i)
{
	struct vfio_vec *q = &v->vec[i];
	uint64_t addr = 0;
	uint32_t data = 0;
	bool masked = true;

	if (pci_msi_message(&v->pci, i, &addr, &data, &masked))
		masked = true;
	if (!irq_is_msi_addr(addr))
		masked = true;
	if (!q->routed || q->masked != masked || (!masked && (q->addr != addr || q->data != data))) {
		if (q->attached && masked) {
			v->ops->irqfd(v->ctx, q->efd, q->gsi, false);
			q->attached = false;
		}
		if (v->ops->route_set(v->ctx, q->gsi, addr, data, masked)) {
			count(v, VFIO_M_IRQ_ERRORS);
			masked = true;
		}
		q->routed = true;
		q->addr = addr;
		q->data = data;
		q->masked = masked;
	}
	if (!masked && !q->attached) {
		if (v->ops->irqfd(v->ctx, q->efd, q->gsi, true))
			count(v, VFIO_M_IRQ_ERRORS);
		else
			q->attached = true;
	}
}

/* ---- INTx: a level-triggered line, trigger eventfd -> resampling irqfd -> EOI -> unmask ---- */

bool vfio_intx_probe(struct vfio_dev *v)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_INTX_IRQ_INDEX };

	if (v->num_irqs <= VFIO_PCI_INTX_IRQ_INDEX ||
	    v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return false;
	return info.count == 1 && (info.flags & VFIO_IRQ_INFO_EVENTFD);
}

static void intx_release(struct vfio_dev *v)
{
	struct vfio_intx *x = &v->intx;

	if (x->efd >= 0)
		v->ops->close(v->ctx, x->efd);
	if (x->rfd >= 0)
		v->ops->close(v->ctx, x->rfd);
	x->efd = x->rfd = -1;
	x->on = x->masked = false;
}

/* VFIO's INTx off first (no more triggers, its unmask eventfd dropped), then the irqfd. */
static void intx_off(struct vfio_dev *v)
{
	struct vfio_intx *x = &v->intx;

	if (!x->on)
		return;
	if (set_irqs_action(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL))
		count(v, VFIO_M_IRQ_ERRORS);
	if (v->ops->irqfd(v->ctx, x->efd, x->gsi, false))
		count(v, VFIO_M_IRQ_ERRORS);
	intx_release(v);
}

static void intx_fail(struct vfio_dev *v, const char *what, int rc)
{
	if (!__atomic_load_n(&v->counters[VFIO_M_IRQ_ERRORS], __ATOMIC_RELAXED))
		fprintf(stderr, "exitlab: vfio %s: cannot enable INTx (%s): %s\n", v->bdf, what, strerror(-rc));
	count(v, VFIO_M_IRQ_ERRORS);
}

/* KVM listens first (an early trigger waits in the eventfd), then VFIO triggers and unmasks. */
static void intx_on(struct vfio_dev *v)
{
	struct vfio_intx *x = &v->intx;
	int rc;

	x->gsi = v->pci.intx_gsi;
	x->efd = v->ops->eventfd(v->ctx);
	x->rfd = x->efd >= 0 ? v->ops->eventfd(v->ctx) : -1;
	if (x->efd < 0 || x->rfd < 0) {
		intx_fail(v, "eventfd", x->efd < 0 ? x->efd : x->rfd);
		goto fail;
	}
	rc = v->ops->irqfd_resample(v->ctx, x->efd, x->rfd, x->gsi);
	if (rc) {
		intx_fail(v, "resampling irqfd", rc);
		goto fail;
	}
	rc = set_irqs_action(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 1, &x->efd);
	if (!rc)
		rc = set_irqs_action(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 1, &x->rfd);
	if (rc) {
		intx_fail(v, "VFIO_DEVICE_SET_IRQS", rc);
		set_irqs_action(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL);
		v->ops->irqfd(v->ctx, x->efd, x->gsi, false);
		goto fail;
	}
	x->on = true;
	return;
fail:
	intx_release(v);
}

/* INTx on while MSI and MSI-X are off, masked in VFIO while the guest's COMMAND disables it. */
static void intx_sync(struct vfio_dev *v, bool want)
{
	struct vfio_intx *x = &v->intx;
	bool mask;

	if (!want || !x->avail || !x->wired) {
		intx_off(v);
		return;
	}
	if (!x->on)
		intx_on(v);
	if (!x->on)
		return;
	mask = (v->pci.cfg[PCI_COMMAND] | v->pci.cfg[PCI_COMMAND + 1] << 8) & PCI_CMD_INTX_DISABLE;
	if (mask != x->masked) {
		if (set_irqs_action(v, VFIO_PCI_INTX_IRQ_INDEX,
				    mask ? VFIO_IRQ_SET_ACTION_MASK : VFIO_IRQ_SET_ACTION_UNMASK, 1, NULL))
			count(v, VFIO_M_IRQ_ERRORS);
		else
			x->masked = mask;
	}
}

void vfio_irq_update(struct vfio_dev *v)
{
	enum vfio_irq_mode want = VFIO_IRQ_NONE;
	unsigned n = 0;

	pthread_mutex_lock(&v->lock);
	count(v, VFIO_M_IRQ_UPDATES);
	if (pci_msix_enabled(&v->pci)) {
		want = VFIO_IRQ_MSIX;
		n = v->pci.msix_nvec;
	} else if (pci_msi_enabled(&v->pci)) {
		want = VFIO_IRQ_MSI;
		n = msi_nvec(v);
	}
	/* VFIO keeps one kind on at a time: INTx goes before MSI/MSI-X comes, and back after */
	if (want != VFIO_IRQ_NONE)
		intx_sync(v, false);
	if (want != v->irq_mode || n != v->irq_nvec) {
		host_disable(v);
		if (want != VFIO_IRQ_NONE)
			host_enable(v, want, n);
	}
	for (unsigned i = 0; i < v->irq_nvec; i++)
		vec_sync(v, i);
	if (want == VFIO_IRQ_NONE)
		intx_sync(v, true);
	pthread_mutex_unlock(&v->lock);
}

void vfio_irq_disable(struct vfio_dev *v)
{
	pthread_mutex_lock(&v->lock);
	intx_off(v);
	v->intx.wired = false;
	host_disable(v);
	pthread_mutex_unlock(&v->lock);
}

void vfio_dev_start(struct vfio_dev *v)
{
	pthread_mutex_lock(&v->lock);
	v->intx.wired = v->intx.avail && v->pci.cfg[PCI_INTERRUPT_PIN];
	pthread_mutex_unlock(&v->lock);
	vfio_irq_update(v);
}

int vfio_msix_read(struct vfio_dev *v, uint64_t off, void *data, unsigned size)
{
	uint64_t saved[VFIO_MAX_MSIX / 64];
	unsigned words = (v->pci.msix_nvec + 63) / 64;
	int rc;

	pthread_mutex_lock(&v->lock);
	memcpy(saved, v->pci.msix_pba, words * 8);
	/* pending = raised while masked: the eventfd has a count nobody consumed */
	for (unsigned i = 0; i < v->irq_nvec && v->irq_mode == VFIO_IRQ_MSIX; i++)
		if (!v->vec[i].attached && v->ops->eventfd_pending(v->ctx, v->vec[i].efd))
			v->pci.msix_pba[i / 64] |= 1ULL << (i % 64);
	rc = pci_msix_table_read(&v->pci, off, data, size);
	memcpy(v->pci.msix_pba, saved, words * 8);
	pthread_mutex_unlock(&v->lock);
	return rc;
}
