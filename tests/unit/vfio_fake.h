/* SPDX-License-Identifier: MIT */
/*
 * A fake VFIO host for the devices/vfio unit tests: sysfs, /dev/vfio, the
 * container/group/device ioctls, a synthetic e1000e-like function (config
 * space with PM, MSI, PCIe and MSI-X capabilities; BAR0/1 128 KiB memory,
 * BAR2 32-byte I/O, BAR3 16 KiB with the MSI-X table at 0 and the PBA at
 * 0x2000; INTA#), KVM slots, MSI routes, irqfds and resampling INTx irqfds.  Everything is recorded in a
 * log of short strings, so tests can check what happened and in what order.
 * Header-only: each test file includes it once.
 */
#ifndef EXITLAB_TEST_VFIO_FAKE_H
#define EXITLAB_TEST_VFIO_FAKE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vfio/vfio.h"

#define FAKE_LOG      512
#define FAKE_BDF      "0000:00:03.0"
#define FAKE_IDX_SHIFT 40      /* region index -> fd offset, as vfio-pci does */
#define FAKE_MAX_FD   128

struct fake_vfio {
	/* the host */
	bool no_sysfs_dev, no_dev_vfio, no_group;
	const char *driver;              /* of the device: "vfio-pci" by default, "" none */
	int group_id;
	int nothers;
	const char *others[4], *others_drv[4];
	int open_errno_container, open_errno_group;
	bool not_viable, no_type1v2, no_type1;
	unsigned long fail_req;          /* an ioctl that fails with fail_errno */
	int fail_errno;
	bool fail_mmap, fail_slot;
	bool no_intx;                    /* VFIO_DEVICE_GET_IRQ_INFO(INTX) reports count 0 */
	/* the device */
	uint8_t cfg[4096];
	uint32_t cfg_size;
	uint64_t bar_size[6];
	uint32_t bar_flags[6];
	uint8_t *bar_mem[6];
	unsigned nsparse[6];
	struct vfio_region_sparse_mmap_area sparse[6][4];
	bool sparse_on[6];
	/* what happened */
	char log[FAKE_LOG][80];
	int nlog;
	int next_fd;
	bool fd_open[FAKE_MAX_FD];
	bool pending[FAKE_MAX_FD];       /* eventfds with a count */
	int slots_used, mmaps, munmaps;
	struct { bool used; uint64_t gpa, size; void *host; } slot[16];
	struct { bool used, masked; uint64_t addr; uint32_t data; } route[64];
	int irqfd_of[64];                /* gsi -> attached eventfd, -1 */
	int irq_index, irq_count, irq_fds[VFIO_MAX_MSIX];   /* the last MSI/MSI-X SET_IRQS */
	/* INTx in VFIO: trigger and unmask eventfds (-1 none), masked; in KVM: resampling irqfds */
	int intx_trigger, intx_unmask;
	bool intx_masked;
	int intx_irqfd[24], intx_resample[24];   /* gsi -> eventfds, -1 */
	int dma_maps;
};

static inline void fake_log(struct fake_vfio *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nlog >= FAKE_LOG)
		return;
	va_start(ap, fmt);
	vsnprintf(f->log[f->nlog++], sizeof(f->log[0]), fmt, ap);
	va_end(ap);
}

/* The first log index >= from whose entry starts with prefix, or -1. */
static inline int fake_find(const struct fake_vfio *f, const char *prefix, int from)
{
	for (int i = from < 0 ? 0 : from; i < f->nlog; i++)
		if (!strncmp(f->log[i], prefix, strlen(prefix)))
			return i;
	return -1;
}

static inline int fake_count(const struct fake_vfio *f, const char *prefix)
{
	int n = 0;

	for (int i = 0; i < f->nlog; i++)
		n += !strncmp(f->log[i], prefix, strlen(prefix));
	return n;
}

static inline int fake_open_fds(const struct fake_vfio *f)
{
	int n = 0;

	for (int i = 0; i < FAKE_MAX_FD; i++)
		n += f->fd_open[i];
	return n;
}

static inline void cfg_put(uint8_t *c, unsigned off, unsigned len, uint32_t v)
{
	for (unsigned i = 0; i < len; i++)
		c[off + i] = v >> (8 * i);
}

static inline uint32_t cfg_get(const uint8_t *c, unsigned off, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)c[off + i] << (8 * i);
	return v;
}

/* An e1000e-like function, laid out as QEMU's 82574 model presents it. */
static inline void fake_init(struct fake_vfio *f)
{
	static const uint64_t sizes[6] = { 0x20000, 0x20000, 32, 0x4000, 0, 0 };
	uint8_t *c = f->cfg;

	memset(f, 0, sizeof(*f));
	f->driver = "vfio-pci";
	f->group_id = 7;
	f->next_fd = 10;
	for (int i = 0; i < 64; i++)
		f->irqfd_of[i] = -1;
	f->intx_trigger = f->intx_unmask = -1;
	for (int i = 0; i < 24; i++)
		f->intx_irqfd[i] = f->intx_resample[i] = -1;
	f->cfg_size = 256;
	cfg_put(c, 0x00, 2, 0x8086);
	cfg_put(c, 0x02, 2, 0x10d3);
	cfg_put(c, 0x04, 2, 0x0000);
	cfg_put(c, 0x06, 2, 0x0010);          /* capability list */
	c[0x08] = 0x00;
	cfg_put(c, 0x09, 3, 0x020000);        /* Ethernet */
	c[0x0e] = 0x80;                       /* multifunction bit set: we must clear it */
	cfg_put(c, 0x10, 4, 0xfebc0000);      /* BAR0 mem32 */
	cfg_put(c, 0x14, 4, 0xfeba0000);      /* BAR1 mem32 */
	cfg_put(c, 0x18, 4, 0x0000c001);      /* BAR2 I/O */
	cfg_put(c, 0x1c, 4, 0xfebe0008);      /* BAR3 mem32 prefetchable */
	cfg_put(c, 0x2c, 2, 0x8086);
	cfg_put(c, 0x2e, 2, 0x0000);
	cfg_put(c, 0x30, 4, 0xfeb80000);      /* a ROM we do not offer */
	c[0x34] = 0xc8;
	c[0x3d] = 1;
	/* PM at 0xc8 -> MSI at 0xd0 (16 bytes of room: hidden) -> PCIe at 0xe0 -> MSI-X at 0xa0 */
	c[0xc8] = 0x01; c[0xc9] = 0xd0; cfg_put(c, 0xca, 2, 0x0023);
	c[0xd0] = 0x05; c[0xd1] = 0xe0; cfg_put(c, 0xd2, 2, 0x0080);
	c[0xe0] = 0x10; c[0xe1] = 0xa0; cfg_put(c, 0xe2, 2, 0x0001);
	cfg_put(c, 0xe8, 2, 0x2810);          /* PCIe device control */
	c[0xa0] = 0x11; c[0xa1] = 0x00;
	cfg_put(c, 0xa2, 2, 4);               /* 5 vectors */
	cfg_put(c, 0xa4, 4, 0x00000003);      /* table: BAR3 + 0 */
	cfg_put(c, 0xa8, 4, 0x00002003);      /* PBA: BAR3 + 0x2000 */
	for (int i = 0; i < 6; i++) {
		f->bar_size[i] = sizes[i];
		f->bar_flags[i] = sizes[i] ? VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE : 0;
		if (sizes[i] >= 4096)
			f->bar_flags[i] |= VFIO_REGION_INFO_FLAG_MMAP;
		if (sizes[i]) {
			f->bar_mem[i] = aligned_alloc(4096, sizes[i] < 4096 ? 4096 : sizes[i]);
			memset(f->bar_mem[i], 0, sizes[i] < 4096 ? 4096 : sizes[i]);
		}
	}
	cfg_put(f->bar_mem[0], 8, 4, 0x80080783);   /* e1000 STATUS at BAR0 + 8 */
}

static inline void fake_fini(struct fake_vfio *f)
{
	for (int i = 0; i < 6; i++)
		free(f->bar_mem[i]);
}

static inline int fake_new_fd(struct fake_vfio *f)
{
	int fd = f->next_fd++;

	if (fd >= FAKE_MAX_FD)
		return -EMFILE;
	f->fd_open[fd] = true;
	return fd;
}

static inline int f_open(void *ctx, const char *path, int flags)
{
	struct fake_vfio *f = ctx;
	int fd;

	(void)flags;
	if (!strcmp(path, "/dev/vfio/vfio") && f->open_errno_container)
		return -f->open_errno_container;
	if (!strncmp(path, "/dev/vfio/", 10) && strcmp(path, "/dev/vfio/vfio") && f->open_errno_group)
		return -f->open_errno_group;
	fd = fake_new_fd(f);
	fake_log(f, "open %s = %d", path, fd);
	return fd;
}

static inline void f_close(void *ctx, int fd)
{
	struct fake_vfio *f = ctx;

	if (fd >= 0 && fd < FAKE_MAX_FD)
		f->fd_open[fd] = false;
	fake_log(f, "close %d", fd);
}

static inline void fake_region(struct fake_vfio *f, struct vfio_region_info *ri)
{
	unsigned i = ri->index;
	size_t need;

	ri->cap_offset = 0;
	ri->offset = (uint64_t)i << FAKE_IDX_SHIFT;
	if (i == VFIO_PCI_CONFIG_REGION_INDEX) {
		ri->size = f->cfg_size;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		return;
	}
	if (i >= 6) {
		ri->size = 0;
		ri->flags = 0;
		return;
	}
	ri->size = f->bar_size[i];
	ri->flags = f->bar_flags[i];
	if (!f->sparse_on[i])
		return;
	need = sizeof(*ri) + sizeof(struct vfio_region_info_cap_sparse_mmap) +
	       f->nsparse[i] * sizeof(struct vfio_region_sparse_mmap_area);
	ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	if (ri->argsz < need) {
		ri->argsz = need;
		return;
	}
	{
		struct vfio_region_info_cap_sparse_mmap sp = {
			.header = { .id = VFIO_REGION_INFO_CAP_SPARSE_MMAP, .version = 1, .next = 0 },
			.nr_areas = f->nsparse[i],
		};
		uint8_t *b = (uint8_t *)ri;

		ri->cap_offset = sizeof(*ri);
		memcpy(b + sizeof(*ri), &sp, sizeof(sp));
		memcpy(b + sizeof(*ri) + sizeof(sp), f->sparse[i], f->nsparse[i] * sizeof(f->sparse[i][0]));
	}
}

static inline const char *fake_req_name(unsigned long req)
{
	switch (req) {
	case VFIO_GET_API_VERSION: return "GET_API_VERSION";
	case VFIO_CHECK_EXTENSION: return "CHECK_EXTENSION";
	case VFIO_SET_IOMMU: return "SET_IOMMU";
	case VFIO_GROUP_GET_STATUS: return "GROUP_GET_STATUS";
	case VFIO_GROUP_SET_CONTAINER: return "GROUP_SET_CONTAINER";
	case VFIO_GROUP_UNSET_CONTAINER: return "GROUP_UNSET_CONTAINER";
	case VFIO_GROUP_GET_DEVICE_FD: return "GROUP_GET_DEVICE_FD";
	case VFIO_DEVICE_GET_INFO: return "DEVICE_GET_INFO";
	case VFIO_DEVICE_GET_REGION_INFO: return "DEVICE_GET_REGION_INFO";
	case VFIO_DEVICE_GET_IRQ_INFO: return "DEVICE_GET_IRQ_INFO";
	case VFIO_DEVICE_SET_IRQS: return "DEVICE_SET_IRQS";
	case VFIO_DEVICE_RESET: return "DEVICE_RESET";
	case VFIO_IOMMU_MAP_DMA: return "IOMMU_MAP_DMA";
	case VFIO_IOMMU_UNMAP_DMA: return "IOMMU_UNMAP_DMA";
	}
	return "?";
}

static inline int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake_vfio *f = ctx;

	if (fd < 0 || fd >= FAKE_MAX_FD || !f->fd_open[fd]) {
		fake_log(f, "ioctl %s on a closed fd %d", fake_req_name(req), fd);
		return -EBADF;
	}
	if (req == f->fail_req) {
		fake_log(f, "ioctl %s fails", fake_req_name(req));
		return -f->fail_errno;
	}
	switch (req) {
	case VFIO_GET_API_VERSION:
		fake_log(f, "ioctl GET_API_VERSION");
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION: {
		unsigned long t = (unsigned long)arg;

		fake_log(f, "ioctl CHECK_EXTENSION %lu", t);
		return (t == VFIO_TYPE1v2_IOMMU && !f->no_type1v2) || (t == VFIO_TYPE1_IOMMU && !f->no_type1);
	}
	case VFIO_SET_IOMMU:
		fake_log(f, "ioctl SET_IOMMU %lu", (unsigned long)arg);
		return 0;
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *s = arg;

		s->flags = f->not_viable ? 0 : VFIO_GROUP_FLAGS_VIABLE;
		fake_log(f, "ioctl GROUP_GET_STATUS");
		return 0;
	}
	case VFIO_GROUP_GET_DEVICE_FD:
		fake_log(f, "ioctl GROUP_GET_DEVICE_FD %s", (const char *)arg);
		if (strcmp(arg, FAKE_BDF))
			return -ENODEV;
		return fake_new_fd(f);
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;

		i->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		i->num_irqs = VFIO_PCI_NUM_IRQS;
		fake_log(f, "ioctl DEVICE_GET_INFO");
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		fake_region(f, arg);
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *ii = arg;

		ii->flags = VFIO_IRQ_INFO_EVENTFD;
		ii->count = ii->index == VFIO_PCI_MSIX_IRQ_INDEX ? 5 : ii->index == VFIO_PCI_MSI_IRQ_INDEX ? 1 :
			    ii->index == VFIO_PCI_INTX_IRQ_INDEX && !f->no_intx ? 1 : 0;
		if (ii->index == VFIO_PCI_INTX_IRQ_INDEX)
			ii->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
		fake_log(f, "ioctl DEVICE_GET_IRQ_INFO %u", ii->index);
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		struct vfio_irq_set *s = arg;
		uint32_t act = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
		bool efd = s->flags & VFIO_IRQ_SET_DATA_EVENTFD;
		int fd0 = -1;

		fake_log(f, "ioctl DEVICE_SET_IRQS %u %u %s%s", s->index, s->count,
			 act == VFIO_IRQ_SET_ACTION_MASK ? "mask" : act == VFIO_IRQ_SET_ACTION_UNMASK ? "unmask" :
			 "trigger", efd ? " eventfd" : "");
		if (s->index != VFIO_PCI_INTX_IRQ_INDEX) {
			f->irq_index = s->index;
			f->irq_count = s->count;
			for (unsigned i = 0; i < s->count && i < VFIO_MAX_MSIX; i++)
				memcpy(&f->irq_fds[i], s->data + 4 * i, 4);
			return 0;
		}
		/* INTx, as vfio-pci takes it: one vector; mask/unmask only while a trigger is set */
		if (s->start != 0 || s->count > 1 || (efd && s->count != 1))
			return -EINVAL;
		if (efd)
			memcpy(&fd0, s->data, 4);
		if (act == VFIO_IRQ_SET_ACTION_TRIGGER) {
			if (!s->count) {
				f->intx_trigger = f->intx_unmask = -1;
				f->intx_masked = false;
			} else if (efd) {
				f->intx_trigger = fd0;
			}
			return 0;
		}
		if (f->intx_trigger < 0 || !s->count)
			return -EINVAL;
		if (act == VFIO_IRQ_SET_ACTION_UNMASK && efd)
			f->intx_unmask = fd0;
		else
			f->intx_masked = act == VFIO_IRQ_SET_ACTION_MASK;
		return 0;
	}
	case VFIO_DEVICE_RESET:
		fake_log(f, "ioctl DEVICE_RESET");
		return 0;
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *m = arg;

		f->dma_maps++;
		fake_log(f, "ioctl IOMMU_MAP_DMA 0x%llx 0x%llx %llx", (unsigned long long)m->iova,
			 (unsigned long long)m->size, (unsigned long long)m->vaddr);
		return 0;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = arg;

		f->dma_maps--;
		fake_log(f, "ioctl IOMMU_UNMAP_DMA 0x%llx", (unsigned long long)u->iova);
		return 0;
	}
	default:
		fake_log(f, "ioctl %s", fake_req_name(req));
		return 0;
	}
}

static inline uint8_t *fake_at(struct fake_vfio *f, uint64_t off, size_t len)
{
	unsigned idx = off >> FAKE_IDX_SHIFT;
	uint64_t rel = off & ((1ULL << FAKE_IDX_SHIFT) - 1);

	if (idx == VFIO_PCI_CONFIG_REGION_INDEX)
		return rel + len <= f->cfg_size ? f->cfg + rel : NULL;
	if (idx < 6 && f->bar_size[idx] && rel + len <= f->bar_size[idx])
		return f->bar_mem[idx] + rel;
	return NULL;
}

static inline ssize_t f_pread(void *ctx, int fd, void *buf, size_t len, uint64_t off)
{
	struct fake_vfio *f = ctx;
	uint8_t *p = fake_at(f, off, len);

	(void)fd;
	if (!p)
		return -EINVAL;
	memcpy(buf, p, len);
	return len;
}

static inline ssize_t f_pwrite(void *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	struct fake_vfio *f = ctx;
	uint8_t *p = fake_at(f, off, len);
	uint32_t v = 0;

	(void)fd;
	if (!p)
		return -EINVAL;
	memcpy(&v, buf, len < 4 ? len : 4);
	fake_log(f, "pwrite %u+0x%llx %zu 0x%x", (unsigned)(off >> FAKE_IDX_SHIFT),
		 (unsigned long long)(off & ((1ULL << FAKE_IDX_SHIFT) - 1)), len, v);
	memcpy(p, buf, len);
	return len;
}

static inline void *f_mmap(void *ctx, int fd, size_t len, uint64_t off)
{
	struct fake_vfio *f = ctx;

	(void)fd;
	if (f->fail_mmap)
		return NULL;
	f->mmaps++;
	fake_log(f, "mmap %u+0x%llx 0x%zx", (unsigned)(off >> FAKE_IDX_SHIFT),
		 (unsigned long long)(off & ((1ULL << FAKE_IDX_SHIFT) - 1)), len);
	return fake_at(f, off, len);
}

static inline void f_munmap(void *ctx, void *p, size_t len)
{
	struct fake_vfio *f = ctx;

	(void)p;
	f->munmaps++;
	fake_log(f, "munmap 0x%zx", len);
}

static inline int f_readlink(void *ctx, const char *path, char *buf, size_t len)
{
	struct fake_vfio *f = ctx;
	const char *drv = NULL;

	if (strstr(path, "/iommu_group")) {
		if (f->no_group)
			return -ENOENT;
		return snprintf(buf, len, "../../../kernel/iommu_groups/%d", f->group_id);
	}
	if (strstr(path, FAKE_BDF "/driver"))
		drv = f->driver;
	for (int i = 0; i < f->nothers; i++)
		if (strstr(path, f->others[i]))
			drv = f->others_drv[i];
	if (!drv || !drv[0])
		return -ENOENT;
	return snprintf(buf, len, "../../../bus/pci/drivers/%s", drv);
}

static inline int f_exists(void *ctx, const char *path)
{
	struct fake_vfio *f = ctx;

	if (!strcmp(path, "/dev/vfio/vfio"))
		return f->no_dev_vfio ? -ENOENT : 0;
	if (!strcmp(path, "/sys/bus/pci/devices/" FAKE_BDF))
		return f->no_sysfs_dev ? -ENOENT : 0;
	return -ENOENT;
}

static inline int f_list_dir(void *ctx, const char *path, char (*names)[VFIO_BDF_LEN * 2], int max)
{
	struct fake_vfio *f = ctx;
	int n = 0;

	if (!strstr(path, "iommu_groups"))
		return -ENOENT;
	if (n < max)
		snprintf(names[n++], VFIO_BDF_LEN * 2, "%s", FAKE_BDF);
	for (int i = 0; i < f->nothers && n < max; i++)
		snprintf(names[n++], VFIO_BDF_LEN * 2, "%s", f->others[i]);
	return n;
}

static inline int f_eventfd(void *ctx)
{
	struct fake_vfio *f = ctx;
	int fd = fake_new_fd(f);

	fake_log(f, "eventfd %d", fd);
	return fd;
}

static inline bool f_eventfd_pending(void *ctx, int fd)
{
	struct fake_vfio *f = ctx;

	return fd >= 0 && fd < FAKE_MAX_FD && f->pending[fd];
}

static inline int f_slot_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	struct fake_vfio *f = ctx;

	if (f->fail_slot)
		return -EEXIST;
	/* as KVM_SET_USER_MEMORY_REGION: a slot may not overlap another */
	for (int i = 0; i < 16; i++)
		if (f->slot[i].used && gpa < f->slot[i].gpa + f->slot[i].size && f->slot[i].gpa < gpa + size)
			return -EEXIST;
	for (int i = 0; i < 16; i++)
		if (!f->slot[i].used) {
			f->slot[i].used = true;
			f->slot[i].gpa = gpa;
			f->slot[i].size = size;
			f->slot[i].host = host;
			f->slots_used++;
			fake_log(f, "slot_map %d 0x%llx 0x%llx", 8 + i, (unsigned long long)gpa,
				 (unsigned long long)size);
			return 8 + i;
		}
	return -ENOSPC;
}

static inline int f_slot_unmap(void *ctx, int slot)
{
	struct fake_vfio *f = ctx;

	if (slot < 8 || slot >= 24 || !f->slot[slot - 8].used)
		return -EINVAL;
	f->slot[slot - 8].used = false;
	f->slots_used--;
	fake_log(f, "slot_unmap %d", slot);
	return 0;
}

/* The slot mapping gpa, or NULL. */
static inline void *fake_slot_host(struct fake_vfio *f, uint64_t gpa)
{
	for (int i = 0; i < 16; i++)
		if (f->slot[i].used && gpa >= f->slot[i].gpa && gpa - f->slot[i].gpa < f->slot[i].size)
			return (uint8_t *)f->slot[i].host + (gpa - f->slot[i].gpa);
	return NULL;
}

static inline int f_route_alloc(void *ctx)
{
	struct fake_vfio *f = ctx;

	for (int i = 0; i < 64; i++)
		if (!f->route[i].used) {
			f->route[i].used = true;
			f->route[i].masked = true;
			fake_log(f, "route_alloc %d", 24 + i);
			return 24 + i;
		}
	return -ENOSPC;
}

static inline void f_route_free(void *ctx, int gsi)
{
	struct fake_vfio *f = ctx;

	if (gsi >= 24 && gsi < 88)
		f->route[gsi - 24].used = false;
	fake_log(f, "route_free %d", gsi);
}

static inline int f_route_set(void *ctx, int gsi, uint64_t addr, uint32_t data, bool masked)
{
	struct fake_vfio *f = ctx;

	if (gsi < 24 || gsi >= 88 || !f->route[gsi - 24].used)
		return -EINVAL;
	f->route[gsi - 24].addr = addr;
	f->route[gsi - 24].data = data;
	f->route[gsi - 24].masked = masked;
	fake_log(f, "route_set %d 0x%llx 0x%x %d", gsi, (unsigned long long)addr, data, masked);
	return 0;
}

static inline int f_irqfd(void *ctx, int efd, int gsi, bool attach)
{
	struct fake_vfio *f = ctx;

	if (gsi < 0 || gsi >= 64 + 24)
		return -EINVAL;
	if (gsi < 24) {   /* an INTx pin: only resampling irqfds are put there, removed here */
		if (attach || f->intx_irqfd[gsi] != efd)
			return attach ? -EINVAL : -ENOENT;
		f->intx_irqfd[gsi] = f->intx_resample[gsi] = -1;
		fake_log(f, "irqfd detach %d %d", efd, gsi);
		return 0;
	}
	if (attach) {
		if (f->irqfd_of[gsi - 24] >= 0)
			return -EBUSY;
		f->irqfd_of[gsi - 24] = efd;
		f->pending[efd] = false;   /* KVM consumes a pending count at attach */
	} else {
		if (f->irqfd_of[gsi - 24] != efd)
			return -ENOENT;
		f->irqfd_of[gsi - 24] = -1;
	}
	fake_log(f, "irqfd %s %d %d", attach ? "attach" : "detach", efd, gsi);
	return 0;
}

static inline int f_irqfd_resample(void *ctx, int efd, int rfd, int gsi)
{
	struct fake_vfio *f = ctx;

	if (gsi < 0 || gsi >= 24 || efd < 0 || rfd < 0)
		return -EINVAL;
	if (f->intx_irqfd[gsi] >= 0)
		return -EBUSY;
	f->intx_irqfd[gsi] = efd;
	f->intx_resample[gsi] = rfd;
	fake_log(f, "irqfd resample %d %d %d", efd, rfd, gsi);
	return 0;
}

static const struct vfio_ops fake_vfio_ops = {
	.open = f_open, .close = f_close, .ioctl = f_ioctl, .pread = f_pread, .pwrite = f_pwrite,
	.mmap = f_mmap, .munmap = f_munmap, .readlink = f_readlink, .exists = f_exists,
	.list_dir = f_list_dir, .eventfd = f_eventfd, .eventfd_pending = f_eventfd_pending,
	.slot_map = f_slot_map, .slot_unmap = f_slot_unmap, .route_alloc = f_route_alloc,
	.route_free = f_route_free, .route_set = f_route_set, .irqfd = f_irqfd,
	.irqfd_resample = f_irqfd_resample,
};

/* Guest RAM for the DMA mappings: 1 MiB low, optionally some high. */
struct fake_ram {
	struct guest_mem mem;
	uint8_t *buf;
};

static inline void fake_ram_init(struct fake_ram *r, uint64_t low, uint64_t high)
{
	memset(r, 0, sizeof(*r));
	r->buf = aligned_alloc(4096, low + high);
	r->mem.host = r->buf;
	r->mem.size = low;
	r->mem.high_size = high;
	r->mem.page_size = 4096;
	r->mem.memfd = -1;
}

static inline void fake_ram_fini(struct fake_ram *r)
{
	free(r->buf);
}

/* vfio_dev_init against the fake: its outcome (err filled). */
static inline enum outcome fake_dev_init(struct vfio_dev *v, struct fake_vfio *f, struct fake_ram *r, char *err,
					 size_t errlen)
{
	return vfio_dev_init(v, FAKE_BDF, &r->mem, NULL, NULL, &fake_vfio_ops, f, err, errlen);
}

/*
 * What the config, MSI-X and INTx tests start from: a fake host (changed by
 * tweak, if given), 1 MiB of guest RAM and the device on them, *d its PCI
 * function. 0, or -1 with err.
 */
static inline int fake_dev_setup(struct fake_vfio *f, struct fake_ram *r, struct vfio_dev *v,
				 struct pci_device **d, void (*tweak)(struct fake_vfio *f), char *err, size_t errlen)
{
	fake_init(f);
	if (tweak)
		tweak(f);
	fake_ram_init(r, 1 << 20, 0);
	if (fake_dev_init(v, f, r, err, errlen))
		return -1;
	*d = vfio_dev_pci(v);
	return 0;
}

#endif
