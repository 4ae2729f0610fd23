// SPDX-License-Identifier: MIT
/*
 * Unit tests for the e1000 core's register side (devices/e1000/): reset
 * values, the EEPROM through EERD and through bit-banged EECD, the PHY
 * through MDIC, ICR/ICS/IMS/IMC and the INTx level, ITR throttling on an
 * injected clock, CTRL.RST, statistics, unknown and odd-sized accesses and
 * the I/O BAR.  TX/RX descriptor processing is in test_e1000_dma.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/e1000_fixture.h"

static void test_reset_values(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	assert_int_equal(rd(x, E1000_STATUS), E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000 |
			 E1000_STATUS_ASDV_1000);
	assert_int_equal(rd(x, E1000_CTRL), E1000_CTRL_FD | E1000_CTRL_ASDE | E1000_CTRL_SLU);
	assert_int_equal(rd(x, E1000_EECD), E1000_EECD_PRES | E1000_EECD_FWE_DIS);
	assert_int_equal(rd(x, E1000_VET), 0x8100);
	assert_int_equal(rd(x, E1000_ICR), 0);
	assert_int_equal(rd(x, E1000_IMS), 0);
	assert_int_equal(rd(x, E1000_RCTL), 0);
	assert_int_equal(rd(x, E1000_TCTL), E1000_TCTL_PSP);
	assert_int_equal(rd(x, E1000_PBA), 0x00100030);
	assert_int_equal(rd(x, E1000_LEDCTL), 0x07068302);
	/* RAR[0] holds the EEPROM MAC, valid */
	assert_int_equal(rd(x, E1000_RAL(0)), 0x12005452);
	assert_int_equal(rd(x, E1000_RAH(0)), 0x5634 | E1000_RAH_AV);
	assert_int_equal(rd(x, E1000_RAH(1)), 0);
	assert_false(x->level);
	fx_free(x);
}

static uint16_t eerd(struct fx *x, unsigned addr)
{
	uint32_t v;

	wr(x, E1000_EERD, addr << E1000_EERD_ADDR_SHIFT | E1000_EERD_START);
	v = rd(x, E1000_EERD);
	assert_true(v & E1000_EERD_DONE);
	assert_int_equal((v >> E1000_EERD_ADDR_SHIFT) & 0xFF, addr);
	return (uint16_t)(v >> 16);
}

static void test_eeprom_eerd(void **state)
{
	struct fx *x = fx_new();
	uint16_t sum = 0;
	(void)state;

	assert_int_equal(eerd(x, 0), 0x5452);
	assert_int_equal(eerd(x, 1), 0x1200);
	assert_int_equal(eerd(x, 2), 0x5634);
	assert_int_equal(eerd(x, E1000_EE_DEVICE_ID), E1000_DEV_82540EM);
	assert_int_equal(eerd(x, E1000_EE_VENDOR_ID), 0x8086);
	assert_int_equal(eerd(x, E1000_EE_SUBSYS_ID), 0x001E);
	for (unsigned i = 0; i < 64; i++)
		sum = (uint16_t)(sum + eerd(x, i));
	assert_int_equal(sum, 0xBABA);
	/* past the 64-word part: unprogrammed, still DONE */
	assert_int_equal(eerd(x, 200), 0xFFFF);
	/* without START nothing is read */
	wr(x, E1000_EERD, 3 << E1000_EERD_ADDR_SHIFT);
	assert_false(rd(x, E1000_EERD) & E1000_EERD_DONE);
	fx_free(x);
}

/*
 * Another MAC (--device e1000,mac=02:00:5e:10:20:31): the EEPROM's words 0-2
 * and RAR[0] carry it, the checksum still sums to 0xBABA (Linux's e1000
 * refuses the part otherwise), and a reset reloads it, not the default.
 */
static void test_eeprom_other_mac(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x31 };
	struct fx *x = fx_new_mac(mac);
	uint16_t sum = 0;
	(void)state;

	assert_int_equal(eerd(x, 0), 0x0002);
	assert_int_equal(eerd(x, 1), 0x105e);
	assert_int_equal(eerd(x, 2), 0x3120);
	for (unsigned i = 0; i < 64; i++)
		sum = (uint16_t)(sum + eerd(x, i));
	assert_int_equal(sum, 0xBABA);
	assert_int_equal(rd(x, E1000_RAL(0)), 0x105e0002);
	assert_int_equal(rd(x, E1000_RAH(0)), 0x3120 | E1000_RAH_AV);
	wr(x, E1000_RAL(0), 0);
	wr(x, E1000_RAH(0), 0);
	wr(x, E1000_CTRL, rd(x, E1000_CTRL) | E1000_CTRL_RST);
	assert_int_equal(rd(x, E1000_RAL(0)), 0x105e0002);
	assert_int_equal(rd(x, E1000_RAH(0)), 0x3120 | E1000_RAH_AV);
	fx_free(x);
}

/* What a driver does on an 82540: request, CS, shift out 110 + 6 address bits, shift in 16. */
static void ee_out(struct fx *x, uint32_t *eecd, unsigned val, unsigned nbits)
{
	for (int i = (int)nbits - 1; i >= 0; i--) {
		*eecd = (*eecd & ~E1000_EECD_DI) | (((val >> i) & 1) ? E1000_EECD_DI : 0);
		wr(x, E1000_EECD, *eecd);
		wr(x, E1000_EECD, *eecd | E1000_EECD_SK);
		wr(x, E1000_EECD, *eecd);
	}
}

static int ee_bitbang_read(struct fx *x, unsigned addr, bool request)
{
	uint32_t eecd = rd(x, E1000_EECD);
	unsigned word = 0;

	if (request) {
		eecd |= E1000_EECD_REQ;
		wr(x, E1000_EECD, eecd);
		if (!(rd(x, E1000_EECD) & E1000_EECD_GNT))
			return -1;
	}
	eecd &= ~(E1000_EECD_SK | E1000_EECD_DI | E1000_EECD_GNT | E1000_EECD_DO);
	eecd |= E1000_EECD_CS;
	wr(x, E1000_EECD, eecd);
	ee_out(x, &eecd, 0x6, 3);
	ee_out(x, &eecd, addr, E1000_EEPROM_ABITS);
	for (int i = 0; i < 16; i++) {
		wr(x, E1000_EECD, eecd | E1000_EECD_SK);
		word = word << 1 | ((rd(x, E1000_EECD) & E1000_EECD_DO) ? 1 : 0);
		wr(x, E1000_EECD, eecd);
	}
	eecd &= ~(E1000_EECD_CS | E1000_EECD_REQ);
	wr(x, E1000_EECD, eecd);
	return (int)word;
}

static void test_eeprom_bitbang(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(ee_bitbang_read(x, i, true), eerd(x, i));
	assert_int_equal(ee_bitbang_read(x, 0, true), 0x5452);
	assert_int_equal(ee_bitbang_read(x, E1000_EE_CHECKSUM, true), eerd(x, E1000_EE_CHECKSUM));
	/* the grant follows the request and drops with it */
	assert_false(rd(x, E1000_EECD) & E1000_EECD_GNT);
	/* without the grant the pins do nothing: DO stays low */
	assert_int_equal(ee_bitbang_read(x, 0, false), 0);
	fx_free(x);
}

static uint32_t mdic(struct fx *x, uint32_t op, unsigned phy, unsigned reg, uint16_t data)
{
	wr(x, E1000_MDIC, op | phy << E1000_MDIC_PHY_SHIFT | reg << E1000_MDIC_REG_SHIFT | data);
	return rd(x, E1000_MDIC);
}

static void test_phy_mdic(void **state)
{
	struct fx *x = fx_new();
	uint32_t v;
	(void)state;

	v = mdic(x, E1000_MDIC_OP_READ, 1, MII_PHY_ID1, 0);
	assert_true(v & E1000_MDIC_READY);
	assert_false(v & E1000_MDIC_ERROR);
	assert_int_equal(v & 0xFFFF, 0x0141);
	v = mdic(x, E1000_MDIC_OP_READ, 1, MII_PHY_ID2, 0);
	assert_int_equal(v & 0xFFF0, 0x0C20);
	v = mdic(x, E1000_MDIC_OP_READ, 1, MII_STATUS, 0);
	assert_true(v & 0x0004);    /* link up */
	assert_true(v & 0x0020);    /* auto-negotiation complete */
	v = mdic(x, E1000_MDIC_OP_READ, 1, M88_PHY_SPEC_STATUS, 0);
	assert_int_equal((v >> 14) & 3, 2);   /* 1000 Mb/s */
	assert_true(v & 0x0400);

	/* writes to a writable register stick, to a status register do not */
	mdic(x, E1000_MDIC_OP_WRITE, 1, MII_AUTONEG_ADV, 0x01E1);
	assert_int_equal(mdic(x, E1000_MDIC_OP_READ, 1, MII_AUTONEG_ADV, 0) & 0xFFFF, 0x01E1);
	mdic(x, E1000_MDIC_OP_WRITE, 1, MII_STATUS, 0);
	assert_int_equal(mdic(x, E1000_MDIC_OP_READ, 1, MII_STATUS, 0) & 0xFFFF, 0x796D);
	/* reset and restart-AN clear themselves */
	mdic(x, E1000_MDIC_OP_WRITE, 1, MII_CTRL, 0x9140);
	v = mdic(x, E1000_MDIC_OP_READ, 1, MII_CTRL, 0);
	assert_false(v & MII_CTRL_RESET);
	mdic(x, E1000_MDIC_OP_WRITE, 1, MII_CTRL, 0x1340);
	assert_false(mdic(x, E1000_MDIC_OP_READ, 1, MII_CTRL, 0) & MII_CTRL_RESTART_AN);

	/* no PHY at address 2; opcode 00 is not an operation */
	assert_true(mdic(x, E1000_MDIC_OP_READ, 2, MII_PHY_ID1, 0) & E1000_MDIC_ERROR);
	assert_true(mdic(x, 0, 1, MII_PHY_ID1, 0) & E1000_MDIC_ERROR);

	/* MDIC.I: completion raises MDAC */
	wr(x, E1000_MDIC, E1000_MDIC_OP_READ | 1 << E1000_MDIC_PHY_SHIFT | E1000_MDIC_INT_EN);
	assert_true(rd(x, E1000_ICR) & E1000_ICR_MDAC);
	fx_free(x);
}

static void test_interrupts(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	/* a cause without its mask bit: latched in ICR, no line */
	wr(x, E1000_ICS, E1000_ICR_LSC);
	assert_false(x->level);
	assert_int_equal(rd(x, E1000_ICR), E1000_ICR_LSC);
	assert_int_equal(rd(x, E1000_ICR), 0);           /* read clears */

	wr(x, E1000_IMS, E1000_ICR_LSC | E1000_ICR_RXT0);
	assert_int_equal(rd(x, E1000_IMS), E1000_ICR_LSC | E1000_ICR_RXT0);
	assert_false(x->level);
	wr(x, E1000_ICS, E1000_ICR_LSC);
	assert_true(x->level);
	assert_int_equal(x->raises, 1);
	assert_int_equal(rd(x, E1000_ICR), E1000_ICR_LSC);
	assert_false(x->level);

	/* IMC masks an asserted cause: the line drops, the cause stays until read */
	wr(x, E1000_ICS, E1000_ICR_RXT0);
	assert_true(x->level);
	wr(x, E1000_IMC, E1000_ICR_RXT0);
	assert_false(x->level);
	assert_int_equal(rd(x, E1000_IMS), E1000_ICR_LSC);
	wr(x, E1000_IMS, E1000_ICR_RXT0);
	assert_true(x->level);
	/* writing 1 to an ICR bit clears it */
	wr(x, E1000_ICR, E1000_ICR_RXT0);
	assert_false(x->level);
	assert_int_equal(rd(x, E1000_ICR), 0);
	/* ICS and IMC are write-only */
	assert_int_equal(rd(x, E1000_ICS), 0);
	assert_int_equal(rd(x, E1000_IMC), 0);
	/* bits no 82540 cause has are ignored */
	wr(x, E1000_IMS, 0xFFFFFFFF);
	assert_int_equal(rd(x, E1000_IMS), E1000_ICR_VALID);
	assert_int_equal(metric(x, "interrupts"), 3);
	assert_true(metric(x, "icr_reads") >= 4);
	fx_free(x);
}

static void test_itr_throttle(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	x->now = 1000000;
	wr(x, E1000_ITR, 1000);          /* 1000 * 256 ns = 256 us between interrupts */
	wr(x, E1000_IMS, E1000_ICR_TXDW);
	wr(x, E1000_ICS, E1000_ICR_TXDW);
	assert_true(x->level);
	rd(x, E1000_ICR);
	assert_false(x->level);

	x->now += 10000;                 /* 10 us later: held back */
	wr(x, E1000_ICS, E1000_ICR_TXDW);
	assert_false(x->level);
	x->now += 200000;                /* 210 us: still inside the interval */
	e1000_rx_poll(&x->e, 0);
	assert_false(x->level);
	x->now += 46000;                 /* 256 us: due; any access or the RX thread fires it */
	rd(x, E1000_STATUS);
	assert_true(x->level);
	assert_int_equal(x->raises, 2);
	assert_int_equal(rd(x, E1000_ICR), E1000_ICR_TXDW);

	/* a deferred interrupt whose cause is read away meanwhile never fires */
	x->now += 1000;
	wr(x, E1000_ICS, E1000_ICR_TXDW);
	assert_false(x->level);
	rd(x, E1000_ICR);
	x->now += 1000000;
	rd(x, E1000_STATUS);
	assert_false(x->level);

	/* ITR 0: no throttling */
	wr(x, E1000_ITR, 0);
	for (int i = 0; i < 3; i++) {
		wr(x, E1000_ICS, E1000_ICR_TXDW);
		assert_true(x->level);
		rd(x, E1000_ICR);
	}
	assert_int_equal(x->raises, 5);
	fx_free(x);
}

static void test_ctrl_reset(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	wr(x, E1000_IMS, E1000_ICR_LSC);
	wr(x, E1000_ICS, E1000_ICR_LSC);
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
	wr(x, E1000_TDLEN, 4096);
	wr(x, E1000_RAL(0), 0);
	wr(x, E1000_MTA + 8, 0xFFFF);
	assert_true(x->level);
	wr(x, E1000_CTRL, rd(x, E1000_CTRL) | E1000_CTRL_RST);
	assert_false(x->level);
	assert_false(rd(x, E1000_CTRL) & E1000_CTRL_RST);   /* self-clearing */
	assert_int_equal(rd(x, E1000_IMS), 0);
	assert_int_equal(rd(x, E1000_ICR), 0);
	assert_int_equal(rd(x, E1000_RCTL), 0);
	assert_int_equal(rd(x, E1000_TDLEN), 0);
	assert_int_equal(rd(x, E1000_MTA + 8), 0);
	assert_int_equal(rd(x, E1000_RAL(0)), 0x12005452);  /* reloaded from the EEPROM */

	/* CTRL_EXT.EE_RST reloads RAR[0] and clears itself */
	wr(x, E1000_RAH(0), 0);
	wr(x, E1000_CTRL_EXT, E1000_CTRL_EXT_EE_RST);
	assert_int_equal(rd(x, E1000_CTRL_EXT), 0);
	assert_int_equal(rd(x, E1000_RAH(0)), 0x5634 | E1000_RAH_AV);
	fx_free(x);
}

static void test_register_masks(void **state)
{
	struct fx *x = fx_new();
	(void)state;

	/* read-only STATUS ignores writes */
	wr(x, E1000_STATUS, 0);
	assert_true(rd(x, E1000_STATUS) & E1000_STATUS_LU);
	/* ring bases are 16-byte aligned, lengths multiples of 128 in bits 19:7 */
	wr(x, E1000_TDBAL, 0x12345678);
	assert_int_equal(rd(x, E1000_TDBAL), 0x12345670);
	wr(x, E1000_RDLEN, 0xFFFFFFFF);
	assert_int_equal(rd(x, E1000_RDLEN), 0x000FFF80);
	wr(x, E1000_TDH, 0xFFFFFFFF);
	assert_int_equal(rd(x, E1000_TDH), 0xFFFF);
	wr(x, E1000_RAH(3), 0xFFFFFFFF);
	assert_int_equal(rd(x, E1000_RAH(3)), 0x8003FFFF);
	/* registers Linux programs on an 82540 keep what it writes */
	static const uint32_t plain[] = { E1000_FCAL, E1000_FCAH, E1000_FCT, E1000_FCTTV, E1000_TIPG, E1000_TIDV,
					  E1000_TADV, E1000_RDTR, E1000_RADV, E1000_RSRPD, E1000_KABGTXD,
					  E1000_WUC, E1000_MANC, E1000_RXCSUM, E1000_TXDCTL, E1000_RXDCTL,
					  E1000_FCRTL, E1000_FCRTH, E1000_AIFS, E1000_CTRL_EXT };
	for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		wr(x, plain[i], 0x00000008);
		assert_int_equal(rd(x, plain[i]), 0x00000008);
	}
	/* WUS: write 1 to clear */
	assert_int_equal(rd(x, E1000_WUS), 0);
	assert_int_equal(metric(x, "unknown_register_accesses"), 0);
	fx_free(x);
}

static void test_statistics_clear_on_read(void **state)
{
	struct fx *x = fx_new();
	uint8_t f[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	(void)state;

	wr(x, E1000_RDBAL, 0x2000);
	wr(x, E1000_RDLEN, 128);
	wr(x, E1000_RDT, 7);
	for (int i = 0; i < 7; i++)
		memcpy(gpa(x, 0x2000 + 16 * i), &(uint64_t){ 0x10000 + 0x800 * i }, 8);
	wr(x, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
	assert_int_equal(e1000_rx_frame(&x->e, f, sizeof(f)), 1);
	assert_int_equal(e1000_rx_frame(&x->e, f, sizeof(f)), 1);
	assert_int_equal(rd(x, E1000_GPRC), 2);
	assert_int_equal(rd(x, E1000_GPRC), 0);
	assert_int_equal(rd(x, E1000_BPRC), 2);
	assert_int_equal(rd(x, E1000_TPR), 2);
	assert_int_equal(rd(x, E1000_PRC127), 2);       /* 64 + FCS = 68 bytes */
	assert_int_equal(rd(x, E1000_GORCL), 136);
	assert_int_equal(rd(x, E1000_GORCL), 136);      /* the low half alone does not clear */
	assert_int_equal(rd(x, E1000_GORCH), 0);
	assert_int_equal(rd(x, E1000_GORCL), 0);        /* reading the high half cleared both */
	/* statistics are read-only */
	wr(x, E1000_GPRC, 55);
	assert_int_equal(rd(x, E1000_GPRC), 0);
	/* every offset of the block is a register */
	for (uint32_t o = E1000_STATS_FIRST; o <= E1000_STATS_LAST; o += 4)
		rd(x, o);
	assert_int_equal(metric(x, "unknown_register_accesses"), 0);
	fx_free(x);
}

static void test_unknown_and_odd_accesses(void **state)
{
	struct fx *x = fx_new();
	uint8_t b[8];
	uint32_t v;
	uint16_t h;
	(void)state;

	/* unknown offsets read 0, drop writes and are counted */
	assert_int_equal(rd(x, 0x0004), 0);
	wr(x, 0x0004, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0x0004), 0);
	assert_int_equal(rd(x, 0x1FFFC), 0);
	assert_int_equal(rd(x, 0x20000), 0);            /* past the BAR */
	assert_int_equal(metric(x, "unknown_register_accesses"), 5);

	/* a 2-byte read takes part of the dword */
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_VET, &h, 2), 0);
	assert_int_equal(h, 0x8100);
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_RAH(0) + 1, b, 1), 0);
	assert_int_equal(b[0], 0x56);
	/* an 8-byte read takes two registers */
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_RAL(0), b, 8), 0);
	assert_memory_equal(b, fx_mac, 6);
	/* straddling a dword, odd sizes, sub-dword writes: dropped and counted */
	v = 0xdeadbeef;
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_VET + 2, &v, 4), 0);
	assert_int_equal(v, 0);
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_VET, b, 3), 0);
	assert_int_equal(e1000_mmio_ops.read(&x->e, E1000_MMIO_SIZE - 4, b, 8), 0);
	h = 0x1234;
	assert_int_equal(e1000_mmio_ops.write(&x->e, E1000_VET, &h, 2), 0);
	assert_int_equal(rd(x, E1000_VET), 0x8100);
	v = 0x88a8;
	assert_int_equal(e1000_mmio_ops.write(&x->e, E1000_VET + 1, &v, 4), 0);
	assert_int_equal(rd(x, E1000_VET), 0x8100);
	assert_int_equal(metric(x, "bad_size_accesses"), 5);
	/* a 4-byte write does the job */
	assert_int_equal(e1000_mmio_ops.write(&x->e, E1000_VET, &v, 4), 0);
	assert_int_equal(rd(x, E1000_VET), 0x88a8);
	assert_true(metric(x, "mmio_reads") >= 5);
	assert_int_equal(metric(x, "mmio_writes"), 3);
	fx_free(x);
}

static void test_io_bar(void **state)
{
	struct fx *x = fx_new();
	uint32_t v = E1000_STATUS;
	uint8_t c;
	(void)state;

	assert_int_equal(e1000_io_ops.write(&x->e, E1000_IOADDR, &v, 4), 0);
	assert_int_equal(e1000_io_ops.read(&x->e, E1000_IOADDR, &v, 4), 0);
	assert_int_equal(v, E1000_STATUS);
	assert_int_equal(e1000_io_ops.read(&x->e, E1000_IODATA, &v, 4), 0);
	assert_true(v & E1000_STATUS_LU);
	/* IODATA writes reach the selected register */
	v = E1000_IMS;
	e1000_io_ops.write(&x->e, E1000_IOADDR, &v, 4);
	v = E1000_ICR_LSC;
	e1000_io_ops.write(&x->e, E1000_IODATA, &v, 4);
	assert_int_equal(rd(x, E1000_IMS), E1000_ICR_LSC);
	/* IOADDR past the register space wraps into it; reserved offsets and sizes are ignored */
	v = 0xFFFFFFFF;
	e1000_io_ops.write(&x->e, E1000_IOADDR, &v, 4);
	e1000_io_ops.read(&x->e, E1000_IOADDR, &v, 4);
	assert_true(v < E1000_MMIO_SIZE);
	assert_int_equal(e1000_io_ops.read(&x->e, 0x10, &v, 4), 0);
	assert_int_equal(v, 0);
	assert_int_equal(e1000_io_ops.read(&x->e, E1000_IODATA, &c, 1), 0);
	assert_int_equal(c, 0);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_eeprom_eerd),
		cmocka_unit_test(test_eeprom_other_mac),
		cmocka_unit_test(test_eeprom_bitbang),
		cmocka_unit_test(test_phy_mdic),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_itr_throttle),
		cmocka_unit_test(test_ctrl_reset),
		cmocka_unit_test(test_register_masks),
		cmocka_unit_test(test_statistics_clear_on_read),
		cmocka_unit_test(test_unknown_and_odd_accesses),
		cmocka_unit_test(test_io_bar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
