/* SPDX-License-Identifier: MIT */
/*
 * A host PCI function passed through to the guest with VFIO (written from
 * the kernel's VFIO UAPI, <linux/vfio.h>, and the PCI specifications).
 *
 * Opening: the legacy container/group API (/dev/vfio/vfio, /dev/vfio/N,
 * TYPE1v2 or TYPE1 IOMMU) or, where the UAPI has it, iommufd and the device
 * cdev; every host precondition is checked first and refused with a message
 * that says what to do (vfio_open.c).  The guest sees a virtual function on
 * our PCI host bridge: its BARs are ours (sized and placed by pci_host.c),
 * its MSI and MSI-X capabilities are emulated by pci.c's code, the header
 * fields we own are emulated, and the other registers are read from and
 * written to the device (vfio_config.c).  BAR pages that can be mmapped
 * become KVM memory slots (no exit per access); the rest of a BAR, and
 * always the MSI-X table and PBA, is trapped and forwarded (vfio_bar.c).
 * Enabled vectors are eventfds given to VFIO_DEVICE_SET_IRQS and bound by
 * irqfd to MSI routes that follow the guest's table (vfio_irq.c).  Where the
 * device has INTx, the guest gets its pin on our bridge's GSI: VFIO's trigger
 * eventfd feeds a resampling irqfd whose resample eventfd is VFIO's unmask,
 * so the level-triggered line runs guest EOI to host unmask in the kernel;
 * it is off while MSI or MSI-X is on (vfio_irq.c).  Guest RAM
 * is mapped for DMA at its guest-physical addresses (vfio_dma.c).
 *
 * Every system call goes through struct vfio_ops, so that the unit tests
 * drive the whole model against a fake device (tests/unit/vfio_fake.h).
 */
#ifndef EXITLAB_VFIO_H
#define EXITLAB_VFIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/pci/pci.h"
#include "util/outcome.h"

struct vm;
struct irq_chip;
struct pci_host;

#define VFIO_MAX_MSIX    64   /* vectors we offer the guest (GSIs are shared by all devices) */
#define VFIO_MAX_MSI     32
#define VFIO_MAX_SPARSE  8    /* sparse-mmap areas we take per region (more: the rest is trapped) */
#define VFIO_MAX_MAPS    8    /* mmapped pieces per BAR */
#define VFIO_NREGIONS    9    /* BAR0..5, ROM, config, VGA */
#define VFIO_BDF_LEN     16

/* Everything that touches the host; ctx is the vfio_dev's. */
struct vfio_ops {
	int (*open)(void *ctx, const char *path, int flags);          /* fd or -errno */
	void (*close)(void *ctx, int fd);
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg); /* >= 0 or -errno */
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, uint64_t off);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len, uint64_t off);
	void *(*mmap)(void *ctx, int fd, size_t len, uint64_t off);  /* NULL on failure */
	void (*munmap)(void *ctx, void *p, size_t len);
	int (*readlink)(void *ctx, const char *path, char *buf, size_t len); /* length or -errno */
	int (*exists)(void *ctx, const char *path);                  /* 0 or -errno */
	/* Up to max names of entries in a directory (no . and ..): how many, or -errno. */
	int (*list_dir)(void *ctx, const char *path, char (*names)[VFIO_BDF_LEN * 2], int max);
	int (*eventfd)(void *ctx);                                    /* fd or -errno */
	bool (*eventfd_pending)(void *ctx, int fd);                   /* readable now */
	/* A KVM slot for [gpa, gpa + size) backed by host: slot or -errno; and its removal. */
	int (*slot_map)(void *ctx, uint64_t gpa, uint64_t size, void *host);
	int (*slot_unmap)(void *ctx, int slot);
	/* irq.h's MSI routes and irqfds. */
	int (*route_alloc)(void *ctx);
	void (*route_free)(void *ctx, int gsi);
	int (*route_set)(void *ctx, int gsi, uint64_t addr, uint32_t data, bool masked);
	int (*irqfd)(void *ctx, int efd, int gsi, bool attach);
	/* A resampling irqfd on an INTx GSI (irq_irqfd_attach_resample); removed with irqfd(.., false). */
	int (*irqfd_resample)(void *ctx, int efd, int rfd, int gsi);
};

/* The real thing: system calls, vm_slot_map, irq.h (ctx is the struct vfio_dev). */
extern const struct vfio_ops vfio_kernel_ops;

struct vfio_area {
	uint64_t off, size;
};

struct vfio_region {
	uint32_t flags;               /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size, offset;        /* offset: where it is in the device fd */
	bool sparse;                  /* a sparse-mmap capability: only areas[] may be mmapped */
	unsigned nareas;
	struct vfio_area areas[VFIO_MAX_SPARSE];
	bool msix_mappable;           /* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE (we trap the table anyway) */
};

struct vfio_map {
	uint64_t off, size;           /* within the BAR, page-aligned */
	void *host;                   /* the mmap of the device fd, NULL = trapped */
	int slot;                     /* KVM slot while the BAR is decoded, -1 otherwise */
	uint64_t gpa;
};

struct vfio_dev;

/* INTx on the host side (VFIO_PCI_INTX_IRQ_INDEX). */
struct vfio_intx {
	bool avail;                   /* VFIO has it (count 1, eventfd) and the device has a pin */
	bool wired;                   /* on the bridge: pci.intx_gsi is ours (vfio_dev_start) */
	bool on;                      /* trigger and unmask eventfds set, resampling irqfd bound */
	bool masked;                  /* VFIO_IRQ_SET_ACTION_MASK done (COMMAND.INTX_DISABLE) */
	int efd, rfd;                 /* trigger, resample; -1 when off */
	int gsi;
};

struct vfio_bar {
	struct vfio_dev *v;
	int index;
	struct vfio_region r;
	bool present;                 /* exposed to the guest */
	unsigned nmaps;
	struct vfio_map maps[VFIO_MAX_MAPS];
};

struct vfio_vec {
	int efd, gsi;                 /* -1 when not set up */
	bool attached;                /* irqfd bound (the vector is unmasked) */
	bool routed;
	uint64_t addr;
	uint32_t data;
	bool masked;
};

enum vfio_api { VFIO_API_GROUP, VFIO_API_IOMMUFD };
/* What the host side has enabled (VFIO_DEVICE_SET_IRQS). */
enum vfio_irq_mode { VFIO_IRQ_NONE, VFIO_IRQ_MSI, VFIO_IRQ_MSIX };

/* Per-byte treatment of the first 256 configuration bytes (the rest: emulated, all zero). */
enum vfio_cfg_kind {
	VFIO_CFG_EMU = 0,             /* ours: pci.c's shadow and write masks */
	VFIO_CFG_PT_RO,               /* read from the device, guest writes dropped */
	VFIO_CFG_PT_RW,               /* read from and written to the device */
};

enum vfio_metric {
	VFIO_M_BAR_TRAP_READS,        /* BAR accesses that exited and were forwarded */
	VFIO_M_BAR_TRAP_WRITES,
	VFIO_M_MSIX_TABLE_ACCESSES,   /* guest accesses to the emulated table or PBA */
	VFIO_M_CFG_PT_READS,          /* config reads forwarded to the device */
	VFIO_M_CFG_PT_WRITES,
	VFIO_M_IRQ_UPDATES,           /* route/irqfd reprogramming after a guest change */
	VFIO_M_IRQ_ERRORS,            /* a SET_IRQS, route or irqfd the host refused */
	VFIO_M_BAD_ACCESSES,          /* refused guest accesses (bad size, a failed pread/pwrite) */
	VFIO_M_SLOTS_MAPPED,          /* BAR pieces put into the guest as memory */
	VFIO_M_SLOTS_REFUSED,         /* BAR pieces KVM refused a slot (left trapped), e.g. over another BAR */
	VFIO_NMETRICS
};

struct vfio_dev {
	char bdf[VFIO_BDF_LEN];
	char name[32];                /* "vfio-0000:00:03.0" */
	const struct vfio_ops *ops;
	void *ctx;
	struct vm *vm;                /* vfio_kernel_ops: slots */
	struct irq_chip *irq;         /* vfio_kernel_ops: routes and irqfds */
	const struct guest_mem *mem;

	enum vfio_api api;
	int container, group, dev, iommufd;   /* -1 when closed */
	int group_id;
	bool group_attached;          /* GROUP_SET_CONTAINER done */
	bool iommu_set;
	uint32_t ioas_id, devid;      /* iommufd */
	uint32_t dev_flags, num_regions, num_irqs;
	uint64_t dma_iova[GUEST_MEM_NSLOTS], dma_size[GUEST_MEM_NSLOTS];
	unsigned ndma;

	struct vfio_region cfg_region;
	uint8_t cfg_kind[256];
	struct pci_device pci;        /* what the guest sees; pci.cfg is the shadow */
	bool pci_ready;
	struct vfio_bar bars[PCI_NUM_BARS];
	uint8_t dev_msi_cap, dev_msix_cap;    /* the device's own, 0 = none or hidden */
	struct vfio_area msix_holes[2];       /* the device's whole MSI-X table and PBA: always trapped */

	pthread_mutex_t lock;         /* the vectors below */
	enum vfio_irq_mode irq_mode;
	unsigned irq_nvec;
	struct vfio_vec vec[VFIO_MAX_MSIX];
	struct vfio_intx intx;

	uint64_t counters[VFIO_NMETRICS];
	struct dev_metrics metrics;
};

/*
 * Open the device at bdf ("0000:00:03.0"), reset it, read its regions and
 * configuration space, build the guest's view, mmap what can be mmapped and
 * map guest RAM for DMA.  ops NULL = vfio_kernel_ops.  OUTCOME_OK, or with
 * err: OUTCOME_BAD_INPUT (bdf), OUTCOME_NO_HOST (the host lacks the device,
 * the driver, the IOMMU or a permission), OUTCOME_FAILED; everything done is
 * undone.
 */
enum outcome vfio_dev_init(struct vfio_dev *v, const char *bdf, const struct guest_mem *mem, struct vm *vm,
			   struct irq_chip *irq, const struct vfio_ops *ops, void *ctx, char *err, size_t errlen);
/* The guest's view: put it on the host bridge (BARs placed, decoding on, slots mapped). */
struct pci_device *vfio_dev_pci(struct vfio_dev *v);
/*
 * After pci_host_add: the INTx GSI is assigned, so INTx (where the device has
 * it) is set up on the host while the guest has neither MSI nor MSI-X on.
 */
void vfio_dev_start(struct vfio_dev *v);
/* Interrupts off, slots out, reset, DMA unmapped, fds closed: in that order. */
void vfio_dev_destroy(struct vfio_dev *v);
const struct dev_metrics *vfio_dev_metrics(struct vfio_dev *v);

/* "0000:00:03.0" or "00:03.0" (domain 0) into out (16 bytes): 0 or -1. */
int vfio_bdf_parse(const char *s, char out[VFIO_BDF_LEN]);

/* ---- the parts, for each other and for the unit tests ---- */

/* vfio_open.c: host checks and the container/group (or iommufd) setup; vfio_close undoes it. */
enum outcome vfio_open(struct vfio_dev *v, char *err, size_t errlen);
void vfio_close(struct vfio_dev *v);
/* vfio_iommufd.c: the cdev path; -ENOSYS where the UAPI or the host lacks it. */
int vfio_open_iommufd(struct vfio_dev *v, char *err, size_t errlen);
int vfio_iommufd_map(struct vfio_dev *v, uint64_t iova, uint64_t size, void *host);

/* vfio_region.c: VFIO_DEVICE_GET_REGION_INFO with its capability chain. 0 or -errno. */
int vfio_region_info(struct vfio_dev *v, unsigned index, struct vfio_region *r);
/* Parse a region info buffer of len bytes (the capability chain is bounds-checked). */
int vfio_region_parse(const void *buf, size_t len, struct vfio_region *r);
/*
 * The page-aligned pieces of a BAR of `size` bytes that may be mmapped, given
 * its region (sparse areas or whole) minus [hole_off, hole_off + hole_len)
 * pairs (the MSI-X table and PBA, widened to pages): how many (<= max).
 */
unsigned vfio_mmap_pieces(const struct vfio_region *r, uint64_t size, const struct vfio_area *holes,
			  unsigned nholes, struct vfio_area *out, unsigned max);

/* vfio_config.c: the guest's configuration space. 0 or -1 with err. */
int vfio_config_build(struct vfio_dev *v, char *err, size_t errlen);

/* vfio_bar.c: the guest's BARs from the device's (raw: its first 256 config bytes). 0 or -1. */
int vfio_bars_setup(struct vfio_dev *v, const uint8_t raw[256], char *err, size_t errlen);
/* vfio_bar.c: BAR pieces mmapped (at build) and slotted (as the guest moves them). */
void vfio_bars_mmap(struct vfio_dev *v);
void vfio_bar_place(struct vfio_dev *v, int bar, uint64_t addr);
void vfio_bars_unmap(struct vfio_dev *v);
extern const struct bus_ops vfio_bar_ops;

/* vfio_irq.c: whether VFIO offers INTx (VFIO_DEVICE_GET_IRQ_INFO), at config build. */
bool vfio_intx_probe(struct vfio_dev *v);
/* vfio_irq.c: follow the guest's INTx/MSI/MSI-X state (pci.c's) on the host. */
void vfio_irq_update(struct vfio_dev *v);
void vfio_irq_disable(struct vfio_dev *v);
/* The PBA as the guest reads it: pending bits of masked vectors from their eventfds. */
int vfio_msix_read(struct vfio_dev *v, uint64_t off, void *data, unsigned size);

/* vfio_dma.c: guest RAM for the device's DMA, at guest-physical addresses. */
int vfio_dma_map_ram(struct vfio_dev *v, char *err, size_t errlen);
void vfio_dma_unmap_ram(struct vfio_dev *v);

#endif
