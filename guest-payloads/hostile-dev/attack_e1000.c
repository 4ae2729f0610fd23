// SPDX-License-Identifier: MIT
/*
 * hostile-dev: attacks on the e1000 (82540EM, Intel's 8254x manual): TX and
 * RX rings outside RAM or of a bad length, heads and tails past the ring
 * (the ring stops until it is reprogrammed), TX descriptors with a huge
 * length, a buffer straddling the end of RAM or the MMIO hole or wrapping at
 * 2^64, a chain without EOP across the whole ring (the frame is dropped, DD
 * still written back).  After each the registers must keep answering and a
 * good frame must go out, after a reset (CTRL.RST) where the ring stopped.
 */
#include "alloc.h"
#include "guest_e1000.h"
#include "hostile.h"
#include "string.h"
#include "timing.h"
#include "x86.h"

#define STATUS 0x0008
#define RDBAL  0x2800
#define RDBAH  0x2804
#define RDLEN  0x2808
#define RDH    0x2810
#define RDT    0x2818
#define TDBAL  0x3800
#define TDBAH  0x3804
#define TDLEN  0x3808
#define TDH    0x3810
#define TDT    0x3818
#define STATUS_LU  (1u << 1)
#define CMD_EOP    (1u << 0)
#define CMD_IFCS   (1u << 1)
#define CMD_RS     (1u << 3)
#define DESC_DD    (1u << 0)
#define RX_ERR_RXE (1u << 7)

struct e1000 he_nic;

static void wr(unsigned r, uint32_t v) { mmio_write32(he_nic.mmio + r, v); }
static uint32_t rd(unsigned r) { return mmio_read32(he_nic.mmio + r); }

int he_up(struct hctx *c)
{
	char err[BENCH_REASON_MAX];

	alloc_release(c->mark);
	if (e1000_init(&he_nic, &c->pci, PCI_INTR_NONE, 4, err, sizeof(err)))
		return hx_fail(c, "bring-up: %s", err);
	return 0;
}

/* DD on descriptor `slot` within ms. */
bool he_wait_dd(struct hctx *c, unsigned slot, uint64_t ms)
{
	uint64_t t0 = rdtsc(), lim = hx_cycles(c, ms);

	while (!(he_nic.tx[slot].status & DESC_DD))
		if (rdtsc() - t0 > lim)
			return false;
	return true;
}

int he_good(struct hctx *c)
{
	unsigned slot;

	e1000_tx_free(&he_nic);
	slot = he_nic.tx_tail;
	if (e1000_tx_add(&he_nic, 60, c->seq++))
		return hx_fail(c, "no room on the TX ring for the good frame");
	e1000_tx_kick(&he_nic);
	if (!he_wait_dd(c, slot, 1000))
		return hx_fail(c, "the good frame's descriptor never got DD");
	return 0;
}

const char *he_alive(struct hctx *c)
{
	uint32_t s = rd(STATUS);

	(void)c;
	if (s == 0xffffffffu)
		return "STATUS reads all-ones: the registers stopped answering";
	if (!(s & STATUS_LU))
		return "STATUS says the link is down";
	return NULL;
}

const struct hdev_ops he_ops = { "e1000", 0, he_up, he_good, he_alive };

static uint64_t outside(const struct hctx *c)
{
	return c->ram_end + 0x100000;
}

/* ---- ring registers: the ring stops, TDH/RDH stay, a reset brings it back ---- */

#define OWN 0 /* as an address: the driver's own ring or buffer */

static void tx_ring(struct hctx *c, uint64_t base, uint32_t len, uint32_t tdt)
{
	uint32_t tdh;

	if (he_up(c))
		return;
	if (base == OWN)
		base = (uint64_t)he_nic.tx;
	wr(TDBAL, (uint32_t)base);
	wr(TDBAH, (uint32_t)(base >> 32));
	wr(TDLEN, len);
	wr(TDH, 0);
	wr(TDT, tdt);
	tdh = rd(TDH);
	/* TDLEN's low 7 bits are reserved (8254x 13.4.39): an odd length may read back rounded down. */
	hx_metric(c, "tdba=0x%lx tdlen=%u tdlen_read=%u tdt=%u tdh=%u", base, len, rd(TDLEN), tdt, tdh);
	if (tdh)
		hx_fail(c, "TDH moved to %u on a ring the device must refuse", tdh);
	hx_reset_works(c);
}

static void e_tdba_outside(struct hctx *c)
{
	tx_ring(c, outside(c), 4096, 1);
}

static void e_tdba_wrap(struct hctx *c)
{
	tx_ring(c, ~0ull - 4095, 4096, 1);
}

static void e_tdlen_odd(struct hctx *c)
{
	tx_ring(c, OWN, 100, 1);
}

static void e_tdt_past(struct hctx *c)
{
	uint32_t tdh;

	if (he_up(c))
		return;
	wr(TDT, 300); /* the ring has 256 descriptors */
	tdh = rd(TDH);
	hx_metric(c, "tdt=300 tdh=%u", tdh);
	if (tdh)
		hx_fail(c, "TDH moved to %u after a TDT past the ring", tdh);
	/* TDT is ignored, the ring itself is fine: the next good TDT write sends. */
	hx_still_works(c);
}

static void rx_ring(struct hctx *c, uint64_t base, uint32_t len, uint32_t rdt)
{
	uint64_t t0;
	uint32_t rdh;

	if (he_up(c))
		return;
	if (base == OWN)
		base = (uint64_t)he_nic.rx;
	wr(RDBAL, (uint32_t)base);
	wr(RDBAH, (uint32_t)(base >> 32));
	wr(RDLEN, len);
	wr(RDH, 0);
	wr(RDT, rdt);
	/* The RX worker looks at the ring when woken by these writes: give it time to refuse it. */
	t0 = rdtsc();
	while (rdtsc() - t0 < hx_cycles(c, 20))
		asm volatile("pause");
	rdh = rd(RDH);
	hx_metric(c, "rdba=0x%lx rdlen=%u rdlen_read=%u rdt=%u rdh=%u", base, len, rd(RDLEN), rdt, rdh);
	if (rdh)
		hx_fail(c, "RDH moved to %u on a ring the device must refuse", rdh);
	hx_reset_works(c);
}

static void e_rdba_outside(struct hctx *c)
{
	rx_ring(c, outside(c), 4096, 1);
}

static void e_rdlen_odd(struct hctx *c)
{
	rx_ring(c, OWN, 200, 1);
}

static void e_rdt_past(struct hctx *c)
{
	rx_ring(c, OWN, E1000_RING * 16, 1000);
}

/* ---- bad TX descriptors: that frame is dropped, DD written back, the ring goes on ---- */

static void tx_bad_desc(struct hctx *c, uint64_t addr, uint16_t len)
{
	unsigned slot;
	bool dd;

	if (he_up(c))
		return;
	if (addr == OWN)
		addr = (uint64_t)he_nic.tx_bufs;
	slot = he_nic.tx_tail;
	he_nic.tx[slot].addr = addr;
	he_nic.tx[slot].length = len;
	he_nic.tx[slot].cmd_or_csum_hi = CMD_EOP | CMD_IFCS | CMD_RS;
	he_nic.tx[slot].status = 0;
	he_nic.tx_tail = (uint16_t)((slot + 1) % E1000_RING);
	e1000_tx_kick(&he_nic);
	dd = he_wait_dd(c, slot, 1000);
	hx_metric(c, "addr=0x%lx len=%u dd=%u tdh=%u", addr, len, dd, rd(TDH));
	if (!dd)
		hx_fail(c, "no DD written back for the bad descriptor");
	hx_still_works(c);
}

static void e_tx_huge(struct hctx *c)
{
	tx_bad_desc(c, OWN, 0xffff);
}

static void e_tx_straddle(struct hctx *c)
{
	tx_bad_desc(c, c->ram_end - 8, 64);
}

static void e_tx_hole(struct hctx *c)
{
	hx_metric(c, "straddles_hole=%u", c->bi->mem_size >= BOOT_RAM_MAX);
	tx_bad_desc(c, BOOT_RAM_MAX - 8, 64);
}

static void e_tx_wrap(struct hctx *c)
{
	tx_bad_desc(c, ~0ull - 15, 64);
}

static void e_tx_no_eop(struct hctx *c)
{
	uint64_t t0;
	bool dd;

	if (he_up(c))
		return;
	for (unsigned i = 0; i < E1000_RING; i++) {
		he_nic.tx[i].length = 16; /* 257 stay under the frame size limit: the ring check must catch it */
		he_nic.tx[i].cmd_or_csum_hi = CMD_RS; /* no EOP anywhere */
		he_nic.tx[i].status = 0;
	}
	wr(TDT, E1000_RING - 1);
	t0 = rdtsc();
	while (rd(TDH) != E1000_RING - 1 && rdtsc() - t0 < hx_cycles(c, 1000))
		;
	he_nic.tx[E1000_RING - 1].status = 0;
	he_nic.tx[0].status = 0;
	/* Two more: the chain now spans more descriptors than the ring holds. */
	wr(TDT, 1);
	dd = he_wait_dd(c, 0, 1000);
	hx_metric(c, "tdh=%u dd=%u", rd(TDH), dd);
	if (!dd)
		hx_fail(c, "no DD written back on the second round of the EOP-less chain");
	hx_reset_works(c);
}

/* RX descriptors with buffers outside RAM: our own frame comes back (loopback) and must be dropped, RXE. */
static void e_rx_buf_outside(struct hctx *c)
{
	uint64_t t0;
	uint8_t st = 0, er = 0;

	if (!hx_need_loopback(c) || he_up(c))
		return;
	for (unsigned i = 0; i < E1000_RING; i++) {
		he_nic.rx[i].addr = i & 1 ? BOOT_RAM_MAX - 8 : outside(c);
		he_nic.rx[i].status = 0;
	}
	if (he_good(c))
		return;
	t0 = rdtsc();
	while (!((st = he_nic.rx[0].status) & DESC_DD) && rdtsc() - t0 < hx_cycles(c, 1000))
		asm volatile("pause");
	er = he_nic.rx[0].css_or_errors;
	hx_metric(c, "rx_status=0x%x rx_errors=0x%x", st, er);
	if (!(st & DESC_DD))
		hx_fail(c, "the looped-back frame never reached the RX descriptor");
	else if (!(er & RX_ERR_RXE))
		hx_fail(c, "a frame into a buffer outside RAM came back without RXE");
	hx_reset_works(c);
}

/*
 * TSO with an MSS of 1: one 32-byte descriptor pair asks for 65000 segments.
 * `frames` such bursts are queued and one TDT write hands them over.  The TX
 * path runs inside that write, but only up to a work budget: the device's
 * worker finishes the ring, so the vCPU thread is back in the guest (and the
 * VMM can be stopped) long before the ring is done.  tdt_write_us says how
 * long the write took; every burst must still complete (DD on the last).
 */
static void tso_burst(struct hctx *c, unsigned frames, uint16_t mss)
{
	volatile uint8_t *d;
	uint64_t t0, dt;
	unsigned slot = 0;
	bool dd_at_once, done;
	uint32_t paylen = 65000, len = 54 + paylen;
	uint8_t *hdr;

	if (he_up(c))
		return;
	hdr = he_nic.tx_bufs; /* one buffer for every burst: an Ethernet/IPv4/TCP header, then payload */
	memset(hdr, 0, 54);
	hdr[12] = 0x08;
	hdr[14] = 0x45;
	hdr[23] = 6;
	hdr[46] = 0x50;
	for (unsigned f = 0; f < frames; f++) {
		d = (volatile uint8_t *)&he_nic.tx[slot];
		for (unsigned i = 0; i < 16; i++)
			d[i] = 0;
		d[0] = 14;                  /* IPCSS */
		d[1] = 24;                  /* IPCSO */
		d[4] = 34;                  /* TUCSS */
		d[5] = 50;                  /* TUCSO */
		d[8] = (uint8_t)paylen;
		d[9] = (uint8_t)(paylen >> 8);
		d[10] = (uint8_t)((paylen >> 16) & 0xf);     /* DTYP 0: context */
		d[11] = 0x20 | 0x04 | 0x02 | 0x01;          /* DEXT, TSE, IP, TCP */
		d[13] = 54;                 /* HDRLEN */
		d[14] = (uint8_t)mss;
		d[15] = (uint8_t)(mss >> 8);
		slot++;
		d = (volatile uint8_t *)&he_nic.tx[slot];
		for (unsigned i = 0; i < 8; i++)
			d[i] = (uint8_t)((uint64_t)hdr >> (8 * i));
		d[8] = (uint8_t)len;
		d[9] = (uint8_t)(len >> 8);
		d[10] = (uint8_t)(0x10 | ((len >> 16) & 0xf));  /* DTYP 1: data */
		d[11] = 0x20 | 0x04 | CMD_EOP | CMD_RS;          /* DEXT, TSE, EOP, RS */
		d[12] = 0;
		d[13] = 0;
		slot++;
	}
	he_nic.tx_tail = (uint16_t)slot;
	t0 = rdtsc();
	e1000_tx_kick(&he_nic);
	dt = rdtsc() - t0;
	dd_at_once = (he_nic.tx[slot - 1].status & DESC_DD) != 0;
	done = he_wait_dd(c, slot - 1, 30000);
	hx_metric(c, "bursts=%u mss=%u tdt_write_us=%lu done_in_write=%u done_us=%lu", frames, mss,
		  hx_us(c, dt), dd_at_once, hx_us(c, rdtsc() - t0));
	if (!done)
		hx_fail(c, "the TSO bursts were never all sent (no DD on the last descriptor)");
	hx_reset_works(c);
}

static void e_tso_tiny_mss(struct hctx *c)
{
	tso_burst(c, 1, 1);
}

static void e_tso_ring(struct hctx *c)
{
	tso_burst(c, 16, 1);
}

const struct attack he_attacks[] = {
	{ "e1000-tdba-outside", HD_E1000, e_tdba_outside },
	{ "e1000-tdba-wrap", HD_E1000, e_tdba_wrap },
	{ "e1000-tdlen-odd", HD_E1000, e_tdlen_odd },
	{ "e1000-tdt-past", HD_E1000, e_tdt_past },
	{ "e1000-tx-huge", HD_E1000, e_tx_huge },
	{ "e1000-tx-straddle", HD_E1000, e_tx_straddle },
	{ "e1000-tx-hole", HD_E1000, e_tx_hole },
	{ "e1000-tx-wrap", HD_E1000, e_tx_wrap },
	{ "e1000-tx-no-eop", HD_E1000, e_tx_no_eop },
	{ "e1000-rdba-outside", HD_E1000, e_rdba_outside },
	{ "e1000-rdlen-odd", HD_E1000, e_rdlen_odd },
	{ "e1000-rdt-past", HD_E1000, e_rdt_past },
	{ "e1000-rx-buf-outside", HD_E1000, e_rx_buf_outside },
	{ "e1000-tso-tiny-mss", HD_E1000, e_tso_tiny_mss },
	{ "e1000-tso-ring", HD_E1000, e_tso_ring },
};
const unsigned he_nattacks = sizeof(he_attacks) / sizeof(he_attacks[0]);
