// SPDX-License-Identifier: MIT
/*
 * A passed-through function's BARs.  Sizes and kinds come from the device
 * (VFIO region info and its BAR registers), addresses from our host bridge.
 * Page-aligned pieces that VFIO lets us mmap become KVM memory slots while
 * the BAR is decoded inside our MMIO window, so guest accesses to them are
 * plain memory accesses; everything else (small BARs, I/O BARs, pieces a
 * sparse-mmap capability leaves out, and always the MSI-X table and PBA
 * pages) exits and is handled here: the table and PBA by pci.c's emulation,
 * the rest forwarded to the device with pread/pwrite on its region.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci/pci_host.h"
#include "devices/vfio/vfio.h"

static const char *const bar_names[PCI_NUM_BARS] = { "bar0", "bar1", "bar2", "bar3", "bar4", "bar5" };

static void count(struct vfio_dev *v, enum vfio_metric m)
{
	DEV_METRIC_ADD(&v->counters[m], 1);
}

static uint32_t rd32(const uint8_t *raw, unsigned off)
{
	return raw[off] | raw[off + 1] << 8 | raw[off + 2] << 16 | (uint32_t)raw[off + 3] << 24;
}

int vfio_bars_setup(struct vfio_dev *v, const uint8_t raw[256], char *err, size_t errlen)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct vfio_bar *b = &v->bars[i];
		uint32_t reg = rd32(raw, PCI_BAR0 + 4 * i);
		enum pci_bar_kind kind;
		int rc;

		b->v = v;
		b->index = i;
		for (unsigned m = 0; m < VFIO_MAX_MAPS; m++)
			b->maps[m].slot = -1;
		if (i > 0 && v->pci.bars[i - 1].kind == PCI_BAR_MEM64)
			continue;   /* the upper half of the BAR below */
		rc = vfio_region_info(v, VFIO_PCI_BAR0_REGION_INDEX + i, &b->r);
		if (rc < 0) {
			snprintf(err, errlen, "vfio: %s: region info of BAR %d: %s", v->bdf, i, strerror(-rc));
			return -1;
		}
		if (!b->r.size)
			continue;
		if (reg & 1)
			kind = PCI_BAR_IO;
		else
			kind = ((reg >> 1) & 3) == 2 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
		if (!(b->r.flags & VFIO_REGION_INFO_FLAG_READ) || !(b->r.flags & VFIO_REGION_INFO_FLAG_WRITE) ||
		    pci_bar_init(&v->pci, i, kind, b->r.size, &vfio_bar_ops, b, bar_names[i]) < 0) {
			/* a BAR we cannot offer (a huge I/O BAR, odd size): the guest sees it absent */
			fprintf(stderr, "exitlab: vfio %s: BAR %d (%s, 0x%llx bytes) not offered to the guest\n",
				v->bdf, i, kind == PCI_BAR_IO ? "I/O" : "memory", (unsigned long long)b->r.size);
			continue;
		}
		if (kind != PCI_BAR_IO && (reg & 8))
			v->pci.cfg[PCI_BAR0 + 4 * i] |= 8;   /* prefetchable, as the device says */
		b->present = true;
	}
	return 0;
}

void vfio_bars_mmap(struct vfio_dev *v)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct vfio_bar *b = &v->bars[i];
		struct vfio_area pieces[VFIO_MAX_MAPS];
		bool msix = v->pci.msix_cap && v->pci.msix_bar == i;
		unsigned n;

		if (!b->present || v->pci.bars[i].kind == PCI_BAR_IO)
			continue;
		n = vfio_mmap_pieces(&b->r, v->pci.bars[i].size, v->msix_holes, msix ? 2 : 0, pieces,
				     VFIO_MAX_MAPS);
		b->nmaps = 0;
		for (unsigned k = 0; k < n; k++) {
			void *p = v->ops->mmap(v->ctx, v->dev, pieces[k].size, b->r.offset + pieces[k].off);

			if (!p)
				continue;   /* trapped instead */
			b->maps[b->nmaps++] = (struct vfio_map){
				.off = pieces[k].off, .size = pieces[k].size, .host = p, .slot = -1,
			};
		}
	}
}

static void unslot(struct vfio_dev *v, struct vfio_bar *b)
{
	for (unsigned m = 0; m < b->nmaps; m++) {
		if (b->maps[m].slot >= 0)
			v->ops->slot_unmap(v->ctx, b->maps[m].slot);
		b->maps[m].slot = -1;
	}
}

void vfio_bar_place(struct vfio_dev *v, int bar, uint64_t addr)
{
	struct vfio_bar *b;
	uint64_t size;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return;
	b = &v->bars[bar];
	size = v->pci.bars[bar].size;
	unslot(v, b);
	/* only inside our window: a guest moving a BAR onto RAM or off the map gets trapping (or nothing) */
	if (!addr || addr < PCI_MMIO_WINDOW || addr > PCI_MMIO_WINDOW + PCI_MMIO_SIZE - size)
		return;
	for (unsigned m = 0; m < b->nmaps; m++) {
		int slot = v->ops->slot_map(v->ctx, addr + b->maps[m].off, b->maps[m].size, b->maps[m].host);

		if (slot < 0) {
			/* once: a guest moving BARs in a loop must not fill the host's logs (slots_refused counts) */
			if (!__atomic_load_n(&v->counters[VFIO_M_SLOTS_REFUSED], __ATOMIC_RELAXED))
				fprintf(stderr, "exitlab: vfio %s: BAR %d piece at +0x%llx stays trapped: %s "
					"(further refusals counted in slots_refused)\n", v->bdf, bar,
					(unsigned long long)b->maps[m].off, strerror(-slot));
			count(v, VFIO_M_SLOTS_REFUSED);
			continue;
		}
		b->maps[m].slot = slot;
		b->maps[m].gpa = addr + b->maps[m].off;
		count(v, VFIO_M_SLOTS_MAPPED);
	}
}

void vfio_bars_unmap(struct vfio_dev *v)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct vfio_bar *b = &v->bars[i];

		unslot(v, b);
		for (unsigned m = 0; m < b->nmaps; m++)
			if (b->maps[m].host)
				v->ops->munmap(v->ctx, b->maps[m].host, b->maps[m].size);
		b->nmaps = 0;
	}
}

static bool in_hole(const struct vfio_dev *v, int bar, uint64_t off, unsigned size)
{
	if (!v->pci.msix_cap || v->pci.msix_bar != bar)
		return false;
	for (int h = 0; h < 2; h++)
		if (off < v->msix_holes[h].off + v->msix_holes[h].size && v->msix_holes[h].off < off + size)
			return true;
	return false;
}

static bool access_ok(const struct vfio_bar *b, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && off < b->r.size && size <= b->r.size - off;
}

static int bar_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct vfio_bar *b = opaque;
	struct vfio_dev *v = b->v;

	if (v->pci.msix_cap && v->pci.msix_bar == b->index) {
		int rc = vfio_msix_read(v, off, data, size);

		if (rc != -ENOENT) {
			count(v, VFIO_M_MSIX_TABLE_ACCESSES);
			return 0;
		}
		if (in_hole(v, b->index, off, size)) {   /* the part of the device's table we do not offer */
			memset(data, 0xff, size);
			count(v, VFIO_M_BAD_ACCESSES);
			return 0;
		}
	}
	count(v, VFIO_M_BAR_TRAP_READS);
	if (!access_ok(b, off, size) ||
	    v->ops->pread(v->ctx, v->dev, data, size, b->r.offset + off) != (ssize_t)size) {
		memset(data, 0xff, size);
		count(v, VFIO_M_BAD_ACCESSES);
	}
	return 0;
}

static int bar_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct vfio_bar *b = opaque;
	struct vfio_dev *v = b->v;

	if (v->pci.msix_cap && v->pci.msix_bar == b->index) {
		int rc = pci_msix_table_write(&v->pci, off, data, size);

		if (rc != -ENOENT) {
			count(v, VFIO_M_MSIX_TABLE_ACCESSES);
			if (rc)
				count(v, VFIO_M_BAD_ACCESSES);
			return 0;
		}
		if (in_hole(v, b->index, off, size)) {
			count(v, VFIO_M_BAD_ACCESSES);
			return 0;
		}
	}
	count(v, VFIO_M_BAR_TRAP_WRITES);
	if (!access_ok(b, off, size) ||
	    v->ops->pwrite(v->ctx, v->dev, data, size, b->r.offset + off) != (ssize_t)size)
		count(v, VFIO_M_BAD_ACCESSES);
	return 0;
}

const struct bus_ops vfio_bar_ops = { .read = bar_read, .write = bar_write };
