// SPDX-License-Identifier: MIT
/*
 * The 82540EM register file: one table of every register (offset, count,
 * reset value, writable bits, access kind), read/write dispatch by offset
 * with the side effects of the registers that have them, CTRL.RST, the
 * statistics counters, and the BAR0/BAR1 bus accessors.  Offsets that
 * name no register read 0, drop writes and are counted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "devices/e1000/e1000_priv.h"

enum reg_kind {
	K_RW,       /* plain storage, masked by wmask */
	K_RO,       /* writes ignored */
	K_WO,       /* reads give 0 */
	K_STAT,     /* read-only statistic, cleared by reading */
	K_W1C,      /* a written 1 clears the bit */
};

struct reg_info {
	uint32_t off;
	uint16_t count, stride;   /* an array of count registers stride bytes apart */
	uint32_t reset, wmask;
	enum reg_kind kind;
};

#define R(o, rst, wm, k)        { (o), 1, 4, (rst), (wm), (k) }
#define A(o, n, st, wm)         { (o), (n), (st), 0, (wm), K_RW }

/* CTRL bits that exist on an 82540EM (reserved ones read 0) */
#define CTRL_WMASK 0xDCFC1BE9u
#define CTRL_RESET (E1000_CTRL_FD | E1000_CTRL_ASDE | E1000_CTRL_SLU)
#define RCTL_WMASK 0x06DFB3FEu
#define TCTL_WMASK 0x037FFFFAu

static const struct reg_info reg_table[] = {
	R(E1000_CTRL, CTRL_RESET, CTRL_WMASK, K_RW),
	R(E1000_STATUS, 0, 0, K_RO),
	R(E1000_EECD, E1000_EECD_PRES | E1000_EECD_FWE_DIS, 0, K_RW),
	R(E1000_EERD, 0, 0, K_RW),
	R(E1000_CTRL_EXT, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_FLA, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_MDIC, 0, 0, K_RW),
	R(E1000_FCAL, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_FCAH, 0, 0xFFFF, K_RW),
	R(E1000_FCT, 0, 0xFFFF, K_RW),
	R(E1000_VET, 0x8100, 0xFFFF, K_RW),
	R(E1000_ICR, 0, 0, K_RW),
	R(E1000_ITR, 0, 0xFFFF, K_RW),
	R(E1000_ICS, 0, 0, K_WO),
	R(E1000_IMS, 0, 0, K_RW),
	R(E1000_IMC, 0, 0, K_WO),
	R(E1000_RCTL, 0, RCTL_WMASK, K_RW),
	R(E1000_FCTTV, 0, 0xFFFF, K_RW),
	R(E1000_TXCW, 0, 0xC0000FFFu, K_RW),
	R(E1000_RXCW, 0, 0, K_RO),
	R(E1000_TCTL, E1000_TCTL_PSP, TCTL_WMASK, K_RW),
	R(E1000_TIPG, 0, 0x3FFFFFFFu, K_RW),
	R(E1000_AIFS, 0, 0xFFFF, K_RW),
	R(E1000_LEDCTL, 0x07068302u, 0xFFFFFFFFu, K_RW),
	R(E1000_PBA, 0x00100030u, 0xFFFF, K_RW),
	R(E1000_FCRTL, 0, 0x8000FFF8u, K_RW),
	R(E1000_FCRTH, 0, 0xFFF8, K_RW),
	R(E1000_RDFH, 0, 0x1FFF, K_RW),
	R(E1000_RDFT, 0, 0x1FFF, K_RW),
	R(E1000_RDFHS, 0, 0x1FFF, K_RW),
	R(E1000_RDFTS, 0, 0x1FFF, K_RW),
	R(E1000_RDFPC, 0, 0x1FFF, K_RW),
	R(E1000_RDBAL, 0, 0xFFFFFFF0u, K_RW),
	R(E1000_RDBAH, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_RDLEN, 0, 0x000FFF80u, K_RW),
	R(E1000_RDH, 0, 0xFFFF, K_RW),
	R(E1000_RDT, 0, 0xFFFF, K_RW),
	R(E1000_RDTR, 0, 0xFFFF, K_RW),
	R(E1000_RXDCTL, 0x00010000u, 0x013F3F3Fu, K_RW),
	R(E1000_RADV, 0, 0xFFFF, K_RW),
	R(E1000_RSRPD, 0, 0xFFF, K_RW),
	R(E1000_TXDMAC, 0, 0x1, K_RW),
	R(E1000_KABGTXD, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_TDFH, 0, 0x1FFF, K_RW),
	R(E1000_TDFT, 0, 0x1FFF, K_RW),
	R(E1000_TDFHS, 0, 0x1FFF, K_RW),
	R(E1000_TDFTS, 0, 0x1FFF, K_RW),
	R(E1000_TDFPC, 0, 0x1FFF, K_RW),
	R(E1000_TDBAL, 0, 0xFFFFFFF0u, K_RW),
	R(E1000_TDBAH, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_TDLEN, 0, 0x000FFF80u, K_RW),
	R(E1000_TDH, 0, 0xFFFF, K_RW),
	R(E1000_TDT, 0, 0xFFFF, K_RW),
	R(E1000_TIDV, 0, 0xFFFF, K_RW),
	R(E1000_TXDCTL, 0x00010000u, 0x017F3F3Fu, K_RW),
	R(E1000_TADV, 0, 0xFFFF, K_RW),
	R(E1000_TSPMT, 0x01000400u, 0xFFFFFFFFu, K_RW),
	{ E1000_STATS_FIRST, 64, 4, 0, 0, K_STAT },
	R(E1000_RXCSUM, 0x300, 0x3FF, K_RW),
	A(E1000_MTA, 128, 4, 0xFFFFFFFFu),
	A(E1000_RAL(0), E1000_RAR_ENTRIES, 8, 0xFFFFFFFFu),
	A(E1000_RAH(0), E1000_RAR_ENTRIES, 8, 0x8003FFFFu),
	A(E1000_VFTA, 128, 4, 0xFFFFFFFFu),
	R(E1000_WUC, 0, 0x1F, K_RW),
	R(E1000_WUFC, 0, 0xFF, K_RW),
	R(E1000_WUS, 0, 0xFF, K_W1C),
	R(E1000_MANC, 0, 0xFFFFFFFFu, K_RW),
	R(E1000_IPAV, 0, 0x10001, K_RW),
	A(E1000_IP4AT, 4, 8, 0xFFFFFFFFu),
	A(E1000_IP6AT, 4, 4, 0xFFFFFFFFu),
	R(E1000_WUPL, 0, 0xFFF, K_RW),
	A(E1000_WUPM, 32, 4, 0xFFFFFFFFu),
	A(E1000_FFLT, 4, 8, 0x7FF),
	A(E1000_FFMT, 128, 8, 0xF),
	A(E1000_FFVT, 128, 8, 0xFFFFFFFFu),
};

#define NREGS (sizeof(reg_table) / sizeof(reg_table[0]))

/* Dword index -> 1 + table index, 0 = no register there. */
static uint8_t reg_map[E1000_MMIO_SIZE / 4];
static pthread_once_t reg_map_once = PTHREAD_ONCE_INIT;

static void reg_map_build(void)
{
	for (unsigned i = 0; i < NREGS; i++)
		for (unsigned k = 0; k < reg_table[i].count; k++)
			reg_map[(reg_table[i].off + k * reg_table[i].stride) >> 2] = (uint8_t)(i + 1);
}

static const struct reg_info *reg_lookup(uint32_t off)
{
	unsigned i;

	pthread_once(&reg_map_once, reg_map_build);
	if (off >= E1000_MMIO_SIZE || (off & 3))
		return NULL;
	i = reg_map[off >> 2];
	return i ? &reg_table[i - 1] : NULL;
}

void e1000_diag(struct e1000 *e, const char *fmt, ...)
{
	va_list ap;

	if (e->diags >= 32)
		return;
	e->diags++;
	fprintf(stderr, "e1000: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", e->diags == 32 ? " (further diagnostics suppressed)" : "");
}

void e1000_kick(struct e1000 *e)
{
	uint64_t one = 1;

	if (e->wake_fd >= 0 && write(e->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the thread is awake anyway */
	}
}

/* RAR[0] holds the EEPROM's MAC after reset and after an EEPROM reload. */
static void load_rar0(struct e1000 *e)
{
	e1000_w(e, E1000_RAL(0), e1000_le32(e->mac));
	e1000_w(e, E1000_RAH(0), (uint32_t)e1000_le16(e->mac + 4) | E1000_RAH_AV);
}

void e1000_reset(struct e1000 *e)
{
	memset(e->regs, 0, E1000_MMIO_SIZE);
	for (unsigned i = 0; i < NREGS; i++)
		for (unsigned k = 0; k < reg_table[i].count; k++)
			e1000_w(e, reg_table[i].off + k * reg_table[i].stride, reg_table[i].reset);
	load_rar0(e);
	memset(&e->ee, 0, sizeof(e->ee));
	e1000_tx_reset(e);
	e1000_rx_reset(e);
	e->irq_deferred = false;
	e->irq_ever = false;
	e1000_irq_update(e);
}

void e1000_stat_add(struct e1000 *e, uint32_t off, uint32_t v)
{
	uint32_t cur = e1000_r(e, off);

	e1000_w(e, off, cur + v < cur ? 0xFFFFFFFFu : cur + v);   /* the counters stick at max */
}

void e1000_stat_add64(struct e1000 *e, uint32_t off_lo, uint64_t v)
{
	uint64_t cur = (uint64_t)e1000_r(e, off_lo + 4) << 32 | e1000_r(e, off_lo);

	cur = cur + v < cur ? UINT64_MAX : cur + v;
	e1000_w(e, off_lo, (uint32_t)cur);
	e1000_w(e, off_lo + 4, (uint32_t)(cur >> 32));
}

void e1000_stat_size(struct e1000 *e, uint32_t first, size_t len)
{
	static const size_t limit[] = { 64, 127, 255, 511, 1023, 1522 };

	for (unsigned i = 0; i < 6; i++)
		if (len <= limit[i]) {
			e1000_stat_add(e, first + 4 * i, 1);
			return;
		}
}

static uint32_t status_value(const struct e1000 *e)
{
	(void)e;
	/* The link is always up: full duplex, 1000 Mb/s, as auto-negotiated by the PHY. */
	return E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000 | E1000_STATUS_ASDV_1000;
}

uint32_t e1000_reg_read_locked(struct e1000 *e, uint32_t off)
{
	const struct reg_info *ri = reg_lookup(off);
	uint32_t v;

	if (!ri) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_UNKNOWN_REGS], 1);
		return 0;
	}
	switch (off) {
	case E1000_STATUS:
		return status_value(e);
	case E1000_EECD:
		return e1000_eecd_read(e);
	case E1000_ICR:
		v = e1000_r(e, E1000_ICR);
		e1000_w(e, E1000_ICR, 0);
		DEV_METRIC_ADD(&e->metrics[E1000_M_ICR_READS], 1);
		e1000_irq_update(e);
		return v;
	case E1000_GORCH: case E1000_GOTCH: case E1000_TORH: case E1000_TOTH:
		/* the high half of a 64-bit counter: reading it clears both halves */
		v = e1000_r(e, off);
		e1000_w(e, off, 0);
		e1000_w(e, off - 4, 0);
		return v;
	case E1000_GORCL: case E1000_GOTCL: case E1000_TORL: case E1000_TOTL:
		return e1000_r(e, off);
	}
	v = e1000_r(e, off);
	switch (ri->kind) {
	case K_WO:
		return 0;
	case K_STAT:
		e1000_w(e, off, 0);
		return v;
	default:
		return v;
	}
}

static void tx_ring_changed(struct e1000 *e)
{
	e->tx_ring_bad = false;
	e->tx_in_frame = false;
	e->tx_len = 0;
	e->tx_ndesc = 0;
	e->tx_drop = false;
}

void e1000_reg_write_locked(struct e1000 *e, uint32_t off, uint32_t val)
{
	const struct reg_info *ri = reg_lookup(off);
	uint32_t old;

	if (!ri) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_UNKNOWN_REGS], 1);
		return;
	}
	switch (off) {
	case E1000_EECD:
		e1000_eecd_write(e, val);
		return;
	case E1000_EERD:
		e1000_eerd_write(e, val);
		return;
	case E1000_MDIC:
		e1000_mdic_write(e, val);
		return;
	case E1000_ICR:
		e1000_w(e, E1000_ICR, e1000_r(e, E1000_ICR) & ~val);
		e1000_irq_update(e);
		return;
	case E1000_ICS:
		e1000_irq_cause(e, val & E1000_ICR_VALID);
		return;
	case E1000_IMS:
		e1000_w(e, E1000_IMS, e1000_r(e, E1000_IMS) | (val & E1000_ICR_VALID));
		e1000_irq_update(e);
		return;
	case E1000_IMC:
		e1000_w(e, E1000_IMS, e1000_r(e, E1000_IMS) & ~val);
		e1000_irq_update(e);
		return;
	}
	if (ri->kind == K_RO || ri->kind == K_STAT)
		return;
	old = e1000_r(e, off);
	if (ri->kind == K_W1C) {
		e1000_w(e, off, old & ~(val & ri->wmask));
		return;
	}
	e1000_w(e, off, (old & ~ri->wmask) | (val & ri->wmask));

	switch (off) {
	case E1000_CTRL:
		if (val & E1000_CTRL_RST) {
			e1000_reset(e);          /* self-clearing: CTRL reads back its reset value */
			e1000_kick(e);
			return;
		}
		if ((val & E1000_CTRL_PHY_RST) && !(old & E1000_CTRL_PHY_RST))
			e1000_phy_reset(e);
		return;
	case E1000_CTRL_EXT:
		if (val & E1000_CTRL_EXT_EE_RST) {
			/* EEPROM reload: the MAC goes back into RAR[0]; the bit clears itself */
			e1000_w(e, off, e1000_r(e, off) & ~E1000_CTRL_EXT_EE_RST);
			load_rar0(e);
		}
		return;
	case E1000_ITR:
		e1000_irq_update(e);
		e1000_kick(e);
		return;
	case E1000_RCTL:
		e1000_kick(e);
		return;
	case E1000_RDTR:
		/* FPD (flush partial descriptor block) is write-only and self-clearing:
		 * with no descriptor holdback here it just signals what was written back. */
		return;
	case E1000_TCTL:
		if ((val & E1000_TCTL_EN) && !(old & E1000_TCTL_EN))
			e1000_tx_process(e);
		return;
	case E1000_TDBAL: case E1000_TDBAH: case E1000_TDLEN: case E1000_TDH:
		tx_ring_changed(e);
		return;
	case E1000_TDT:
		DEV_METRIC_ADD(&e->metrics[E1000_M_TDT_WRITES], 1);
		e1000_tx_process(e);
		return;
	case E1000_RDBAL: case E1000_RDBAH: case E1000_RDLEN: case E1000_RDH:
		e->rx_ring_bad = false;
		e1000_kick(e);
		return;
	case E1000_RDT:
		DEV_METRIC_ADD(&e->metrics[E1000_M_RDT_WRITES], 1);
		e->rx_ring_bad = false;
		e1000_kick(e);
		return;
	}
}

uint32_t e1000_reg_read(struct e1000 *e, uint32_t off)
{
	uint32_t v;

	pthread_mutex_lock(&e->lock);
	e1000_irq_timer(e);
	v = e1000_reg_read_locked(e, off);
	pthread_mutex_unlock(&e->lock);
	return v;
}

void e1000_reg_write(struct e1000 *e, uint32_t off, uint32_t val)
{
	pthread_mutex_lock(&e->lock);
	e1000_irq_timer(e);
	e1000_reg_write_locked(e, off, val);
	pthread_mutex_unlock(&e->lock);
}

/*
 * BAR0.  The 8254x registers are 32-bit: a 4-byte access is the normal case,
 * an 8-byte one is taken as two, a 1- or 2-byte read returns part of the
 * dword (with the dword's read side effects).  Sub-dword writes and accesses
 * that straddle a dword are dropped (reads give 0) and counted.
 */
static int mmio_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct e1000 *e = opaque;
	uint32_t v[2] = { 0, 0 };
	unsigned sh = off & 3;

	DEV_METRIC_ADD(&e->metrics[E1000_M_MMIO_READS], 1);
	memset(data, 0, size);
	if (off >= E1000_MMIO_SIZE || size > E1000_MMIO_SIZE - off)
		goto bad;
	if (size == 8) {
		if (sh)
			goto bad;
		v[0] = e1000_reg_read(e, (uint32_t)off);
		v[1] = e1000_reg_read(e, (uint32_t)off + 4);
		memcpy(data, v, 8);
		return 0;
	}
	if ((size != 1 && size != 2 && size != 4) || sh + size > 4)
		goto bad;
	v[0] = e1000_reg_read(e, (uint32_t)(off & ~3ull)) >> (8 * sh);
	memcpy(data, v, size);
	return 0;
bad:
	DEV_METRIC_ADD(&e->metrics[E1000_M_BAD_ACCESSES], 1);
	return 0;
}

static int mmio_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct e1000 *e = opaque;
	uint32_t v[2];

	DEV_METRIC_ADD(&e->metrics[E1000_M_MMIO_WRITES], 1);
	if (off >= E1000_MMIO_SIZE || size > E1000_MMIO_SIZE - off || (off & 3) || (size != 4 && size != 8)) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_BAD_ACCESSES], 1);
		return 0;
	}
	memcpy(v, data, size);
	e1000_reg_write(e, (uint32_t)off, v[0]);
	if (size == 8)
		e1000_reg_write(e, (uint32_t)off + 4, v[1]);
	return 0;
}

const struct bus_ops e1000_mmio_ops = { .read = mmio_read, .write = mmio_write };

/* BAR1: IOADDR (offset 0) selects a register, IODATA (offset 4) accesses it; the rest is reserved. */
static int io_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct e1000 *e = opaque;
	uint32_t v = 0;

	memset(data, 0, size);
	if (size != 4 || (off != E1000_IOADDR && off != E1000_IODATA)) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_BAD_ACCESSES], 1);
		return 0;
	}
	if (off == E1000_IOADDR) {
		pthread_mutex_lock(&e->lock);
		v = e->ioaddr;
		pthread_mutex_unlock(&e->lock);
	} else {
		return mmio_read(e, __atomic_load_n(&e->ioaddr, __ATOMIC_RELAXED), data, 4);
	}
	memcpy(data, &v, 4);
	return 0;
}

static int io_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct e1000 *e = opaque;
	uint32_t v;

	if (size != 4 || (off != E1000_IOADDR && off != E1000_IODATA)) {
		DEV_METRIC_ADD(&e->metrics[E1000_M_BAD_ACCESSES], 1);
		return 0;
	}
	memcpy(&v, data, 4);
	if (off == E1000_IOADDR) {
		pthread_mutex_lock(&e->lock);
		e->ioaddr = v & (E1000_MMIO_SIZE - 1);
		pthread_mutex_unlock(&e->lock);
		return 0;
	}
	return mmio_write(e, __atomic_load_n(&e->ioaddr, __ATOMIC_RELAXED), data, 4);
}

const struct bus_ops e1000_io_ops = { .read = io_read, .write = io_write };
