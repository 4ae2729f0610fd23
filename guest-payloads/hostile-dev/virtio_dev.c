// SPDX-License-Identifier: MIT
/*
 * hostile-dev: the virtio-net and virtio-blk driver side the attacks stand
 * on (virtio_dev.h): bring-up from reset with EVENT_IDX and INDIRECT_DESC
 * offered, raw access to the attacked queue (virtio-net TX, the virtio-blk
 * request queue), waiting for NEEDS_RESET, and the one good frame or request
 * that shows a device works.
 */
#include "alloc.h"
#include "net_frame.h"
#include "string.h"
#include "virtio_dev.h"
#include "timing.h"
#include "x86.h"

struct hv hv;
uint64_t hv_extra_features;

static bool is_net(const struct hctx *c)
{
	return c->kind == HDEV_VNET;
}

int hv_start(struct hctx *c, int stage)
{
	uint64_t want = 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_RING_F_INDIRECT;
	char err[BENCH_REASON_MAX];

	alloc_release(c->mark);
	memset(&hv, 0, sizeof(hv));
	if (is_net(c))
		want |= 1ull << VIRTIO_NET_F_MAC;
	want |= hv_extra_features;
	hv.buf = alloc_zeroed(HV_BUF, 4096);
	hv.tbl = alloc_zeroed(4096, 4096);
	if (!hv.buf || !hv.tbl)
		return hx_fail(c, "bring-up: no guest RAM");
	if (virtio_pci_init(&hv.vp, &c->pci, err, sizeof(err)))
		return hx_fail(c, "bring-up: %s", err);
	if (stage == HV_STAGE_DRIVER)
		return 0;
	if (virtio_pci_negotiate(&hv.vp, want, err, sizeof(err)))
		return hx_fail(c, "bring-up: %s", err);
	if (!virtio_has(&hv.vp, VIRTIO_RING_F_INDIRECT))
		return hx_fail(c, "bring-up: the device does not offer INDIRECT_DESC");
	virtio_pci_irq_setup(&hv.vp, PCI_INTR_NONE, 0, 0);
	if (stage == HV_STAGE_FEATURES)
		return 0;
	if (is_net(c) && virtio_pci_queue_setup(&hv.vp, &hv.qs[0], 0, 256, err, sizeof(err)))
		return hx_fail(c, "bring-up: %s", err);
	if (virtio_pci_queue_setup(&hv.vp, &hv.qs[1], is_net(c) ? 1 : 0, 256, err, sizeof(err)))
		return hx_fail(c, "bring-up: %s", err);
	hv.q = &hv.qs[1];
	if (is_net(c))
		for (int i = 0; i < 6; i++)
			hv.mac[i] = virtio_pci_cfg8(&hv.vp, (unsigned)i);
	else
		hv.capacity = virtio_pci_cfg32(&hv.vp, 0) | (uint64_t)virtio_pci_cfg32(&hv.vp, 4) << 32;
	virtio_pci_driver_ok(&hv.vp);
	if ((virtio_pci_status(&hv.vp) & (VIRTIO_S_DRIVER_OK | HV_S_NEEDS_RESET)) != VIRTIO_S_DRIVER_OK)
		return hx_fail(c, "bring-up: status 0x%x after DRIVER_OK", virtio_pci_status(&hv.vp));
	return 0;
}

static int hv_up(struct hctx *c)
{
	return hv_start(c, HV_STAGE_RUNNING);
}

void hv_publish(uint16_t head)
{
	hv_publish_on(hv.q, head);
}

void hv_publish_on(struct vq *q, uint16_t head)
{
	q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
	q->avail_idx++;
	vq_kick(q);
}

void hv_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	hv.q->desc[i] = (struct vq_desc){ addr, len, flags, next };
}

int hv_wait_status(struct hctx *c, uint8_t bit, uint64_t ms)
{
	uint64_t t0 = rdtsc(), lim = hx_cycles(c, ms);
	uint8_t s;

	while (!((s = virtio_pci_status(&hv.vp)) & bit) && rdtsc() - t0 < lim)
		asm volatile("pause");
	hx_metric(c, "status=0x%x wait_us=%lu", s, hx_us(c, rdtsc() - t0));
	return s & bit ? 0 : -1;
}

void hv_expect_reset(struct hctx *c)
{
	if (hv_wait_status(c, HV_S_NEEDS_RESET, 1000)) {
		hx_metric(c, "needs_reset=0");
		/*
		 * A vhost back-end owns the rings (rings=backend): it may drop
		 * what it refuses without a word (only vhost-net's error
		 * eventfd, and a vhost-user back-end that uses its own, end in
		 * NEEDS_RESET).  What it completed is recorded; it must work
		 * after a reset.
		 */
		if (c->backend_rings) {
			hx_metric(c, "used=%u", (uint16_t)(*(volatile uint16_t *)&hv.q->used[1] - hv.q->last_used));
			hx_reset_works(c);
			return;
		}
		hx_fail(c, "the device did not set NEEDS_RESET");
		return;
	}
	hx_metric(c, "needs_reset=1");
	hx_reset_works(c);
}

/* A used entry on the attacked queue within `ms`: its length, or -1. */
long hv_wait_used(struct hctx *c, uint64_t ms)
{
	uint64_t t0 = rdtsc(), lim = hx_cycles(c, ms);
	uint32_t len;

	while (rdtsc() - t0 < lim) {
		if (vq_get_used(hv.q, &len))
			return len;
		asm volatile("pause");
	}
	return -1;
}

int hv_blk_rw(struct hctx *c, uint32_t type, uint64_t sector, uint32_t len, uint8_t *status)
{
	struct hv_blk_hdr *h = (void *)hv.buf;
	uint8_t *st = hv.buf + HV_BUF - 1;
	struct vq_buf b[3] = {
		{ (uint64_t)h, sizeof(*h), false },
		{ (uint64_t)(hv.buf + 4096), len, type == VIRTIO_BLK_T_IN },
		{ (uint64_t)st, 1, true },
	};

	if (!len || len > HV_BUF - 4096 - 1)
		return hx_fail(c, "request of %u bytes does not fit the buffer", len);
	*h = (struct hv_blk_hdr){ type, 0, sector };
	*st = 0xee;
	if (vq_add(hv.q, b, 3, hv.buf))
		return hx_fail(c, "the queue is full");
	vq_kick(hv.q);
	if (hv_wait_used(c, 1000) < 0)
		return hx_fail(c, "the device never completed a request");
	*status = *st;
	return 0;
}

static int hv_good(struct hctx *c)
{
	if (is_net(c)) {
		struct vq_buf b = { (uint64_t)hv.buf, 12 + NET_FRAME_MIN, false };

		memset(hv.buf, 0, 12);
		net_frame_fill(hv.buf + 12, NET_FRAME_MIN, c->seq++, hv.mac);
		if (vq_add(hv.q, &b, 1, hv.buf))
			return hx_fail(c, "no room on the TX queue for the good frame");
		vq_kick(hv.q);
		if (hv_wait_used(c, 1000) < 0)
			return hx_fail(c, "the good frame was never completed");
	} else {
		uint8_t st;

		if (hv_blk_rw(c, VIRTIO_BLK_T_IN, 0, 512, &st))
			return -1;
		if (st != 0)
			return hx_fail(c, "the good read of sector 0 got status %u", st);
	}
	return 0;
}

static const char *hv_alive(struct hctx *c)
{
	uint8_t s = virtio_pci_status(&hv.vp);

	(void)c;
	if (s == 0xff)
		return "the common configuration reads all-ones";
	if (s & HV_S_NEEDS_RESET)
		return "broken";
	if (!(s & VIRTIO_S_DRIVER_OK))
		return "DRIVER_OK went away";
	return NULL;
}

const struct hdev_ops hv_net_ops = { "virtio-net", 4, hv_up, hv_good, hv_alive };
const struct hdev_ops hv_blk_ops = { "virtio-blk", 4, hv_up, hv_good, hv_alive };
