// SPDX-License-Identifier: MIT
/*
 * hostile-dev: attacks on a virtio device that is running: its live queue
 * rewritten (addresses, size, enable 0), an out-of-range queue selected and
 * programmed, notifications of odd widths and for queues that do not exist,
 * resets while the worker is busy, status bits cleared and set again, MSI-X
 * entries aimed at no interrupt controller, and (with a loopback backend)
 * virtio-net RX chains the device must refuse.  The VMM must survive each,
 * and the device must carry a good frame or request afterwards.
 */
#include "net_frame.h"
#include "string.h"
#include "timing.h"
#include "virtio_dev.h"
#include "x86.h"

#define BAD_GPA (~0ull - 4095)

static void w64(uint64_t a, uint64_t v)
{
	hx_w32(a, (uint32_t)v);
	hx_w32(a + 4, (uint32_t)(v >> 32));
}

static uint64_t r64(uint64_t a)
{
	return hx_r32(a) | (uint64_t)hx_r32(a + 4) << 32;
}

static void vq_live_rewrite(struct hctx *c)
{
	uint64_t cc, desc, avail, used;
	uint16_t size, en;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	cc = hv.vp.common;
	hx_w16(cc + CC_Q_SELECT, hv_qindex(c));
	desc = r64(cc + CC_Q_DESC);
	avail = r64(cc + CC_Q_AVAIL);
	used = r64(cc + CC_Q_USED);
	size = hx_r16(cc + CC_Q_SIZE);
	/* A live queue's rings, size and enable are fixed until reset (4.1.4.3.2). */
	w64(cc + CC_Q_DESC, BAD_GPA);
	w64(cc + CC_Q_AVAIL, BAD_GPA);
	hx_w64(cc + CC_Q_USED, BAD_GPA);
	hx_w16(cc + CC_Q_SIZE, 64);
	hx_w16(cc + CC_Q_ENABLE, 0);
	en = hx_r16(cc + CC_Q_ENABLE);
	if (r64(cc + CC_Q_DESC) != desc || r64(cc + CC_Q_AVAIL) != avail || r64(cc + CC_Q_USED) != used)
		hx_fail(c, "the rings of a live queue moved");
	if (hx_r16(cc + CC_Q_SIZE) != size || en != 1)
		hx_fail(c, "a live queue's size or enable changed (size %u, enable %u)",
			hx_r16(cc + CC_Q_SIZE), en);
	hx_metric(c, "queue_size=%u queue_enable=%u", size, en);
	hx_still_works(c);
}

static void vq_select_range(struct hctx *c)
{
	uint64_t cc;
	uint16_t size;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	cc = hv.vp.common;
	hx_w16(cc + CC_Q_SELECT, 0x7fff);
	size = hx_r16(cc + CC_Q_SIZE);
	hx_w16(cc + CC_Q_SIZE, 64);
	w64(cc + CC_Q_DESC, (uint64_t)hv.tbl);
	w64(cc + CC_Q_AVAIL, (uint64_t)hv.tbl);
	w64(cc + CC_Q_USED, (uint64_t)hv.tbl);
	hx_w16(cc + CC_Q_MSIX, 0);
	hx_w16(cc + CC_Q_ENABLE, 1);
	hx_metric(c, "size=%u enable=%u", size, hx_r16(cc + CC_Q_ENABLE));
	if (size || hx_r16(cc + CC_Q_SIZE) || hx_r16(cc + CC_Q_ENABLE))
		hx_fail(c, "queue 0x7fff, which does not exist, has a size or became enabled");
	hx_w16(cc + CC_Q_SELECT, hv_qindex(c));
	hx_still_works(c);
}

static void vq_notify_bad(struct hctx *c)
{
	uint64_t n, q;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	n = hv.vp.notify;
	q = hv.q->notify_addr;
	hx_w16(n + 7ull * hv.vp.notify_mult, 7);   /* a queue that does not exist */
	hx_w16(n + 0x1000 - 2, 0xffff);            /* far past the notify structure */
	hx_w8(q, (uint8_t)hv.q->index);            /* odd widths at the queue's own doorbell */
	hx_w32(q, hv.q->index);
	hx_w64(q, ~0ull);
	hx_w16(q + 1, hv.q->index);                /* misaligned */
	(void)hx_r16(q);                           /* the notify region is write-only */
	hx_w16(q, 0x7fff);                         /* the wrong queue index in the right place */
	hx_still_works(c);
}

static void devcfg_write(struct hctx *c)
{
	uint32_t before[4], after;
	uint64_t dc;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	dc = hv.vp.device;
	if (!dc) {
		hx_fail(c, "no device configuration capability");
		return;
	}
	/* virtio-net's MAC and status, virtio-blk's capacity: read-only to the driver. */
	for (unsigned w = 0; w < 4; w++)
		before[w] = hx_r32(dc + 4 * w);
	for (unsigned w = 0; w < 4; w++)
		hx_w32(dc + 4 * w, ~0u);
	hx_w8(dc + 1, 0x55);
	hx_w64(dc + 8, ~0ull);
	hx_w32(dc + 0xffc, ~0u);          /* past the end of the structure */
	hx_w8(hv.vp.isr, 0xff);           /* the ISR is read-only */
	(void)hx_r32(dc + 0xffc);
	for (unsigned w = 0; w < 4; w++)
		if ((after = hx_r32(dc + 4 * w)) != before[w])
			hx_fail(c, "device config dword %u changed: 0x%x -> 0x%x", w, before[w], after);
	hx_still_works(c);
}

static void vq_reset_busy(struct hctx *c)
{
	bool net = c->kind == HDEV_VNET;
	unsigned rounds = 0;

	for (; rounds < 16 && !c->why; rounds++) {
		unsigned n = 0;

		if (hv_start(c, HV_STAGE_RUNNING))
			return;
		/* Fill the queue with good work, kick, and reset while the worker is at it. */
		for (; n < 64; n++) {
			struct vq_buf b[3] = {
				{ (uint64_t)hv.buf, net ? 12 + 60 : sizeof(struct hv_blk_hdr), false },
				{ (uint64_t)hv.buf + 4096, 2048, true },
				{ (uint64_t)hv.buf + HV_BUF - 1, 1, true },
			};

			if (net)
				memset(hv.buf, 0, 12);
			else
				*(struct hv_blk_hdr *)hv.buf = (struct hv_blk_hdr){ VIRTIO_BLK_T_IN, 0,
										    n * 8 % 2048 };
			if (vq_add(hv.q, b, net ? 1 : 3, hv.buf))
				break;
		}
		vq_kick(hv.q);
		for (volatile unsigned spin = 0; spin < rounds * 200; spin++)
			;
		hx_w8(hv.vp.common + CC_STATUS, 0);
		if (hx_r8(hv.vp.common + CC_STATUS))
			hx_fail(c, "status not 0 after a reset with the queue busy");
	}
	hx_metric(c, "rounds=%u", rounds);
	hx_up_works(c);
}

static void status_clear_bits(struct hctx *c)
{
	uint64_t cc;
	uint32_t gf;
	uint8_t s, t;
	long used;
	struct vq_buf b = { (uint64_t)hv.buf, 0, false };

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	cc = hv.vp.common;
	/*
	 * Clear FEATURES_OK and DRIVER_OK without a reset (2.1.2: the driver must
	 * not), offer other features, set both again.  exitlab keeps status bits
	 * until a reset, so the running device's features must not change under it.
	 */
	hx_w8(cc + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER);
	s = hx_r8(cc + CC_STATUS);
	hx_w32(cc + CC_GFSELECT, 0);
	hx_w32(cc + CC_GF, 0);
	hx_w8(cc + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	hx_w8(cc + CC_STATUS, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK | VIRTIO_S_DRIVER_OK);
	t = hx_r8(cc + CC_STATUS);
	hx_w32(cc + CC_GFSELECT, 0);
	gf = hx_r32(cc + CC_GF);
	if (gf != (uint32_t)hv.vp.features)
		hx_fail(c, "a running device's features changed from 0x%x to 0x%x without a reset",
			(uint32_t)hv.vp.features, gf);
	/* A request on the old queue is served (or refused), never hangs the VMM. */
	if (c->kind == HDEV_VNET) {
		b.len = 12 + 60;
		memset(hv.buf, 0, 12);
	} else {
		b.len = sizeof(struct hv_blk_hdr);
		*(struct hv_blk_hdr *)hv.buf = (struct hv_blk_hdr){ 8 /* GET_ID */, 0, 0 };
	}
	vq_add(hv.q, &b, 1, hv.buf);
	vq_kick(hv.q);
	used = hv_wait_used(c, 200);
	hx_metric(c, "status_cleared=0x%x status_again=0x%x features_kept=%u served=%u", s, t,
		  gf == (uint32_t)hv.vp.features, used >= 0);
	hx_w8(cc + CC_STATUS, 0);
	hx_up_works(c);
}

/* ---- MSI-X entries that point at no interrupt controller ---- */

static void msix_bad_address(struct hctx *c)
{
	const struct pci_dev *d;
	uint32_t t, ctrl, saved[8][4];
	uint64_t tbl;
	uint8_t cap;
	unsigned n;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	d = &hv.vp.pci;
	cap = pci_cap_find(d, 0x11, 0);
	if (!cap) {
		hx_fail(c, "no MSI-X capability");
		return;
	}
	t = pci_cfg_read32(d, cap + 4);
	n = (pci_cfg_read16(d, cap + 2) & 0x7ff) + 1;
	n = n > 8 ? 8 : n;
	tbl = d->bar[t & 7] + (t & ~7u);
	ctrl = pci_cfg_read16(d, cap + 2);
	for (unsigned e = 0; e < n; e++) {
		for (unsigned w = 0; w < 4; w++)
			saved[e][w] = hx_r32(tbl + 16 * e + 4 * w);
		hx_w32(tbl + 16 * e, 0x1000);     /* guest RAM, not the LAPIC */
		hx_w32(tbl + 16 * e + 4, 0);
		hx_w32(tbl + 16 * e + 8, 0x30);
		hx_w32(tbl + 16 * e + 12, 0);     /* unmasked */
	}
	pci_cfg_write16(d, cap + 2, (uint16_t)((ctrl | 0x8000) & ~0x4000)); /* enabled, not function-masked */
	hx_w16(hv.vp.common + CC_MSIX, 0);
	hx_w16(hv.vp.common + CC_Q_SELECT, hv_qindex(c));
	hx_w16(hv.vp.common + CC_Q_MSIX, 1);
	/* Ask for an interrupt on every used entry, then break the queue: a config interrupt too. */
	*(volatile uint16_t *)&hv.q->avail[0] = 0;
	*(volatile uint16_t *)&hv.q->avail[2 + hv.q->size] = 0;
	hv.q->want_irq = true;
	if (!c->ops->good(c)) {
		hv_desc(hv.q->free_head, (uint64_t)hv.buf, 0, VQ_DESC_F_NEXT, hv.q->free_head);
		hv_publish(hv.q->free_head);
		if (!hv_wait_status(c, HV_S_NEEDS_RESET, 1000))
			hx_metric(c, "needs_reset=1");
		else
			hx_fail(c, "the device did not set NEEDS_RESET");
	}
	hx_w8(hv.vp.common + CC_STATUS, 0);
	pci_cfg_write16(d, cap + 2, (uint16_t)ctrl);
	for (unsigned e = 0; e < n; e++)
		for (unsigned w = 0; w < 4; w++)
			hx_w32(tbl + 16 * e + 4 * w, saved[e][w]);
	hx_metric(c, "entries=%u", n);
	hx_up_works(c);
}

/* ---- virtio-net RX chains the device must refuse (a frame has to arrive: loopback) ---- */

static void rx_attack(struct hctx *c, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct vq *rx = &hv.qs[0];

	if (!hx_need_loopback(c) || hv_start(c, HV_STAGE_RUNNING))
		return;
	rx->desc[0] = (struct vq_desc){ addr, len, flags, 0 };
	hv_publish_on(rx, 0);
	/* Our own frame comes back and meets the bad chain. */
	if (c->ops->good(c))
		return;
	hv_expect_reset(c);
}

static void vnet_rx_short(struct hctx *c)
{
	rx_attack(c, (uint64_t)hv.buf, 4, VQ_DESC_F_WRITE);
}

static void vnet_rx_outside(struct hctx *c)
{
	rx_attack(c, c->ram_end + 0x100000, 2048, VQ_DESC_F_WRITE);
}

static void vnet_rx_readonly(struct hctx *c)
{
	rx_attack(c, (uint64_t)hv.buf, 2048, 0);
}

/*
 * MRG_RXBUF with one 13-byte RX buffer and then 1-byte ones, for a full-size
 * frame: every buffer must hold at least a virtio_net_hdr (5.1.6.3.1), so
 * the device must refuse the second one rather than spread the frame thin.
 */
static void vnet_rx_mrg_tiny(struct hctx *c)
{
	struct vq *rx = &hv.qs[0];
	uint8_t *rb;
	int rc;

	if (!hx_need_loopback(c))
		return;
	hv_extra_features = 1ull << VIRTIO_NET_F_MRG_RXBUF;
	rc = hv_start(c, HV_STAGE_RUNNING);
	hv_extra_features = 0;
	if (rc)
		return;
	if (!virtio_has(&hv.vp, VIRTIO_NET_F_MRG_RXBUF)) {
		hx_fail(c, "the device does not offer MRG_RXBUF");
		return;
	}
	rb = (uint8_t *)hv.tbl;
	for (uint16_t i = 0; i < rx->size; i++) {
		rx->desc[i] = (struct vq_desc){ (uint64_t)(rb + 16 * i), i ? 1 : 12 + 1, VQ_DESC_F_WRITE, 0 };
		rx->avail[2 + i] = i;
	}
	rx->avail_idx = rx->size;
	vq_kick(rx);
	/* A 1514-byte frame (1526 with its header) comes back over 1-byte buffers. */
	{
		struct vq_buf b = { (uint64_t)hv.buf, 12 + 1514, false };

		memset(hv.buf, 0, 12 + 1514);
		hv.buf[12] = 0xff; /* broadcast */
		vq_add(hv.q, &b, 1, hv.buf);
		vq_kick(hv.q);
		if (hv_wait_used(c, 1000) < 0) {
			hx_fail(c, "the 1514-byte frame was never sent");
			return;
		}
	}
	hv_expect_reset(c);
}


/*
 * Rings rewritten while the device (or a vhost back-end, which owns them)
 * walks them: every descriptor a good frame, all published with one kick,
 * then descriptors, avail slots and the avail index overwritten at random
 * (addresses past RAM or at 2^64, self-loops, heads past the queue, index
 * jumps) with a kick after each.  Whatever the walker saw, it must stop or
 * go on without harming the VMM: NEEDS_RESET (the VMM's walker, or a vhost
 * back-end's error signal) or not, the device must work after a reset.
 */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static void vq_race_rewrite(struct hctx *c)
{
	struct vq *q;
	uint32_t seed = 0x0ddba11;
	uint16_t used0, n;
	unsigned writes = 0;

	if (hv_start(c, HV_STAGE_RUNNING))
		return;
	q = hv.q;
	n = q->size;
	memset(hv.buf, 0, 12);
	net_frame_fill(hv.buf + 12, NET_FRAME_MIN, c->seq++, hv.mac);
	used0 = *(volatile uint16_t *)&q->used[1];
	for (uint16_t i = 0; i < n; i++) {
		q->desc[i] = (struct vq_desc){ (uint64_t)hv.buf, 12 + NET_FRAME_MIN, 0, 0 };
		q->avail[2 + i] = i;
	}
	asm volatile("mfence" : : : "memory");
	*(volatile uint16_t *)&q->avail[1] = n;
	q->notify(q);
	for (unsigned round = 0; round < 256; round++) {
		uint32_t r = lcg(&seed);
		uint16_t i = (uint16_t)((r >> 8) % n);

		switch (r & 3) {
		case 0:
			q->desc[i].addr = r & 0x10000 ? c->ram_end + 0x100000 : ~0ull - 15;
			break;
		case 1:
			q->desc[i].flags = VQ_DESC_F_NEXT;
			q->desc[i].next = i;
			break;
		case 2:
			*(volatile uint16_t *)&q->avail[2 + i] = (uint16_t)(n + (r >> 20));
			break;
		default:
			*(volatile uint16_t *)&q->avail[1] += (uint16_t)(1 + (r >> 16));
			break;
		}
		writes++;
		asm volatile("mfence" : : : "memory");
		q->notify(q);
	}
	/* NEEDS_RESET if the walker saw what it must refuse; else what it completed. */
	if (hv_wait_status(c, HV_S_NEEDS_RESET, 500))
		hx_metric(c, "needs_reset=0");
	else
		hx_metric(c, "needs_reset=1");
	hx_metric(c, "rewrites=%u used=%u", writes, (uint16_t)(*(volatile uint16_t *)&q->used[1] - used0));
	hx_reset_works(c);
}

const struct attack hv_live_attacks[] = {
	{ "vq-live-rewrite", HD_VIRTIO, vq_live_rewrite },
	{ "vq-race-rewrite", HD_VNET, vq_race_rewrite },
	{ "vq-select-range", HD_VIRTIO, vq_select_range },
	{ "vq-notify-bad", HD_VIRTIO, vq_notify_bad },
	{ "devcfg-write", HD_VIRTIO, devcfg_write },
	{ "vq-reset-busy", HD_VIRTIO, vq_reset_busy },
	{ "status-clear-bits", HD_VIRTIO, status_clear_bits },
	{ "msix-bad-address", HD_VIRTIO, msix_bad_address },
	{ "vnet-rx-short", HD_VNET, vnet_rx_short },
	{ "vnet-rx-outside", HD_VNET, vnet_rx_outside },
	{ "vnet-rx-readonly", HD_VNET, vnet_rx_readonly },
	{ "vnet-rx-mrg-tiny", HD_VNET, vnet_rx_mrg_tiny },
};
const unsigned hv_live_nattacks = sizeof(hv_live_attacks) / sizeof(hv_live_attacks[0]);
