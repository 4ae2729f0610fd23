// SPDX-License-Identifier: MIT
/*
 * 82540EM driver (e1000.h), from Intel's 8254x developer's manual.  It also
 * drives an 82574 (8086:10d3, what QEMU calls e1000e) through the legacy
 * descriptor interface the 82574 keeps; the one register that differs for
 * us is EERD (82574 datasheet: DONE is bit 1, the word address bits 15:2),
 * and the 82574 alone has MSI-X (IVAR, EIAC and the queue causes of ICR).
 */
#include "alloc.h"
#include "guest_e1000.h"
#include "format.h"
#include "guest_irq.h"
#include "net_frame.h"
#include "string.h"
#include "x86.h"

#define CTRL   0x0000
#define STATUS 0x0008
#define EERD   0x0014
#define ICR    0x00c0
#define IMS    0x00d0
#define IMC    0x00d8
#define EIAC   0x00dc   /* 82574: ICR bits cleared when their MSI-X message is sent */
#define IVAR   0x00e4   /* 82574: cause -> MSI-X vector */
#define RCTL   0x0100
#define TCTL   0x0400
#define TIPG   0x0410
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
#define MTA    0x5200
#define RAL0   0x5400
#define RAH0   0x5404

#define CTRL_ASDE (1u << 5)
#define CTRL_SLU  (1u << 6)
#define CTRL_RST  (1u << 26)
#define EERD_START (1u << 0)
#define EERD_DONE  (1u << 4)
#define EERD_DONE_82574 (1u << 1)
#define DEV_82574  0x10d3
#define RCTL_EN    (1u << 1)
#define RCTL_BAM   (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN    (1u << 1)
#define TCTL_PSP   (1u << 3)
#define TX_CMD_EOP  (1u << 0)
#define TX_CMD_IFCS (1u << 1)
#define TX_CMD_RS   (1u << 3)
#define DESC_DD     (1u << 0)
#define ICR_TXDW  (1u << 0)
#define ICR_LSC   (1u << 2)
#define ICR_RXO   (1u << 6)
#define ICR_RXT0  (1u << 7)
#define ICR_RXQ0  (1u << 20)    /* 82574, MSI-X mode: the queue causes */
#define ICR_TXQ0  (1u << 22)
#define IVAR_VALID 0x8u
#define IVAR_RXQ0_SHIFT 0
#define IVAR_TXQ0_SHIFT 8

static inline void wr(const struct e1000 *e, unsigned r, uint32_t v) { mmio_write32(e->mmio + r, v); }
static inline uint32_t rd(const struct e1000 *e, unsigned r) { return mmio_read32(e->mmio + r); }

int e1000_find(struct pci_dev *d)
{
	if (!pci_find(0x8086, 0x100e, 0, d))
		return 0;
	return pci_find(0x8086, DEV_82574, 0, d);
}

static int eeprom_read(const struct e1000 *e, unsigned addr, uint16_t *out)
{
	bool i82574 = e->pci.device == DEV_82574;

	wr(e, EERD, (i82574 ? addr << 2 : addr << 8) | EERD_START);
	for (int i = 0; i < 100000; i++) {
		uint32_t v = rd(e, EERD);

		if (v & (i82574 ? EERD_DONE_82574 : EERD_DONE)) {
			*out = (uint16_t)(v >> 16);
			return 0;
		}
	}
	return -1;
}

/* The handler's only register access: reading ICR clears it and deasserts INTx. */
static void icr_ack(void *arg)
{
	struct e1000 *e = arg;

	if (!rd(e, ICR))
		e->icr_empty++;
}

/*
 * MSI-X: EIAC clears the queue causes in ICR as the message goes out and,
 * with CTRL_EXT.IAME clear, masks them in IMS too; the handler unmasks them
 * (a write to BAR 0, no read to acknowledge).  A cause raised while masked
 * is sent on the unmask.
 */
static void msix_rearm(void *arg)
{
	wr(arg, IMS, ICR_RXQ0 | ICR_TXQ0);
}

static int msix_setup(struct e1000 *e)
{
	if (pci_msix_enable(&e->pci, 1))
		return -1;
	pci_msix_set(&e->pci, 0, (uint8_t)(VEC_DEV_BASE + e->irq_idx), false);
	wr(e, IVAR, (IVAR_VALID | 0) << IVAR_RXQ0_SHIFT | (IVAR_VALID | 0) << IVAR_TXQ0_SHIFT);
	wr(e, EIAC, ICR_RXQ0 | ICR_TXQ0);
	irq_dev_set_ack(e->irq_idx, msix_rearm, e);
	wr(e, IMS, ICR_RXQ0 | ICR_TXQ0);
	e->intr = PCI_INTR_MSIX;
	return 0;
}

static int intr_setup(struct e1000 *e, enum pci_intr want, char *err, unsigned errlen)
{
	if (want == PCI_INTR_NONE)
		return 0;
	if (want != PCI_INTR_INTX && e->pci.device == DEV_82574 && !msix_setup(e))
		return 0;
	if (want == PCI_INTR_MSIX) {
		format_snprintf(err, errlen, "e1000: intr=msix: %s", e->pci.device == DEV_82574 ?
				"the 82574's MSI-X table could not be set up" : "the 82540EM has no MSI-X");
		return -1;
	}
	if (pci_intx_route(&e->pci, (uint8_t)(VEC_DEV_BASE + e->irq_idx))) {
		format_snprintf(err, errlen, "e1000: no INTx pin to route");
		return -1;
	}
	irq_dev_set_ack(e->irq_idx, icr_ack, e);
	wr(e, IMS, ICR_TXDW | ICR_LSC | ICR_RXO | ICR_RXT0);
	e->intr = PCI_INTR_INTX;
	return 0;
}

int e1000_init(struct e1000 *e, const struct pci_dev *d, enum pci_intr intr, unsigned irq_idx,
	       char *err, unsigned errlen)
{
	memset(e, 0, sizeof(*e));
	e->pci = *d;
	if (pci_dev_enable(&e->pci) || !e->pci.bar[0] || e->pci.bar_io[0]) {
		format_snprintf(err, errlen, "e1000: no memory BAR 0");
		return -1;
	}
	e->mmio = e->pci.bar[0];
	wr(e, IMC, 0xffffffff);
	wr(e, CTRL, rd(e, CTRL) | CTRL_RST);
	for (int i = 0; i < 100000 && (rd(e, CTRL) & CTRL_RST); i++)
		asm volatile("pause");
	wr(e, IMC, 0xffffffff);
	(void)rd(e, ICR);
	wr(e, CTRL, rd(e, CTRL) | CTRL_SLU | CTRL_ASDE);
	for (unsigned w = 0; w < 3; w++) {
		uint16_t v;

		if (eeprom_read(e, w, &v)) {
			format_snprintf(err, errlen, "e1000: EERD read of word %u never completed", w);
			return -1;
		}
		e->mac[2 * w] = (uint8_t)v;
		e->mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
	wr(e, RAL0, e->mac[0] | e->mac[1] << 8 | e->mac[2] << 16 | (uint32_t)e->mac[3] << 24);
	wr(e, RAH0, e->mac[4] | e->mac[5] << 8 | 1u << 31);
	for (unsigned i = 0; i < 128; i++)
		wr(e, MTA + 4 * i, 0);

	e->tx = alloc_zeroed(E1000_RING * sizeof(struct e1000_desc), 4096);
	e->rx = alloc_zeroed(E1000_RING * sizeof(struct e1000_desc), 4096);
	e->tx_bufs = alloc_zeroed((uint64_t)E1000_RING * E1000_BUF, 4096);
	e->rx_bufs = alloc_zeroed((uint64_t)E1000_RING * E1000_BUF, 4096);
	if (!e->tx || !e->rx || !e->tx_bufs || !e->rx_bufs) {
		format_snprintf(err, errlen, "e1000: no guest RAM for the rings");
		return -1;
	}
	for (unsigned i = 0; i < E1000_RING; i++) {
		e->tx[i].addr = (uint64_t)(e->tx_bufs + (uint64_t)i * E1000_BUF);
		e->rx[i].addr = (uint64_t)(e->rx_bufs + (uint64_t)i * E1000_BUF);
	}
	wr(e, TDBAL, (uint32_t)(uint64_t)e->tx);
	wr(e, TDBAH, (uint32_t)((uint64_t)e->tx >> 32));
	wr(e, TDLEN, E1000_RING * sizeof(struct e1000_desc));
	wr(e, TDH, 0);
	wr(e, TDT, 0);
	wr(e, TIPG, 10 | 8 << 10 | 6 << 20);
	wr(e, TCTL, TCTL_EN | TCTL_PSP | 0x0f << 4 | 0x40 << 12);
	wr(e, RDBAL, (uint32_t)(uint64_t)e->rx);
	wr(e, RDBAH, (uint32_t)((uint64_t)e->rx >> 32));
	wr(e, RDLEN, E1000_RING * sizeof(struct e1000_desc));
	wr(e, RDH, 0);
	wr(e, RDT, E1000_RING - 1); /* every buffer but one posted: head == tail means empty */
	wr(e, RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC); /* BSIZE 00: 2048-byte buffers */

	e->irq_idx = irq_idx;
	return intr_setup(e, intr, err, errlen);
}

unsigned e1000_tx_free(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail && (e->tx[e->tx_clean].status & DESC_DD))
		e->tx_clean = (uint16_t)((e->tx_clean + 1) % E1000_RING);
	return (unsigned)(E1000_RING - 1 - (uint16_t)((e->tx_tail - e->tx_clean + E1000_RING) % E1000_RING));
}

int e1000_tx_add(struct e1000 *e, uint32_t len, uint32_t seq)
{
	uint16_t t = e->tx_tail, next = (uint16_t)((t + 1) % E1000_RING);
	volatile struct e1000_desc *d = &e->tx[t];

	if (next == e->tx_clean || len > E1000_BUF)
		return -1;
	net_frame_fill(e->tx_bufs + (uint64_t)t * E1000_BUF, len, seq, e->mac);
	d->length = (uint16_t)len;
	d->cso_or_csum_lo = 0;
	d->cmd_or_csum_hi = TX_CMD_EOP | TX_CMD_IFCS | TX_CMD_RS;
	d->status = 0;
	d->css_or_errors = 0;
	d->special = 0;
	e->tx_tail = next;
	return 0;
}

int e1000_tx_kick(struct e1000 *e)
{
	if (e->tx_kicked == e->tx_tail)
		return 0;
	asm volatile("" : : : "memory"); /* descriptors before the doorbell (x86 keeps store order) */
	wr(e, TDT, e->tx_tail);
	e->tx_kicked = e->tx_tail;
	e->tx_kicks++;
	return 1;
}

unsigned e1000_rx_poll(struct e1000 *e, unsigned max, void (*fn)(const uint8_t *f, uint32_t len, void *arg),
		       void *arg)
{
	unsigned got = 0;
	uint16_t last = 0;

	while (got < max && e->rx[e->rx_next].status & DESC_DD) {
		volatile struct e1000_desc *d = &e->rx[e->rx_next];
		uint32_t len = d->length;

		if (len && len <= E1000_BUF)
			fn(e->rx_bufs + (uint64_t)e->rx_next * E1000_BUF, len, arg);
		d->status = 0;
		last = e->rx_next;
		e->rx_next = (uint16_t)((e->rx_next + 1) % E1000_RING);
		got++;
	}
	if (got) {
		wr(e, RDT, last); /* the buffers just read go back to the device */
		e->rx_kicks++;
	}
	return got;
}
