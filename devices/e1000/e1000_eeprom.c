// SPDX-License-Identifier: MIT
/*
 * The 82540EM's serial EEPROM: 64 16-bit words (a 93C46-style Microwire
 * part), read either through EERD (write START and an address, read DONE
 * and the data) or bit by bit through EECD (request/grant, then CS, SK,
 * DI and DO driven by software), which is how Linux reads it on 82540.
 * The contents are built at init: the MAC in words 0-2, the PCI IDs, the
 * init-control words, and word 0x3F making the sum of all 64 words 0xBABA.
 * The part is read-only here: write and erase opcodes are ignored.
 */
#include "devices/e1000/e1000_priv.h"

#define EE_OP_READ 0x2u   /* Microwire opcode after the start bit: 10b */

void e1000_eeprom_init(struct e1000 *e)
{
	uint16_t *w = e->eeprom;
	uint16_t sum = 0;

	for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++)
		w[i] = 0xFFFF;                 /* what an unprogrammed word reads */
	w[0] = e1000_le16(e->mac);
	w[1] = e1000_le16(e->mac + 2);
	w[2] = e1000_le16(e->mac + 4);
	w[3] = 0x0000;                         /* compatibility: nothing special */
	w[E1000_EE_ID_LED] = 0xFFFF;           /* LED configuration: use the defaults */
	w[5] = 0x0000;                         /* image version */
	w[6] = w[7] = 0x0000;
	w[E1000_EE_PBA_0] = 0x0000;            /* printed board assembly number 000000-000 */
	w[E1000_EE_PBA_1] = 0x0000;
	w[E1000_EE_INIT_CTRL1] = 0x4400;       /* signature 01b in bits 15:14, full duplex (bit 10) */
	w[E1000_EE_SUBSYS_ID] = E1000_SUBSYS_ID;
	w[E1000_EE_SUBSYS_VENDOR] = E1000_VENDOR_INTEL;
	w[E1000_EE_DEVICE_ID] = E1000_DEV_82540EM;
	w[E1000_EE_VENDOR_ID] = E1000_VENDOR_INTEL;
	w[E1000_EE_INIT_CTRL2] = 0x3000;       /* PAUSE and ASM_DIR advertised: full flow control */
	w[E1000_EE_INIT_CTRL3_A] = 0x0000;     /* no APM wake-up */
	for (unsigned i = 0; i < E1000_EE_CHECKSUM; i++)
		sum = (uint16_t)(sum + w[i]);
	w[E1000_EE_CHECKSUM] = (uint16_t)(E1000_EEPROM_SUM - sum);
}

void e1000_eerd_write(struct e1000 *e, uint32_t val)
{
	uint32_t addr = (val >> E1000_EERD_ADDR_SHIFT) & E1000_EERD_ADDR_MASK;
	uint16_t data;

	if (!(val & E1000_EERD_START)) {
		e1000_w(e, E1000_EERD, val & (E1000_EERD_ADDR_MASK << E1000_EERD_ADDR_SHIFT));
		return;
	}
	/* The read completes at once; addresses past the part read as unprogrammed. */
	data = addr < E1000_EEPROM_WORDS ? e->eeprom[addr] : 0xFFFF;
	e1000_w(e, E1000_EERD, (uint32_t)data << E1000_EERD_DATA_SHIFT |
		addr << E1000_EERD_ADDR_SHIFT | E1000_EERD_DONE);
}

/* One rising edge of SK while CS is high. */
static void ee_clock(struct e1000 *e, bool di)
{
	struct e1000_ee_wire *w = &e->ee;
	unsigned nbits = 3 + E1000_EEPROM_ABITS;

	if (w->reading) {
		if (w->bits_out == 16) {       /* sequential read: the next word follows */
			w->shift_in = (w->shift_in + 1) & (E1000_EEPROM_WORDS - 1);
			w->word = e->eeprom[w->shift_in];
			w->bits_out = 0;
		}
		w->dout = (w->word >> (15 - w->bits_out)) & 1;
		w->bits_out++;
		return;
	}
	if (w->bits_in == 0 && !di)
		return;                        /* leading zeros before the start bit */
	if (w->bits_in >= nbits)
		return;                        /* an opcode we ignore: wait for CS to drop */
	w->shift_in = w->shift_in << 1 | di;
	w->bits_in++;
	if (w->bits_in == 3 && ((w->shift_in & 3) != EE_OP_READ)) {
		w->bits_in = nbits;            /* write, erase, EWEN/EWDS: read-only part */
		return;
	}
	if (w->bits_in == nbits) {
		w->shift_in &= E1000_EEPROM_WORDS - 1;
		w->word = e->eeprom[w->shift_in];
		w->reading = true;
		w->bits_out = 0;
		w->dout = 0;                   /* the dummy zero before the data */
	}
}

void e1000_eecd_write(struct e1000 *e, uint32_t val)
{
	struct e1000_ee_wire *w = &e->ee;
	uint32_t keep = E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI | E1000_EECD_FWE_MASK | E1000_EECD_REQ;
	bool cs = val & E1000_EECD_CS, sk = val & E1000_EECD_SK;

	e1000_w(e, E1000_EECD, (e1000_r(e, E1000_EECD) & ~keep) | (val & keep));
	if (!(val & E1000_EECD_REQ)) {
		/* without the grant software does not own the pins */
		memset(w, 0, sizeof(*w));
		return;
	}
	if (!cs) {
		memset(w, 0, sizeof(*w));
		return;
	}
	if (!w->cs) {                          /* CS rising: a new command starts */
		memset(w, 0, sizeof(*w));
		w->cs = true;
	}
	if (sk && !w->sk)
		ee_clock(e, val & E1000_EECD_DI);
	w->sk = sk;
}

uint32_t e1000_eecd_read(struct e1000 *e)
{
	uint32_t v = e1000_r(e, E1000_EECD) | E1000_EECD_PRES;

	v &= ~(E1000_EECD_GNT | E1000_EECD_DO | E1000_EECD_SIZE);
	if (v & E1000_EECD_REQ)
		v |= E1000_EECD_GNT;
	if (e->ee.cs && e->ee.dout)
		v |= E1000_EECD_DO;
	return v;
}
