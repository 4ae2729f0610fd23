// SPDX-License-Identifier: MIT
/*
 * e1000 receive: the address filter (RAL/RAH exact matches, the MTA hash,
 * UPE/MPE/BAM, the VLAN filter table), VLAN stripping, the FCS the wire
 * would carry (kept unless RCTL.SECRC), and the copy of each frame into as
 * many legacy RX descriptors of RCTL.BSIZE/BSEX bytes as it needs, EOP on
 * the last.  RXT0 is signalled for every frame (no RDTR/RADV holdback;
 * ITR moderates), RXDMT0 when the free descriptors fall to the RDMTS
 * threshold.  The FCS is computed only when it is kept (no RCTL.SECRC).
 * A frame waits, unconsumed, while the ring lacks room.
 */
#include <errno.h>
#include <sys/uio.h>

#include "devices/e1000/e1000_priv.h"

void e1000_rx_reset(struct e1000 *e)
{
	e->rx_pending = 0;
	e->rx_ring_bad = false;
	e->rx_stalled = false;
}

static size_t rx_bufsize(uint32_t rctl)
{
	static const size_t plain[4] = { 2048, 1024, 512, 256 };
	static const size_t ext[4] = { 2048, 16384, 8192, 4096 };   /* BSEX with 00 is reserved */
	unsigned b = (rctl & E1000_RCTL_BSIZE_MASK) >> E1000_RCTL_BSIZE_SHIFT;

	return (rctl & E1000_RCTL_BSEX) ? ext[b] : plain[b];
}

/* The ring, or NULL (and RX stopped with a diagnostic) when the guest set it up wrong. */
static uint8_t *rx_ring(struct e1000 *e, uint32_t *n)
{
	uint64_t base = (uint64_t)e1000_r(e, E1000_RDBAH) << 32 | e1000_r(e, E1000_RDBAL);
	uint32_t len = e1000_r(e, E1000_RDLEN);
	uint8_t *ring;

	if (e->rx_ring_bad)
		return NULL;
	ring = len && !(len % E1000_RING_ALIGN) ? guest_mem_ptr(e->mem, base, len) : NULL;
	if (!ring) {
		e->rx_ring_bad = true;
		DEV_METRIC_ADD(&e->metrics[E1000_M_RING_ERRORS], 1);
		e1000_diag(e, "RX ring at 0x%llx, RDLEN %u: %s; RX stopped until the ring is reprogrammed",
			   (unsigned long long)base, len,
			   !len || len % E1000_RING_ALIGN ? "length not a non-zero multiple of 128"
							   : "not inside guest RAM");
		return NULL;
	}
	*n = len / E1000_DESC_SIZE;
	if (e1000_r(e, E1000_RDH) >= *n || e1000_r(e, E1000_RDT) >= *n) {
		e->rx_ring_bad = true;    /* until RDT/RDH/RDLEN change */
		DEV_METRIC_ADD(&e->metrics[E1000_M_RING_ERRORS], 1);
		e1000_diag(e, "RDH %u / RDT %u beyond the %u-descriptor RX ring: ignored",
			   e1000_r(e, E1000_RDH), e1000_r(e, E1000_RDT), *n);
		return NULL;
	}
	return ring;
}

bool e1000_rx_ready(struct e1000 *e)
{
	uint32_t n;

	if (!(e1000_r(e, E1000_RCTL) & E1000_RCTL_EN) || !rx_ring(e, &n))
		return false;
	return e1000_r(e, E1000_RDH) != e1000_r(e, E1000_RDT);
}

/* The 12-bit MTA hash of a destination address for RCTL.MO 0..3 (address bits 47:36 .. 43:32). */
static unsigned mta_hash(const uint8_t *a, unsigned mo)
{
	static const unsigned shift[4] = { 4, 3, 2, 0 };
	unsigned v = (unsigned)a[4] | (unsigned)a[5] << 8;

	return (v >> shift[mo]) & 0xFFF;
}

static bool rx_filter(struct e1000 *e, const uint8_t *f, size_t len)
{
	uint32_t rctl = e1000_r(e, E1000_RCTL);
	uint32_t lo = e1000_le32(f), hi = e1000_le16(f + 4);
	unsigned h;

	if ((rctl & E1000_RCTL_VFE) && len >= 18 && e1000_be16(f + 12) == (uint16_t)e1000_r(e, E1000_VET)) {
		unsigned vid = e1000_be16(f + 14) & 0xFFF;

		if (!(e1000_r(e, E1000_VFTA + 4 * (vid >> 5)) & (1u << (vid & 31))))
			return false;
	}
	for (unsigned i = 0; i < E1000_RAR_ENTRIES; i++) {
		uint32_t rah = e1000_r(e, E1000_RAH(i));

		/* AS (bits 17:16) 00 = match the destination address */
		if ((rah & E1000_RAH_AV) && !(rah & 0x30000) && e1000_r(e, E1000_RAL(i)) == lo &&
		    (rah & 0xFFFF) == hi)
			return true;
	}
	if (!(f[0] & 1))
		return rctl & E1000_RCTL_UPE;
	if (lo == 0xFFFFFFFFu && hi == 0xFFFF)
		return (rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE)) != 0;
	if (rctl & E1000_RCTL_MPE)
		return true;
	h = mta_hash(f, (rctl & E1000_RCTL_MO_MASK) >> E1000_RCTL_MO_SHIFT);
	return e1000_r(e, E1000_MTA + 4 * (h >> 5)) & (1u << (h & 31));
}

int e1000_rx_deliver(struct e1000 *e, const uint8_t *frame, size_t len)
{
	uint32_t rctl = e1000_r(e, E1000_RCTL), n, head, tail, free_before, free_after, thr;
	uint8_t *ring, *w = e->rx_work;
	size_t wl, dlen, bufsz, need, done = 0, max;
	uint16_t special = 0, csum;
	bool vp = false, bad = false;
	uint32_t pcss;

	if (!(rctl & E1000_RCTL_EN)) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_DROPPED], 1);
		return 0;
	}
	if (len < 14) {
		e1000_stat_add(e, E1000_RUC, 1);
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_DROPPED], 1);
		return 0;
	}
	max = (rctl & E1000_RCTL_LPE) ? E1000_RX_MAX_LPE : E1000_RX_MAX_STD;
	if (len + 4 > max) {
		e1000_stat_add(e, E1000_ROC, 1);
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_DROPPED], 1);
		return 0;
	}
	if (!rx_filter(e, frame, len)) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_FILTERED], 1);
		return 0;
	}
	ring = rx_ring(e, &n);
	if (!ring)
		return -EAGAIN;

	/* The frame as it lands in memory: tag stripped, padded to 60, then the FCS. */
	if ((e1000_r(e, E1000_CTRL) & E1000_CTRL_VME) && len >= 18 &&
	    e1000_be16(frame + 12) == (uint16_t)e1000_r(e, E1000_VET)) {
		special = e1000_be16(frame + 14);
		vp = true;
		memcpy(w, frame, 12);
		memcpy(w + 12, frame + 16, len - 16);
		wl = len - 4;
	} else {
		memcpy(w, frame, len);
		wl = len;
	}
	if (wl < 60) {
		memset(w + wl, 0, 60 - wl);
		wl = 60;
	}
	if (rctl & E1000_RCTL_SECRC) {
		dlen = wl;      /* the FCS would be stripped: no need to compute it */
	} else {
		uint32_t crc = e1000_crc32(w, wl);

		w[wl] = (uint8_t)crc;
		w[wl + 1] = (uint8_t)(crc >> 8);
		w[wl + 2] = (uint8_t)(crc >> 16);
		w[wl + 3] = (uint8_t)(crc >> 24);
		dlen = wl + 4;
	}
	bufsz = rx_bufsize(rctl);
	need = (dlen + bufsz - 1) / bufsz;
	head = e1000_r(e, E1000_RDH);
	tail = e1000_r(e, E1000_RDT);
	free_before = (tail + n - head) % n;
	if (need > free_before) {
		if (!e->rx_stalled) {
			e->rx_stalled = true;
			e1000_stat_add(e, E1000_RNBC, 1);
			DEV_METRIC_ADD(&e->metrics[E1000_M_RX_NO_DESCRIPTORS], 1);
		}
		return -EAGAIN;
	}
	e->rx_stalled = false;
	pcss = e1000_r(e, E1000_RXCSUM) & E1000_RXCSUM_PCSS_MASK;
	csum = pcss < wl ? (uint16_t)~e1000_csum_fold(e1000_csum_add(0, w + pcss, wl - pcss)) : 0;

	while (done < dlen) {
		uint8_t *d = ring + (size_t)head * E1000_DESC_SIZE;
		size_t chunk = dlen - done < bufsz ? dlen - done : bufsz;
		uint64_t addr = e1000_le64(d);
		void *p = guest_mem_ptr(e->mem, addr, chunk);
		uint8_t status = E1000_RXD_STA_DD | E1000_RXD_STA_IXSM | (vp ? E1000_RXD_STA_VP : 0);

		if (!p) {
			e1000_diag(e, "RX buffer [0x%llx, +%zu) outside guest RAM: frame dropped",
				   (unsigned long long)addr, chunk);
			bad = true;
		} else {
			memcpy(p, w + done, chunk);
		}
		done += chunk;
		e1000_put_le16(d + 8, bad ? 0 : (uint16_t)chunk);
		e1000_put_le16(d + 10, csum);
		d[13] = bad ? E1000_RXD_ERR_RXE : 0;
		e1000_put_le16(d + 14, special);
		if (done >= dlen || bad)
			status |= E1000_RXD_STA_EOP;
		__atomic_thread_fence(__ATOMIC_RELEASE);   /* data before DD */
		d[12] = status;
		head = (head + 1) % n;
		if (bad)
			break;
	}
	e1000_w(e, E1000_RDH, head);
	if (bad) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_DROPPED], 1);
	} else {
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_FRAMES], 1);
		DEV_METRIC_ADD(&e->metrics[E1000_M_RX_BYTES], len);
		e1000_stat_add(e, E1000_TPR, 1);
		e1000_stat_add(e, E1000_GPRC, 1);
		e1000_stat_add64(e, E1000_GORCL, wl + 4);
		e1000_stat_add64(e, E1000_TORL, wl + 4);
		e1000_stat_size(e, E1000_PRC64, wl + 4);
		if (w[0] & 1)
			e1000_stat_add(e, (e1000_le32(w) == 0xFFFFFFFFu && e1000_le16(w + 4) == 0xFFFF)
				       ? E1000_BPRC : E1000_MPRC, 1);
	}
	free_after = (tail + n - head) % n;
	thr = n >> (1 + ((rctl & E1000_RCTL_RDMTS_MASK) >> E1000_RCTL_RDMTS_SHIFT));
	e1000_irq_cause(e, E1000_ICR_RXT0 | (free_before > thr && free_after <= thr ? E1000_ICR_RXDMT0 : 0));
	return bad ? 0 : 1;
}

int e1000_rx_frame(struct e1000 *e, const void *frame, size_t len)
{
	int rc;

	if (len > E1000_RX_MAX_LPE)
		return 0;
	pthread_mutex_lock(&e->lock);
	e1000_irq_timer(e);
	rc = e1000_rx_deliver(e, frame, len);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int e1000_rx_poll(struct e1000 *e, unsigned budget)
{
	uint8_t hdr[16];
	unsigned done = 0, tries = 0;

	pthread_mutex_lock(&e->lock);
	e1000_irq_timer(e);
	pthread_mutex_unlock(&e->lock);
	while (done < budget && tries++ < 2 * budget) {
		struct iovec iov[2];
		unsigned hl, niov = 0;
		ssize_t got;
		bool ready;

		pthread_mutex_lock(&e->lock);
		if (e->rx_pending) {
			int rc = e1000_rx_deliver(e, e->rx_buf, e->rx_pending);

			if (rc != -EAGAIN) {
				e->rx_pending = 0;
				done++;
			}
			pthread_mutex_unlock(&e->lock);
			if (rc == -EAGAIN)
				break;
			continue;
		}
		ready = e->be && e1000_rx_ready(e);
		pthread_mutex_unlock(&e->lock);
		if (!ready)
			break;
		hl = e->be->vnet_hdr_len <= sizeof(hdr) ? e->be->vnet_hdr_len : 0;
		if (hl) {
			iov[niov].iov_base = hdr;
			iov[niov++].iov_len = hl;
		}
		iov[niov].iov_base = e->rx_buf;
		iov[niov++].iov_len = E1000_RX_MAX_LPE;
		got = e->be->ops->recv(e->be, iov, niov);
		if (got == -EAGAIN)
			break;
		if (got < 0 || (size_t)got <= hl) {
			/* too big for any RCTL setting, or a backend error: the frame is gone */
			pthread_mutex_lock(&e->lock);
			if (got == -EMSGSIZE)
				e1000_stat_add(e, E1000_ROC, 1);
			pthread_mutex_unlock(&e->lock);
			DEV_METRIC_ADD(&e->metrics[E1000_M_RX_DROPPED], 1);
			continue;
		}
		pthread_mutex_lock(&e->lock);
		e->rx_pending = (size_t)got - hl;
		pthread_mutex_unlock(&e->lock);
	}
	return (int)done;
}
