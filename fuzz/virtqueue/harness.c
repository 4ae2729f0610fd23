// SPDX-License-Identifier: MIT
/*
 * The split virtqueue walker (devices/virtio/virtqueue.c) behind the device
 * models that use it: virtio-net TX and RX (devices/virtio/virtio_net.c,
 * with and without MRG_RXBUF, over a backend with no, a 10- or a 12-byte
 * vnet header) and virtio-blk requests (devices/virtio/virtio_blk.c, on a
 * 64 KiB image in a memfd, writable or read-only).  The devices run in
 * their inline mode: each kick is served on this thread by the code the
 * workers run, so an input always does the same thing.
 *
 * The input: a mode byte (device and queue, backend header), a feature
 * byte (EVENT_IDX, INDIRECT_DESC, MRG_RXBUF, CSUM, GUEST_CSUM, VERSION_1
 * left out), the queue size, the ring layout (default, in high RAM, or
 * addresses from the input), the starting ring index; then up to MAX_OPS
 * driver operations on guest RAM (128 KiB low, 16 KiB above 4 GiB):
 * descriptors and whole chains in the descriptor table or an indirect
 * table, avail ring entries and index, ring flags and used_event, raw
 * bytes, frames for RX, the backend's send result, kicks and device resets.
 * The rest of guest RAM is zero.  A last kick ends every input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_blk.h"
#include "devices/virtio/virtio_net.h"
#include "fuzz/virtqueue/rig.h"

#define MAX_OPS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { OP_DESC, OP_CHAIN, OP_PUBLISH, OP_AVAIL_IDX, OP_RING_FLAGS, OP_POKE, OP_KICK, OP_FRAME, OP_SEND_MODE,
       OP_RESET, OP_NOPS };

static struct guest_mem mem;
static struct rig_net nbe[3];         /* vnet header 0, 12, 10 */
static struct virtio_net net[3];
static struct blk_backend bbe[2];     /* writable, read-only */
static struct virtio_blk blk[2];
static unsigned irqs;

static int ft_interrupt(struct virtio_dev *v, int q)
{
	(void)v, (void)q;
	irqs++;
	return 0;
}

static int ft_no_fd(struct virtio_dev *v, unsigned q)
{
	(void)v, (void)q;
	return -1;
}

static const struct virtio_transport_ops ft_ops = {
	.interrupt = ft_interrupt, .kick_fd = ft_no_fd, .call_fd = ft_no_fd,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned hdr[3] = { 0, 12, 10 };
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	char err[256];

	(void)argc, (void)argv;
	rig_quiet();
	rig_mem_create(&mem);
	for (int i = 0; i < 3; i++) {
		rig_net_create(&nbe[i], hdr[i]);
		if (virtio_net_init(&net[i], &mem, &nbe[i].be, mac, err, sizeof(err)))
			abort();
		net[i].serve_inline = true;
		net[i].vdev.tops = &ft_ops;
	}
	for (int i = 0; i < 2; i++) {
		rig_blk_create(&bbe[i], i == 1);
		if (virtio_blk_init(&blk[i], &mem, &bbe[i], err, sizeof(err)))
			abort();
		blk[i].w.serve_inline = true;
		blk[i].vdev.tops = &ft_ops;
	}
	return 0;
}

/* The driver's view of the one queue under test. */
struct drv {
	struct virtio_dev *v;
	struct virtq *q;
	unsigned qi;
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t aidx;
	bool event_idx, indirect;
};

static void serve(struct drv *d)
{
	if (d->v->device_id == VIRTIO_ID_NET)
		virtio_net_serve(d->v->opaque, d->qi);
	else
		virtio_blk_serve(d->v->opaque);
}

static void put16(uint64_t gpa, uint16_t v)
{
	rig_put(&mem, gpa, &v, 2);
}

/* Set the queue up as the driver left it (virtq_init as the transport calls it) and start the device. */
static bool queue_up(struct drv *d, uint16_t at)
{
	if (virtq_init(d->q, &mem, d->num, d->desc, d->avail, d->used, d->event_idx, d->indirect))
		return false;
	d->q->last_avail = d->q->used_idx = at;
	d->aidx = at;
	put16(d->avail + 2, at);
	put16(d->used + 2, at);
	return d->v->ops->start(d->v) == 0;
}

/* One descriptor: table 0 is the queue's, 1..4 the indirect-table areas. */
static uint64_t desc_gpa(struct drv *d, uint8_t table, uint16_t idx)
{
	table %= 5;
	if (!table)
		return d->desc + 16ULL * (idx & (d->num - 1));
	return RIG_IND + (table - 1) * 0x1000ULL + 16ULL * (idx & 0xff);
}


static void op(struct drv *d, struct fuzz_input *in, struct rig_net *be)
{
	switch (fuzz_u8(in) % OP_NOPS) {
	case OP_DESC: {
		uint8_t table = fuzz_u8(in);
		uint16_t idx = fuzz_u16(in);
		uint64_t addr = rig_gpa(in);
		uint32_t len = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u16(in);
		uint16_t flags = fuzz_u8(in);
		uint16_t next = fuzz_u16(in);

		rig_put_desc(&mem, desc_gpa(d, table, idx), addr, len, flags, next);
		break;
	}
	case OP_CHAIN: {
		/* n linked descriptors from idx, the first nout device-readable, seg bytes each, contiguous */
		uint8_t table = fuzz_u8(in), n = fuzz_u8(in) % 16 + 1, nout = fuzz_u8(in);
		uint16_t idx = fuzz_u16(in), seg = fuzz_u16(in);
		uint64_t addr = rig_gpa(in);
		uint16_t mask = table % 5 ? 0xff : d->num - 1;

		for (unsigned i = 0; i < n; i++) {
			uint16_t me = (idx + i) & mask, nx = (idx + i + 1) & mask;
			uint16_t fl = (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (i >= nout ? VIRTQ_DESC_F_WRITE : 0);

			rig_put_desc(&mem, desc_gpa(d, table, me), addr + (uint64_t)seg * i, seg, fl, nx);
		}
		break;
	}
	case OP_PUBLISH:
		put16(d->avail + 4 + 2ULL * (d->aidx & (d->num - 1)), fuzz_u16(in));
		d->aidx++;
		put16(d->avail + 2, d->aidx);
		break;
	case OP_AVAIL_IDX:
		d->aidx = fuzz_u16(in);
		put16(d->avail + 2, d->aidx);
		break;
	case OP_RING_FLAGS:
		put16(d->avail, fuzz_u16(in));
		put16(d->avail + 4 + 2ULL * d->num, fuzz_u16(in));   /* used_event */
		break;
	case OP_POKE:
		rig_poke(&mem, in);
		break;
	case OP_KICK:
		serve(d);
		break;
	case OP_FRAME:
		rig_net_frame(be, in);
		break;
	case OP_SEND_MODE:
		rig_net_send_mode(be, fuzz_u8(in));
		break;
	case OP_RESET:
		/* status 0: the device stops, the driver sets the queue up again from index 0 */
		d->v->ops->stop(d->v);
		d->v->status = 0;
		queue_up(d, 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t mode = fuzz_u8(&in), fb = fuzz_u8(&in), qs = fuzz_u8(&in), lay = fuzz_u8(&in);
	uint16_t at = fuzz_u16(&in);
	struct rig_net *be = &nbe[(mode >> 2) % 3];
	struct drv d = { 0 };
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1;

	switch (mode & 3) {
	case 0:
	case 1:
		d.v = &net[(mode >> 2) % 3].vdev;
		d.qi = mode & 1 ? VIRTIO_NET_TXQ : VIRTIO_NET_RXQ;
		break;
	default:
		d.v = &blk[mode & 1].vdev;
		break;
	}
	d.q = &d.v->vq[d.qi];
	if (fb & 1)
		f |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (fb & 2)
		f |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (fb & 4)
		f |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	if (fb & 8)
		f |= 1ULL << VIRTIO_NET_F_CSUM;
	if (fb & 16)
		f |= 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	if (fb & 32)
		f &= ~(1ULL << VIRTIO_F_VERSION_1);
	if (d.v->ops->set_features(d.v, f))
		f = (f & d.v->host_features) | 1ULL << VIRTIO_F_VERSION_1;   /* what a driver falls back to */
	if (d.v->ops->set_features(d.v, f))
		abort();
	d.v->features = f;
	d.event_idx = (f >> VIRTIO_RING_F_EVENT_IDX) & 1;
	d.indirect = (f >> VIRTIO_RING_F_INDIRECT_DESC) & 1;

	d.num = qs & 0x80 ? fuzz_u16(&in) : 1u << (qs % 9);
	switch (lay % 3) {
	case 0:
		d.desc = 0x1000, d.avail = 0x2000, d.used = 0x3000;
		break;
	case 1:
		d.desc = RIG_HI, d.avail = RIG_HI + 0x1000, d.used = RIG_HI + 0x2000;
		break;
	default:
		d.desc = rig_gpa(&in), d.avail = rig_gpa(&in), d.used = rig_gpa(&in);
		break;
	}

	if (queue_up(&d, at)) {
		for (unsigned i = 0; i < MAX_OPS && fuzz_left(&in); i++)
			op(&d, &in, be);
		serve(&d);
	}
	d.v->ops->stop(d.v);
	d.v->status = 0;
	rig_net_reset(be);
	memset(mem.host, 0, RIG_LOW + RIG_HIGH);
	return 0;
}
