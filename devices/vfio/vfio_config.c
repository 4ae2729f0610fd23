// SPDX-License-Identifier: MIT
/*
 * The configuration space the guest sees for a passed-through function.
 * pci.c keeps a shadow (struct pci_device) with its write masks: the IDs,
 * class and header fields are the device's but read-only; the BARs are ours
 * (sizing, placement, moves); COMMAND is ours and its decode, bus-master
 * and error bits are forwarded (INTx-disable too); no ROM is offered; the
 * device's INTx pin is, where VFIO has INTx (the bridge routes it to our GSI
 * and sets LINE, a scratch byte the guest may rewrite); the capability list
 * is the device's own with MSI and MSI-X emulated by pci.c at the device's offsets (MSI in
 * our 24-byte layout where it fits, else in the device's own; an MSI capability that does not
 * fit its own layout, or an MSI-X one we cannot mirror, is unlinked from the list).
 * Every other capability's body is read from and written to the device.
 * Extended space (0x100..0xfff) reads as zeros: no extended capabilities.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>

#include "devices/vfio/vfio.h"

#define MAX_CAPS 48
#define CMD_FORWARD (PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER | (1u << 6) | (1u << 8) | \
		     PCI_CMD_INTX_DISABLE)

static uint32_t raw_rd(const uint8_t *raw, unsigned off, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)raw[off + i] << (8 * i);
	return v;
}

static void count(struct vfio_dev *v, enum vfio_metric m)
{
	DEV_METRIC_ADD(&v->counters[m], 1);
}

static bool dev_cfg_read(struct vfio_dev *v, unsigned off, void *buf, unsigned len)
{
	return v->ops->pread(v->ctx, v->dev, buf, len, v->cfg_region.offset + off) == (ssize_t)len;
}

static bool dev_cfg_write(struct vfio_dev *v, unsigned off, const void *buf, unsigned len)
{
	return v->ops->pwrite(v->ctx, v->dev, buf, len, v->cfg_region.offset + off) == (ssize_t)len;
}

/* Whether every byte of [off, off + len) is of a pass-through kind (want: RW only). */
static bool all_pt(const struct vfio_dev *v, unsigned off, unsigned len, bool rw_only)
{
	for (unsigned i = off; i < off + len; i++)
		if (i >= 256 || v->cfg_kind[i] == VFIO_CFG_EMU ||
		    (rw_only && v->cfg_kind[i] != VFIO_CFG_PT_RW))
			return false;
	return true;
}

static void cfg_reading(struct pci_device *d, unsigned off, unsigned len)
{
	struct vfio_dev *v = d->opaque;

	if (off >= 256)
		return;
	if (all_pt(v, off, len, false)) {
		count(v, VFIO_M_CFG_PT_READS);
		if (!dev_cfg_read(v, off, d->cfg + off, len)) {
			memset(d->cfg + off, 0xff, len);
			count(v, VFIO_M_BAD_ACCESSES);
		}
		return;
	}
	for (unsigned i = off; i < off + len && i < 256; i++) {
		if (v->cfg_kind[i] == VFIO_CFG_EMU)
			continue;
		count(v, VFIO_M_CFG_PT_READS);
		if (!dev_cfg_read(v, i, d->cfg + i, 1)) {
			d->cfg[i] = 0xff;
			count(v, VFIO_M_BAD_ACCESSES);
		}
	}
}

static void forward_command(struct vfio_dev *v)
{
	uint16_t dev, want;

	if (!dev_cfg_read(v, PCI_COMMAND, &dev, 2)) {
		count(v, VFIO_M_BAD_ACCESSES);
		return;
	}
	want = (dev & ~CMD_FORWARD) | (raw_rd(v->pci.cfg, PCI_COMMAND, 2) & CMD_FORWARD);
	if (want != dev && !dev_cfg_write(v, PCI_COMMAND, &want, 2))
		count(v, VFIO_M_BAD_ACCESSES);
}

static void cfg_written(struct pci_device *d, unsigned off, unsigned len)
{
	struct vfio_dev *v = d->opaque;

	if (off >= 256)
		return;
	if (off < PCI_COMMAND + 2 && PCI_COMMAND < off + len)
		forward_command(v);
	/* pci.c stored the guest's bytes (wmask 0xff on pass-through RW bytes): hand them on. */
	if (all_pt(v, off, len, true)) {
		count(v, VFIO_M_CFG_PT_WRITES);
		if (!dev_cfg_write(v, off, d->cfg + off, len))
			count(v, VFIO_M_BAD_ACCESSES);
		return;
	}
	for (unsigned i = off; i < off + len && i < 256; i++) {
		if (v->cfg_kind[i] != VFIO_CFG_PT_RW)
			continue;
		count(v, VFIO_M_CFG_PT_WRITES);
		if (!dev_cfg_write(v, i, d->cfg + i, 1))
			count(v, VFIO_M_BAD_ACCESSES);
	}
}

static void bar_moved(struct pci_device *d, int bar, uint64_t old_addr, uint64_t new_addr)
{
	(void)old_addr;
	vfio_bar_place(d->opaque, bar, new_addr);
}

static void irq_changed(struct pci_device *d)
{
	vfio_irq_update(d->opaque);
}

static const struct pci_device_ops vfio_pci_ops = {
	.config_written = cfg_written, .bar_moved = bar_moved, .irq_config_changed = irq_changed,
	.config_reading = cfg_reading,
};

struct cap {
	uint8_t off, id;
	unsigned end;       /* the next capability's offset above it, or 256 */
	bool hidden;
};

/* The device's list, walked as untrusted: in range, dword-aligned, no revisits, bounded. */
static unsigned walk_caps(const uint8_t *raw, struct cap *caps)
{
	bool seen[256] = { false };
	unsigned n = 0, p;

	if (!(raw[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	for (p = raw[PCI_CAP_PTR] & ~3u; p && n < MAX_CAPS; p = raw[p + 1] & ~3u) {
		if (p < 0x40 || p > 0xfc || seen[p])
			break;
		seen[p] = true;
		caps[n++] = (struct cap){ .off = p, .id = raw[p] };
	}
	for (unsigned i = 0; i < n; i++) {
		caps[i].end = 256;
		for (unsigned j = 0; j < n; j++)
			if (caps[j].off > caps[i].off && caps[j].off < caps[i].end)
				caps[i].end = caps[j].off;
	}
	return n;
}

static void set_kind(struct vfio_dev *v, unsigned from, unsigned to, enum vfio_cfg_kind k)
{
	for (unsigned i = from; i < to && i < 256; i++) {
		v->cfg_kind[i] = k;
		v->pci.wmask[i] = k == VFIO_CFG_PT_RW ? 0xff : k == VFIO_CFG_PT_RO ? 0 : v->pci.wmask[i];
		if (k != VFIO_CFG_EMU)
			v->pci.w1c[i] = 0;
	}
}

static bool setup_msix(struct vfio_dev *v, const uint8_t *raw, const struct cap *c)
{
	uint16_t ctrl;
	uint32_t table, pba;
	unsigned nvec, bir;

	/* its 12 bytes must fit before the next capability (and inside the 256) before they are read */
	if (c->end - c->off < 12)
		return false;
	ctrl = raw_rd(raw, c->off + 2, 2);
	table = raw_rd(raw, c->off + 4, 4);
	pba = raw_rd(raw, c->off + 8, 4);
	nvec = (ctrl & 0x7ff) + 1;
	bir = table & 7;
	if (bir >= PCI_NUM_BARS || (pba & 7) != bir || !v->bars[bir].present)
		return false;
	v->msix_holes[0] = (struct vfio_area){ table & ~7u, (uint64_t)nvec * 16 };
	v->msix_holes[1] = (struct vfio_area){ pba & ~7u, ((nvec + 63) / 64) * 8ULL };
	if (nvec > VFIO_MAX_MSIX)
		nvec = VFIO_MAX_MSIX;
	if (pci_msix_init_at(&v->pci, c->off, nvec, bir, table & ~7u, pba & ~7u) < 0) {
		memset(v->msix_holes, 0, sizeof(v->msix_holes));
		return false;
	}
	v->dev_msix_cap = c->off;
	set_kind(v, c->off, c->off + 12, VFIO_CFG_EMU);
	return true;
}

/*
 * MSI, emulated at the device's offset: 64-bit with per-vector masking where 24 bytes fit
 * before the next capability (masking is ours: a masked vector's irqfd is detached), else
 * in the device's own layout (QEMU's 82574: 64-bit, no masking, 14 bytes before PCIe at
 * 0xe0), which fits by construction unless the list is malformed: then it is unlinked.
 */
static bool setup_msi(struct vfio_dev *v, const uint8_t *raw, const struct cap *c)
{
	uint16_t ctrl = raw_rd(raw, c->off + 2, 2), layout = PCI_MSI_64BIT | PCI_MSI_PVM;
	unsigned mmc = (ctrl >> 1) & 7;

	if (v->pci.msi_cap)
		return false;
	if (c->end - c->off < pci_msi_cap_len(layout))
		layout = ctrl & (PCI_MSI_64BIT | PCI_MSI_PVM);
	if (c->end - c->off < pci_msi_cap_len(layout))
		return false;
	if (mmc > 5)
		mmc = 5;
	if (pci_msi_init_at(&v->pci, c->off, 1u << mmc, layout) < 0)
		return false;
	v->dev_msi_cap = c->off;
	set_kind(v, c->off, c->off + pci_msi_cap_len(layout), VFIO_CFG_EMU);
	return true;
}

int vfio_config_build(struct vfio_dev *v, char *err, size_t errlen)
{
	struct cap caps[MAX_CAPS];
	uint8_t raw[256];
	unsigned n, len, prev;
	int rc;

	rc = vfio_region_info(v, VFIO_PCI_CONFIG_REGION_INDEX, &v->cfg_region);
	if (rc < 0 || v->cfg_region.size < 64 ||
	    (v->cfg_region.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) !=
		    (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) {
		snprintf(err, errlen, "vfio: %s: no usable config region (%s)", v->bdf,
			 rc < 0 ? strerror(-rc) : "too small or not read-write");
		return -1;
	}
	memset(raw, 0, sizeof(raw));
	len = v->cfg_region.size < 256 ? v->cfg_region.size : 256;
	if (!dev_cfg_read(v, 0, raw, len)) {
		snprintf(err, errlen, "vfio: %s: cannot read its config space", v->bdf);
		return -1;
	}
	if (raw_rd(raw, PCI_VENDOR_ID, 2) == 0xffff || (raw[PCI_HEADER_TYPE] & 0x7f) != 0) {
		snprintf(err, errlen, "vfio: %s: %s", v->bdf, raw_rd(raw, 0, 2) == 0xffff ?
			 "its config space reads all-ones (gone, or in D3cold?)" : "not a type-0 function (a bridge?)");
		return -1;
	}
	pci_device_init(&v->pci, v->name, raw_rd(raw, PCI_VENDOR_ID, 2), raw_rd(raw, PCI_DEVICE_ID, 2),
			raw_rd(raw, PCI_CLASS_PROG, 3), raw_rd(raw, PCI_SUBSYSTEM_VENDOR, 2),
			raw_rd(raw, PCI_SUBSYSTEM_ID, 2));
	v->pci_ready = true;
	v->pci.ops = &vfio_pci_ops;
	v->pci.opaque = v;
	v->pci.cfg[PCI_REVISION_ID] = raw[PCI_REVISION_ID];
	/* INTx where VFIO has it and the device a pin; the bridge routes it (and writes LINE) */
	v->intx.avail = raw[PCI_INTERRUPT_PIN] >= 1 && raw[PCI_INTERRUPT_PIN] <= 4 && vfio_intx_probe(v);
	v->pci.cfg[PCI_INTERRUPT_PIN] = v->intx.avail ? raw[PCI_INTERRUPT_PIN] : 0;
	memcpy(v->pci.cfg + 0x28, raw + 0x28, 4);
	memcpy(v->pci.cfg + 0x3e, raw + 0x3e, 2);
	memset(v->cfg_kind, VFIO_CFG_EMU, sizeof(v->cfg_kind));
	set_kind(v, PCI_STATUS, PCI_STATUS + 2, VFIO_CFG_PT_RW);   /* live status, W1C errors forwarded */

	if (vfio_bars_setup(v, raw, err, errlen))
		return -1;

	/* capabilities: the device's bytes first, then ours over MSI/MSI-X */
	memcpy(v->pci.cfg + 0x40, raw + 0x40, 256 - 0x40);
	n = walk_caps(raw, caps);
	for (unsigned i = 0; i < n; i++) {
		struct cap *c = &caps[i];

		if (c->id == PCI_CAP_ID_MSIX)
			c->hidden = !setup_msix(v, raw, c);
		else if (c->id == PCI_CAP_ID_MSI)
			c->hidden = !setup_msi(v, raw, c);
		else
			set_kind(v, c->off + 2, c->end, VFIO_CFG_PT_RW);
		if (c->hidden)
			memset(v->pci.cfg + c->off, 0, c->end - c->off);
	}
	/* our list: the same order, hidden ones left out, headers emulated */
	v->pci.cfg[PCI_CAP_PTR] = 0;
	prev = PCI_CAP_PTR;
	for (unsigned i = 0; i < n; i++) {
		if (caps[i].hidden)
			continue;
		v->pci.cfg[prev == PCI_CAP_PTR ? prev : prev + 1] = caps[i].off;
		v->pci.cfg[caps[i].off] = caps[i].id;
		v->pci.cfg[caps[i].off + 1] = 0;
		prev = caps[i].off;
	}
	return 0;
}
