// SPDX-License-Identifier: MIT
/*
 * The iommufd/cdev way into a VFIO device (Linux 6.6+): /dev/iommu, the
 * device's /dev/vfio/devices/vfioN (named in sysfs under the PCI device's
 * vfio-dev/), VFIO_DEVICE_BIND_IOMMUFD, an IOAS (IOMMU_IOAS_ALLOC), the
 * device attached to it (VFIO_DEVICE_ATTACH_IOMMUFD_PT) and guest RAM mapped
 * into it (IOMMU_IOAS_MAP, fixed IOVA = guest-physical address).  Built only
 * where the UAPI headers have it; elsewhere these return -ENOSYS and
 * vfio_open uses the container/group API.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#include "devices/vfio/vfio.h"

#if defined(VFIO_DEVICE_BIND_IOMMUFD) && defined(VFIO_DEVICE_ATTACH_IOMMUFD_PT) && defined(IOMMU_IOAS_ALLOC)

int vfio_open_iommufd(struct vfio_dev *v, char *err, size_t errlen)
{
	char path[128], names[4][VFIO_BDF_LEN * 2];
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	int n, rc;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", v->bdf);
	n = v->ops->list_dir(v->ctx, path, names, 4);
	if (n != 1 || strncmp(names[0], "vfio", 4) || v->ops->exists(v->ctx, "/dev/iommu"))
		return -ENOSYS;
	rc = v->ops->open(v->ctx, "/dev/iommu", O_RDWR);
	if (rc < 0)
		return -ENOSYS;
	v->iommufd = rc;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", names[0]);
	rc = v->ops->open(v->ctx, path, O_RDWR);
	if (rc < 0)
		return rc;
	v->dev = rc;
	bind.iommufd = v->iommufd;
	rc = v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (rc < 0)
		goto fail;
	v->devid = bind.out_devid;
	rc = v->ops->ioctl(v->ctx, v->iommufd, IOMMU_IOAS_ALLOC, &ioas);
	if (rc < 0)
		goto fail;
	v->ioas_id = ioas.out_ioas_id;
	at.pt_id = v->ioas_id;
	rc = v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc < 0)
		goto fail;
	v->api = VFIO_API_IOMMUFD;
	return 0;
fail:
	snprintf(err, errlen, "vfio: iommufd setup of %s: %s", v->bdf, strerror(-rc));
	return rc;
}

int vfio_iommufd_map(struct vfio_dev *v, uint64_t iova, uint64_t size, void *host)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = v->ioas_id, .user_va = (uint64_t)(uintptr_t)host,
		.length = size, .iova = iova,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
	};

	return v->ops->ioctl(v->ctx, v->iommufd, IOMMU_IOAS_MAP, &m);
}

#else

int vfio_open_iommufd(struct vfio_dev *v, char *err, size_t errlen)
{
	(void)v;
	(void)err;
	(void)errlen;
	return -ENOSYS;   /* these UAPI headers predate iommufd's VFIO cdev */
}

int vfio_iommufd_map(struct vfio_dev *v, uint64_t iova, uint64_t size, void *host)
{
	(void)v;
	(void)iova;
	(void)size;
	(void)host;
	return -ENOSYS;
}

#endif
