// SPDX-License-Identifier: MIT
/*
 * hostile-dev: attacks on virtio-net and virtio-blk (virtio 1.x, 2.7 and
 * 4.1): broken descriptor chains and rings on the attacked queue (the device
 * must set NEEDS_RESET, 2.1.2, and work again after a reset), rings outside
 * RAM given before queue_enable, refused register values (queue sizes,
 * DRIVER_OK before FEATURES_OK, features never offered), and virtio-blk
 * requests the device must answer with IOERR while it goes on working.
 */
#include "alloc.h"
#include "string.h"
#include "virtio_dev.h"
#include "x86.h"

#define BAD_WRAP (~0ull - 15)  /* 2^64 - 16 */

static uint64_t outside(const struct hctx *c)
{
	return c->ram_end + 0x100000;
}

/* ---- broken chains on a running queue: NEEDS_RESET, then reset and a good operation ---- */

static bool running(struct hctx *c)
{
	return hv_start(c, HV_STAGE_RUNNING) == 0;
}

static void vq_loop(struct hctx *c)
{
	if (!running(c))
		return;
	hv_desc(0, (uint64_t)hv.buf, 0, VQ_DESC_F_NEXT, 0); /* next: itself */
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_ring_chain(struct hctx *c)
{
	uint16_t n;

	if (!running(c))
		return;
	/* Every descriptor chained to the next, the last back to the first: longer than the queue. */
	n = hv.q->size;
	for (uint16_t i = 0; i < n; i++)
		hv_desc(i, (uint64_t)hv.buf, 0, VQ_DESC_F_NEXT, (uint16_t)((i + 1) % n));
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_many_segs(struct hctx *c)
{
	if (!running(c))
		return;
	/* 100 readable segments, no loop: more than the device takes in one chain. */
	for (uint16_t i = 0; i < 100; i++)
		hv_desc(i, (uint64_t)hv.buf, 16, i < 99 ? VQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_next_range(struct hctx *c)
{
	if (!running(c))
		return;
	hv_desc(0, (uint64_t)hv.buf, 16, VQ_DESC_F_NEXT, (uint16_t)(hv.q->size + 44));
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_head_range(struct hctx *c)
{
	if (!running(c))
		return;
	hv_desc(0, (uint64_t)hv.buf, 16, 0, 0);
	hv_publish((uint16_t)(hv.q->size + 5));
	hv_expect_reset(c);
}

static void vq_avail_jump(struct hctx *c)
{
	if (!running(c))
		return;
	hv_desc(0, (uint64_t)hv.buf, 16, 0, 0);
	/* avail idx 1000 ahead of what the device consumed: more than the queue can hold. */
	*(volatile uint16_t *)&hv.q->avail[1] = 1000;
	asm volatile("mfence" : : : "memory");
	hv.q->notify(hv.q);
	hv_expect_reset(c);
}

static void vq_order(struct hctx *c)
{
	if (!running(c))
		return;
	/* A device-readable buffer after a device-writable one (2.7.4.2). */
	hv_desc(0, (uint64_t)hv.buf, 16, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE, 1);
	hv_desc(1, (uint64_t)hv.buf + 64, 16, 0, 0);
	hv_publish(0);
	hv_expect_reset(c);
}

static void bad_buffer(struct hctx *c, uint64_t addr, uint32_t len)
{
	if (!running(c))
		return;
	hx_metric(c, "addr=0x%lx len=%u", addr, len);
	hv_desc(0, (uint64_t)hv.buf, 16, VQ_DESC_F_NEXT, 1); /* a good first segment, then the bad one */
	hv_desc(1, addr, len, 0, 0);
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_buf_outside(struct hctx *c)
{
	bad_buffer(c, outside(c), 64);
}

static void vq_buf_straddle(struct hctx *c)
{
	bad_buffer(c, c->ram_end - 8, 64);
}

static void vq_buf_hole(struct hctx *c)
{
	/* Low RAM ends at the MMIO hole when the guest has 3 GiB or more; else this is past RAM. */
	hx_metric(c, "straddles_hole=%u", c->bi->mem_size >= BOOT_RAM_MAX);
	bad_buffer(c, BOOT_RAM_MAX - 8, 64);
}

static void vq_buf_wrap(struct hctx *c)
{
	bad_buffer(c, BAD_WRAP, 32);
}

static void indirect(struct hctx *c, uint64_t table, uint32_t len)
{
	hv_desc(0, table, len, VQ_DESC_F_INDIRECT, 0);
	hv_publish(0);
	hv_expect_reset(c);
}

static void vq_indirect_len(struct hctx *c)
{
	if (!running(c))
		return;
	hv.tbl[0] = (struct vq_desc){ (uint64_t)hv.buf, 16, 0, 0 };
	indirect(c, (uint64_t)hv.tbl, 24);
}

static void vq_indirect_nested(struct hctx *c)
{
	if (!running(c))
		return;
	hv.tbl[16] = (struct vq_desc){ (uint64_t)hv.buf, 16, 0, 0 };
	hv.tbl[0] = (struct vq_desc){ (uint64_t)&hv.tbl[16], 16, VQ_DESC_F_INDIRECT, 0 };
	indirect(c, (uint64_t)hv.tbl, 16);
}

static void vq_indirect_loop(struct hctx *c)
{
	if (!running(c))
		return;
	hv.tbl[0] = (struct vq_desc){ (uint64_t)hv.buf, 16, VQ_DESC_F_NEXT, 1 };
	hv.tbl[1] = (struct vq_desc){ (uint64_t)hv.buf, 16, VQ_DESC_F_NEXT, 0 };
	indirect(c, (uint64_t)hv.tbl, 32);
}

static void vq_indirect_outside(struct hctx *c)
{
	if (!running(c))
		return;
	indirect(c, BAD_WRAP, 32);
}

/* ---- rings given before queue_enable ---- */

static void w64(uint64_t a, uint64_t v)
{
	hx_w32(a, (uint32_t)v);
	hx_w32(a + 4, (uint32_t)(v >> 32));
}

#define MISALIGNED 1ull /* as a ring address: the good one + 8 */

/* Queue setup with one ring replaced (0 keeps the good one): enable must fail with NEEDS_RESET. */
static void ring_attack(struct hctx *c, uint64_t desc, uint64_t avail, uint64_t used)
{
	uint64_t cc;
	struct vq good;
	uint16_t en;

	if (hv_start(c, HV_STAGE_FEATURES))
		return;
	cc = hv.vp.common;
	if (vq_init(&good, hv_qindex(c), 256, true, false)) {
		hx_fail(c, "no RAM for the rings");
		return;
	}
	hx_w16(cc + CC_Q_SELECT, hv_qindex(c));
	hx_w16(cc + CC_Q_SIZE, 256);
	if (desc == MISALIGNED)
		desc = (uint64_t)good.desc + 8;
	w64(cc + CC_Q_DESC, desc ? desc : (uint64_t)good.desc);
	w64(cc + CC_Q_AVAIL, avail ? avail : (uint64_t)good.avail);
	w64(cc + CC_Q_USED, used ? used : (uint64_t)good.used);
	hx_w16(cc + CC_Q_ENABLE, 1);
	en = hx_r16(cc + CC_Q_ENABLE);
	hx_metric(c, "queue_enable=%u", en);
	if (en)
		hx_fail(c, "the device enabled a queue with a bad ring");
	hv_expect_reset(c);
}

static void vq_ring_outside(struct hctx *c)
{
	ring_attack(c, outside(c), 0, 0);
}

static void vq_ring_straddle(struct hctx *c)
{
	ring_attack(c, 0, 0, c->ram_end - 64); /* 2054 bytes of used ring: most of it past RAM */
}

static void vq_ring_wrap(struct hctx *c)
{
	ring_attack(c, 0, ~0ull - 3, 0);
}

static void vq_ring_misaligned(struct hctx *c)
{
	ring_attack(c, MISALIGNED, 0, 0);
}

/* ---- refused register values: nothing breaks, the value does not stick ---- */

static void vq_size_npot(struct hctx *c)
{
	static const uint16_t bad[] = { 100, 0, 3, 512, 0xffff };
	uint64_t cc;
	uint16_t orig;

	if (hv_start(c, HV_STAGE_FEATURES))
		return;
	cc = hv.vp.common;
	hx_w16(cc + CC_Q_SELECT, hv_qindex(c));
	orig = hx_r16(cc + CC_Q_SIZE);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint16_t got;

		hx_w16(cc + CC_Q_SIZE, bad[i]);
		got = hx_r16(cc + CC_Q_SIZE);
		if (got != orig)
			hx_fail(c, "queue size %u written, %u read back (was %u)", bad[i], got, orig);
	}
	hx_metric(c, "queue_size=%u", orig);
	if (hx_r8(cc + CC_STATUS) & HV_S_NEEDS_RESET)
		hx_fail(c, "a refused queue size set NEEDS_RESET");
	hx_up_works(c);
}

static void status_early_ok(struct hctx *c)
{
	uint8_t s;

	if (hv_start(c, HV_STAGE_DRIVER))
		return;
	hx_w8(hv.vp.common + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_DRIVER_OK);
	s = hx_r8(hv.vp.common + CC_STATUS);
	hx_metric(c, "status_after=0x%x", s);
	if (s & VIRTIO_S_DRIVER_OK)
		hx_fail(c, "DRIVER_OK accepted without FEATURES_OK");
	hx_up_works(c);
}

static void features_unoffered(struct hctx *c)
{
	uint64_t cc;
	uint8_t s1, s2;

	if (hv_start(c, HV_STAGE_DRIVER))
		return;
	cc = hv.vp.common;
	/* VERSION_1 and bit 63, which no device offers. */
	hx_w32(cc + CC_GFSELECT, 0);
	hx_w32(cc + CC_GF, 0);
	hx_w32(cc + CC_GFSELECT, 1);
	hx_w32(cc + CC_GF, 1u | 1u << 31);
	hx_w8(cc + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	s1 = hx_r8(cc + CC_STATUS);
	/* And without VERSION_1: a modern device must refuse that too. */
	hx_w32(cc + CC_GF, 0);
	hx_w8(cc + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	s2 = hx_r8(cc + CC_STATUS);
	hx_metric(c, "status_unoffered=0x%x status_no_version1=0x%x", s1, s2);
	if (s1 & VIRTIO_S_FEATURES_OK)
		hx_fail(c, "FEATURES_OK accepted with feature bit 63, never offered");
	if (s2 & VIRTIO_S_FEATURES_OK)
		hx_fail(c, "FEATURES_OK accepted without VERSION_1");
	hx_up_works(c);
}

/* ---- virtio-blk requests the device must fail (IOERR) and survive ---- */

static void blk_expect_ioerr(struct hctx *c, const char *what, uint32_t type, uint64_t sector, uint32_t len)
{
	uint8_t st;

	if (c->why || hv_blk_rw(c, type, sector, len, &st))
		return;
	if (st != VIRTIO_BLK_S_IOERR)
		hx_fail(c, "%s: status %u, not IOERR", what, st);
}

static void blk_sector_past(struct hctx *c)
{
	if (!running(c))
		return;
	hx_metric(c, "capacity=%lu", hv.capacity);
	blk_expect_ioerr(c, "read at the capacity", VIRTIO_BLK_T_IN, hv.capacity, 512);
	blk_expect_ioerr(c, "read across the end", VIRTIO_BLK_T_IN, hv.capacity - 1, 1024);
	blk_expect_ioerr(c, "read at 2^55 (byte offset 2^64)", VIRTIO_BLK_T_IN, 1ull << 55, 512);
	blk_expect_ioerr(c, "read at 2^64-1", VIRTIO_BLK_T_IN, ~0ull, 512);
	blk_expect_ioerr(c, "write at the capacity", VIRTIO_BLK_T_OUT, hv.capacity, 512);
	blk_expect_ioerr(c, "read of 100 bytes", VIRTIO_BLK_T_IN, 0, 100);
	if (!c->why)
		hx_still_works(c);
}

static void blk_short_header(struct hctx *c)
{
	uint8_t *st;
	long len;

	if (!running(c))
		return;
	st = hv.buf + HV_BUF - 1;
	*st = 0xee;
	/* An 8-byte header (type and reserved, no sector), a data buffer, the status. */
	hv_desc(0, (uint64_t)hv.buf, 8, VQ_DESC_F_NEXT, 1);
	hv_desc(1, (uint64_t)hv.buf + 4096, 512, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE, 2);
	hv_desc(2, (uint64_t)st, 1, VQ_DESC_F_WRITE, 0);
	memset(hv.buf, 0, 8);
	hv.q->cookie[0] = hv.buf;
	hv.q->num_free = (uint16_t)(hv.q->num_free - 3);
	hv.q->free_head = 3;
	hv_publish(0);
	len = hv_wait_used(c, 1000);
	hx_metric(c, "used_len=%ld status=%u", len, *st);
	if (len < 0) {
		hx_fail(c, "the request with a short header never completed");
		return;
	}
	if (*st != VIRTIO_BLK_S_IOERR)
		hx_fail(c, "a short header got status %u, not IOERR", *st);
	hx_still_works(c);
}

static void blk_no_status(struct hctx *c)
{
	long len;

	if (!running(c))
		return;
	/* Only the header: no device-writable byte to put a status in. */
	*(struct hv_blk_hdr *)hv.buf = (struct hv_blk_hdr){ VIRTIO_BLK_T_IN, 0, 0 };
	hv_desc(0, (uint64_t)hv.buf, sizeof(struct hv_blk_hdr), 0, 0);
	hv.q->cookie[0] = hv.buf;
	hv.q->num_free = (uint16_t)(hv.q->num_free - 1);
	hv.q->free_head = 1;
	hv_publish(0);
	len = hv_wait_used(c, 1000);
	hx_metric(c, "used_len=%ld", len);
	if (len < 0)
		hx_fail(c, "the request without a status byte was never returned");
	else if (len != 0)
		hx_fail(c, "the device claims %ld bytes written into a chain with no writable buffer", len);
	hx_still_works(c);
}

const struct attack hv_attacks[] = {
	{ "vq-loop", HD_VIRTIO, vq_loop },
	{ "vq-ring-chain", HD_VIRTIO, vq_ring_chain },
	{ "vq-many-segs", HD_VIRTIO, vq_many_segs },
	{ "vq-next-range", HD_VIRTIO, vq_next_range },
	{ "vq-head-range", HD_VIRTIO, vq_head_range },
	{ "vq-avail-jump", HD_VIRTIO, vq_avail_jump },
	{ "vq-order", HD_VIRTIO, vq_order },
	{ "vq-buf-outside", HD_VIRTIO, vq_buf_outside },
	{ "vq-buf-straddle", HD_VIRTIO, vq_buf_straddle },
	{ "vq-buf-hole", HD_VIRTIO, vq_buf_hole },
	{ "vq-buf-wrap", HD_VIRTIO, vq_buf_wrap },
	{ "vq-indirect-len", HD_VIRTIO, vq_indirect_len },
	{ "vq-indirect-nested", HD_VIRTIO, vq_indirect_nested },
	{ "vq-indirect-loop", HD_VIRTIO, vq_indirect_loop },
	{ "vq-indirect-outside", HD_VIRTIO, vq_indirect_outside },
	{ "vq-ring-outside", HD_VIRTIO, vq_ring_outside },
	{ "vq-ring-straddle", HD_VIRTIO, vq_ring_straddle },
	{ "vq-ring-wrap", HD_VIRTIO, vq_ring_wrap },
	{ "vq-ring-misaligned", HD_VIRTIO, vq_ring_misaligned },
	{ "vq-size-npot", HD_VIRTIO, vq_size_npot },
	{ "status-early-ok", HD_VIRTIO, status_early_ok },
	{ "features-unoffered", HD_VIRTIO, features_unoffered },
	{ "blk-sector-past", HD_VBLK, blk_sector_past },
	{ "blk-short-header", HD_VBLK, blk_short_header },
	{ "blk-no-status", HD_VBLK, blk_no_status },
};
const unsigned hv_nattacks = sizeof(hv_attacks) / sizeof(hv_attacks[0]);
