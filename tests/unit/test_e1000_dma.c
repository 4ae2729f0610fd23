// SPDX-License-Identifier: MIT
/*
 * Unit tests for the e1000 descriptor rings (devices/e1000/e1000_tx.c,
 * e1000_rx.c): legacy and context+data TX with checksum insertion and TSO,
 * DD writeback and TDH, multi-descriptor frames; RX into descriptors with
 * DD/EOP/length, the FCS, frames spanning buffers, address filtering, the
 * no-descriptor case, the RX thread; and hostile rings, lengths and
 * buffer addresses.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "tests/unit/e1000_fixture.h"
#include "devices/e1000/e1000_priv.h"   /* e1000_le16, e1000_crc32 */

#define TXR 0x1000u
#define RXR 0x2000u
#define BUF 0x10000u


static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void tx_setup(struct fx *x, unsigned ndesc)
{
	wr(x, E1000_TDBAL, TXR);
	wr(x, E1000_TDBAH, 0);
	wr(x, E1000_TDLEN, ndesc * 16);
	wr(x, E1000_TDH, 0);
	wr(x, E1000_TDT, 0);
	wr(x, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
}

static uint8_t *legacy(struct fx *x, unsigned i, uint64_t addr, uint16_t len, uint8_t cmd, uint8_t cso, uint8_t css)
{
	uint8_t *d = gpa(x, TXR + 16 * i);

	memset(d, 0, 16);
	put64(d, addr);
	d[8] = (uint8_t)len;
	d[9] = (uint8_t)(len >> 8);
	d[10] = cso;
	d[11] = cmd;
	d[13] = css;
	return d;
}

static uint8_t *data_desc(struct fx *x, unsigned i, uint64_t addr, uint32_t len, uint8_t dcmd, uint8_t popts)
{
	uint8_t *d = gpa(x, TXR + 16 * i);
	uint32_t w = (len & 0xFFFFF) | E1000_TXD_DTYP_DATA << 20 | (uint32_t)(dcmd | E1000_TXD_CMD_DEXT) << 24;

	memset(d, 0, 16);
	put64(d, addr);
	memcpy(d + 8, &w, 4);
	d[13] = popts;
	return d;
}

static void ctx_desc(struct fx *x, unsigned i, uint8_t ipcss, uint8_t ipcso, uint16_t ipcse, uint8_t tucss,
		     uint8_t tucso, uint16_t tucse, uint8_t tucmd, uint32_t paylen, uint8_t hdrlen, uint16_t mss)
{
	uint8_t *d = gpa(x, TXR + 16 * i);
	uint32_t w = (paylen & 0xFFFFF) | E1000_TXD_DTYP_CTX << 20 | (uint32_t)(tucmd | E1000_TXD_CMD_DEXT) << 24;

	memset(d, 0, 16);
	d[0] = ipcss;
	d[1] = ipcso;
	memcpy(d + 2, &ipcse, 2);
	d[4] = tucss;
	d[5] = tucso;
	memcpy(d + 6, &tucse, 2);
	memcpy(d + 8, &w, 4);
	d[13] = hdrlen;
	memcpy(d + 14, &mss, 2);
}

/* Folded ones'-complement sum, not complemented. */
static uint16_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ethernet + IPv4 + TCP (or UDP) with `pay` payload bytes; checksum fields zero. */
static size_t make_ip_frame(uint8_t *f, size_t pay, bool tcp)
{
	size_t l4 = tcp ? 20 : 8, len = 14 + 20 + l4 + pay;

	memset(f, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(f + 6, fx_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[18] = 0x12;
	f[19] = 0x34;
	f[22] = 64;
	f[23] = tcp ? 6 : 17;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f[34] = 0x30;
	f[35] = 0x39;
	f[37] = 80;
	if (tcp) {
		memcpy(f + 38, "\x00\x00\x10\x00", 4);   /* seq 4096 */
		f[46] = 0x50;
		f[47] = 0x19;                            /* FIN | PSH | ACK */
		f[48] = 0xff;
	} else {
		f[38] = (uint8_t)((8 + pay) >> 8);
		f[39] = (uint8_t)(8 + pay);
	}
	for (size_t i = 14 + 20 + l4; i < len; i++)
		f[i] = (uint8_t)(i * 7);
	return len;
}

static uint32_t pseudo(const uint8_t *f, uint8_t proto, size_t l4len)
{
	return (uint32_t)sum16(f + 26, 8, 0) + proto + (uint32_t)l4len;
}

static void test_tx_legacy(void **state)
{
	struct fx *x = fx_new();
	uint8_t *d;
	(void)state;

	tx_setup(x, 8);
	wr(x, E1000_IMS, E1000_ICR_TXDW);
	for (int i = 0; i < 64; i++)
		gpa(x, BUF)[i] = (uint8_t)(i + 1);
	d = legacy(x, 0, BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 1);
	assert_int_equal(x->be->nsent, 1);
	assert_int_equal(x->be->sent_len[0], 64);
	assert_memory_equal(x->be->sent[0], gpa(x, BUF), 64);
	assert_true(d[12] & E1000_TXD_STA_DD);
	assert_int_equal(rd(x, E1000_TDH), 1);
	assert_true(x->level);
	assert_int_equal(rd(x, E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
	assert_int_equal(metric(x, "tx_frames"), 1);
	assert_int_equal(metric(x, "tx_bytes"), 64);
	assert_int_equal(metric(x, "tx_descriptors"), 1);
	assert_int_equal(metric(x, "tdt_writes"), 2);
	assert_int_equal(rd(x, E1000_TPT), 1);
	assert_int_equal(rd(x, E1000_GPTC), 1);
	assert_int_equal(rd(x, E1000_GOTCL), 68);
	assert_int_equal(rd(x, E1000_PTC127), 1);

	/* without RS no DD is written; short frames are padded (TCTL.PSP) */
	d = legacy(x, 1, BUF, 20, E1000_TXD_CMD_EOP, 0, 0);
	wr(x, E1000_TDT, 2);
	assert_int_equal(x->be->nsent, 2);
	assert_int_equal(x->be->sent_len[1], 60);
	assert_memory_equal(x->be->sent[1], gpa(x, BUF), 20);
	assert_int_equal(x->be->sent[1][59], 0);
	assert_false(d[12] & E1000_TXD_STA_DD);

	/* TCTL.EN off: TDT moves, nothing is sent until EN comes back */
	wr(x, E1000_TCTL, 0);
	legacy(x, 2, BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 3);
	assert_int_equal(x->be->nsent, 2);
	assert_int_equal(rd(x, E1000_TDH), 2);
	wr(x, E1000_TCTL, E1000_TCTL_EN);
	assert_int_equal(x->be->nsent, 3);
	assert_int_equal(rd(x, E1000_TDH), 3);
	fx_free(x);
}

static void test_tx_multi_descriptor(void **state)
{
	struct fx *x = fx_new();
	uint8_t want[300];
	(void)state;

	tx_setup(x, 8);
	for (int i = 0; i < 300; i++)
		want[i] = (uint8_t)(i * 13);
	/* three pieces, the frame spread over two TDT writes and the ring's wrap */
	wr(x, E1000_TDH, 6);
	wr(x, E1000_TDT, 6);
	memcpy(gpa(x, BUF), want, 100);
	memcpy(gpa(x, BUF + 0x1000), want + 100, 150);
	memcpy(gpa(x, BUF + 0x2000), want + 250, 50);
	legacy(x, 6, BUF, 100, E1000_TXD_CMD_RS, 0, 0);
	legacy(x, 7, BUF + 0x1000, 150, 0, 0, 0);
	legacy(x, 0, BUF + 0x2000, 50, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 0);
	assert_int_equal(x->be->nsent, 0);
	assert_int_equal(rd(x, E1000_TDH), 0);
	assert_true(gpa(x, TXR + 16 * 6)[12] & E1000_TXD_STA_DD);
	wr(x, E1000_TDT, 1);
	assert_int_equal(x->be->nsent, 1);
	assert_int_equal(x->be->sent_len[0], 300);
	assert_memory_equal(x->be->sent[0], want, 300);
	assert_true(gpa(x, TXR)[12] & E1000_TXD_STA_DD);
	assert_int_equal(metric(x, "tx_descriptors"), 3);
	fx_free(x);
}

static void test_tx_checksum_offload(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[200];
	size_t len;
	uint8_t *out;
	(void)state;

	tx_setup(x, 8);
	/* TCP/IPv4: the driver seeds the TCP field with the pseudo-header sum and zeroes the IP one */
	len = make_ip_frame(f, 100, true);
	{
		uint16_t seed = sum16(NULL, 0, pseudo(f, 6, len - 34));

		f[50] = (uint8_t)(seed >> 8);
		f[51] = (uint8_t)seed;
	}
	memcpy(gpa(x, BUF), f, 40);
	memcpy(gpa(x, BUF + 0x1000), f + 40, len - 40);
	ctx_desc(x, 0, 14, 24, 33, 34, 50, 0, E1000_TUCMD_TCP | E1000_TUCMD_IP, 0, 0, 0);
	data_desc(x, 1, BUF, 40, E1000_TXD_CMD_RS, E1000_POPTS_IXSM | E1000_POPTS_TXSM);
	data_desc(x, 2, BUF + 0x1000, (uint32_t)(len - 40), E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	wr(x, E1000_TDT, 3);
	assert_int_equal(x->be->nsent, 1);
	out = x->be->sent[0];
	assert_int_equal(x->be->sent_len[0], len);
	assert_int_equal(sum16(out + 14, 20, 0), 0xFFFF);                       /* IP header valid */
	assert_int_equal(sum16(out + 34, len - 34, pseudo(out, 6, len - 34)), 0xFFFF); /* TCP valid */
	assert_memory_equal(out + 54, f + 54, len - 54);
	assert_true(gpa(x, TXR + 16)[12] & E1000_TXD_STA_DD);
	assert_true(gpa(x, TXR + 32)[12] & E1000_TXD_STA_DD);

	/* UDP through a legacy descriptor: IC, CSS 34, CSO 40 */
	len = make_ip_frame(f, 33, false);
	{
		uint16_t seed = sum16(NULL, 0, pseudo(f, 17, len - 34));

		f[40] = (uint8_t)(seed >> 8);
		f[41] = (uint8_t)seed;
	}
	memcpy(gpa(x, BUF), f, len);
	legacy(x, 3, BUF, (uint16_t)len, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IC, 40, 34);
	wr(x, E1000_TDT, 4);
	assert_int_equal(x->be->nsent, 2);
	out = x->be->sent[1];
	assert_int_equal(sum16(out + 34, len - 34, pseudo(out, 17, len - 34)), 0xFFFF);
	assert_int_not_equal(be16(out + 40), 0);
	/* the context stays: a data descriptor alone with TXSM uses it */
	len = make_ip_frame(f, 10, true);
	{
		uint16_t seed = sum16(NULL, 0, pseudo(f, 6, len - 34));

		f[50] = (uint8_t)(seed >> 8);
		f[51] = (uint8_t)seed;
	}
	memcpy(gpa(x, BUF), f, len);
	data_desc(x, 4, BUF, (uint32_t)len, E1000_TXD_CMD_EOP, E1000_POPTS_TXSM);
	wr(x, E1000_TDT, 5);
	out = x->be->sent[2];
	assert_int_equal(sum16(out + 34, len - 34, pseudo(out, 6, len - 34)), 0xFFFF);
	assert_int_equal(be16(out + 24), 0);        /* no IXSM: the IP field left alone */
	fx_free(x);
}

static void test_tx_tso(void **state)
{
	static uint8_t f[4000];
	struct fx *x = fx_new();
	size_t len, pay = 2500, mss = 1000;
	(void)state;

	tx_setup(x, 8);
	len = make_ip_frame(f, pay, true);
	{
		/* TSO: the seed is the pseudo-header sum without the length */
		uint16_t seed = sum16(NULL, 0, pseudo(f, 6, 0));

		f[50] = (uint8_t)(seed >> 8);
		f[51] = (uint8_t)seed;
	}
	memcpy(gpa(x, BUF), f, len);
	ctx_desc(x, 0, 14, 24, 33, 34, 50, 0, E1000_TUCMD_TCP | E1000_TUCMD_IP | E1000_TXD_CMD_TSE,
		 (uint32_t)pay, 54, (uint16_t)mss);
	data_desc(x, 1, BUF, 54, E1000_TXD_CMD_TSE, E1000_POPTS_IXSM | E1000_POPTS_TXSM);
	data_desc(x, 2, BUF + 54, (uint32_t)pay, E1000_TXD_CMD_TSE | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	wr(x, E1000_TDT, 3);
	assert_int_equal(x->be->nsent, 3);
	for (unsigned k = 0; k < 3; k++) {
		uint8_t *o = x->be->sent[k];
		size_t chunk = k < 2 ? mss : pay - 2 * mss, sl = 54 + chunk;
		uint32_t seq = (uint32_t)o[38] << 24 | (uint32_t)o[39] << 16 | (uint32_t)o[40] << 8 | o[41];

		assert_int_equal(x->be->sent_len[k], sl);
		assert_int_equal(be16(o + 16), sl - 14);
		assert_int_equal(be16(o + 18), 0x1234 + k);
		assert_int_equal(seq, 4096 + k * mss);
		assert_int_equal(o[47], k < 2 ? 0x10 : 0x19);   /* FIN/PSH only on the last */
		assert_int_equal(sum16(o + 14, 20, 0), 0xFFFF);
		assert_int_equal(sum16(o + 34, sl - 34, pseudo(o, 6, sl - 34)), 0xFFFF);
		assert_memory_equal(o + 54, f + 54 + k * mss, chunk);
	}
	assert_int_equal(rd(x, E1000_TSCTC), 1);
	assert_int_equal(rd(x, E1000_TPT), 3);
	fx_free(x);
}

/*
 * TSO with an MSS of 1 turns a 32-byte descriptor pair into ~16 Ki segments:
 * a ring of such bursts handed over by one TDT write must not keep the vCPU
 * thread inside that write for as long as the whole ring takes (on a big ring,
 * minutes, and `--timeout` cannot stop a vCPU that is not in KVM_RUN).  The
 * pass stops at its work budget, TDH says how far it got, and the device's
 * worker (e1000_tx_resume) finishes the rest.
 */
static void test_tx_budget(void **state)
{
	static uint8_t f[16100];
	const unsigned bursts = 12, pay = 16000;
	struct fx *x = fx_new();
	uint64_t sent, total = (uint64_t)bursts * pay;
	size_t len;
	unsigned rounds = 0;
	(void)state;

	tx_setup(x, 2 * bursts + 8);
	len = make_ip_frame(f, pay, true);
	memcpy(gpa(x, BUF), f, len);
	for (unsigned b = 0; b < bursts; b++) {
		uint8_t tso = E1000_TXD_CMD_TSE;

		ctx_desc(x, 2 * b, 14, 24, 33, 34, 50, 0, E1000_TUCMD_TCP | E1000_TUCMD_IP | tso, pay, 54, 1);
		data_desc(x, 2 * b + 1, BUF, (uint32_t)len, tso | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	}
	assert_true(total > 2 * E1000_TX_PASS_FRAMES);
	wr(x, E1000_TDT, 2 * bursts);
	sent = metric(x, "tx_frames") + metric(x, "tx_dropped_frames");
	/* The budget, plus at most the frame that crossed it. */
	assert_true(sent >= E1000_TX_PASS_FRAMES);
	assert_true(sent <= E1000_TX_PASS_FRAMES + pay);
	assert_true(rd(x, E1000_TDH) < 2 * bursts);
	assert_false(gpa(x, TXR + 16 * (2 * bursts - 1))[12] & E1000_TXD_STA_DD);
	/* The worker carries on, a budget at a time, until the ring is done. */
	while (e1000_tx_resume(&x->e) && rounds < 100)
		rounds++;
	assert_true(rounds >= 1);
	assert_int_equal(metric(x, "tx_frames") + metric(x, "tx_dropped_frames"), total);
	assert_int_equal(rd(x, E1000_TDH), 2 * bursts);
	assert_true(gpa(x, TXR + 16 * (2 * bursts - 1))[12] & E1000_TXD_STA_DD);
	assert_false(e1000_tx_resume(&x->e));
	/* Ordinary traffic stays inside its TDT write. */
	legacy(x, 2 * bursts, BUF, 60, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 2 * bursts + 1);
	assert_true(gpa(x, TXR + 16 * (2 * bursts))[12] & E1000_TXD_STA_DD);
	assert_false(e1000_tx_resume(&x->e));
	fx_free(x);
}

static void test_tx_hostile(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	/* ring outside RAM: stopped, counted, TDH untouched, no crash */
	wr(x, E1000_TDBAL, FX_RAM - 64);
	wr(x, E1000_TDLEN, 128);
	wr(x, E1000_TCTL, E1000_TCTL_EN);
	wr(x, E1000_TDT, 3);
	assert_int_equal(rd(x, E1000_TDH), 0);
	assert_int_equal(metric(x, "ring_errors"), 1);
	wr(x, E1000_TDT, 4);                       /* stays stopped, no new diagnostic */
	assert_int_equal(metric(x, "ring_errors"), 1);
	wr(x, E1000_TDBAH, 1);                     /* above 4 GiB, no high RAM */
	wr(x, E1000_TDBAL, 0);
	wr(x, E1000_TDT, 1);
	assert_int_equal(metric(x, "ring_errors"), 2);

	/* TDLEN not a multiple of 128 (the register keeps bits 19:7, so 0 after masking) */
	tx_setup(x, 8);
	wr(x, E1000_TDLEN, 100);
	wr(x, E1000_TDT, 1);
	assert_int_equal(rd(x, E1000_TDH), 0);
	assert_int_equal(metric(x, "ring_errors"), 3);

	/* TDT past the ring: ignored, the ring still works afterwards */
	tx_setup(x, 8);
	legacy(x, 0, BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 9);
	assert_int_equal(rd(x, E1000_TDH), 0);
	assert_int_equal(x->be->nsent, 0);
	wr(x, E1000_TDT, 1);
	assert_int_equal(x->be->nsent, 1);

	/* zero-length descriptor with EOP: nothing to send, dropped; DD still written */
	legacy(x, 1, BUF, 0, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 2);
	assert_int_equal(x->be->nsent, 1);
	assert_true(gpa(x, TXR + 16)[12] & E1000_TXD_STA_DD);
	assert_int_equal(metric(x, "tx_dropped_frames"), 1);

	/* huge lengths: legacy 65535 and DTALEN 0xFFFFF */
	legacy(x, 2, BUF, 0xFFFF, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	data_desc(x, 3, BUF, 0xFFFFF, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);
	wr(x, E1000_TDT, 4);
	assert_int_equal(x->be->nsent, 1);
	assert_int_equal(metric(x, "tx_dropped_frames"), 3);
	assert_int_equal(rd(x, E1000_TDH), 4);

	/* a buffer straddling the end of RAM, and one far outside */
	legacy(x, 4, FX_RAM - 10, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	legacy(x, 5, UINT64_MAX - 8, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 6);
	assert_int_equal(x->be->nsent, 1);
	assert_int_equal(metric(x, "tx_dropped_frames"), 5);
	assert_true(gpa(x, TXR + 16 * 5)[12] & E1000_TXD_STA_DD);

	/* a chain without EOP, round and round the ring: dropped once it spans the ring */
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < 8; i++) {
			unsigned slot = (6 + round * 8 + i) % 8;

			legacy(x, slot, BUF, 100, E1000_TXD_CMD_RS, 0, 0);
			wr(x, E1000_TDT, (slot + 1) % 8);
		}
	assert_int_equal(x->be->nsent, 1);
	legacy(x, 6, BUF, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
	wr(x, E1000_TDT, 7);
	assert_int_equal(x->be->nsent, 1);
	assert_int_equal(metric(x, "tx_dropped_frames"), 6);
	/* and the next frame goes out fine */
	legacy(x, 7, BUF, 64, E1000_TXD_CMD_EOP, 0, 0);
	wr(x, E1000_TDT, 0);
	assert_int_equal(x->be->nsent, 2);

	/* unknown extended descriptor type: skipped */
	{
		uint8_t *d = data_desc(x, 0, BUF, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0);

		d[10] = (uint8_t)((d[10] & 0x0F) | 0x70);
		wr(x, E1000_TDT, 1);
		assert_int_equal(x->be->nsent, 2);
		assert_int_equal(rd(x, E1000_TDH), 1);
	}
	fx_free(x);
}

/* RX: 8 descriptors of 2048 bytes (BSIZE 00) at RXR, buffers at BUF + 0x800 * i. */
static void rx_setup(struct fx *x, unsigned ndesc, uint32_t rctl)
{
	for (unsigned i = 0; i < ndesc; i++) {
		memset(gpa(x, RXR + 16 * i), 0, 16);
		put64(gpa(x, RXR + 16 * i), BUF + 0x800 * i);
	}
	wr(x, E1000_RDBAL, RXR);
	wr(x, E1000_RDLEN, ndesc * 16);
	wr(x, E1000_RDH, 0);
	wr(x, E1000_RDT, ndesc - 1);
	wr(x, E1000_RCTL, E1000_RCTL_EN | rctl);
}

static size_t frame_to(uint8_t *f, const uint8_t *dst, size_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x11\x22\x33\x44\x55", 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i ^ 0x5a);
	return len;
}

static void test_rx_basic(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[1514], *d = gpa(x, RXR);
	uint32_t crc;
	(void)state;

	rx_setup(x, 8, E1000_RCTL_BAM | E1000_RCTL_SECRC);
	wr(x, E1000_IMS, E1000_ICR_RXT0);
	frame_to(f, fx_mac, 100);
	assert_int_equal(e1000_rx_frame(&x->e, f, 100), 1);
	assert_int_equal(e1000_le16(d + 8), 100);
	assert_int_equal(d[12] & (E1000_RXD_STA_DD | E1000_RXD_STA_EOP), E1000_RXD_STA_DD | E1000_RXD_STA_EOP);
	assert_int_equal(d[13], 0);
	assert_memory_equal(gpa(x, BUF), f, 100);
	assert_int_equal(rd(x, E1000_RDH), 1);
	assert_true(x->level);
	assert_true(rd(x, E1000_ICR) & E1000_ICR_RXT0);
	assert_int_equal(metric(x, "rx_frames"), 1);
	assert_int_equal(metric(x, "rx_bytes"), 100);

	/* short frames arrive padded to 60 */
	frame_to(f, fx_mac, 42);
	assert_int_equal(e1000_rx_frame(&x->e, f, 42), 1);
	assert_int_equal(e1000_le16(d + 16 + 8), 60);
	assert_memory_equal(gpa(x, BUF + 0x800), f, 42);

	/* without SECRC the FCS is in the buffer and the length */
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
	frame_to(f, fx_mac, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	assert_int_equal(e1000_le16(d + 32 + 8), 68);
	crc = e1000_crc32(f, 64);
	assert_int_equal(e1000_le32(gpa(x, BUF + 0x1000 + 64)), crc);
	/* the reference value of CRC-32 */
	assert_int_equal(e1000_crc32((const uint8_t *)"123456789", 9), 0xCBF43926);
	fx_free(x);
}

static void test_rx_spanning(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[1514];
	(void)state;

	/* BSIZE 11 = 256-byte buffers: a 600-byte frame takes three, EOP on the last */
	rx_setup(x, 8, E1000_RCTL_SECRC | 3u << E1000_RCTL_BSIZE_SHIFT);
	frame_to(f, fx_mac, 600);
	assert_int_equal(e1000_rx_frame(&x->e, f, 600), 1);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *d = gpa(x, RXR + 16 * i);

		assert_true(d[12] & E1000_RXD_STA_DD);
		assert_int_equal(!!(d[12] & E1000_RXD_STA_EOP), i == 2);
		assert_int_equal(e1000_le16(d + 8), i < 2 ? 256 : 88);
		assert_memory_equal(gpa(x, BUF + 0x800 * i), f + 256 * i, i < 2 ? 256 : 88);
	}
	assert_int_equal(rd(x, E1000_RDH), 3);
	/* the next frame needs 3 but only 4 are free (RDT 7): fits; then only 1 is left */
	assert_int_equal(e1000_rx_frame(&x->e, f, 600), 1);
	assert_int_equal(rd(x, E1000_RDH), 6);
	assert_int_equal(e1000_rx_frame(&x->e, f, 600), -EAGAIN);
	assert_int_equal(rd(x, E1000_RDH), 6);
	/* RXDMT0: with RDMTS 1/2, free descriptors fell from 4 to 1 */
	assert_true(rd(x, E1000_ICR) & E1000_ICR_RXDMT0);

	/* over 1522 bytes without LPE: dropped as oversize; with LPE it spans */
	rx_setup(x, 16, E1000_RCTL_SECRC);
	frame_to(f, fx_mac, 1514);
	assert_int_equal(e1000_rx_frame(&x->e, f, 1514), 1);
	{
		static uint8_t big[9000];

		frame_to(big, fx_mac, sizeof(big));
		assert_int_equal(e1000_rx_frame(&x->e, big, sizeof(big)), 0);
		assert_int_equal(rd(x, E1000_ROC), 1);
		wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_LPE);
		assert_int_equal(e1000_rx_frame(&x->e, big, sizeof(big)), 1);
		assert_int_equal(rd(x, E1000_RDH), 1 + 5);
	}
	fx_free(x);
}

static void test_rx_filter(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[64];
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 9 }, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	unsigned h;
	(void)state;

	rx_setup(x, 16, E1000_RCTL_SECRC);
	frame_to(f, other, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);
	assert_int_equal(metric(x, "rx_filtered"), 1);
	frame_to(f, bcast, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);           /* no BAM */
	frame_to(f, mcast, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);           /* MTA empty */
	assert_int_equal(metric(x, "rx_filtered"), 3);
	assert_int_equal(rd(x, E1000_RDH), 0);

	/* a second exact address in RAR[1] */
	wr(x, E1000_RAL(1), 0x00000002);
	wr(x, E1000_RAH(1), 0x0900 | E1000_RAH_AV);
	frame_to(f, other, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	wr(x, E1000_RAH(1), 0x0900);                                 /* not valid any more */
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);
	/* the MTA hash with MO = 00: address bits 47:36 */
	h = ((unsigned)mcast[4] >> 4 | (unsigned)mcast[5] << 4) & 0xFFF;
	wr(x, E1000_MTA + 4 * (h >> 5), 1u << (h & 31));
	frame_to(f, mcast, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	/* the same bit under MO = 01 names another address: filtered */
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | 1u << E1000_RCTL_MO_SHIFT);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);
	/* promiscuous modes and broadcast */
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_UPE | E1000_RCTL_MPE | E1000_RCTL_BAM);
	frame_to(f, other, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	frame_to(f, bcast, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	f[0] = 0x33;
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	assert_int_equal(rd(x, E1000_BPRC), 1);
	assert_int_equal(rd(x, E1000_MPRC), 2);
	/* runts are counted and dropped */
	assert_int_equal(e1000_rx_frame(&x->e, f, 10), 0);
	assert_int_equal(rd(x, E1000_RUC), 1);
	fx_free(x);
}

static void test_rx_vlan(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[100], *d = gpa(x, RXR);
	(void)state;

	rx_setup(x, 8, E1000_RCTL_SECRC);
	frame_to(f, fx_mac, 100);
	f[12] = 0x81; f[13] = 0x00; f[14] = 0x20; f[15] = 0x05;      /* priority 1, VID 5 */
	wr(x, E1000_CTRL, rd(x, E1000_CTRL) | E1000_CTRL_VME);
	assert_int_equal(e1000_rx_frame(&x->e, f, 100), 1);
	assert_true(d[12] & E1000_RXD_STA_VP);
	assert_int_equal(e1000_le16(d + 14), 0x2005);
	assert_int_equal(e1000_le16(d + 8), 96);
	assert_memory_equal(gpa(x, BUF), f, 12);
	assert_memory_equal(gpa(x, BUF + 12), f + 16, 84);
	/* the VLAN filter table: VID 5 not set, filtered; set, accepted */
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_VFE);
	assert_int_equal(e1000_rx_frame(&x->e, f, 100), 0);
	wr(x, E1000_VFTA, 1u << 5);
	assert_int_equal(e1000_rx_frame(&x->e, f, 100), 1);
	fx_free(x);
}

static void test_rx_no_descriptors_and_backend(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[64];
	(void)state;

	rx_setup(x, 8, E1000_RCTL_SECRC);
	wr(x, E1000_RDT, 0);                 /* RDH == RDT: the ring has nothing for the device */
	frame_to(f, fx_mac, 64);
	for (int i = 0; i < 3; i++)
		fx_queue(x->be, f, 64);
	assert_int_equal(e1000_rx_poll(&x->e, 16), 0);
	assert_int_equal(metric(x, "rx_no_descriptors"), 0);     /* not even pulled: not ready */
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), -EAGAIN);
	assert_int_equal(metric(x, "rx_no_descriptors"), 1);
	assert_int_equal(rd(x, E1000_RNBC), 1);
	/* two descriptors: two frames delivered, the third left in the backend */
	wr(x, E1000_RDT, 2);
	assert_int_equal(e1000_rx_poll(&x->e, 16), 2);
	assert_int_equal(rd(x, E1000_RDH), 2);
	assert_int_equal(x->be->rx_head, 2);
	wr(x, E1000_RDT, 5);
	assert_int_equal(e1000_rx_poll(&x->e, 16), 1);
	assert_int_equal(rd(x, E1000_RDH), 3);
	assert_int_equal(metric(x, "rx_frames"), 3);
	/* a frame the backend cannot hand over (too big): dropped, counted, the next one comes */
	fx_queue(x->be, f, 64);
	x->be->rxq_len[(x->be->rx_tail - 1) % FX_FRAMES] = 4000;
	fx_queue(x->be, f, 64);
	assert_int_equal(e1000_rx_poll(&x->e, 16), 1);
	assert_int_equal(metric(x, "rx_dropped_frames"), 1);
	assert_int_equal(rd(x, E1000_ROC), 1);
	assert_int_equal(rd(x, E1000_RDH), 4);
	/* RCTL.EN off: nothing pulled */
	wr(x, E1000_RCTL, 0);
	fx_queue(x->be, f, 64);
	assert_int_equal(e1000_rx_poll(&x->e, 16), 0);
	assert_int_equal(x->be->rx_head, 5);
	fx_free(x);
}

static void test_rx_hostile(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[64], *d = gpa(x, RXR);
	(void)state;

	frame_to(f, fx_mac, 64);
	/* ring outside RAM */
	rx_setup(x, 8, E1000_RCTL_SECRC);
	wr(x, E1000_RDBAL, FX_RAM - 16);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), -EAGAIN);
	assert_int_equal(metric(x, "ring_errors"), 1);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), -EAGAIN);
	assert_int_equal(metric(x, "ring_errors"), 1);
	/* RDLEN not a multiple of 128 */
	rx_setup(x, 8, E1000_RCTL_SECRC);
	wr(x, E1000_RDLEN, 64);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), -EAGAIN);
	assert_int_equal(metric(x, "ring_errors"), 2);
	/* RDT past the ring: ignored until rewritten */
	rx_setup(x, 8, E1000_RCTL_SECRC);
	wr(x, E1000_RDT, 40);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), -EAGAIN);
	assert_int_equal(metric(x, "ring_errors"), 3);
	wr(x, E1000_RDT, 4);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	/* a buffer straddling the end of RAM: that frame is dropped with RXE, the next is fine */
	put64(gpa(x, RXR + 16), FX_RAM - 20);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 0);
	assert_true(d[16 + 12] & E1000_RXD_STA_DD);
	assert_int_equal(d[16 + 13], E1000_RXD_ERR_RXE);
	assert_int_equal(e1000_le16(d + 16 + 8), 0);
	assert_int_equal(e1000_rx_frame(&x->e, f, 64), 1);
	assert_int_equal(rd(x, E1000_RDH), 3);
	assert_int_equal(metric(x, "rx_dropped_frames"), 1);
	fx_free(x);
}

static void test_rx_thread(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[64];
	struct timespec ts = { 0, 2000000 };
	(void)state;

	rx_setup(x, 16, E1000_RCTL_SECRC);
	frame_to(f, fx_mac, 64);
	for (int i = 0; i < 5; i++)
		fx_queue(x->be, f, 64);
	assert_int_equal(e1000_start(&x->e), 0);
	assert_int_equal(e1000_start(&x->e), -EBUSY);
	for (int i = 0; i < 2000 && metric(x, "rx_frames") < 5; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(metric(x, "rx_frames"), 5);
	assert_int_equal(rd(x, E1000_RDH), 5);
	/* more frames after the thread went idle are picked up too */
	fx_queue(x->be, f, 64);
	for (int i = 0; i < 2000 && metric(x, "rx_frames") < 6; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(metric(x, "rx_frames"), 6);
	fx_free(x);                          /* stops and joins the thread */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_legacy),
		cmocka_unit_test(test_tx_multi_descriptor),
		cmocka_unit_test(test_tx_checksum_offload),
		cmocka_unit_test(test_tx_tso),
		cmocka_unit_test(test_tx_budget),
		cmocka_unit_test(test_tx_hostile),
		cmocka_unit_test(test_rx_basic),
		cmocka_unit_test(test_rx_spanning),
		cmocka_unit_test(test_rx_filter),
		cmocka_unit_test(test_rx_vlan),
		cmocka_unit_test(test_rx_no_descriptors_and_backend),
		cmocka_unit_test(test_rx_hostile),
		cmocka_unit_test(test_rx_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
