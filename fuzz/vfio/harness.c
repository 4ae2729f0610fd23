// SPDX-License-Identifier: MIT
/*
 * VFIO passthrough over the fake host (tests/unit/vfio_fake.h): the device's
 * configuration space and regions are the input, so the capability walker,
 * the MSI/MSI-X mirroring and the BAR setup see hostile device data
 * (devices/vfio/vfio_config.c, vfio_bar.c, vfio_region.c), and then the
 * guest's accesses are too (config reads and writes, BAR moves, trapped BAR
 * and MSI-X table/PBA accesses, INTx; vfio_irq.c).  The input
 * (fuzz/fuzz_input.h: missing bytes read as zeros):
 *
 *   host      a flags byte (no INTx, mmap or KVM slot failures, one ioctl
 *             that fails), the config region's size
 *   regions   per BAR: its size (absent, or 32 bytes .. 128 KiB), whether
 *             VFIO lets it be read-write and mmapped, up to 4 sparse-mmap
 *             areas
 *   config    the device's first 256 configuration bytes
 *   accesses  at most MAX_OPS: config read/write, BAR read/write (any size,
 *             any offset), an MSI-X table entry write, BAR placement and
 *             decoding, an eventfd made pending (the PBA), vfio_dev_start
 *             (INTx), and a region-info buffer parsed as VFIO returns it
 *
 * After the accesses the device is destroyed and what it held on the host
 * must all be given back (fds, MSI routes, irqfds, KVM slots, DMA mappings):
 * a leak aborts, as the unit tests assert it.  The fake host is built once
 * and restored per input, the BAR memory it backs only where it was written.
 * The model reports refusals on stderr (no hook): stderr is /dev/null during
 * each input, sanitizer reports go to the real stderr.
 */
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include "fuzz/fuzz_input.h"
#include "devices/pci/pci_host.h"
#include "tests/unit/vfio_fake.h"

#define MAX_OPS   256
#define BAR_MAX   (128u << 10)
#define RAM_SIZE  (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fake_vfio f, f_clean;
static struct fake_ram ram;
static struct vfio_dev v;
static int devnull, real_stderr;
static uint64_t dirty_lo[6], dirty_hi[6];   /* BAR memory written through pwrite */

static ssize_t h_pwrite(void *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	unsigned idx = off >> FAKE_IDX_SHIFT;
	uint64_t rel = off & ((1ULL << FAKE_IDX_SHIFT) - 1);
	ssize_t rc = f_pwrite(ctx, fd, buf, len, off);

	if (rc > 0 && idx < 6) {
		if (rel < dirty_lo[idx])
			dirty_lo[idx] = rel;
		if (rel + len > dirty_hi[idx])
			dirty_hi[idx] = rel + len;
	}
	return rc;
}

static struct vfio_ops ops;

static const unsigned long fail_reqs[16] = {
	VFIO_DEVICE_SET_IRQS, VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_RESET,
	VFIO_IOMMU_MAP_DMA, VFIO_DEVICE_GET_INFO, VFIO_GROUP_GET_DEVICE_FD, VFIO_SET_IOMMU,
};
static const uint32_t cfg_sizes[8] = { 256, 64, 128, 4096, 48, 255, 192, 256 };

static void host_from_input(struct fuzz_input *in)
{
	uint8_t flags = fuzz_u8(in);

	f.no_intx = flags & 1;
	f.fail_mmap = flags & 2;
	f.fail_slot = flags & 4;
	if (flags & 8) {
		f.fail_req = fail_reqs[flags >> 4];
		f.fail_errno = EIO;
	}
	f.cfg_size = cfg_sizes[fuzz_u8(in) & 7];
	for (int i = 0; i < 6; i++) {
		uint8_t sz = fuzz_u8(in), rf = fuzz_u8(in);

		f.bar_size[i] = sz ? 1ULL << (sz % 13 + 5) : 0;
		f.bar_flags[i] = !sz ? 0 : (rf & 1) ? VFIO_REGION_INFO_FLAG_READ :
			VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		if (sz && (rf & 2))
			f.bar_flags[i] |= VFIO_REGION_INFO_FLAG_MMAP;
		f.sparse_on[i] = sz && (rf & 4);
		f.nsparse[i] = f.sparse_on[i] ? (rf >> 3) % 5 : 0;
		for (unsigned k = 0; k < f.nsparse[i]; k++) {
			f.sparse[i][k].offset = fuzz_u32(in);
			f.sparse[i][k].size = fuzz_u32(in);
		}
	}
	fuzz_bytes(in, f.cfg, 256);
}

static unsigned pick_size(struct fuzz_input *in)
{
	static const unsigned sizes[8] = { 4, 4, 2, 1, 8, 3, 4, 16 };

	return sizes[fuzz_u8(in) & 7];
}

static void bar_access(struct fuzz_input *in, bool write)
{
	struct vfio_bar *b = &v.bars[fuzz_u8(in) % 6];
	uint64_t off = fuzz_u32(in) % (b->r.size + 16 + 1);
	unsigned size = pick_size(in);
	uint64_t val[2] = { fuzz_u64(in), 0 };

	if (!b->present)
		return;    /* not on the bus: the guest cannot reach it */
	if (write)
		vfio_bar_ops.write(b, off, val, size);
	else
		vfio_bar_ops.read(b, off, val, size);
}

/* One dword of an MSI-X table entry, as a driver writes it (vector, field). */
static void msix_entry(struct fuzz_input *in)
{
	unsigned vec = fuzz_u8(in) % (VFIO_MAX_MSIX + 2), field = fuzz_u8(in) & 3;
	uint32_t val = fuzz_u32(in);
	struct vfio_bar *b;

	if (!v.pci.msix_cap)
		return;
	b = &v.bars[v.pci.msix_bar];
	if (b->present)
		vfio_bar_ops.write(b, v.pci.msix_table_off + vec * 16 + field * 4, &val, 4);
}

/* A BAR moved somewhere in (or out of) our MMIO window, and memory/IO decoding set. */
static void place(struct fuzz_input *in)
{
	uint8_t k = fuzz_u8(in);
	uint32_t addr = (uint32_t)PCI_MMIO_WINDOW + (fuzz_u32(in) & 0x0ffff000);

	if (k & 0x80)
		addr = fuzz_u32(in);
	pci_config_write(&v.pci, PCI_BAR0 + 4 * (k % 6), 4, addr);
	pci_config_write(&v.pci, PCI_COMMAND, 2, (k >> 3) & 7);
}

static void region_parse(struct fuzz_input *in)
{
	static uint8_t buf[512];
	struct vfio_region r;
	struct vfio_area pieces[VFIO_MAX_MAPS], holes[2];
	size_t len = fuzz_u16(in) % sizeof(buf), got;
	const uint8_t *p = fuzz_take(in, len, &got);
	uint8_t *at = buf + sizeof(buf) - len;    /* at the end: a read past it is an ASan report */

	memcpy(at, p, got);
	memset(at + got, 0, len - got);
	if (vfio_region_parse(at, len, &r))
		return;
	fuzz_bytes(in, holes, sizeof(holes));
	vfio_mmap_pieces(&r, r.size, holes, 2, pieces, VFIO_MAX_MAPS);
}

static void accesses(struct fuzz_input *in)
{
	bool started = false;

	for (unsigned op = 0; op < MAX_OPS && fuzz_left(in); op++) {
		uint8_t code = fuzz_u8(in);

		switch (code % 10) {
		case 0: {
			unsigned off = fuzz_u16(in) % 0x1010, len = pick_size(in);
			uint32_t val = fuzz_u32(in);

			pci_config_write(&v.pci, off, len, val);
			break;
		}
		case 1: {
			unsigned off = fuzz_u16(in) % 0x1010;

			pci_config_read(&v.pci, off, pick_size(in));
			break;
		}
		case 2:
			bar_access(in, true);
			break;
		case 3:
			bar_access(in, false);
			break;
		case 4:
			msix_entry(in);
			break;
		case 5:
			place(in);
			break;
		case 6: {
			uint8_t fd = fuzz_u8(in) % FAKE_MAX_FD;

			f.pending[fd] = !f.pending[fd];
			break;
		}
		case 7:
			if (!started) {
				v.pci.intx_gsi = 10;   /* what pci_host_add routes */
				vfio_dev_start(&v);
				started = true;
			}
			break;
		case 8:
			region_parse(in);
			break;
		case 9: {
			/* the capability bytes the guest reads most: a walk of the list it sees */
			unsigned p = pci_config_read(&v.pci, PCI_CAP_PTR, 1);

			for (unsigned n = 0; p && n < 64; n++)
				p = pci_config_read(&v.pci, (p & ~3u) + 1, 1);
			break;
		}
		}
	}
}

/* What the device held on the host, given back by vfio_dev_destroy. */
static void check_released(void)
{
	if (fake_open_fds(&f) || f.slots_used || f.dma_maps > 0)
		abort();
	for (int i = 0; i < 64; i++)
		if (f.route[i].used || f.irqfd_of[i] != -1)
			abort();
	for (int i = 0; i < 24; i++)
		if (f.intx_irqfd[i] != -1)
			abort();
}

static void init(void)
{
	real_stderr = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (real_stderr < 0 || devnull < 0)
		abort();
	__sanitizer_set_report_fd((void *)(intptr_t)real_stderr);
	ops = fake_vfio_ops;
	ops.pwrite = h_pwrite;
	fake_init(&f);
	for (int i = 0; i < 6; i++) {
		free(f.bar_mem[i]);
		f.bar_mem[i] = aligned_alloc(4096, BAR_MAX);
		if (!f.bar_mem[i])
			abort();
		memset(f.bar_mem[i], 0, BAR_MAX);
		dirty_lo[i] = BAR_MAX;
	}
	f_clean = f;
	fake_ram_init(&ram, RAM_SIZE, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fuzz_input in = { data, size };
	char err[256];

	if (!ready) {
		init();
		ready = true;
	}
	f = f_clean;
	host_from_input(&in);
	fflush(stderr);
	dup2(devnull, STDERR_FILENO);
	if (vfio_dev_init(&v, FAKE_BDF, &ram.mem, NULL, NULL, &ops, &f, err, sizeof(err)) == OUTCOME_OK) {
		accesses(&in);
		vfio_dev_destroy(&v);
	}
	fflush(stderr);
	dup2(real_stderr, STDERR_FILENO);
	check_released();
	for (int i = 0; i < 6; i++) {
		if (dirty_hi[i] > dirty_lo[i])
			memset(f.bar_mem[i] + dirty_lo[i], 0, dirty_hi[i] - dirty_lo[i]);
		dirty_lo[i] = BAR_MAX;
		dirty_hi[i] = 0;
	}
	return 0;
}
