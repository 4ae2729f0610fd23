// SPDX-License-Identifier: MIT
/*
 * Writes the seed inputs of the virtio_pci harness (fuzz/virtio_pci/seeds/):
 * a driver's whole bring-up of virtio-net and virtio-blk (reset,
 * ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, MSI-X, DRIVER_OK)
 * followed by traffic and a notify, and the hostile sequences of
 * tests/unit/test_virtio_pci.c (features after FEATURES_OK, a queue enabled
 * after DRIVER_OK, rings on each other, status bits cleared, wrong widths).
 * In the harness's input format (see harness.c).  Run once by hand:
 *   cc -o /tmp/gen fuzz/virtio_pci/gen_seeds.c && /tmp/gen fuzz/virtio_pci/seeds
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { OP_BAR_READ, OP_BAR_WRITE, OP_MSIX_READ, OP_MSIX_WRITE, OP_CFG_READ, OP_CFG_WRITE, OP_DESC, OP_CHAIN,
       OP_PUBLISH, OP_POKE, OP_FRAME };
enum { R_COMMON = 0, R_NOTIFY = 3, R_ISR = 4, R_DEVICE = 5 };
enum { A_BUF, A_LOWEND, A_HIGH, A_HIGHEND, A_IND };
#define MSIX_CAP 0x84

static uint8_t buf[8192];
static size_t n;

static void u8(unsigned v) { buf[n++] = (uint8_t)v; }
static void u16(unsigned v) { u8(v & 0xff), u8(v >> 8); }
static void u32(uint32_t v) { u16(v & 0xffff), u16(v >> 16); }
static unsigned code(unsigned sz) { return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : 3; }

static void wr(unsigned region, unsigned off, unsigned sz, uint64_t v)
{
	u8(OP_BAR_WRITE | region << 4), u8(code(sz)), u8(off);
	for (unsigned i = 0; i < sz; i++)
		u8((unsigned)(v >> (8 * i)));
}

static void rd(unsigned region, unsigned off, unsigned sz)
{
	u8(OP_BAR_READ | region << 4), u8(code(sz)), u8(off);
}

static void status(unsigned s) { wr(R_COMMON, 0x14, 1, s); }
static void notify(unsigned q) { wr(R_NOTIFY, 4 * q, 2, q); }
static void cfgw(unsigned off, unsigned sz, uint32_t v) { u8(OP_CFG_WRITE), u8(code(sz)), u8(off), u32(v); }
static void msixw(unsigned off, unsigned sz, uint64_t v)
{
	u8(OP_MSIX_WRITE), u8(code(sz)), u16(off);
	for (unsigned i = 0; i < sz; i++)
		u8((unsigned)(v >> (8 * i)));
}

static void features(uint64_t f)
{
	wr(R_COMMON, 0x08, 4, 0), wr(R_COMMON, 0x0c, 4, (uint32_t)f);
	wr(R_COMMON, 0x08, 4, 1), wr(R_COMMON, 0x0c, 4, f >> 32);
}

static void queue(unsigned q, unsigned size, uint64_t desc, uint64_t avail, uint64_t used, unsigned vec)
{
	wr(R_COMMON, 0x16, 2, q);
	wr(R_COMMON, 0x18, 2, size);
	wr(R_COMMON, 0x1a, 2, vec);
	wr(R_COMMON, 0x20, 8, desc);
	wr(R_COMMON, 0x28, 4, (uint32_t)avail), wr(R_COMMON, 0x2c, 4, avail >> 32);
	wr(R_COMMON, 0x30, 8, used);
	wr(R_COMMON, 0x1c, 2, 1);
}

static void chain(unsigned q, unsigned cnt, unsigned nout, unsigned idx, unsigned seg, unsigned kind, unsigned v)
{
	u8(OP_CHAIN), u8(q << 2), u8(cnt - 1), u8(nout), u16(idx), u16(seg), u8(kind), u16(v);
}

static void desc(unsigned q, bool ind, unsigned idx, unsigned kind, unsigned v, unsigned len, unsigned flags,
		 unsigned next)
{
	u8(OP_DESC), u8(q << 2 | (ind ? 0x40 : 0)), u16(idx), u8(kind), u16(v), u16(len), u8(flags), u16(next);
}

static void publish(unsigned q, unsigned head) { u8(OP_PUBLISH), u8(q << 2), u16(head); }
static void frame(unsigned len) { u8(OP_FRAME), u8(0), u16(len), u32(0), u32(0), u16(0); }

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
		perror(path);
}

#define F_VERSION_1 (1ULL << 32)
#define F_EVENT_IDX (1ULL << 29)
#define F_INDIRECT  (1ULL << 28)
#define F_NET_MAC   (1ULL << 5)
#define F_NET_MRG   (1ULL << 15)
#define F_NET_STATUS (1ULL << 16)
#define F_NET_CSUM  (1ULL << 0)
#define F_BLK_FLUSH (1ULL << 9)

/* device 0 net, 1 net with a vnet-header backend, 2 blk; MSI-X on with one vector per queue */
static void bringup(unsigned dev, uint64_t f, bool msix)
{
	n = 0;
	u8(dev);
	status(0);
	status(1);
	status(3);
	rd(R_COMMON, 0x04, 4);
	features(f);
	status(0xb);
	rd(R_COMMON, 0x14, 1);
	if (msix) {
		cfgw(MSIX_CAP + 2, 2, 0x8000);
		for (unsigned v = 0; v < 3; v++) {
			msixw(16 * v, 8, 0xfee00000);
			msixw(16 * v + 8, 4, 0x30 + v);
			msixw(16 * v + 12, 4, 0);
		}
		wr(R_COMMON, 0x10, 2, 2);
	}
	queue(0, 16, 0x1000, 0x2000, 0x3000, msix ? 0 : 0xffff);
	if (dev < 2)
		queue(1, 16, 0x1800, 0x2800, 0x3800, msix ? 1 : 0xffff);
	status(0xf);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fuzz/virtio_pci/seeds";

	bringup(0, F_VERSION_1 | F_NET_MAC | F_NET_STATUS | F_EVENT_IDX, true);
	chain(1, 2, 2, 0, 64, A_BUF, 0);
	publish(1, 0);
	notify(1);
	frame(100);
	chain(0, 1, 0, 0, 2048, A_BUF, 0x2000);
	publish(0, 0);
	notify(0);
	rd(R_ISR, 0, 1);
	rd(R_DEVICE, 0, 4), rd(R_DEVICE, 6, 2);
	save(dir, "net-msix");

	bringup(1, F_VERSION_1 | F_NET_MRG | F_NET_CSUM | F_INDIRECT, false);
	desc(1, false, 0, A_IND, 0, 32, 4, 0);
	desc(1, true, 0, A_BUF, 0, 12, 1, 1);
	desc(1, true, 1, A_HIGH, 0, 60, 0, 0);
	publish(1, 0);
	notify(1);
	frame(1500);
	chain(0, 1, 0, 0, 1024, A_BUF, 0x2000);
	chain(0, 1, 0, 1, 1024, A_BUF, 0x2400);
	publish(0, 0), publish(0, 1);
	notify(0);
	rd(R_ISR, 0, 1);
	status(0);
	rd(R_COMMON, 0x14, 1);
	save(dir, "net-intx-indirect-reset");

	bringup(2, F_VERSION_1 | F_BLK_FLUSH | F_EVENT_IDX, true);
	{
		uint8_t h[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 3 };

		u8(OP_POKE), u8(0), u8(A_BUF), u16(0), u8(16);
		memcpy(buf + n, h, 16), n += 16;
	}
	desc(0, false, 0, A_BUF, 0, 16, 1, 1);
	desc(0, false, 1, A_BUF, 0x1000, 512, 1, 2);
	desc(0, false, 2, A_BUF, 0x3000, 1, 2, 0);
	publish(0, 0);
	notify(0);
	rd(R_DEVICE, 0, 8);
	save(dir, "blk-write");

	/* hostile: features changed after FEATURES_OK, a queue enabled after DRIVER_OK, status bits cleared */
	bringup(0, F_VERSION_1, false);
	features(F_VERSION_1 | F_NET_MRG);
	wr(R_COMMON, 0x16, 2, 1), wr(R_COMMON, 0x1c, 2, 1);
	status(1);
	wr(R_COMMON, 0x14, 2, 0);   /* the wrong width */
	wr(R_COMMON, 0x16, 2, 7), rd(R_COMMON, 0x18, 2);
	notify(3);
	save(dir, "bad-late-queue");

	/* rings on each other, a size that is not a power of two, features not offered */
	n = 0;
	u8(2);
	status(3);
	features(F_VERSION_1 | 1ULL << 40);
	status(0xb);
	features(F_VERSION_1);
	status(0xb);
	wr(R_COMMON, 0x18, 2, 24);
	queue(0, 16, 0x1000, 0x2000, 0x2000, 0);
	status(0xf);
	notify(0);
	save(dir, "bad-rings");

	/* MSI-X: masked vectors, the function mask, then unmask with something pending; BARs switched off */
	bringup(0, F_VERSION_1, true);
	msixw(12, 4, 1);
	cfgw(MSIX_CAP + 2, 2, 0xc000);
	chain(1, 1, 1, 0, 64, A_BUF, 0);
	publish(1, 0);
	notify(1);
	cfgw(MSIX_CAP + 2, 2, 0x8000);
	msixw(12, 4, 0);
	u8(OP_MSIX_READ), u8(3), u16(0x800);
	cfgw(4, 2, 0);
	cfgw(0x20, 4, 0xffffffff);
	u8(OP_CFG_READ), u8(2), u8(0x20);
	save(dir, "msix-mask-pending");
	return 0;
}
