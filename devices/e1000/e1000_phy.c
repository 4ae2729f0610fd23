// SPDX-License-Identifier: MIT
/*
 * The PHY behind MDIC: an internal Marvell 88E1011-like copper PHY at MII
 * address 1.  The link is always up at 1000 Mb/s full duplex, auto-
 * negotiation completes at once (reset and restart bits clear themselves),
 * and the link partner advertises everything we do.  Accesses to another
 * PHY address complete with MDIC.E set, as with no PHY there.
 */
#include "devices/e1000/e1000_priv.h"

/* Registers a write may change (the rest are read-only status). */
static const uint16_t phy_wmask[32] = {
	[MII_CTRL] = 0xFFFF,
	[MII_AUTONEG_ADV] = 0xFFFF,
	[MII_NEXT_PAGE_TX] = 0xFFFF,
	[MII_1000T_CTRL] = 0xFFFF,
	[M88_PHY_SPEC_CTRL] = 0xFFFF,
	[M88_INT_ENABLE] = 0xFFFF,
	[M88_EXT_PHY_SPEC_CTRL] = 0xFFFF,
	[0x16] = 0xFFFF, [0x18] = 0xFFFF, [0x1A] = 0xFFFF, [0x1D] = 0xFFFF, [0x1E] = 0xFFFF,
};

void e1000_phy_reset(struct e1000 *e)
{
	uint16_t *p = e->phy;

	memset(e->phy, 0, sizeof(e->phy));
	p[MII_CTRL] = 0x1140;          /* auto-negotiation on, full duplex, 1000 Mb/s */
	p[MII_STATUS] = 0x796D;        /* 10/100 capable, ext status, AN complete, link up, ext regs */
	p[MII_PHY_ID1] = (uint16_t)(E1000_PHY_ID_88E1011 >> 16);
	p[MII_PHY_ID2] = (uint16_t)E1000_PHY_ID_88E1011;
	p[MII_AUTONEG_ADV] = 0x0DE1;   /* 10/100 half and full, pause, asymmetric pause, 802.3 */
	p[MII_LP_ABILITY] = 0x4DE1;    /* the partner: the same, acknowledged */
	p[MII_AUTONEG_EXP] = 0x0001;   /* partner can auto-negotiate */
	p[MII_NEXT_PAGE_TX] = 0x2001;
	p[MII_1000T_CTRL] = 0x0300;    /* advertise 1000 full and half */
	p[MII_1000T_STATUS] = 0x3C00;  /* local and remote receivers OK, partner 1000 full and half */
	p[MII_EXT_STATUS] = 0x3000;    /* 1000BASE-T full and half capable */
	p[M88_PHY_SPEC_CTRL] = 0x0068;
	p[M88_PHY_SPEC_STATUS] = 0xAC00; /* 1000 Mb/s, full duplex, resolved, link up */
	p[M88_EXT_PHY_SPEC_CTRL] = 0x0C60;
}

static void phy_write(struct e1000 *e, unsigned reg, uint16_t val)
{
	uint16_t *p = e->phy;

	if (reg == MII_CTRL && (val & MII_CTRL_RESET)) {
		uint16_t adv = p[MII_AUTONEG_ADV], gig = p[MII_1000T_CTRL];

		/* a software reset keeps the advertisement registers, as a real PHY does */
		e1000_phy_reset(e);
		p[MII_AUTONEG_ADV] = adv;
		p[MII_1000T_CTRL] = gig;
		p[MII_CTRL] = (uint16_t)(0x1140 | (val & ~(MII_CTRL_RESET | MII_CTRL_RESTART_AN)));
		return;
	}
	p[reg] = (uint16_t)((p[reg] & ~phy_wmask[reg]) | (val & phy_wmask[reg]));
	if (reg == MII_CTRL)
		p[MII_CTRL] &= (uint16_t)~MII_CTRL_RESTART_AN;   /* negotiation done at once */
}

void e1000_mdic_write(struct e1000 *e, uint32_t val)
{
	unsigned reg = (val >> E1000_MDIC_REG_SHIFT) & 0x1F;
	unsigned phy = (val >> E1000_MDIC_PHY_SHIFT) & 0x1F;
	uint32_t op = val & (3u << 26);
	uint32_t out = val & ~(E1000_MDIC_READY | E1000_MDIC_ERROR);

	if (phy != E1000_PHY_ADDR || (op != E1000_MDIC_OP_READ && op != E1000_MDIC_OP_WRITE)) {
		out |= E1000_MDIC_ERROR;
	} else if (op == E1000_MDIC_OP_READ) {
		out = (out & ~E1000_MDIC_DATA_MASK) | e->phy[reg];
	} else {
		phy_write(e, reg, (uint16_t)(val & E1000_MDIC_DATA_MASK));
	}
	/* The MDIO transaction finishes before the guest can look again. */
	e1000_w(e, E1000_MDIC, out | E1000_MDIC_READY);
	if (val & E1000_MDIC_INT_EN)
		e1000_irq_cause(e, E1000_ICR_MDAC);
}
