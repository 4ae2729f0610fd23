// SPDX-License-Identifier: MIT
/*
 * Opening a VFIO device (see vfio.h): the host's preconditions, each refused
 * with what to do about it (the device exists, /dev/vfio is there, the
 * device has an IOMMU group, it is bound to vfio-pci, no other device of
 * the group is bound to a host driver, the files may be opened), then the
 * legacy container/group API: container, API version, TYPE1v2 (or TYPE1),
 * group viable, group into the container, IOMMU model, device fd, device
 * info.  iommufd is tried first where the UAPI and the host have it.  Every
 * failure undoes what was done (vfio_close), so nothing is left half-set.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vfio/vfio.h"

#define SYS_PCI "/sys/bus/pci/devices"

int vfio_bdf_parse(const char *s, char out[VFIO_BDF_LEN])
{
	unsigned dom = 0, bus, dev, fn;
	char tail;
	int n;

	if (!s || strlen(s) > 12)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return -1;
	n = sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail);
	if (n != 4) {
		dom = 0;
		n = sscanf(s, "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail);
		if (n != 3)
			return -1;
	}
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, VFIO_BDF_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The driver bound to PCI device bdf into buf ("" = none): 0 or -errno from readlink. */
static int driver_of(struct vfio_dev *v, const char *bdf, char *buf, size_t len)
{
	char path[128], link[256];
	int rc;

	snprintf(path, sizeof(path), SYS_PCI "/%s/driver", bdf);
	rc = v->ops->readlink(v->ctx, path, link, sizeof(link));
	if (rc == -ENOENT) {
		buf[0] = 0;
		return 0;
	}
	if (rc < 0)
		return rc;
	if (strlen(base_name(link)) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base_name(link), strlen(base_name(link)) + 1);
	return 0;
}

/* Every failure to open a device is the host's: it lacks the device, a driver or a permission. */
static enum outcome fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum outcome fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return OUTCOME_NO_HOST;
}

/* Every other device of the group bound to a host driver, named in out: how many. */
static int group_culprits(struct vfio_dev *v, char *out, size_t outlen)
{
	char path[128], names[32][VFIO_BDF_LEN * 2], drv[64];
	size_t used = 0;
	int n, bad = 0;

	out[0] = 0;
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", v->group_id);
	n = v->ops->list_dir(v->ctx, path, names, 32);
	for (int i = 0; i < n; i++) {
		if (!strcmp(names[i], v->bdf) || driver_of(v, names[i], drv, sizeof(drv)))
			continue;
		if (!drv[0] || !strcmp(drv, "vfio-pci") || !strcmp(drv, "pci-stub"))
			continue;
		if (used < outlen)
			used += snprintf(out + used, outlen - used, "%s%s (bound to %s)", bad ? ", " : "",
					 names[i], drv);
		bad++;
	}
	return bad;
}

/* The device-level checks, in the order a user fixes them. */
static enum outcome host_checks(struct vfio_dev *v, char *err, size_t errlen)
{
	char path[128], link[256], drv[64], culprits[400];
	const char *b = v->bdf;
	int rc;

	snprintf(path, sizeof(path), SYS_PCI "/%s", b);
	if (v->ops->exists(v->ctx, path))
		return fail(err, errlen, "vfio: no PCI device %s on this host (see ls %s)", b, SYS_PCI);
	if (v->ops->exists(v->ctx, "/dev/vfio/vfio"))
		return fail(err, errlen,
			    "vfio: no /dev/vfio/vfio on this host: modprobe vfio-pci; the host needs an IOMMU "
			    "(intel_iommu=on or amd_iommu=on)");
	snprintf(path, sizeof(path), SYS_PCI "/%s/iommu_group", b);
	rc = v->ops->readlink(v->ctx, path, link, sizeof(link));
	if (rc < 0 || sscanf(base_name(link), "%d", &v->group_id) != 1 || v->group_id < 0)
		return fail(err, errlen,
			    "vfio: %s has no IOMMU group: the host has no IOMMU enabled for it "
			    "(intel_iommu=on or amd_iommu=on on the kernel command line)", b);
	rc = driver_of(v, b, drv, sizeof(drv));
	if (rc)
		return fail(err, errlen, "vfio: cannot read the driver of %s: %s", b, strerror(-rc));
	if (strcmp(drv, "vfio-pci")) {
		if (!drv[0])
			return fail(err, errlen,
				    "vfio: %s is bound to no driver, not vfio-pci: echo vfio-pci > %s/%s/driver_override; "
				    "echo %s > /sys/bus/pci/drivers_probe", b, SYS_PCI, b, b);
		return fail(err, errlen,
			    "vfio: %s is bound to %s, not vfio-pci: echo %s > %s/%s/driver/unbind; "
			    "echo vfio-pci > %s/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
			    b, drv, b, SYS_PCI, b, SYS_PCI, b, b);
	}
	if (group_culprits(v, culprits, sizeof(culprits)))
		return fail(err, errlen,
			    "vfio: IOMMU group %d of %s is not viable: %s shares it; bind every device of the "
			    "group to vfio-pci (or unbind it)", v->group_id, b, culprits);
	return OUTCOME_OK;
}

static enum outcome open_fail(struct vfio_dev *v, char *err, size_t errlen, const char *path, int rc)
{
	if (rc == -EACCES || rc == -EPERM)
		return fail(err, errlen, "vfio: permission denied opening %s: run as root or give "
			    "this user the file (chown)", path);
	if (rc == -EBUSY)
		return fail(err, errlen, "vfio: %s is busy: another process (a VM?) has %s open",
			    path, v->bdf);
	return fail(err, errlen, "vfio: cannot open %s: %s", path, strerror(-rc));
}

static int vioctl(struct vfio_dev *v, int fd, unsigned long req, void *arg)
{
	return v->ops->ioctl(v->ctx, fd, req, arg);
}

static enum outcome open_group(struct vfio_dev *v, char *err, size_t errlen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64], culprits[400];
	int rc, type;

	rc = v->ops->open(v->ctx, "/dev/vfio/vfio", O_RDWR);
	if (rc < 0)
		return open_fail(v, err, errlen, "/dev/vfio/vfio", rc);
	v->container = rc;
	rc = vioctl(v, v->container, VFIO_GET_API_VERSION, NULL);
	if (rc != VFIO_API_VERSION)
		return fail(err, errlen, "vfio: /dev/vfio/vfio speaks API version %d, we speak %d", rc,
			    VFIO_API_VERSION);
	if (vioctl(v, v->container, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) > 0)
		type = VFIO_TYPE1v2_IOMMU;
	else if (vioctl(v, v->container, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1_IOMMU) > 0)
		type = VFIO_TYPE1_IOMMU;
	else
		return fail(err, errlen, "vfio: the host's VFIO has no type-1 IOMMU driver "
			    "(modprobe vfio_iommu_type1)");

	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_id);
	rc = v->ops->open(v->ctx, path, O_RDWR);
	if (rc < 0)
		return open_fail(v, err, errlen, path, rc);
	v->group = rc;
	rc = vioctl(v, v->group, VFIO_GROUP_GET_STATUS, &st);
	if (rc < 0)
		return fail(err, errlen, "vfio: VFIO_GROUP_GET_STATUS on %s: %s", path, strerror(-rc));
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		if (group_culprits(v, culprits, sizeof(culprits)))
			return fail(err, errlen, "vfio: IOMMU group %d of %s is not viable: %s shares "
				    "it; bind every device of the group to vfio-pci (or unbind it)",
				    v->group_id, v->bdf, culprits);
		return fail(err, errlen, "vfio: IOMMU group %d of %s is not viable: bind every "
			    "device in /sys/kernel/iommu_groups/%d/devices to vfio-pci", v->group_id, v->bdf,
			    v->group_id);
	}
	rc = vioctl(v, v->group, VFIO_GROUP_SET_CONTAINER, &v->container);
	if (rc < 0)
		return fail(err, errlen, "vfio: VFIO_GROUP_SET_CONTAINER: %s", strerror(-rc));
	v->group_attached = true;
	rc = vioctl(v, v->container, VFIO_SET_IOMMU, (void *)(uintptr_t)type);
	if (rc < 0)
		return fail(err, errlen, "vfio: VFIO_SET_IOMMU (type %d): %s%s", type, strerror(-rc),
			    rc == -EPERM ? " (no interrupt remapping: enable it in the IOMMU, or "
			    "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1)" : "");
	v->iommu_set = true;
	rc = vioctl(v, v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	if (rc < 0)
		return fail(err, errlen, "vfio: VFIO_GROUP_GET_DEVICE_FD %s: %s", v->bdf, strerror(-rc));
	v->dev = rc;
	v->api = VFIO_API_GROUP;
	return OUTCOME_OK;
}

enum outcome vfio_open(struct vfio_dev *v, char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	enum outcome o;
	int rc;

	v->container = v->group = v->dev = v->iommufd = -1;
	o = host_checks(v, err, errlen);
	if (o != OUTCOME_OK)
		return o;
	/* iommufd where it exists; anything short of a bound, attached device falls back to the group API */
	rc = vfio_open_iommufd(v, err, errlen);
	if (rc)
		vfio_close(v);
	if (rc && (o = open_group(v, err, errlen)) != OUTCOME_OK) {
		vfio_close(v);
		return o;
	}
	rc = vioctl(v, v->dev, VFIO_DEVICE_GET_INFO, &info);
	if (rc < 0 || !(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		o = fail(err, errlen, "vfio: %s: VFIO_DEVICE_GET_INFO: %s", v->bdf,
			 rc < 0 ? strerror(-rc) : "not a vfio-pci device with a config region");
		vfio_close(v);
		return o;
	}
	v->dev_flags = info.flags;
	v->num_regions = info.num_regions;
	v->num_irqs = info.num_irqs;
	return OUTCOME_OK;
}

void vfio_close(struct vfio_dev *v)
{
	if (v->dev >= 0)
		v->ops->close(v->ctx, v->dev);
	v->dev = -1;
	if (v->group_attached)
		vioctl(v, v->group, VFIO_GROUP_UNSET_CONTAINER, NULL);
	v->group_attached = false;
	v->iommu_set = false;
	if (v->group >= 0)
		v->ops->close(v->ctx, v->group);
	v->group = -1;
	if (v->container >= 0)
		v->ops->close(v->ctx, v->container);
	v->container = -1;
	if (v->iommufd >= 0)
		v->ops->close(v->ctx, v->iommufd);
	v->iommufd = -1;
}
