// SPDX-License-Identifier: MIT
/*
 * The e1000 model (devices/e1000/): register file, EEPROM and PHY, TX
 * descriptor processing (legacy, context and data descriptors, TSO,
 * checksum offload), RX delivery, interrupts and the PCI function, driven
 * as a guest and a wire would drive them.  The input is the fake
 * backend's setup byte (its vnet header length, whether its sends fail)
 * and a sequence of operations (at most MAX_OPS), each an opcode byte and its operands
 * (fuzz/fuzz_input.h: missing bytes read as zeros):
 *
 *   register write/read   a register from a table of the interesting ones
 *                         (or any dword offset), a 32-bit value
 *   BAR0 / BAR1 access    raw offset, size 1..8, value: the bus accessors
 *   RAM bytes             guest RAM offset, length, the bytes
 *   descriptor            16 bytes into a slot of the TX or RX ring, its
 *                         buffer address inside RAM unless a flag says raw
 *   ring setup            TDBA/TDLEN/TDH or RDBA/RDLEN/RDH in one go
 *   frame                 a frame from the wire, either handed to
 *                         e1000_rx_frame or queued on the fake backend and
 *                         pulled by e1000_rx_poll
 *   clock, TX resume      time passes (ITR throttling); a TX pass goes on
 *   PCI config            a config-space read or write (BAR sizing, INTx)
 *
 * Guest RAM is 64 KiB at GPA 0, zeroed per input; the device (core and
 * PCI function) is created once and reset per input to its power-on state.
 * The model's diagnostics are rate limited to 32 per device: the harness
 * starts each input past that limit, so the fuzzer's output stays quiet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "devices/e1000/e1000.h"
#include "devices/e1000/e1000_priv.h"
#include "fuzz/fuzz_input.h"

#define RAM_SIZE   (64u << 10)
#define MAX_OPS    256
#define MAX_RESUME 4
#define RXQ        4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_backend {
	struct net_backend nb;
	uint8_t frame[RXQ][E1000_RX_MAX_LPE + 64];
	size_t len[RXQ];
	unsigned head, tail;
	int recv_error;                 /* 0, or the errno recv fails with once */
	bool send_full;                 /* every send fails with -EAGAIN (a full tap) */
	uint64_t sent_bytes;
};

static struct e1000 dev;
static struct guest_mem mem;
static struct fz_backend be;
static struct pci_device pci_snapshot;
static uint64_t now;
static uint8_t frame_buf[E1000_RX_MAX_LPE + 64];
/*
 * The register file after power-on reset, up to the last register of the
 * table in e1000_regs.c (FFVT's 128 entries): writes to offsets that name no
 * register are dropped, so the rest stays zero.  Copying it back is ten
 * times cheaper than e1000_reset's walk of the table under the fuzzer's
 * instrumentation; the rest of e1000_reset is done as it does it.
 */
#define REGS_USED (E1000_FFVT + 8 * 128)
static uint32_t regs_reset[REGS_USED / 4];

/* Touch the first and last byte of each piece as writev would: a bad iovec is an ASan report. */
static int fz_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fz_backend *f = (struct fz_backend *)b;

	if (f->send_full)
		return -EAGAIN;
	for (unsigned i = 0; i < n; i++) {
		const volatile uint8_t *p = iov[i].iov_base;

		if (iov[i].iov_len)
			f->sent_bytes += p[0] + p[iov[i].iov_len - 1];
	}
	return 0;
}

static ssize_t fz_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct fz_backend *f = (struct fz_backend *)b;
	size_t len, hl = n > 1 ? iov[0].iov_len : 0;
	unsigned k = f->head++ % RXQ;

	if (f->recv_error) {
		int e = f->recv_error;

		f->recv_error = 0;
		f->head--;
		return -e;
	}
	if (f->head - 1 == f->tail) {
		f->head--;
		return -EAGAIN;
	}
	len = f->len[k];
	if (!n || len > iov[n - 1].iov_len)
		return -EMSGSIZE;      /* as a tap refuses a frame larger than the buffer */
	/* the vnet header (zeros) first, then the frame, as a tap fills the iovecs */
	if (hl)
		memset(iov[0].iov_base, 0, hl);
	memcpy(iov[n - 1].iov_base, f->frame[k], len);
	return (ssize_t)(hl + len);
}

static const struct net_backend_ops fz_ops = { .kind = "fuzz", .send = fz_send, .recv = fz_recv };

static uint64_t fz_clock(void *opaque)
{
	(void)opaque;
	return now;
}

static int fz_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	(void)gsi;
	(void)level;
	return 0;
}

/* The registers with side effects, the ring registers and a few arrays. */
static const uint32_t regs[] = {
	E1000_CTRL, E1000_STATUS, E1000_EECD, E1000_EERD, E1000_CTRL_EXT, E1000_MDIC, E1000_VET,
	E1000_ICR, E1000_ITR, E1000_ICS, E1000_IMS, E1000_IMC, E1000_RCTL, E1000_TCTL,
	E1000_RDBAL, E1000_RDBAH, E1000_RDLEN, E1000_RDH, E1000_RDT, E1000_RDTR,
	E1000_TDBAL, E1000_TDBAH, E1000_TDLEN, E1000_TDH, E1000_TDT,
	E1000_RXCSUM, E1000_MTA, E1000_RAL(0), E1000_RAH(0), E1000_RAL(1), E1000_RAH(1),
	E1000_VFTA, E1000_WUS, E1000_GORCL, E1000_GORCH, E1000_GOTCL, E1000_GOTCH,
	E1000_TORL, E1000_TORH, E1000_TOTL, E1000_TOTH, E1000_STATS_FIRST, E1000_TSCTC,
	E1000_PRC64, E1000_PTC64, E1000_MPRC, E1000_BPRC, E1000_TPT, E1000_ROC, E1000_RNBC,
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))

static uint32_t pick_reg(struct fuzz_input *in)
{
	uint8_t k = fuzz_u8(in);

	if (k < NREGS)
		return regs[k];
	if (k < 2 * NREGS)
		return regs[k - NREGS] + 4 * (fuzz_u8(in) & 0x7F);   /* into an array, or past one */
	return (fuzz_u16(in) * 4u) % E1000_MMIO_SIZE;
}

static uint64_t pick_addr(struct fuzz_input *in, bool raw)
{
	return raw ? fuzz_u64(in) : fuzz_u16(in) % RAM_SIZE;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 16 bytes into slot `slot` of the TX (or RX) ring as the registers place it. */
static void put_desc(struct fuzz_input *in)
{
	uint8_t flags = fuzz_u8(in), slot = fuzz_u8(in), d[16];
	bool rx = flags & 1;
	uint64_t base = (uint64_t)e1000_r(&dev, rx ? E1000_RDBAH : E1000_TDBAH) << 32 |
			e1000_r(&dev, rx ? E1000_RDBAL : E1000_TDBAL);
	uint64_t at = base + 16ull * slot;

	put_le64(d, pick_addr(in, flags & 2));
	fuzz_bytes(in, d + 8, 8);
	if (at < RAM_SIZE && RAM_SIZE - at >= sizeof(d))
		memcpy(mem.host + at, d, sizeof(d));
}

static void ring_setup(struct fuzz_input *in)
{
	uint8_t flags = fuzz_u8(in);
	bool rx = flags & 1;
	uint32_t base = (fuzz_u16(in) % RAM_SIZE) & ~0xFu;
	uint32_t len = ((flags >> 1) % 32 + 1) * 128;   /* 8 to 256 descriptors */

	e1000_reg_write(&dev, rx ? E1000_RDBAL : E1000_TDBAL, base);
	e1000_reg_write(&dev, rx ? E1000_RDBAH : E1000_TDBAH, 0);
	e1000_reg_write(&dev, rx ? E1000_RDLEN : E1000_TDLEN, len);
	e1000_reg_write(&dev, rx ? E1000_RDH : E1000_TDH, 0);
}

/* A frame: length, then its bytes (zeros where the input ends). */
static size_t get_frame(struct fuzz_input *in, uint8_t *buf)
{
	size_t len = fuzz_u16(in) % (E1000_RX_MAX_LPE + 64);
	size_t got;
	const uint8_t *p = fuzz_take(in, len, &got);

	memcpy(buf, p, got);
	memset(buf + got, 0, len - got);
	return len;
}

static void bar_access(struct fuzz_input *in, bool io)
{
	uint8_t flags = fuzz_u8(in);
	unsigned sz = (flags >> 1) % 9;
	uint64_t off = io ? fuzz_u8(in) % (E1000_IO_SIZE + 8) : fuzz_u32(in) % (E1000_MMIO_SIZE + 16);
	uint64_t val = fuzz_u64(in);
	const struct bus_ops *ops = io ? &e1000_io_ops : &e1000_mmio_ops;

	if (!sz)
		sz = 4;
	if (flags & 1)
		ops->write(&dev, off, &val, sz);
	else
		ops->read(&dev, off, &val, sz);
}

static void reset(void)
{
	memset(mem.host, 0, RAM_SIZE);
	now = 0;
	be.head = be.tail = 0;
	be.recv_error = 0;
	dev.pci = pci_snapshot;
	dev.ioaddr = 0;
	dev.irq_level = false;
	dev.irq_last_ns = 0;
	memset(dev.metrics, 0, sizeof(dev.metrics));
	dev.diags = 32;                 /* past the rate limit: silent */
	memcpy(dev.regs, regs_reset, sizeof(regs_reset));
	memset(&dev.ee, 0, sizeof(dev.ee));
	e1000_tx_reset(&dev);
	e1000_rx_reset(&dev);
	dev.irq_deferred = dev.irq_ever = false;
	e1000_phy_reset(&dev);
}

static void init(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	char err[128];

	mem.memfd = -1;
	mem.host = malloc(RAM_SIZE);
	mem.size = RAM_SIZE;
	mem.page_size = 4096;
	be.nb.ops = &fz_ops;
	be.nb.fd = -1;
	if (!mem.host || e1000_init(&dev, &mem, &be.nb, mac, err, sizeof(err)))
		abort();
	e1000_set_clock(&dev, fz_clock, NULL);
	dev.pci.sink.line = fz_line;
	dev.pci.intx_gsi = 11;
	pci_snapshot = dev.pci;
	memcpy(regs_reset, dev.regs, sizeof(regs_reset));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fuzz_input in = { data, size };
	unsigned resumes = 0;
	uint8_t cfg;
	static const unsigned hdr_len[4] = { 0, 10, 12, 0 };

	if (!ready) {
		init();
		ready = true;
	}
	reset();
	cfg = fuzz_u8(&in);
	be.nb.vnet_hdr_len = hdr_len[cfg & 3];
	be.send_full = cfg & 4;

	for (unsigned op = 0; op < MAX_OPS && fuzz_left(&in); op++) {
		uint8_t code = fuzz_u8(&in);

		switch (code % 13) {
		case 0: {
			uint32_t off = pick_reg(&in), val = fuzz_u32(&in);

			/* CTRL.RST only when asked for by a CTRL value ending in 0x5A: a
			 * reset undoes the setup the input built, and costs a table walk */
			if (off == E1000_CTRL && (val & 0xFF) != 0x5A)
				val &= ~E1000_CTRL_RST;
			e1000_reg_write(&dev, off, val);
			break;
		}
		case 1:
			e1000_reg_read(&dev, pick_reg(&in));
			break;
		case 2:
			bar_access(&in, false);
			break;
		case 3:
			bar_access(&in, true);
			break;
		case 4: {
			uint32_t at = fuzz_u16(&in) % RAM_SIZE;
			size_t len = fuzz_u8(&in), got;
			const uint8_t *p;

			if (len > RAM_SIZE - at)
				len = RAM_SIZE - at;
			p = fuzz_take(&in, len, &got);
			memcpy(mem.host + at, p, got);
			break;
		}
		case 5:
			put_desc(&in);
			break;
		case 6:
			ring_setup(&in);
			break;
		case 7: {
			size_t len = get_frame(&in, frame_buf);

			e1000_rx_frame(&dev, frame_buf, len);
			break;
		}
		case 8:
			if (be.tail - be.head < RXQ) {
				be.len[be.tail % RXQ] = get_frame(&in, be.frame[be.tail % RXQ]);
				be.tail++;
			}
			break;
		case 9: {
			uint8_t k = fuzz_u8(&in);

			if (k & 0x80)
				be.recv_error = (k & 0x40) ? EMSGSIZE : EIO;
			e1000_rx_poll(&dev, k % 8 + 1);
			break;
		}
		case 10:
			now += fuzz_u32(&in);
			break;
		case 11:
			if (resumes++ < MAX_RESUME)
				e1000_tx_resume(&dev);
			break;
		case 12: {
			uint8_t flags = fuzz_u8(&in);
			unsigned off = fuzz_u8(&in), len = 1u << (flags & 3);
			uint32_t val = fuzz_u32(&in);

			if (len > 4)
				len = 4;
			if (flags & 4)
				pci_config_write(&dev.pci, off, len, val);
			else
				pci_config_read(&dev.pci, off, len);
			break;
		}
		}
	}
	return 0;
}
