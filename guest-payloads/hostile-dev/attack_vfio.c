// SPDX-License-Identifier: MIT
/*
 * hostile-dev: attacks on a passed-through 82574 (--device vfio,host=BDF).
 * Here a real device does the DMA, so the VMM cannot check a descriptor's
 * address: the IOMMU must.  exitlab maps only guest RAM into it
 * (devices/vfio/vfio_dma.c), so a descriptor or ring pointing past RAM,
 * into the MMIO hole (the device's own BAR, the LAPIC) or at 2^64 faults
 * there and reaches no host memory (a hardware IOMMU logs the fault; the
 * testbed's emulated one does not, so what is checked is the outcome: the
 * device's own registers untouched, the VMM silent, the device working
 * after).  Also: the MSI-X table (emulated by the VMM)
 * rewritten with garbage and every cause fired, and resets (CTRL.RST, a
 * function-level reset) and bus-master disables in the middle of DMA.
 * After each the device must answer and carry a good frame after a reset.
 * The metrics say what the guest saw.
 */
#include "apic.h"
#include "guest_e1000.h"
#include "hostile.h"
#include "guest_irq.h"
#include "string.h"
#include "timing.h"
#include "x86.h"

#define CTRL   0x0000
#define STATUS 0x0008
#define ICR    0x00c0
#define ICS    0x00c8
#define IMS    0x00d0
#define IMC    0x00d8
#define IVAR   0x00e4
#define RDBAL  0x2800
#define RDBAH  0x2804
#define RDH    0x2810
#define RDT    0x2818
#define TDBAL  0x3800
#define TDBAH  0x3804
#define TDH    0x3810
#define TDT    0x3818
#define CTRL_RST   (1u << 26)
#define CMD_EOP    (1u << 0)
#define CMD_IFCS   (1u << 1)
#define CMD_RS     (1u << 3)
#define DESC_DD    (1u << 0)
#define ICR_CAUSES 0x01f00000u  /* the 82574's RXQ0, RXQ1, TXQ0, TXQ1 and Other */
#define CAP_MSIX   0x11
#define MSIX_ENABLE (1u << 15)
#define MSIX_FMASK  (1u << 14)
#define PCI_CMD    0x04
#define CMD_MASTER (1u << 2)
#define CAP_EXP    0x10
#define EXP_DEVCAP_FLR (1u << 28)
#define EXP_DEVCTL_FLR (1u << 15)

static void wr(unsigned r, uint32_t v) { mmio_write32(he_nic.mmio + r, v); }
static uint32_t rd(unsigned r) { return mmio_read32(he_nic.mmio + r); }

static uint64_t outside(const struct hctx *c)
{
	return c->ram_end + 0x100000;
}

static void spin_ms(struct hctx *c, uint64_t ms)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < hx_cycles(c, ms))
		asm volatile("pause");
}

/* After an attack: registers answer, then a reset (bring-up) and one good frame. */
static void recovered(struct hctx *c)
{
	uint32_t status = rd(STATUS);

	/* Link down is the device's own business mid-reset; all-ones is a function that stopped answering. */
	hx_metric(c, "status=0x%x", status);
	if (status == 0xffffffffu)
		hx_fail(c, "STATUS reads all-ones: the registers stopped answering");
	hx_up_works(c);
}

/* ---- DMA aimed outside guest RAM: the IOMMU faults it ---- */

/* One TX descriptor per address, each kicked on its own: DD may or may not come (the device's choice). */
static void vfio_dma_outside(struct hctx *c)
{
	uint64_t addrs[4];
	unsigned dd = 0;

	if (he_up(c))
		return;
	addrs[0] = outside(c);
	addrs[1] = he_nic.pci.bar[0];
	addrs[2] = 0xfee00000ull;
	addrs[3] = ~0ull - 4095;
	hx_metric(c, "bar0=0x%lx outside=0x%lx", he_nic.pci.bar[0], outside(c));
	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		unsigned slot = he_nic.tx_tail;

		he_nic.tx[slot].addr = addrs[i];
		he_nic.tx[slot].length = 64;
		he_nic.tx[slot].cmd_or_csum_hi = CMD_EOP | CMD_IFCS | CMD_RS;
		he_nic.tx[slot].status = 0;
		he_nic.tx_tail = (uint16_t)((slot + 1) % E1000_RING);
		e1000_tx_kick(&he_nic);
		dd += he_wait_dd(c, slot, 200);
	}
	hx_metric(c, "descs=%u dd=%u tdh=%u", (unsigned)(sizeof(addrs) / sizeof(addrs[0])), dd, rd(TDH));
	recovered(c);
}

/* The TX and RX descriptor rings themselves past RAM: the device's descriptor fetches fault. */
static void vfio_ring_outside(struct hctx *c)
{
	uint64_t a = outside(c);

	if (he_up(c))
		return;
	wr(TDBAL, (uint32_t)a);
	wr(TDBAH, (uint32_t)(a >> 32));
	wr(TDH, 0);
	wr(TDT, 4);
	wr(RDBAL, (uint32_t)(a + 0x10000));
	wr(RDBAH, (uint32_t)((a + 0x10000) >> 32));
	wr(RDH, 0);
	wr(RDT, 4);
	spin_ms(c, 50);
	hx_metric(c, "ring=0x%lx tdh=%u rdh=%u", a, rd(TDH), rd(RDH));
	recovered(c);
}

/*
 * RX buffers outside RAM and on the device's own registers (BAR 0: were the
 * hole mapped for peer-to-peer, the frame would land on CTRL and reset it):
 * our looped-back frames are written by the device's DMA, which faults.
 */
static void vfio_rx_outside(struct hctx *c)
{
	uint64_t t0;
	uint8_t st = 0;
	uint32_t ctrl;

	if (!hx_need_loopback(c) || he_up(c))
		return;
	ctrl = rd(CTRL);
	for (unsigned i = 0; i < E1000_RING; i++) {
		he_nic.rx[i].addr = i & 1 ? he_nic.pci.bar[0] : outside(c);
		he_nic.rx[i].status = 0;
	}
	for (unsigned f = 0; f < 2; f++)
		if (he_good(c))
			return;
	t0 = rdtsc();
	while (!((st = he_nic.rx[1].status) & DESC_DD) && rdtsc() - t0 < hx_cycles(c, 500))
		asm volatile("pause");
	hx_metric(c, "bar0=0x%lx rx0_status=0x%x rx1_status=0x%x ctrl_before=0x%x ctrl_after=0x%x",
		  he_nic.pci.bar[0], he_nic.rx[0].status, st, ctrl, rd(CTRL));
	/* The frame written at BAR 0 landed on CTRL only if the IOMMU mapped the MMIO hole. */
	if (rd(CTRL) != ctrl)
		hx_fail(c, "CTRL changed from 0x%x to 0x%x: the device's DMA reached its own BAR", ctrl, rd(CTRL));
	recovered(c);
}

/* ---- the MSI-X table (emulated by the VMM) full of garbage, every cause fired ---- */

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static void vfio_msix_garbage(struct hctx *c)
{
	uint8_t cap;
	uint32_t t, seed = 0x15c0ffee, cmd;
	uint16_t ctrl;
	unsigned n, msi_like = 0;
	uint64_t tbl, irqs0;

	if (he_up(c))
		return;
	cap = pci_cap_find(&he_nic.pci, CAP_MSIX, 0);
	if (!cap) {
		hx_fail(c, "no MSI-X capability");
		return;
	}
	t = pci_cfg_read32(&he_nic.pci, cap + 4);
	n = (pci_cfg_read16(&he_nic.pci, cap + 2) & 0x7ff) + 1;
	tbl = he_nic.pci.bar[t & 7] + (t & ~7u);
	ctrl = pci_cfg_read16(&he_nic.pci, cap + 2);
	cmd = pci_cfg_read16(&he_nic.pci, PCI_CMD);
	pci_cfg_write16(&he_nic.pci, cap + 2, (uint16_t)((ctrl | MSIX_ENABLE) & ~MSIX_FMASK));
	/*
	 * Odd entries: an MSI address with a random destination, RH and DM
	 * bits and a device vector (so that what is delivered lands on a
	 * handler: INIT, SMI and NMI messages are KVM's business, not the
	 * VMM's); even entries: random addresses (both dwords) and data.
	 * Every vector control word random too (its mask bit half the time).
	 */
	for (unsigned k = 0; k < n; k++) {
		uint64_t en = tbl + 16ull * k;
		uint32_t r = lcg(&seed);

		if (k & 1) {
			hx_w32(en, 0xfee00000u | (r & 0xff00cu));
			hx_w32(en + 4, 0);
			hx_w32(en + 8, (VEC_DEV_BASE + (r >> 24) % VEC_DEV_COUNT) | (r & 0x100));
			msi_like++;
		} else {
			hx_w32(en, lcg(&seed));
			hx_w32(en + 4, lcg(&seed));
			hx_w32(en + 8, lcg(&seed));
		}
		hx_w32(en + 12, lcg(&seed) & ~(k & 1 ? 1u : 0u));
	}
	pci_cfg_write16(&he_nic.pci, PCI_CMD, (uint16_t)(cmd | (1u << 10)));
	/* Every queue and the Other cause on its own vector, then all of them fired, twice. */
	wr(IVAR, 0x8u | 0x9u << 4 | 0xau << 8 | 0xbu << 12 | 0xcu << 16 | 1u << 31);
	irqs0 = irq_dev_total;
	for (unsigned round = 0; round < 2; round++) {
		wr(IMS, ICR_CAUSES);
		wr(ICS, ICR_CAUSES);
		spin_ms(c, 20);
	}
	wr(IMC, ~0u);
	(void)rd(ICR);
	/* Delivered (IF=1) or pending in the LAPIC's IRR (IF=0): the device vectors the garbage named. */
	hx_metric(c, "entries=%u msi_like=%u irqs=%lu irr_dev=0x%x", n, msi_like, irq_dev_total - irqs0,
		  (hx_r32(APIC_XAPIC_GPA + 0x200 + 0x10 * (VEC_DEV_BASE / 32)) >> (VEC_DEV_BASE % 32)) &
			  ((1u << VEC_DEV_COUNT) - 1));
	/* Masked again before the garbage goes: the driver will set its own entries. */
	pci_cfg_write16(&he_nic.pci, cap + 2, (uint16_t)(ctrl & ~MSIX_ENABLE));
	pci_cfg_write16(&he_nic.pci, PCI_CMD, (uint16_t)cmd);
	recovered(c);
}

/* ---- resets and bus-master disables in the middle of DMA ---- */

static unsigned queue_frames(struct hctx *c, unsigned max)
{
	unsigned k = 0;

	while (k < max && !e1000_tx_add(&he_nic, 1514, c->seq++))
		k++;
	return k;
}

static void vfio_reset_mid_dma(struct hctx *c)
{
	unsigned k;
	uint32_t tdh;

	if (he_up(c))
		return;
	k = queue_frames(c, E1000_RING - 1);
	e1000_tx_kick(&he_nic);
	wr(CTRL, rd(CTRL) | CTRL_RST); /* while the device is still sending (and, looped back, receiving) */
	tdh = rd(TDH);
	spin_ms(c, 10);
	hx_metric(c, "queued=%u tdh_after_reset=%u tdh=%u", k, tdh, rd(TDH));
	recovered(c);
}

/*
 * A function-level reset asked for by the guest under queued DMA: Initiate
 * FLR in the PCIe Device Control register, which reaches the device (the
 * VMM passes the PCIe capability through; the host's vfio-pci performs the
 * reset and restores the configuration).  Ignored by a device without FLR.
 */
static void vfio_flr_mid_dma(struct hctx *c)
{
	uint8_t cap;
	uint32_t devcap;
	unsigned k;

	if (he_up(c))
		return;
	cap = pci_cap_find(&he_nic.pci, CAP_EXP, 0);
	if (!cap) {
		hx_skip(c, "no PCI Express capability");
		return;
	}
	devcap = pci_cfg_read32(&he_nic.pci, cap + 4);
	k = queue_frames(c, E1000_RING - 1);
	e1000_tx_kick(&he_nic);
	pci_cfg_write16(&he_nic.pci, cap + 8, (uint16_t)(pci_cfg_read16(&he_nic.pci, cap + 8) | EXP_DEVCTL_FLR));
	spin_ms(c, 100); /* FLR: the function is back within 100 ms (PCIe base 6.6.2) */
	hx_metric(c, "queued=%u flr_capable=%u command=0x%x", k, (devcap & EXP_DEVCAP_FLR) != 0,
		  pci_cfg_read16(&he_nic.pci, PCI_CMD));
	recovered(c);
}

static void vfio_master_off_mid_dma(struct hctx *c)
{
	uint16_t cmd;
	unsigned k;

	if (he_up(c))
		return;
	cmd = pci_cfg_read16(&he_nic.pci, PCI_CMD);
	k = queue_frames(c, E1000_RING - 1);
	e1000_tx_kick(&he_nic);
	pci_cfg_write16(&he_nic.pci, PCI_CMD, (uint16_t)(cmd & ~CMD_MASTER));
	spin_ms(c, 10);
	hx_metric(c, "queued=%u tdh=%u", k, rd(TDH));
	/* Bus mastering back on, then the rest of the ring must drain or the reset must clear it. */
	pci_cfg_write16(&he_nic.pci, PCI_CMD, cmd);
	recovered(c);
}

const struct hdev_ops hp_vfio_ops = { "vfio", 0, he_up, he_good, he_alive };

const struct attack hf_attacks[] = {
	{ "vfio-dma-outside", HD_PASS, vfio_dma_outside },
	{ "vfio-ring-outside", HD_PASS, vfio_ring_outside },
	{ "vfio-rx-outside", HD_PASS, vfio_rx_outside },
	{ "vfio-msix-garbage", HD_PASS, vfio_msix_garbage },
	{ "vfio-reset-mid-dma", HD_PASS, vfio_reset_mid_dma },
	{ "vfio-master-off-mid-dma", HD_PASS, vfio_master_off_mid_dma },
	{ "vfio-flr-mid-dma", HD_PASS, vfio_flr_mid_dma },
};
const unsigned hf_nattacks = sizeof(hf_attacks) / sizeof(hf_attacks[0]);
