// SPDX-License-Identifier: MIT
/*
 * vfio_kernel_ops: the host side of a VFIO device for real (system calls,
 * sysfs, eventfds, vm_slot_map and irq.h).  The model only ever calls these
 * through struct vfio_ops, so its tests can substitute a fake.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/irq.h"
#include "devices/vfio/vfio.h"
#include "vmm/vm.h"

static int k_open(void *ctx, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	(void)ctx;
	return fd < 0 ? -errno : fd;
}

static void k_close(void *ctx, int fd)
{
	(void)ctx;
	if (fd >= 0)
		close(fd);
}

static int k_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	(void)ctx;
	return r < 0 ? -errno : r;
}

static ssize_t k_pread(void *ctx, int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	(void)ctx;
	return n < 0 ? -errno : n;
}

static ssize_t k_pwrite(void *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)off);

	(void)ctx;
	return n < 0 ? -errno : n;
}

static void *k_mmap(void *ctx, int fd, size_t len, uint64_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);

	(void)ctx;
	return p == MAP_FAILED ? NULL : p;
}

static void k_munmap(void *ctx, void *p, size_t len)
{
	(void)ctx;
	munmap(p, len);
}

static int k_readlink(void *ctx, const char *path, char *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	if (!len)
		return -EINVAL;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static int k_exists(void *ctx, const char *path)
{
	struct stat st;

	(void)ctx;
	return stat(path, &st) < 0 ? -errno : 0;
}

static int k_list_dir(void *ctx, const char *path, char (*names)[VFIO_BDF_LEN * 2], int max)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	(void)ctx;
	if (!d)
		return -errno;
	while (n < max && (e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || l >= VFIO_BDF_LEN * 2)
			continue;
		memcpy(names[n++], e->d_name, l + 1);
	}
	closedir(d);
	return n;
}

static int k_eventfd(void *ctx)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	(void)ctx;
	return fd < 0 ? -errno : fd;
}

static bool k_eventfd_pending(void *ctx, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	(void)ctx;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int k_slot_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	return vm_slot_map(((struct vfio_dev *)ctx)->vm, gpa, size, host);
}

static int k_slot_unmap(void *ctx, int slot)
{
	return vm_slot_unmap(((struct vfio_dev *)ctx)->vm, slot);
}

static int k_route_alloc(void *ctx)
{
	return irq_msi_route_alloc(((struct vfio_dev *)ctx)->irq);
}

static void k_route_free(void *ctx, int gsi)
{
	irq_msi_route_free(((struct vfio_dev *)ctx)->irq, gsi);
}

static int k_route_set(void *ctx, int gsi, uint64_t addr, uint32_t data, bool masked)
{
	return irq_msi_route_set(((struct vfio_dev *)ctx)->irq, gsi, addr, data, masked);
}

static int k_irqfd(void *ctx, int efd, int gsi, bool attach)
{
	struct irq_chip *c = ((struct vfio_dev *)ctx)->irq;

	return attach ? irq_irqfd_attach(c, efd, gsi) : irq_irqfd_detach(c, efd, gsi);
}

static int k_irqfd_resample(void *ctx, int efd, int rfd, int gsi)
{
	return irq_irqfd_attach_resample(((struct vfio_dev *)ctx)->irq, efd, rfd, gsi);
}

const struct vfio_ops vfio_kernel_ops = {
	.open = k_open, .close = k_close, .ioctl = k_ioctl, .pread = k_pread, .pwrite = k_pwrite,
	.mmap = k_mmap, .munmap = k_munmap, .readlink = k_readlink, .exists = k_exists,
	.list_dir = k_list_dir, .eventfd = k_eventfd, .eventfd_pending = k_eventfd_pending,
	.slot_map = k_slot_map, .slot_unmap = k_slot_unmap, .route_alloc = k_route_alloc,
	.route_free = k_route_free, .route_set = k_route_set, .irqfd = k_irqfd,
	.irqfd_resample = k_irqfd_resample,
};
