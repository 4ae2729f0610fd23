// SPDX-License-Identifier: MIT
/*
 * The life of a passed-through device (see vfio.h): open and reset, the
 * guest's configuration space, BAR mmaps, DMA mappings; at the end the
 * reverse, in an order that leaves nothing half-set: interrupts off, BAR
 * slots out of the guest and unmapped, the device reset, DMA unmapped, the
 * device, group and container closed.
 */
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>

#include "devices/vfio/vfio.h"

static const char *const metric_names[VFIO_NMETRICS] = {
	[VFIO_M_BAR_TRAP_READS] = "bar_trap_reads",
	[VFIO_M_BAR_TRAP_WRITES] = "bar_trap_writes",
	[VFIO_M_MSIX_TABLE_ACCESSES] = "msix_table_accesses",
	[VFIO_M_CFG_PT_READS] = "config_passthrough_reads",
	[VFIO_M_CFG_PT_WRITES] = "config_passthrough_writes",
	[VFIO_M_IRQ_UPDATES] = "irq_updates",
	[VFIO_M_IRQ_ERRORS] = "irq_errors",
	[VFIO_M_BAD_ACCESSES] = "bad_accesses",
	[VFIO_M_SLOTS_MAPPED] = "slots_mapped",
	[VFIO_M_SLOTS_REFUSED] = "slots_refused",
};

static void reset(struct vfio_dev *v)
{
	if ((v->dev_flags & VFIO_DEVICE_FLAGS_RESET) && v->dev >= 0 &&
	    v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_RESET, NULL) < 0)
		fprintf(stderr, "exitlab: vfio %s: VFIO_DEVICE_RESET failed\n", v->bdf);
}

enum outcome vfio_dev_init(struct vfio_dev *v, const char *bdf, const struct guest_mem *mem, struct vm *vm,
			   struct irq_chip *irq, const struct vfio_ops *ops, void *ctx, char *err, size_t errlen)
{
	enum outcome o;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->dev = v->iommufd = -1;
	for (unsigned i = 0; i < VFIO_MAX_MSIX; i++)
		v->vec[i] = (struct vfio_vec){ .efd = -1, .gsi = -1 };
	v->intx = (struct vfio_intx){ .efd = -1, .rfd = -1, .gsi = -1 };
	if (vfio_bdf_parse(bdf, v->bdf)) {
		snprintf(err, errlen, "vfio: bad host=%s: give a PCI address like 0000:00:03.0", bdf);
		return OUTCOME_BAD_INPUT;
	}
	snprintf(v->name, sizeof(v->name), "vfio-%s", v->bdf);
	v->ops = ops ? ops : &vfio_kernel_ops;
	v->ctx = ops ? ctx : v;
	v->vm = vm;
	v->irq = irq;
	v->mem = mem;
	pthread_mutex_init(&v->lock, NULL);
	v->metrics = (struct dev_metrics){
		.device = "vfio", .n = VFIO_NMETRICS, .names = metric_names, .values = v->counters,
	};
	o = vfio_open(v, err, errlen);
	if (o != OUTCOME_OK)
		goto fail;
	reset(v);
	o = OUTCOME_FAILED;
	if (vfio_config_build(v, err, errlen))
		goto fail;
	vfio_bars_mmap(v);
	if (vfio_dma_map_ram(v, err, errlen)) {
		o = OUTCOME_NO_HOST; /* the IOMMU would not map guest RAM */
		goto fail;
	}
	return OUTCOME_OK;
fail:
	vfio_dev_destroy(v);
	return o;
}

struct pci_device *vfio_dev_pci(struct vfio_dev *v)
{
	return &v->pci;
}

const struct dev_metrics *vfio_dev_metrics(struct vfio_dev *v)
{
	return &v->metrics;
}

void vfio_dev_destroy(struct vfio_dev *v)
{
	if (!v->ops)
		return;
	vfio_irq_disable(v);
	vfio_bars_unmap(v);
	reset(v);
	vfio_dma_unmap_ram(v);
	vfio_close(v);
	if (v->pci_ready)
		pci_device_destroy(&v->pci);
	v->pci_ready = false;
	pthread_mutex_destroy(&v->lock);
	v->ops = NULL;
}
