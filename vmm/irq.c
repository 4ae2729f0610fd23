// SPDX-License-Identifier: MIT
/*
 * Interrupt delivery into KVM's in-kernel irqchip (see irq.h): INTx lines,
 * direct MSI messages, and the GSI routing table that irqfds use.  KVM's
 * routing ioctl replaces the whole table, so we keep it here: the default
 * PIC/IOAPIC routes KVM installs by itself, plus our MSI routes.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/irq.h"
#include "vmm/vm.h"

#define IRQCHIP_PIC_MASTER 0
#define IRQCHIP_PIC_SLAVE  1
#define IRQCHIP_IOAPIC     2

/* Default routes: GSI 0..15 on the PIC and the IOAPIC, 16..23 on the IOAPIC only. */
#define NUM_DEFAULT_ROUTES (16 * 2 + (IRQ_NUM_PIN_GSIS - 16))

static int route_irqchip(struct kvm_irq_routing_entry *e, unsigned gsi, unsigned chip, unsigned pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
	return 1;
}

/* Build and push the table; the caller holds c->lock. */
static int push_routes(struct irq_chip *c)
{
	size_t max = NUM_DEFAULT_ROUTES + IRQ_MAX_MSI_GSIS;
	struct kvm_irq_routing *r;
	unsigned n = 0;
	int rc = 0;

	r = calloc(1, sizeof(*r) + max * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (unsigned gsi = 0; gsi < IRQ_NUM_PIN_GSIS; gsi++) {
		if (gsi < 8)
			n += route_irqchip(&r->entries[n], gsi, IRQCHIP_PIC_MASTER, gsi);
		else if (gsi < 16)
			n += route_irqchip(&r->entries[n], gsi, IRQCHIP_PIC_SLAVE, gsi - 8);
		n += route_irqchip(&r->entries[n], gsi, IRQCHIP_IOAPIC, gsi);
	}
	/* A masked MSI route has no entry: an irqfd write to it goes nowhere. */
	for (unsigned i = 0; i < IRQ_MAX_MSI_GSIS; i++) {
		const struct irq_msi_route *m = &c->msi[i];
		struct kvm_irq_routing_entry *e;

		if (!m->used || m->masked)
			continue;
		e = &r->entries[n++];
		e->gsi = IRQ_MSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)m->addr;
		e->u.msi.address_hi = m->addr >> 32;
		e->u.msi.data = m->data;
	}
	r->nr = n;
	if (ioctl(c->vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		rc = -errno;
	free(r);
	return rc;
}

int irq_chip_init(struct irq_chip *c, struct vm *vm, char *err, size_t errlen)
{
	static const struct { int cap; const char *name; } caps[] = {
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
		{ KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
	};
	int rc;

	memset(c, 0, sizeof(*c));
	c->vm = vm;
	if (!vm->has_irqchip) {
		snprintf(err, errlen, "irq: the VM has no in-kernel irqchip (KVM_CREATE_IRQCHIP)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			snprintf(err, errlen, "irq: KVM lacks %s", caps[i].name);
			return -1;
		}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_lock(&c->lock);
	rc = push_routes(c);
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		snprintf(err, errlen, "irq: KVM_SET_GSI_ROUTING (default routes): %s", strerror(-rc));
		pthread_mutex_destroy(&c->lock);
		return -1;
	}
	return 0;
}

void irq_chip_destroy(struct irq_chip *c)
{
	if (!c->vm)
		return;
	pthread_mutex_destroy(&c->lock);
	c->vm = NULL;
}

int irq_line_set(struct irq_chip *c, unsigned gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (gsi >= IRQ_NUM_PIN_GSIS)
		return -EINVAL;
	if (ioctl(c->vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	if (level)
		__atomic_fetch_add(&c->lines_raised, 1, __ATOMIC_RELAXED);
	return 0;
}

int irq_msi_signal(struct irq_chip *c, uint64_t addr, uint32_t data)
{
	struct kvm_msi m = { .address_lo = (uint32_t)addr, .address_hi = addr >> 32, .data = data };

	if (!irq_is_msi_addr(addr))
		return -EINVAL;
	/* > 0 delivered, 0 blocked by the guest (e.g. a masked LAPIC): both are not our error. */
	if (ioctl(c->vm->vm_fd, KVM_SIGNAL_MSI, &m) < 0)
		return -errno;
	__atomic_fetch_add(&c->msis_signalled, 1, __ATOMIC_RELAXED);
	return 0;
}

int irq_msi_route_alloc(struct irq_chip *c)
{
	int gsi = -ENOSPC;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < IRQ_MAX_MSI_GSIS; i++)
		if (!c->msi[i].used) {
			c->msi[i] = (struct irq_msi_route){ .used = true, .masked = true };
			gsi = IRQ_MSI_GSI_BASE + i;
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return gsi;
}

static struct irq_msi_route *route_of(struct irq_chip *c, int gsi)
{
	if (gsi < IRQ_MSI_GSI_BASE || gsi >= IRQ_MSI_GSI_BASE + IRQ_MAX_MSI_GSIS)
		return NULL;
	return &c->msi[gsi - IRQ_MSI_GSI_BASE];
}

void irq_msi_route_free(struct irq_chip *c, int gsi)
{
	struct irq_msi_route *m;
	bool was_live;

	pthread_mutex_lock(&c->lock);
	m = route_of(c, gsi);
	if (m && m->used) {
		was_live = !m->masked;
		*m = (struct irq_msi_route){ 0 };
		if (was_live)
			push_routes(c);
	}
	pthread_mutex_unlock(&c->lock);
}

int irq_msi_route_set(struct irq_chip *c, int gsi, uint64_t addr, uint32_t data, bool masked)
{
	struct irq_msi_route *m, old;
	int rc = 0;

	/* An address outside the MSI window cannot be routed: treat it as masked. */
	if (!irq_is_msi_addr(addr))
		masked = true;
	pthread_mutex_lock(&c->lock);
	m = route_of(c, gsi);
	if (!m || !m->used) {
		pthread_mutex_unlock(&c->lock);
		return -EINVAL;
	}
	old = *m;
	m->addr = addr;
	m->data = data;
	m->masked = masked;
	/* Nothing KVM sees changed: spare the ioctl (a guest may rewrite entries often). */
	if (old.masked != masked || (!masked && (old.addr != addr || old.data != data))) {
		rc = push_routes(c);
		if (rc)
			*m = old;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int irqfd(struct irq_chip *c, int efd, int gsi, uint32_t flags)
{
	struct kvm_irqfd f = { .fd = efd, .gsi = gsi, .flags = flags };

	if (efd < 0 || gsi < 0 || gsi >= IRQ_MSI_GSI_BASE + IRQ_MAX_MSI_GSIS)
		return -EINVAL;
	if (ioctl(c->vm->vm_fd, KVM_IRQFD, &f) < 0)
		return -errno;
	return 0;
}

int irq_irqfd_attach(struct irq_chip *c, int efd, int gsi)
{
	return irqfd(c, efd, gsi, 0);
}

int irq_irqfd_attach_resample(struct irq_chip *c, int efd, int rfd, int gsi)
{
	struct kvm_irqfd f = { .fd = efd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_RESAMPLE, .resamplefd = rfd };

	/* resampling needs an irqchip pin: level semantics and an EOI to notify on */
	if (efd < 0 || rfd < 0 || gsi < 0 || gsi >= IRQ_NUM_PIN_GSIS)
		return -EINVAL;
	if (ioctl(c->vm->vm_fd, KVM_IRQFD, &f) < 0)
		return -errno;
	return 0;
}

int irq_irqfd_detach(struct irq_chip *c, int efd, int gsi)
{
	return irqfd(c, efd, gsi, KVM_IRQFD_FLAG_DEASSIGN);
}
