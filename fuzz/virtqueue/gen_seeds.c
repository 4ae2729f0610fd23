// SPDX-License-Identifier: MIT
/*
 * Writes the seed inputs of the virtqueue harness (fuzz/virtqueue/seeds/):
 * well-formed requests of each kind and the hostile chains of
 * tests/unit/test_virtqueue.c, test_virtio_net.c and test_virtio_blk.c, in
 * the harness's input format (see harness.c).  Run once by hand:
 *   cc -o /tmp/gen fuzz/virtqueue/gen_seeds.c && /tmp/gen fuzz/virtqueue/seeds
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { OP_DESC, OP_CHAIN, OP_PUBLISH, OP_AVAIL_IDX, OP_RING_FLAGS, OP_POKE, OP_KICK, OP_FRAME, OP_SEND_MODE,
       OP_RESET };
enum { F_EVENT = 1, F_IND = 2, F_MRG = 4, F_CSUM = 8, F_GCSUM = 16, F_NOV1 = 32 };
/* rig_gpa kinds */
enum { A_BUF, A_LOWEND, A_HIGH, A_HIGHEND, A_IND, A_RING, A_RAW32 };

static uint8_t buf[4096];
static size_t n;

static void u8(unsigned v) { buf[n++] = (uint8_t)v; }
static void u16(unsigned v) { u8(v & 0xff), u8(v >> 8); }
static void u32(uint32_t v) { u16(v & 0xffff), u16(v >> 16); }
static void gpa(unsigned kind, uint32_t v)
{
	if (v > 0xffff) {
		u8(kind | 0x80), u32(v);
	} else {
		u8(kind), u16(v);
	}
}

/* mode: device (0 net RX, 1 net TX, 2 blk, 3 blk read-only) | backend header << 2 */
static void head(unsigned mode, unsigned feat, unsigned qlog, unsigned lay, unsigned at)
{
	n = 0;
	u8(mode), u8(feat), u8(qlog), u8(lay), u16(at);
}

static void desc(unsigned table, unsigned idx, unsigned kind, uint32_t v, uint32_t len, unsigned flags,
		 unsigned next)
{
	u8(OP_DESC), u8(table), u16(idx), gpa(kind, v);
	if (len > 0xffff) {
		u8(1), u32(len);
	} else {
		u8(0), u16(len);
	}
	u8(flags), u16(next);
}

static void chain(unsigned table, unsigned cnt, unsigned nout, unsigned idx, unsigned seg, unsigned kind, uint32_t v)
{
	u8(OP_CHAIN), u8(table), u8(cnt - 1), u8(nout), u16(idx), u16(seg), gpa(kind, v);
}

static void publish(unsigned h) { u8(OP_PUBLISH), u16(h); }
static void kick(void) { u8(OP_KICK); }
static void poke(unsigned kind, uint32_t v, const void *p, unsigned len)
{
	u8(OP_POKE), gpa(kind, v), u8(len);
	memcpy(buf + n, p, len);
	n += len;
}

static void frame(unsigned len, unsigned flags, unsigned gso, unsigned cstart, unsigned coff)
{
	u8(OP_FRAME), u16(len), u8(flags), u8(gso), u16(0), u16(0), u16(cstart), u16(coff);
}

static void blkhdr(unsigned at, uint32_t type, uint64_t sector)
{
	uint8_t h[16] = { 0 };

	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	poke(A_BUF, at, h, 16);
}

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
		perror(path);
		return;
	}
}

/* A blk request: header, one data segment, status, with the data readable or writable. */
static void blk_req(unsigned type, unsigned sector, unsigned datalen, unsigned d0)
{
	blkhdr(0, type, sector);
	desc(0, d0, A_BUF, 0, 16, 1, d0 + 1);
	desc(0, d0 + 1, A_BUF, 0x1000, datalen, 1 | (type == 0 || type == 8 ? 2 : 0), d0 + 2);
	desc(0, d0 + 2, A_BUF, 0x3000, 1, 2, 0);
	publish(d0);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fuzz/virtqueue/seeds";
	struct { unsigned table, idx; } t = { 1, 0 };

	/* net TX: header + frame in two readable buffers, EVENT_IDX */
	head(1, F_EVENT | F_IND, 4, 0, 0);
	chain(0, 2, 2, 0, 64, A_BUF, 0);
	publish(0);
	kick();
	save(dir, "net-tx");

	/* net TX through an indirect table, the used index about to wrap */
	head(1, F_IND, 8, 0, 0xfffe);
	desc(0, 3, A_IND, 0, 48, 4, 0);
	chain(1, 3, 3, 0, 40, A_HIGH, 0);
	publish(3);
	publish(3);
	kick();
	save(dir, "net-tx-indirect-wrap");

	/* net TX with a partial checksum over a vnet-header backend, CSUM negotiated */
	head(1 | 1 << 2, F_CSUM | F_EVENT, 5, 1, 0);
	{
		uint8_t h[12] = { 1, 0, 0, 0, 0, 0, 34, 0, 16, 0, 0, 0 };

		poke(A_BUF, 0, h, 12);
	}
	desc(0, 0, A_BUF, 0, 12 + 60, 0, 0);
	publish(0);
	kick();
	save(dir, "net-tx-csum");

	/* net RX, one frame per chain */
	head(0, 0, 4, 0, 0);
	frame(100, 0, 0, 0, 0);
	frame(60, 0, 0, 0, 0);
	chain(0, 1, 0, 0, 2048, A_BUF, 0);
	chain(0, 2, 0, 1, 1024, A_BUF, 0x1000);
	publish(0);
	publish(1);
	kick();
	save(dir, "net-rx");

	/* net RX mergeable: a 3000-byte frame over three 1 KiB buffers, NEEDS_CSUM from a 12-byte-header backend */
	head(0 | 1 << 2, F_MRG | F_GCSUM | F_EVENT, 4, 0, 0);
	frame(3000, 1, 0, 34, 16);
	for (unsigned i = 0; i < 3; i++) {
		chain(0, 1, 0, i, 1024, A_BUF, 0x400 * i);
		publish(i);
	}
	kick();
	save(dir, "net-rx-mrg");

	/* net RX mergeable, a frame near 64 KiB waiting for more buffers, checksum completed by the device */
	head(0 | 2 << 2, F_MRG, 6, 0, 0);
	frame(0xf000 | 10, 1, 0, 14, 6);
	chain(0, 1, 0, 0, 0x8000, A_BUF, 0);
	publish(0);
	kick();
	chain(0, 1, 0, 1, 0x8000, A_BUF, 0x8000);
	publish(1);
	kick();
	save(dir, "net-rx-mrg-big");

	/* blk: write sector 2, read it back, flush, GET_ID */
	head(2, F_EVENT, 5, 0, 0);
	blk_req(1, 2, 512, 0);
	kick();
	blk_req(0, 2, 512, 3);
	blk_req(4, 0, 0, 6);
	blk_req(8, 0, 20, 9);
	kick();
	save(dir, "blk-rw");

	/* blk read-only image: the write is refused, past-capacity and odd lengths too */
	head(3, F_IND, 3, 0, 0);
	blk_req(1, 0, 512, 0);
	blk_req(0, 127, 1024, 3);
	blk_req(0, 0, 100, 6 & 7);
	kick();
	save(dir, "blk-ro-errors");

	/* blk request through an indirect table in high RAM, and a data buffer ending at the end of low RAM */
	head(2, F_IND | F_EVENT, 4, 1, 0);
	blkhdr(0, 0, 1);
	desc(0, 0, A_IND, 0, 48, 4, 0);
	desc(t.table, 0, A_BUF, 0, 16, 1, 1);
	desc(t.table, 1, A_LOWEND, 511, 512, 3, 2);
	desc(t.table, 2, A_HIGHEND, 0, 1, 2, 0);
	publish(0);
	kick();
	save(dir, "blk-indirect-ends");

	/* hostile (as in test_virtqueue.c): a loop, a head out of range, avail idx far ahead, nested indirect */
	head(1, F_IND, 3, 0, 0);
	desc(0, 0, A_BUF, 0, 64, 1, 1);
	desc(0, 1, A_BUF, 64, 64, 1, 0);
	publish(0);
	kick();
	save(dir, "bad-loop");
	head(1, 0, 3, 0, 0);
	publish(200);
	kick();
	save(dir, "bad-head");
	head(2, 0, 3, 0, 0);
	u8(OP_AVAIL_IDX), u16(0xffff);
	kick();
	save(dir, "bad-avail-idx");
	head(1, F_IND, 3, 0, 0);
	desc(0, 0, A_IND, 0, 32, 4, 0);
	desc(1, 0, A_IND, 0x100, 32, 4, 0);
	publish(0);
	kick();
	save(dir, "bad-nested-indirect");
	/* indirect length 16400: a multiple of 16, over the limit (the message once called it not one) */
	head(1, F_IND, 3, 0, 0);
	desc(0, 0, A_IND, 0, 16400, 4, 0);
	publish(0);
	kick();
	save(dir, "bad-indirect-len");
	/* a buffer past the end of high RAM, then a reset and a good chain */
	head(1, 0, 3, 0, 0);
	desc(0, 0, A_HIGHEND, 10, 64, 0, 0);
	publish(0);
	kick();
	u8(OP_RESET);
	chain(0, 2, 2, 0, 64, A_BUF, 0);
	publish(0);
	kick();
	save(dir, "bad-past-ram-then-reset");
	/* rings on each other (used on avail): refused at set-up */
	head(1, 0, 3, 2, 0);
	gpa(A_RING, 0), gpa(A_RING, 0x1000), gpa(A_RING, 0x1000);
	save(dir, "bad-overlap");
	/* notification suppression: NO_INTERRUPT flag, used_event */
	head(1, F_EVENT, 3, 0, 0);
	u8(OP_RING_FLAGS), u16(1), u16(5);
	chain(0, 2, 2, 0, 64, A_BUF, 0);
	publish(0);
	kick();
	u8(OP_SEND_MODE), u8(1);
	publish(0);
	kick();
	save(dir, "event-idx-suppress");
	/* RX chain too small for the header */
	head(0, 0, 3, 0, 0);
	frame(60, 0, 0, 0, 0);
	chain(0, 1, 0, 0, 8, A_BUF, 0);
	publish(0);
	kick();
	save(dir, "bad-rx-short");
	return 0;
}
