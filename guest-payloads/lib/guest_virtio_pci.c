// SPDX-License-Identifier: MIT
/* Modern virtio-pci transport (virtio_pci.h), from the virtio 1.x specification 4.1. */
#include "format.h"
#include "guest_irq.h"
#include "guest_virtio_pci.h"

#define PCI_CAP_VENDOR 0x09
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

/* struct virtio_pci_common_cfg */
#define CC_DFSELECT   0x00
#define CC_DF         0x04
#define CC_GFSELECT   0x08
#define CC_GF         0x0c
#define CC_MSIX       0x10
#define CC_NUMQ       0x12
#define CC_STATUS     0x14
#define CC_Q_SELECT   0x16
#define CC_Q_SIZE     0x18
#define CC_Q_MSIX     0x1a
#define CC_Q_ENABLE   0x1c
#define CC_Q_NOFF     0x1e
#define CC_Q_DESC     0x20
#define CC_Q_AVAIL    0x28
#define CC_Q_USED     0x30
#define NO_VECTOR     0xffff

static inline void w8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void w16(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline void w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t r8(uint64_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t r16(uint64_t a) { return *(volatile uint16_t *)a; }
static inline uint32_t r32(uint64_t a) { return *(volatile uint32_t *)a; }

static void w64(uint64_t a, uint64_t v)
{
	w32(a, (uint32_t)v);
	w32(a + 4, (uint32_t)(v >> 32));
}

static int fail(char *err, unsigned len, const char *msg)
{
	format_snprintf(err, len, "%s", msg);
	return -1;
}

int virtio_pci_init(struct virtio_pci *v, const struct pci_dev *d, char *err, unsigned errlen)
{
	uint8_t cap = 0;

	v->pci = *d;
	v->common = v->notify = v->isr = v->device = 0;
	v->irq = PCI_INTR_NONE;
	if (pci_dev_enable(&v->pci))
		return fail(err, errlen, "virtio-pci: cannot enable the function");
	while ((cap = pci_cap_find(&v->pci, PCI_CAP_VENDOR, cap))) {
		uint8_t type = pci_cfg_read8(&v->pci, cap + 3), bar = pci_cfg_read8(&v->pci, cap + 4);
		uint32_t off = pci_cfg_read32(&v->pci, cap + 8), len = pci_cfg_read32(&v->pci, cap + 12);
		uint64_t a;

		if (bar > 5 || !v->pci.bar[bar] || v->pci.bar_io[bar] || (uint64_t)off + len > v->pci.bar_size[bar])
			continue;
		a = v->pci.bar[bar] + off;
		if (type == CAP_COMMON && !v->common && len >= 0x38)
			v->common = a;
		else if (type == CAP_NOTIFY && !v->notify) {
			v->notify = a;
			v->notify_len = len;
			v->notify_mult = pci_cfg_read32(&v->pci, cap + 16);
		} else if (type == CAP_ISR && !v->isr)
			v->isr = a;
		else if (type == CAP_DEVICE && !v->device)
			v->device = a;
	}
	if (!v->common || !v->notify || !v->isr)
		return fail(err, errlen, "virtio-pci: no common/notify/ISR capability in a memory BAR (legacy device?)");
	w8(v->common + CC_STATUS, 0);
	for (int i = 0; i < 100000 && r8(v->common + CC_STATUS); i++)
		asm volatile("pause");
	if (r8(v->common + CC_STATUS))
		return fail(err, errlen, "virtio-pci: the device does not reset");
	w8(v->common + CC_STATUS, VIRTIO_S_ACK);
	w8(v->common + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER);
	return 0;
}

int virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted, char *err, unsigned errlen)
{
	uint64_t dev;

	w32(v->common + CC_DFSELECT, 0);
	dev = r32(v->common + CC_DF);
	w32(v->common + CC_DFSELECT, 1);
	dev |= (uint64_t)r32(v->common + CC_DF) << 32;
	if (!((dev >> VIRTIO_F_VERSION_1) & 1))
		return fail(err, errlen, "virtio-pci: the device does not offer VERSION_1");
	v->features = dev & (wanted | 1ull << VIRTIO_F_VERSION_1);
	w32(v->common + CC_GFSELECT, 0);
	w32(v->common + CC_GF, (uint32_t)v->features);
	w32(v->common + CC_GFSELECT, 1);
	w32(v->common + CC_GF, (uint32_t)(v->features >> 32));
	w8(v->common + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	if (!(r8(v->common + CC_STATUS) & VIRTIO_S_FEATURES_OK)) {
		w8(v->common + CC_STATUS, VIRTIO_S_FAILED);
		return fail(err, errlen, "virtio-pci: the device refused our features");
	}
	return 0;
}

static void isr_ack(void *arg)
{
	struct virtio_pci *v = arg;

	if (!r8(v->isr)) /* reading clears it and deasserts INTx */
		v->isr_empty++;
}

int virtio_pci_irq_setup(struct virtio_pci *v, enum pci_intr want, unsigned irq_idx, unsigned nq)
{
	v->irq_idx = irq_idx;
	v->irq = PCI_INTR_NONE;
	if (want == PCI_INTR_NONE)
		return 0;
	if (irq_idx + nq > VEC_DEV_COUNT)
		return -1;
	if (want != PCI_INTR_INTX && !pci_msix_enable(&v->pci, nq)) {
		for (unsigned q = 0; q < nq; q++)
			pci_msix_set(&v->pci, q, (uint8_t)(VEC_DEV_BASE + irq_idx + q), false);
		w16(v->common + CC_MSIX, NO_VECTOR);
		v->irq = PCI_INTR_MSIX;
		return 0;
	}
	if (want == PCI_INTR_MSIX || pci_intx_route(&v->pci, (uint8_t)(VEC_DEV_BASE + irq_idx)))
		return -1;
	irq_dev_set_ack(irq_idx, isr_ack, v);
	v->irq = PCI_INTR_INTX;
	return 0;
}

unsigned virtio_pci_queue_irq(const struct virtio_pci *v, uint16_t index)
{
	return v->irq == PCI_INTR_MSIX ? v->irq_idx + index : v->irq_idx;
}

/* A kick is one 16-bit MMIO write (an ioeventfd under exitlab's VMM): the address was fixed at setup. */
static void vp_notify(struct vq *vq)
{
	w16(vq->notify_addr, vq->index);
}

int virtio_pci_queue_setup(struct virtio_pci *v, struct vq *vq, uint16_t index, uint16_t max, char *err,
			   unsigned errlen)
{
	uint64_t noff;
	uint16_t size;

	if (index >= r16(v->common + CC_NUMQ))
		return fail(err, errlen, "virtio-pci: the device has fewer queues");
	w16(v->common + CC_Q_SELECT, index);
	size = r16(v->common + CC_Q_SIZE);
	if (!size)
		return fail(err, errlen, "virtio-pci: queue not available");
	while (size & (size - 1))
		size &= (uint16_t)(size - 1); /* split rings need not be a power of 2, ours are */
	if (max && size > max)
		size = max;
	if (vq_init(vq, index, size, virtio_has(v, VIRTIO_F_EVENT_IDX), v->irq != PCI_INTR_NONE))
		return fail(err, errlen, "virtio-pci: no guest RAM left for the rings");
	/* Where this queue's doorbell is (4.1.4.4): computed once, as real drivers do, not per kick. */
	noff = (uint64_t)r16(v->common + CC_Q_NOFF) * v->notify_mult;
	if (noff + 2 > v->notify_len)
		return fail(err, errlen, "virtio-pci: the queue's notify offset lies outside the notify capability");
	vq->notify = vp_notify;
	vq->priv = v;
	vq->notify_addr = v->notify + noff;
	w16(v->common + CC_Q_SIZE, size);
	w64(v->common + CC_Q_DESC, (uint64_t)vq->desc);
	w64(v->common + CC_Q_AVAIL, (uint64_t)vq->avail);
	w64(v->common + CC_Q_USED, (uint64_t)vq->used);
	if (v->irq == PCI_INTR_MSIX) {
		w16(v->common + CC_Q_MSIX, index);
		if (r16(v->common + CC_Q_MSIX) != index)
			return fail(err, errlen, "virtio-pci: the device refused the queue's MSI-X vector");
	}
	w16(v->common + CC_Q_ENABLE, 1);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *v)
{
	w8(v->common + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK | VIRTIO_S_DRIVER_OK);
}

uint8_t virtio_pci_status(const struct virtio_pci *v)
{
	return r8(v->common + CC_STATUS);
}

uint8_t virtio_pci_cfg8(const struct virtio_pci *v, unsigned off)
{
	return v->device ? r8(v->device + off) : 0;
}

uint16_t virtio_pci_cfg16(const struct virtio_pci *v, unsigned off)
{
	return v->device ? r16(v->device + off) : 0;
}

uint32_t virtio_pci_cfg32(const struct virtio_pci *v, unsigned off)
{
	return v->device ? r32(v->device + off) : 0;
}
