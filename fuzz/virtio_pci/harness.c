// SPDX-License-Identifier: MIT
/*
 * The virtio-pci transport (devices/virtio/virtio_pci.c) as the driver sees
 * it: accesses to the common configuration, notify, ISR and device
 * configuration regions of BAR 4, to the MSI-X table and PBA in BAR 1 and
 * to the function's config space (devices/pci/pci.c: MSI-X enable, command
 * register), in front of a real virtio-net (over a backend with no or a
 * 12-byte vnet header) or virtio-blk model, plus writes of guest RAM (ring
 * entries, descriptors, raw bytes) in between, so that feature
 * negotiation, queue setup and enable, status transitions, resets and
 * notifies make the device walk the rings the input built.  The devices
 * run inline: a notify's kick is served on this thread right after it (and
 * every queue once after DRIVER_OK), as the worker would when it wakes.
 *
 * The input: a device byte, then up to MAX_OPS operations, each an op byte
 * (what: a BAR 4 region, BAR 1, config space, a RAM write) and its
 * operands (offset, width 1/2/4/8, value).  Every input starts from a
 * freshly built PCI function and zeroed guest RAM.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_irq.h"
#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtio_net.h"
#include "devices/virtio/virtio_pci.h"
#include "fuzz/virtqueue/rig.h"

#define MAX_OPS 128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { OP_BAR_READ, OP_BAR_WRITE, OP_MSIX_READ, OP_MSIX_WRITE, OP_CFG_READ, OP_CFG_WRITE, OP_DESC, OP_CHAIN,
       OP_PUBLISH, OP_POKE, OP_FRAME, OP_NOPS };

static struct guest_mem mem;
static struct rig_net nbe[2];         /* vnet header 0, 12 */
static struct virtio_net net[2];
static struct blk_backend bbe;
static struct virtio_blk blk;
static struct virtio_pci tp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	char err[256];

	(void)argc, (void)argv;
	rig_quiet();
	rig_mem_create(&mem);
	for (int i = 0; i < 2; i++) {
		rig_net_create(&nbe[i], i ? 12 : 0);
		if (virtio_net_init(&net[i], &mem, &nbe[i].be, mac, err, sizeof(err)))
			abort();
		net[i].serve_inline = true;
	}
	rig_blk_create(&bbe, false);
	if (virtio_blk_init(&blk, &mem, &bbe, err, sizeof(err)))
		abort();
	blk.w.serve_inline = true;
	return 0;
}

/* Every queue once, as the workers do when they (re)start or wake. */
static void serve(struct virtio_dev *v, int only)
{
	for (unsigned q = 0; q < v->nqueues; q++) {
		if (only >= 0 && (unsigned)only != q)
			continue;
		if (v->device_id == VIRTIO_ID_NET)
			virtio_net_serve(v->opaque, q);
		else
			virtio_blk_serve(v->opaque);
	}
}

static unsigned width(uint8_t code)
{
	return 1u << (code & 3);
}

/* A BAR 4 offset: mostly inside one of the four structures, sometimes anywhere. */
static uint64_t bar4_off(struct fuzz_input *in, uint8_t op)
{
	uint8_t o = fuzz_u8(in);

	switch (op >> 4 & 7) {
	case 0:
	case 1:
	case 2:
		return VIRTIO_PCI_COMMON_OFF + o % 0x40;
	case 3:
		return VIRTIO_PCI_NOTIFY_OFF + o % 16;
	case 4:
		return VIRTIO_PCI_ISR_OFF + o % 8;
	case 5:
		return VIRTIO_PCI_DEVICE_OFF + o % 0x40;
	default:
		return (o | (uint64_t)fuzz_u8(in) << 8) % VIRTIO_PCI_BAR_SIZE;
	}
}

/* The driver's shadow of each queue's avail index. */
static uint16_t aidx[VIRTIO_MAX_QUEUES];


static void op(struct virtio_dev *v, struct rig_net *be, struct fuzz_input *in)
{
	uint8_t o = fuzz_u8(in), w = fuzz_u8(in);
	unsigned sz = width(w);
	uint64_t val = 0, off;
	const struct pci_bar *bar;
	struct virtio_pci_queue *q = &tp.q[w >> 2 & (VIRTIO_MAX_QUEUES - 1)];
	uint16_t num = q->size ? q->size : 1;
	uint8_t buf[8];

	switch (o % OP_NOPS) {
	case OP_BAR_READ:
	case OP_BAR_WRITE:
		off = bar4_off(in, o);
		bar = &tp.pci.bars[VIRTIO_PCI_BAR];
		if (o % OP_NOPS == OP_BAR_READ) {
			bar->ops->read(bar->opaque, off, buf, sz);
			break;
		}
		fuzz_bytes(in, &val, sz);
		bar->ops->write(bar->opaque, off, &val, sz);
		if (off >= VIRTIO_PCI_NOTIFY_OFF && off < VIRTIO_PCI_NOTIFY_OFF + 4 * VIRTIO_MAX_QUEUES)
			serve(v, (int)((off - VIRTIO_PCI_NOTIFY_OFF) / 4));   /* the worker wakes on the kick */
		else if (off == VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_STATUS)
			serve(v, -1);   /* DRIVER_OK: the workers start with a look at every queue */
		break;
	case OP_MSIX_READ:
	case OP_MSIX_WRITE:
		off = fuzz_u16(in) % VIRTIO_PCI_MSIX_SIZE;
		bar = &tp.pci.bars[VIRTIO_PCI_MSIX_BAR];
		if (o % OP_NOPS == OP_MSIX_READ) {
			bar->ops->read(bar->opaque, off, buf, sz);
		} else {
			fuzz_bytes(in, &val, sz);
			bar->ops->write(bar->opaque, off, &val, sz);
		}
		break;
	case OP_CFG_READ:
	case OP_CFG_WRITE:
		/* mostly the capabilities and the header, sometimes anywhere in the 4 KiB */
		off = o & 0x80 ? fuzz_u16(in) % PCI_CFG_SIZE : fuzz_u8(in);
		if (sz == 8)
			sz = 4;
		off &= ~(uint64_t)(sz - 1);
		if (off + sz > PCI_CFG_SIZE)
			break;
		if (o % OP_NOPS == OP_CFG_READ)
			pci_config_read(&tp.pci, (unsigned)off, sz);
		else
			pci_config_write(&tp.pci, (unsigned)off, sz, fuzz_u32(in));
		break;
	case OP_DESC: {
		uint16_t idx = fuzz_u16(in);
		uint64_t addr = rig_gpa(in);
		uint32_t len = fuzz_u16(in);
		uint8_t flags = fuzz_u8(in);
		uint16_t next = fuzz_u16(in);

		/* in the queue's table (as the driver set it), or in an indirect-table area */
		if (w & 0x40)
			rig_put_desc(&mem, RIG_IND + 16ULL * (idx & 0x3ff), addr, len, flags, next);
		else
			rig_put_desc(&mem, q->desc + 16ULL * (idx & (num - 1)), addr, len, flags, next);
		break;
	}
	case OP_CHAIN: {
		uint8_t n = fuzz_u8(in) % 16 + 1, nout = fuzz_u8(in);
		uint16_t idx = fuzz_u16(in), seg = fuzz_u16(in);
		uint64_t addr = rig_gpa(in);

		for (unsigned i = 0; i < n; i++) {
			uint16_t me = (idx + i) & (num - 1), nx = (idx + i + 1) & (num - 1);
			uint16_t fl = (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (i >= nout ? VIRTQ_DESC_F_WRITE : 0);

			rig_put_desc(&mem, q->desc + 16ULL * me, addr + (uint64_t)seg * i, seg, fl, nx);
		}
		break;
	}
	case OP_PUBLISH: {
		unsigned qi = (unsigned)(q - tp.q);
		uint16_t head = fuzz_u16(in);

		rig_put(&mem, q->driver + 4 + 2ULL * (aidx[qi] & (num - 1)), &head, 2);
		aidx[qi]++;
		rig_put(&mem, q->driver + 2, &aidx[qi], 2);
		break;
	}
	case OP_POKE:
		rig_poke(&mem, in);
		break;
	case OP_FRAME:
		rig_net_frame(be, in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t which = fuzz_u8(&in) % 3;
	struct virtio_dev *v = which < 2 ? &net[which].vdev : &blk.vdev;
	struct rig_net *be = &nbe[which < 2 ? which : 0];
	char err[256];

	if (virtio_pci_init(&tp, v, NULL, NULL, NULL, true, err, sizeof(err)))
		abort();
	tp.pci.sink = FUZZ_IRQ_SINK;
	tp.pci.intx_gsi = 16;
	for (unsigned i = 0; i < MAX_OPS && fuzz_left(&in); i++)
		op(v, be, &in);
	virtio_pci_destroy(&tp);
	v->status = 0;
	rig_net_reset(be);
	memset(aidx, 0, sizeof(aidx));
	memset(mem.host, 0, RIG_LOW + RIG_HIGH);
	return 0;
}
