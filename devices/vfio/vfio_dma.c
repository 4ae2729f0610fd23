// SPDX-License-Identifier: MIT
/*
 * Guest RAM made reachable by the device's DMA: each RAM range (low RAM at
 * 0, high RAM at BOOT_HIGH_MEM_GPA) mapped into the IOMMU at its guest-
 * physical address, so the addresses a guest driver writes into descriptors
 * are the device's bus addresses.  Type-1 VFIO_IOMMU_MAP_DMA, or IOAS_MAP
 * with iommufd.  A failure unmaps what was mapped.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>

#include "devices/vfio/vfio.h"

static int map_one(struct vfio_dev *v, uint64_t iova, uint64_t size, void *host)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uint64_t)(uintptr_t)host, .iova = iova, .size = size,
	};

	if (v->api == VFIO_API_IOMMUFD)
		return vfio_iommufd_map(v, iova, size, host);
	return v->ops->ioctl(v->ctx, v->container, VFIO_IOMMU_MAP_DMA, &m);
}

int vfio_dma_map_ram(struct vfio_dev *v, char *err, size_t errlen)
{
	const struct guest_mem *m = v->mem;
	struct { uint64_t iova, size; uint8_t *host; } r[GUEST_MEM_NSLOTS] = {
		{ 0, m->size, m->host },
		{ BOOT_HIGH_MEM_GPA, m->high_size, m->host + m->size },
	};

	v->ndma = 0;
	for (unsigned i = 0; i < GUEST_MEM_NSLOTS; i++) {
		int rc;

		if (!r[i].size)
			continue;
		rc = map_one(v, r[i].iova, r[i].size, r[i].host);
		if (rc < 0) {
			snprintf(err, errlen, "vfio: %s: mapping guest RAM [0x%llx, +0x%llx) for DMA: %s%s", v->bdf,
				 (unsigned long long)r[i].iova, (unsigned long long)r[i].size, strerror(-rc),
				 rc == -ENOMEM ? " (RLIMIT_MEMLOCK too low? ulimit -l)" : "");
			vfio_dma_unmap_ram(v);
			return -1;
		}
		v->dma_iova[v->ndma] = r[i].iova;
		v->dma_size[v->ndma] = r[i].size;
		v->ndma++;
	}
	return 0;
}

void vfio_dma_unmap_ram(struct vfio_dev *v)
{
	for (unsigned i = v->ndma; i-- > 0;) {
		if (v->api == VFIO_API_GROUP) {
			struct vfio_iommu_type1_dma_unmap u = {
				.argsz = sizeof(u), .iova = v->dma_iova[i], .size = v->dma_size[i],
			};

			v->ops->ioctl(v->ctx, v->container, VFIO_IOMMU_UNMAP_DMA, &u);
		}
		/* iommufd: the IOAS goes with the fd */
	}
	v->ndma = 0;
}
