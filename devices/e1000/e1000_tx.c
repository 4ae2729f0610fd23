// SPDX-License-Identifier: MIT
/*
 * e1000 transmit: walks the TX ring from TDH to TDT when the guest writes
 * TDT (on the vCPU thread), gathers each frame's buffers up to the
 * descriptor with EOP, inserts checksums and VLAN tags, segments TSO
 * bursts, hands frames to the backend and writes DD back where RS asked.
 * Legacy descriptors and the extended context (DTYP 0) and data (DTYP 1)
 * descriptors are understood.  A bad ring stops TX until the guest
 * reprograms it; a bad buffer, an over-long frame or a chain that goes
 * round the whole ring without EOP drops that frame, counted.  A pass stops
 * at its work budget (TSO with a tiny MSS multiplies a descriptor into
 * thousands of frames) and the worker thread finishes the ring.
 */
#include <errno.h>
#include <sys/uio.h>

#include "devices/e1000/e1000_priv.h"

void e1000_tx_reset(struct e1000 *e)
{
	memset(&e->ctx, 0, sizeof(e->ctx));
	e->tx_len = 0;
	e->tx_ndesc = 0;
	e->tx_in_frame = e->tx_drop = e->tx_ext = e->tx_tse = false;
	e->tx_popts = 0;
	e->tx_ring_bad = false;
	e->tx_more = false;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Sum bytes [start, end] (end inclusive; 0 = to the end of the frame) and
 * store the complement at off, big-endian: the guest has put the field's
 * seed (0, or the pseudo-header sum) there already.
 */
static void insert_csum(uint8_t *buf, size_t len, unsigned start, unsigned off, unsigned end,
			uint32_t extra, bool udp)
{
	size_t last = end ? end : len - 1;
	uint16_t c;

	if (last >= len)
		last = len - 1;
	if (!len || start > last || (size_t)off + 2 > len)
		return;
	c = e1000_csum_fold(e1000_csum_add(extra, buf + start, last - start + 1));
	if (udp && c == 0)
		c = 0xFFFF;     /* UDP sends a computed zero as all-ones */
	e1000_put_be16(buf + off, c);
}

static void tx_send(struct e1000 *e, uint8_t *buf, size_t len, bool vle, uint16_t special)
{
	static const uint8_t zero_hdr[16];
	struct iovec iov[2];
	unsigned n = 0;
	int rc = 0;

	if (vle && (e1000_r(e, E1000_CTRL) & E1000_CTRL_VME) && len >= 12) {
		memmove(buf + 16, buf + 12, len - 12);
		e1000_put_be16(buf + 12, (uint16_t)e1000_r(e, E1000_VET));
		e1000_put_be16(buf + 14, special);
		len += 4;
	}
	if ((e1000_r(e, E1000_TCTL) & E1000_TCTL_PSP) && len < 60) {
		memset(buf + len, 0, 60 - len);   /* padded to 64 bytes with the FCS */
		len = 60;
	}
	e->tx_pass_frames++;
	e->tx_pass_bytes += len;
	if (e->be) {
		if (e->be->vnet_hdr_len && e->be->vnet_hdr_len <= sizeof(zero_hdr)) {
			/* no offload is asked of the backend: the frame is complete */
			iov[n].iov_base = (void *)zero_hdr;
			iov[n++].iov_len = e->be->vnet_hdr_len;
		}
		iov[n].iov_base = buf;
		iov[n++].iov_len = len;
		rc = e->be->ops->send(e->be, iov, n);
	}
	if (rc < 0) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_TX_DROPPED], 1);
		return;
	}
	DEV_METRIC_ADD(&e->metrics[E1000_M_TX_FRAMES], 1);
	DEV_METRIC_ADD(&e->metrics[E1000_M_TX_BYTES], len);
	e1000_stat_add(e, E1000_TPT, 1);
	e1000_stat_add(e, E1000_GPTC, 1);
	e1000_stat_add64(e, E1000_GOTCL, len + 4);
	e1000_stat_add64(e, E1000_TOTL, len + 4);
	e1000_stat_size(e, E1000_PTC64, len + 4);
	if (buf[0] & 1) {
		static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		e1000_stat_add(e, memcmp(buf, bcast, 6) ? E1000_MPTC : E1000_BPTC, 1);
	}
}

/* Cut a TSO burst into MSS-sized segments, fixing lengths, IDs, sequence numbers and checksums. */
static void tx_tso(struct e1000 *e, bool vle, uint16_t special)
{
	const struct e1000_tx_ctx *c = &e->ctx;
	uint8_t *buf = e->tx_buf, *seg = e->tx_seg;
	size_t hdr = c->hdrlen, payload, off = 0;
	bool ipv4 = c->tucmd & E1000_TUCMD_IP, tcp = c->tucmd & E1000_TUCMD_TCP;
	unsigned l4min = tcp ? 20 : 8;
	uint16_t ip_id;
	uint32_t seq;

	if (!c->mss || !hdr || hdr > e->tx_len || (size_t)c->ipcss + 20 > hdr ||
	    (size_t)c->tucss + l4min > hdr || (size_t)c->ipcso + 2 > hdr || (size_t)c->tucso + 2 > hdr ||
	    hdr + c->mss > E1000_TX_MAX_FRAME) {
		e1000_diag(e, "TSO context unusable (hdrlen %zu, mss %u, frame %zu bytes): frame dropped",
			   hdr, c->mss, e->tx_len);
		e1000_stat_add(e, E1000_TSCTFC, 1);
		DEV_METRIC_ADD(&e->metrics[E1000_M_TX_DROPPED], 1);
		return;
	}
	payload = e->tx_len - hdr;
	ip_id = e1000_be16(buf + c->ipcss + 4);
	seq = be32(buf + c->tucss + 4);
	for (unsigned k = 0; k == 0 || off < payload; k++) {
		size_t chunk = payload - off < c->mss ? payload - off : c->mss;
		size_t slen = hdr + chunk;
		bool last = off + chunk >= payload;

		memcpy(seg, buf, hdr);
		memcpy(seg + hdr, buf + hdr + off, chunk);
		if (ipv4) {
			e1000_put_be16(seg + c->ipcss + 2, (uint16_t)(slen - c->ipcss));
			e1000_put_be16(seg + c->ipcss + 4, (uint16_t)(ip_id + k));
		} else {
			e1000_put_be16(seg + c->ipcss + 4, (uint16_t)(slen - c->ipcss - 40));
		}
		if (tcp) {
			put_be32(seg + c->tucss + 4, seq + (uint32_t)off);
			if (!last)
				seg[c->tucss + 13] &= (uint8_t)~0x09;   /* FIN and PSH on the last only */
		} else {
			e1000_put_be16(seg + c->tucss + 4, (uint16_t)(slen - c->tucss));
		}
		if (e->tx_popts & E1000_POPTS_IXSM)
			insert_csum(seg, slen, c->ipcss, c->ipcso, c->ipcse, 0, false);
		/* the seed holds the pseudo-header sum without the length: add this segment's */
		if (e->tx_popts & E1000_POPTS_TXSM)
			insert_csum(seg, slen, c->tucss, c->tucso, 0, (uint32_t)(slen - c->tucss), !tcp);
		tx_send(e, seg, slen, vle, special);
		off += chunk;
	}
}

static void tx_frame_done(struct e1000 *e, uint8_t cmd, uint8_t cso, uint8_t css, uint16_t special)
{
	const struct e1000_tx_ctx *c = &e->ctx;
	bool vle = cmd & E1000_TXD_CMD_VLE;

	if (e->tx_drop || !e->tx_len) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_TX_DROPPED], 1);   /* bad, or nothing to send */
	} else if (e->tx_ext && e->tx_tse) {
		tx_tso(e, vle, special);
	} else {
		if (!e->tx_ext && (cmd & E1000_TXD_CMD_IC))
			insert_csum(e->tx_buf, e->tx_len, css, cso, 0, 0, false);
		if (e->tx_ext && (e->tx_popts & E1000_POPTS_IXSM))
			insert_csum(e->tx_buf, e->tx_len, c->ipcss, c->ipcso, c->ipcse, 0, false);
		if (e->tx_ext && (e->tx_popts & E1000_POPTS_TXSM))
			insert_csum(e->tx_buf, e->tx_len, c->tucss, c->tucso, c->tucse, 0,
				    !(c->tucmd & E1000_TUCMD_TCP));
		tx_send(e, e->tx_buf, e->tx_len, vle, special);
	}
	e->tx_in_frame = e->tx_drop = false;
	e->tx_len = 0;
	e->tx_ndesc = 0;
}

/* Add one buffer to the frame being gathered. */
static void tx_gather(struct e1000 *e, uint64_t addr, size_t len, uint32_t ring_n)
{
	size_t limit = e->tx_tse ? E1000_TSO_MAX : E1000_TX_MAX_FRAME;
	const void *p;

	e->tx_in_frame = true;
	e->tx_ndesc++;
	if (e->tx_drop)
		return;
	if (e->tx_ndesc > ring_n) {
		e1000_diag(e, "TX chain of %u descriptors without EOP went round the ring: frame dropped",
			   e->tx_ndesc);
		e->tx_drop = true;
		return;
	}
	if (!len)
		return;
	if (len > limit - e->tx_len) {
		e1000_diag(e, "TX frame over %zu bytes: dropped", limit);
		e->tx_drop = true;
		return;
	}
	p = guest_mem_ptr(e->mem, addr, len);
	if (!p) {
		e1000_diag(e, "TX buffer [0x%llx, +%zu) outside guest RAM: frame dropped",
			   (unsigned long long)addr, len);
		e->tx_drop = true;
		return;
	}
	memcpy(e->tx_buf + e->tx_len, p, len);
	e->tx_len += len;
}

static void tx_desc(struct e1000 *e, const uint8_t *d, uint32_t ring_n)
{
	uint8_t cmd = d[11];

	if (!(cmd & E1000_TXD_CMD_DEXT)) {                   /* legacy */
		if (!e->tx_in_frame) {
			e->tx_ext = e->tx_tse = false;
			e->tx_popts = 0;
		}
		tx_gather(e, e1000_le64(d), e1000_le16(d + 8), ring_n);
		if (cmd & E1000_TXD_CMD_EOP)
			tx_frame_done(e, cmd, d[10], d[13], e1000_le16(d + 14));
		return;
	}
	switch ((d[10] >> 4) & 0xF) {
	case E1000_TXD_DTYP_CTX: {
		struct e1000_tx_ctx *c = &e->ctx;

		c->ipcss = d[0];
		c->ipcso = d[1];
		c->ipcse = e1000_le16(d + 2);
		c->tucss = d[4];
		c->tucso = d[5];
		c->tucse = e1000_le16(d + 6);
		c->paylen = e1000_le32(d + 8) & 0xFFFFF;
		c->tucmd = cmd;
		c->hdrlen = d[13];
		c->mss = e1000_le16(d + 14);
		if (cmd & E1000_TXD_CMD_TSE)
			e1000_stat_add(e, E1000_TSCTC, 1);
		return;
	}
	case E1000_TXD_DTYP_DATA:
		if (!e->tx_in_frame) {
			/* POPTS and TSE are taken from the first data descriptor of a frame */
			e->tx_ext = true;
			e->tx_tse = cmd & E1000_TXD_CMD_TSE;
			e->tx_popts = d[13];
		}
		tx_gather(e, e1000_le64(d), e1000_le32(d + 8) & 0xFFFFF, ring_n);
		if (cmd & E1000_TXD_CMD_EOP)
			tx_frame_done(e, cmd, 0, 0, e1000_le16(d + 14));
		return;
	default:
		e1000_diag(e, "TX descriptor type %u unknown: skipped", (d[10] >> 4) & 0xF);
		return;
	}
}

void e1000_tx_process(struct e1000 *e)
{
	uint64_t base = (uint64_t)e1000_r(e, E1000_TDBAH) << 32 | e1000_r(e, E1000_TDBAL);
	uint32_t len = e1000_r(e, E1000_TDLEN), n, head, tail, done = 0, causes = 0;
	uint8_t *ring;

	e->tx_more = false;
	e->tx_pass_frames = e->tx_pass_bytes = 0;
	if (!(e1000_r(e, E1000_TCTL) & E1000_TCTL_EN) || e->tx_ring_bad)
		return;
	ring = len && !(len % E1000_RING_ALIGN) ? guest_mem_ptr(e->mem, base, len) : NULL;
	if (!ring) {
		e->tx_ring_bad = true;
		DEV_METRIC_ADD(&e->metrics[E1000_M_RING_ERRORS], 1);
		e1000_diag(e, "TX ring at 0x%llx, TDLEN %u: %s; TX stopped until the ring is reprogrammed",
			   (unsigned long long)base, len,
			   !len || len % E1000_RING_ALIGN ? "length not a non-zero multiple of 128"
							   : "not inside guest RAM");
		return;
	}
	n = len / E1000_DESC_SIZE;
	head = e1000_r(e, E1000_TDH);
	tail = e1000_r(e, E1000_TDT);
	if (head >= n || tail >= n) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_RING_ERRORS], 1);
		e1000_diag(e, "TDH %u / TDT %u beyond the %u-descriptor TX ring: ignored", head, tail, n);
		return;
	}
	while (head != tail && done < n) {
		uint8_t d[E1000_DESC_SIZE], *slot = ring + (size_t)head * E1000_DESC_SIZE;

		if (e->tx_pass_frames >= E1000_TX_PASS_FRAMES || e->tx_pass_bytes >= E1000_TX_PASS_BYTES) {
			e->tx_more = true;   /* TDH says how far we got; the worker goes on */
			break;
		}

		memcpy(d, slot, sizeof(d));   /* the guest may rewrite it meanwhile */
		tx_desc(e, d, n);
		if (d[11] & E1000_TXD_CMD_RS) {
			__atomic_thread_fence(__ATOMIC_RELEASE);
			slot[12] = (uint8_t)(d[12] | E1000_TXD_STA_DD);
			causes |= E1000_ICR_TXDW;
		}
		head = (head + 1) % n;
		e1000_w(e, E1000_TDH, head);
		done++;
	}
	DEV_METRIC_ADD(&e->metrics[E1000_M_TX_DESCRIPTORS], done);
	if (done && head == tail)
		causes |= E1000_ICR_TXQE;
	if (causes)
		e1000_irq_cause(e, causes);
	if (e->tx_more)
		e1000_kick(e);
}

bool e1000_tx_resume(struct e1000 *e)
{
	bool more;

	pthread_mutex_lock(&e->lock);
	if (e->tx_more)
		e1000_tx_process(e);
	more = e->tx_more;
	pthread_mutex_unlock(&e->lock);
	return more;
}
