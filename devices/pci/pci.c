// SPDX-License-Identifier: MIT
/*
 * A PCI function's configuration space (see pci.h): the type-0 header with
 * per-byte write masks and write-1-to-clear bits, BAR sizing and decoding,
 * the capability list, MSI and MSI-X, and the choice of interrupt kind.
 * Written from the PCI Local Bus 3.0 and PCI Express Base specifications.
 * No KVM here: interrupts leave through d->sink, BAR moves through ops.
 * No lock either: the caller serialises config writes (pci_host's lock) and
 * interrupt raises from other threads (the device model's lock).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci/pci.h"

/*
 * MSI capability layout: the address's high dword only with PCI_MSI_64BIT, the
 * mask and pending registers only with PCI_MSI_PVM (PCI Local Bus 3.0, 6.8.1).
 * Ours is 64-bit with masking; a pass-through device's may be any of the four.
 */
#define MSI_CTRL      2
#define MSI_ADDR_LO   4
#define MSI_ADDR_HI   8
#define MSI_DATA(d)    ((d)->msi_layout & PCI_MSI_64BIT ? 12u : 8u)
#define MSI_MASK(d)    (MSI_DATA(d) + 4)
#define MSI_PENDING(d) (MSI_DATA(d) + 8)
#define MSI_CTRL_ENABLE  (1u << 0)

/* MSI-X capability layout */
#define MSIX_CTRL     2
#define MSIX_TABLE    4
#define MSIX_PBA      8
#define MSIX_CAP_LEN  12
#define MSIX_CTRL_FMASK  (1u << 14)
#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_MAX_VEC  2048
#define MSIX_ENTRY    16
#define MSIX_VEC_MASKED 1u

static uint32_t rd(const struct pci_device *d, unsigned off, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	return v;
}

static void wr(struct pci_device *d, unsigned off, unsigned len, uint32_t v)
{
	for (unsigned i = 0; i < len; i++)
		d->cfg[off + i] = v >> (8 * i);
}

static void wmask_set(struct pci_device *d, unsigned off, unsigned len, uint32_t m)
{
	for (unsigned i = 0; i < len; i++)
		d->wmask[off + i] = m >> (8 * i);
}

void pci_device_init(struct pci_device *d, const char *name, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->msix_bar = -1;
	d->next_cap = 0x40;
	wr(d, PCI_VENDOR_ID, 2, vendor);
	wr(d, PCI_DEVICE_ID, 2, device);
	wr(d, PCI_REVISION_ID, 1, 0);
	wr(d, PCI_CLASS_PROG, 1, class_code & 0xff);
	wr(d, PCI_CLASS_DEVICE, 2, class_code >> 8);
	wr(d, PCI_HEADER_TYPE, 1, 0);
	wr(d, PCI_SUBSYSTEM_VENDOR, 2, subsys_vendor);
	wr(d, PCI_SUBSYSTEM_ID, 2, subsys_id);
	wr(d, PCI_INTERRUPT_PIN, 1, 1);   /* INTA#; a model may clear it */
	/* COMMAND: IO, MEMORY, MASTER, PARITY, SERR, INTX_DISABLE */
	wmask_set(d, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER | (1u << 6) |
		  (1u << 8) | PCI_CMD_INTX_DISABLE);
	/* STATUS: the error bits are write-1-to-clear, the rest read-only */
	d->w1c[PCI_STATUS + 1] = 0xf9;
	d->wmask[0x0c] = 0xff;                  /* cache line size */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

void pci_device_destroy(struct pci_device *d)
{
	free(d->msix_table);
	free(d->msix_pba);
	d->msix_table = NULL;
	d->msix_pba = NULL;
	d->msix_nvec = 0;
}

static bool is_upper_half(const struct pci_device *d, int bar)
{
	return bar > 0 && d->bars[bar - 1].kind == PCI_BAR_MEM64;
}

int pci_bar_init(struct pci_device *d, int bar, enum pci_bar_kind kind, uint64_t size,
		 const struct bus_ops *ops, void *opaque, const char *name)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	uint64_t mask;

	if (bar < 0 || bar >= PCI_NUM_BARS || kind == PCI_BAR_NONE || size == 0 ||
	    (size & (size - 1)) || d->bars[bar].kind != PCI_BAR_NONE || is_upper_half(d, bar))
		return -EINVAL;
	if (kind == PCI_BAR_IO && (size < 4 || size > 256))
		return -EINVAL;
	if (kind == PCI_BAR_MEM32 && (size < 16 || size > (1ULL << 31)))
		return -EINVAL;
	if (kind == PCI_BAR_MEM64 && (size < 16 || size > (1ULL << 62) || bar == PCI_NUM_BARS - 1 ||
				      d->bars[bar + 1].kind != PCI_BAR_NONE))
		return -EINVAL;
	d->bars[bar] = (struct pci_bar){
		.kind = kind, .size = size, .ops = ops, .opaque = opaque, .name = name,
	};
	mask = ~(size - 1);
	switch (kind) {
	case PCI_BAR_IO:
		wr(d, off, 4, 0x1);
		wmask_set(d, off, 4, (uint32_t)mask & ~3u);
		break;
	case PCI_BAR_MEM32:
		wr(d, off, 4, 0x0);
		wmask_set(d, off, 4, (uint32_t)mask & ~15u);
		break;
	default:
		wr(d, off, 4, 0x4);
		wmask_set(d, off, 4, (uint32_t)mask & ~15u);
		wr(d, off + 4, 4, 0);
		wmask_set(d, off + 4, 4, (uint32_t)(mask >> 32));
		break;
	}
	return 0;
}

/* The address in the BAR registers, as the guest last wrote it. */
static uint64_t bar_reg_addr(const struct pci_device *d, int bar)
{
	unsigned off = PCI_BAR0 + 4 * bar;

	switch (d->bars[bar].kind) {
	case PCI_BAR_IO:
		return rd(d, off, 4) & ~3u;
	case PCI_BAR_MEM32:
		return rd(d, off, 4) & ~15u;
	case PCI_BAR_MEM64:
		return (rd(d, off, 4) & ~15u) | (uint64_t)rd(d, off + 4, 4) << 32;
	default:
		return 0;
	}
}

uint64_t pci_bar_decoded(const struct pci_device *d, int bar)
{
	uint16_t cmd;
	const struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return 0;
	b = &d->bars[bar];
	cmd = rd(d, PCI_COMMAND, 2);
	if (b->kind == PCI_BAR_NONE || b->addr == 0)
		return 0;
	if (b->kind == PCI_BAR_IO)
		return (cmd & PCI_CMD_IO) ? b->addr : 0;
	return (cmd & PCI_CMD_MEMORY) ? b->addr : 0;
}

int pci_cap_add(struct pci_device *d, uint8_t id, unsigned len)
{
	unsigned off = (d->next_cap + 3) & ~3u;
	unsigned p;

	if (len < 2 || off < 0x40 || off + len > 256)
		return -ENOSPC;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (!d->cfg[PCI_CAP_PTR]) {
		d->cfg[PCI_CAP_PTR] = off;
	} else {
		/* Append at the end of the chain (built by us, so it terminates). */
		for (p = d->cfg[PCI_CAP_PTR]; d->cfg[p + 1]; p = d->cfg[p + 1])
			;
		d->cfg[p + 1] = off;
	}
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->next_cap = off + len;
	return off;
}

static unsigned log2u(unsigned v)
{
	unsigned l = 0;

	while ((1u << l) < v)
		l++;
	return l;
}

unsigned pci_msi_cap_len(uint16_t layout)
{
	unsigned data = layout & PCI_MSI_64BIT ? 12 : 8;

	return layout & PCI_MSI_PVM ? data + 12 : data + 2;
}

static int msi_setup(struct pci_device *d, int off, unsigned nvec, uint16_t layout)
{
	layout &= PCI_MSI_64BIT | PCI_MSI_PVM;
	if (nvec == 0 || nvec > 32 || (nvec & (nvec - 1)) || d->msi_cap)
		return -EINVAL;
	if (off && (off < 0x40 || off + pci_msi_cap_len(layout) > 256))
		return -EINVAL;
	if (!off)
		off = pci_cap_add(d, PCI_CAP_ID_MSI, pci_msi_cap_len(layout));
	if (off < 0)
		return off;
	d->msi_cap = off;
	d->msi_layout = layout;
	/* the body starts zeroed and read-only; only the registers the layout has become writable */
	for (unsigned i = 2; i < pci_msi_cap_len(layout); i++)
		d->cfg[off + i] = d->wmask[off + i] = d->w1c[off + i] = 0;
	wr(d, off + MSI_CTRL, 2, layout | log2u(nvec) << 1);
	/* enable and multiple-message-enable are the driver's */
	wmask_set(d, off + MSI_CTRL, 2, MSI_CTRL_ENABLE | 0x70);
	wmask_set(d, off + MSI_ADDR_LO, 4, ~3u);
	if (layout & PCI_MSI_64BIT)
		wmask_set(d, off + MSI_ADDR_HI, 4, ~0u);
	wmask_set(d, off + MSI_DATA(d), 2, 0xffff);
	if (layout & PCI_MSI_PVM)
		wmask_set(d, off + MSI_MASK(d), 4, nvec == 32 ? ~0u : (1u << nvec) - 1);
	return off;
}

int pci_msi_init(struct pci_device *d, unsigned nvec)
{
	return msi_setup(d, 0, nvec, PCI_MSI_64BIT | PCI_MSI_PVM);
}

int pci_msi_init_at(struct pci_device *d, unsigned cap_off, unsigned nvec, uint16_t layout)
{
	if (!cap_off)
		return -EINVAL;
	return msi_setup(d, cap_off, nvec, layout);
}

/* MSI-X state for a capability at `off` (0: append one to the list). */
static int msix_setup(struct pci_device *d, int off, unsigned nvec, int bar, uint32_t table_off,
		      uint32_t pba_off)
{
	uint64_t tlen = (uint64_t)nvec * MSIX_ENTRY, plen = ((nvec + 63) / 64) * 8;
	const struct pci_bar *b;

	if (nvec == 0 || nvec > MSIX_MAX_VEC || bar < 0 || bar >= PCI_NUM_BARS || d->msix_cap)
		return -EINVAL;
	b = &d->bars[bar];
	if (b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64)
		return -EINVAL;
	if ((table_off & 7) || (pba_off & 7) || table_off + tlen > b->size || pba_off + plen > b->size)
		return -EINVAL;
	if (table_off < pba_off + plen && pba_off < table_off + tlen)
		return -EINVAL;
	if (off && (off < 0x40 || off + MSIX_CAP_LEN > 256))
		return -EINVAL;
	d->msix_table = calloc(nvec, MSIX_ENTRY);
	d->msix_pba = calloc(plen / 8, 8);
	if (!d->msix_table || !d->msix_pba) {
		free(d->msix_table);
		free(d->msix_pba);
		d->msix_table = NULL;
		d->msix_pba = NULL;
		return -ENOMEM;
	}
	if (!off)
		off = pci_cap_add(d, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (off < 0) {
		pci_device_destroy(d);
		return off;
	}
	d->msix_cap = off;
	d->msix_nvec = nvec;
	d->msix_bar = bar;
	d->msix_table_off = table_off;
	d->msix_pba_off = pba_off;
	for (unsigned v = 0; v < nvec; v++)
		d->msix_table[v * MSIX_ENTRY + 12] = MSIX_VEC_MASKED;   /* masked at reset */
	wr(d, off + MSIX_CTRL, 2, nvec - 1);
	wmask_set(d, off + MSIX_CTRL, 2, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	wr(d, off + MSIX_TABLE, 4, table_off | bar);
	wr(d, off + MSIX_PBA, 4, pba_off | bar);
	return off;
}

int pci_msix_init(struct pci_device *d, unsigned nvec, int bar, uint32_t table_off, uint32_t pba_off)
{
	return msix_setup(d, 0, nvec, bar, table_off, pba_off);
}

int pci_msix_init_at(struct pci_device *d, unsigned cap_off, unsigned nvec, int bar, uint32_t table_off,
		     uint32_t pba_off)
{
	if (!cap_off)
		return -EINVAL;
	return msix_setup(d, cap_off, nvec, bar, table_off, pba_off);
}

bool pci_msix_enabled(const struct pci_device *d)
{
	return d->msix_cap && (rd(d, d->msix_cap + MSIX_CTRL, 2) & MSIX_CTRL_ENABLE);
}

bool pci_msi_enabled(const struct pci_device *d)
{
	return d->msi_cap && (rd(d, d->msi_cap + MSI_CTRL, 2) & MSI_CTRL_ENABLE);
}

static bool msix_fmask(const struct pci_device *d)
{
	return rd(d, d->msix_cap + MSIX_CTRL, 2) & MSIX_CTRL_FMASK;
}

static uint32_t tbl32(const struct pci_device *d, unsigned vec, unsigned word)
{
	uint32_t v;

	memcpy(&v, d->msix_table + vec * MSIX_ENTRY + word * 4, 4);
	return v;
}

/* Vectors the MSI driver enabled (multiple message enable, capped by what we offer). */
static unsigned msi_enabled_vecs(const struct pci_device *d)
{
	uint16_t ctrl = rd(d, d->msi_cap + MSI_CTRL, 2);
	unsigned mmc = (ctrl >> 1) & 7, mme = (ctrl >> 4) & 7;

	return 1u << (mme < mmc ? mme : mmc);
}

static unsigned msi_cap_vecs(const struct pci_device *d)
{
	return 1u << ((rd(d, d->msi_cap + MSI_CTRL, 2) >> 1) & 7);
}

int pci_msi_message(const struct pci_device *d, unsigned vec, uint64_t *addr, uint32_t *data, bool *masked)
{
	bool use_msix = d->msix_cap && (pci_msix_enabled(d) || !d->msi_cap);

	if (use_msix) {
		if (vec >= d->msix_nvec)
			return -EINVAL;
		*addr = tbl32(d, vec, 0) | (uint64_t)tbl32(d, vec, 1) << 32;
		*data = tbl32(d, vec, 2);
		*masked = (tbl32(d, vec, 3) & MSIX_VEC_MASKED) || msix_fmask(d) || !pci_msix_enabled(d);
		return 0;
	}
	if (d->msi_cap) {
		unsigned n = msi_enabled_vecs(d), c = d->msi_cap;

		if (vec >= msi_cap_vecs(d))
			return -EINVAL;
		vec &= n - 1;
		*addr = rd(d, c + MSI_ADDR_LO, 4);
		if (d->msi_layout & PCI_MSI_64BIT)
			*addr |= (uint64_t)rd(d, c + MSI_ADDR_HI, 4) << 32;
		*data = (rd(d, c + MSI_DATA(d), 2) & ~(n - 1)) | vec;
		*masked = !pci_msi_enabled(d) ||
			  ((d->msi_layout & PCI_MSI_PVM) && ((rd(d, c + MSI_MASK(d), 4) >> vec) & 1));
		return 0;
	}
	return -EINVAL;
}

static int send_msi(struct pci_device *d, uint64_t addr, uint32_t data)
{
	int rc;

	if (!d->sink.msi)
		return -ENODEV;
	rc = d->sink.msi(d->sink.opaque, addr, data);
	if (rc >= 0)
		__atomic_fetch_add(&d->irqs_sent, 1, __ATOMIC_RELAXED);
	return rc < 0 ? rc : 0;
}

static bool pba_test(const struct pci_device *d, unsigned vec)
{
	return (d->msix_pba[vec / 64] >> (vec % 64)) & 1;
}

static void pba_set(struct pci_device *d, unsigned vec, bool on)
{
	if (on)
		d->msix_pba[vec / 64] |= 1ULL << (vec % 64);
	else
		d->msix_pba[vec / 64] &= ~(1ULL << (vec % 64));
}

/* Deliver MSI-X vectors that are pending and no longer masked. */
static void msix_fire_pending(struct pci_device *d)
{
	if (!pci_msix_enabled(d) || msix_fmask(d))
		return;
	for (unsigned v = 0; v < d->msix_nvec; v++) {
		if (!pba_test(d, v) || (tbl32(d, v, 3) & MSIX_VEC_MASKED))
			continue;
		pba_set(d, v, false);
		send_msi(d, tbl32(d, v, 0) | (uint64_t)tbl32(d, v, 1) << 32, tbl32(d, v, 2));
	}
}

/* The same for MSI with per-vector masking (the pending register is ours). */
static void msi_fire_pending(struct pci_device *d)
{
	unsigned c = d->msi_cap;
	uint32_t pend, mask;

	if (!pci_msi_enabled(d) || !(d->msi_layout & PCI_MSI_PVM))
		return;
	pend = rd(d, c + MSI_PENDING(d), 4);
	mask = rd(d, c + MSI_MASK(d), 4);
	for (unsigned v = 0; v < 32; v++) {
		uint64_t addr;
		uint32_t data;
		bool masked;

		if (!((pend >> v) & 1) || ((mask >> v) & 1))
			continue;
		pend &= ~(1u << v);
		wr(d, c + MSI_PENDING(d), 4, pend);
		if (pci_msi_message(d, v, &addr, &data, &masked) == 0)
			send_msi(d, addr, data);
	}
}

static void intx_update(struct pci_device *d)
{
	bool disabled = rd(d, PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE;

	if (d->sink.line)
		d->sink.line(d->sink.opaque, d->intx_gsi, d->intx_level && !disabled);
}

int pci_irq_raise(struct pci_device *d, unsigned vec)
{
	if (pci_msix_enabled(d)) {
		if (vec >= d->msix_nvec)
			return -EINVAL;
		if ((tbl32(d, vec, 3) & MSIX_VEC_MASKED) || msix_fmask(d)) {
			pba_set(d, vec, true);
			return 0;
		}
		return send_msi(d, tbl32(d, vec, 0) | (uint64_t)tbl32(d, vec, 1) << 32, tbl32(d, vec, 2));
	}
	if (pci_msi_enabled(d)) {
		uint64_t addr;
		uint32_t data;
		bool masked;

		if (pci_msi_message(d, vec, &addr, &data, &masked))
			return -EINVAL;
		if (masked) {
			unsigned c = d->msi_cap, v = vec & (msi_enabled_vecs(d) - 1);

			/* masked implies the layout has the pending register */
			wr(d, c + MSI_PENDING(d), 4, rd(d, c + MSI_PENDING(d), 4) | 1u << v);
			return 0;
		}
		return send_msi(d, addr, data);
	}
	if (!d->cfg[PCI_INTERRUPT_PIN])
		return -ENODEV;
	d->cfg[PCI_STATUS] |= PCI_STATUS_INTX;
	if (!d->intx_level)
		__atomic_fetch_add(&d->irqs_sent, 1, __ATOMIC_RELAXED);
	d->intx_level = true;
	if (rd(d, PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE)
		return 0;
	return d->sink.line ? d->sink.line(d->sink.opaque, d->intx_gsi, true) : -ENODEV;
}

void pci_intx_lower(struct pci_device *d)
{
	d->cfg[PCI_STATUS] &= ~PCI_STATUS_INTX;
	if (!d->intx_level)
		return;
	d->intx_level = false;
	if (d->sink.line)
		d->sink.line(d->sink.opaque, d->intx_gsi, false);
}

static bool cfg_access_ok(unsigned off, unsigned len)
{
	return (len == 1 || len == 2 || len == 4) && off < PCI_CFG_SIZE && off + len <= PCI_CFG_SIZE;
}

uint32_t pci_config_read(struct pci_device *d, unsigned off, unsigned len)
{
	if (!cfg_access_ok(off, len))
		return ~0u;
	if (d->ops && d->ops->config_reading)
		d->ops->config_reading(d, off, len);
	return rd(d, off, len);
}

static bool overlaps(unsigned off, unsigned len, unsigned start, unsigned n)
{
	return off < start + n && start < off + len;
}

void pci_config_write(struct pci_device *d, unsigned off, unsigned len, uint32_t val)
{
	uint64_t old_dec[PCI_NUM_BARS];
	uint16_t old_cmd;
	bool irq_changed = false;

	if (!cfg_access_ok(off, len))
		return;
	old_cmd = rd(d, PCI_COMMAND, 2);
	for (int b = 0; b < PCI_NUM_BARS; b++)
		old_dec[b] = pci_bar_decoded(d, b);

	for (unsigned i = 0; i < len; i++) {
		unsigned o = off + i;
		uint8_t v = val >> (8 * i);

		d->cfg[o] = (d->cfg[o] & ~d->wmask[o]) | (v & d->wmask[o]);
		d->cfg[o] &= ~(v & d->w1c[o]);
	}

	for (int b = 0; b < PCI_NUM_BARS; b++)
		d->bars[b].addr = bar_reg_addr(d, b);
	for (int b = 0; b < PCI_NUM_BARS; b++) {
		uint64_t now = pci_bar_decoded(d, b);

		if (now != old_dec[b] && d->ops && d->ops->bar_moved)
			d->ops->bar_moved(d, b, old_dec[b], now);
	}

	if ((old_cmd ^ rd(d, PCI_COMMAND, 2)) & PCI_CMD_INTX_DISABLE) {
		intx_update(d);
		irq_changed = true;
	}
	if (d->msi_cap && overlaps(off, len, d->msi_cap, pci_msi_cap_len(d->msi_layout))) {
		irq_changed = true;
		msi_fire_pending(d);
	}
	if (d->msix_cap && overlaps(off, len, d->msix_cap, MSIX_CAP_LEN)) {
		irq_changed = true;
		msix_fire_pending(d);
	}
	if (irq_changed && d->ops && d->ops->irq_config_changed)
		d->ops->irq_config_changed(d);
	if (d->ops && d->ops->config_written)
		d->ops->config_written(d, off, len);
}

/*
 * MSI-X table and PBA accesses, `off` being the offset in the BAR that holds
 * them.  0 handled; -ENOENT the offset is in neither (the model handles it);
 * -EINVAL a bad access inside them (not a 4- or 8-byte aligned access, or
 * one that straddles their end): reads get all-ones, writes are dropped.
 */
static bool in_range(uint64_t off, unsigned size, uint64_t start, uint64_t n)
{
	return off >= start && off < start + n && size <= start + n - off;
}

static bool msix_hits(const struct pci_device *d, uint64_t off, uint64_t *start, uint64_t *n, bool *pba)
{
	uint64_t tlen = (uint64_t)d->msix_nvec * MSIX_ENTRY, plen = ((d->msix_nvec + 63) / 64) * 8;

	if (!d->msix_cap)
		return false;
	if (off >= d->msix_table_off && off < d->msix_table_off + tlen) {
		*start = d->msix_table_off;
		*n = tlen;
		*pba = false;
		return true;
	}
	if (off >= d->msix_pba_off && off < d->msix_pba_off + plen) {
		*start = d->msix_pba_off;
		*n = plen;
		*pba = true;
		return true;
	}
	return false;
}

static bool msix_size_ok(uint64_t off, unsigned size)
{
	return (size == 4 || size == 8) && (off & (size - 1)) == 0;
}

int pci_msix_table_read(struct pci_device *d, uint64_t off, void *data, unsigned size)
{
	uint64_t start, n;
	bool pba;

	if (!msix_hits(d, off, &start, &n, &pba))
		return -ENOENT;
	if (!msix_size_ok(off, size) || !in_range(off, size, start, n)) {
		memset(data, 0xff, size < 8 ? size : 8);
		return -EINVAL;
	}
	if (pba)
		memcpy(data, (uint8_t *)d->msix_pba + (off - start), size);
	else
		memcpy(data, d->msix_table + (off - start), size);
	return 0;
}

int pci_msix_table_write(struct pci_device *d, uint64_t off, const void *data, unsigned size)
{
	uint64_t start, n, rel;
	bool pba, was_masked;
	unsigned vec;

	if (!msix_hits(d, off, &start, &n, &pba))
		return -ENOENT;
	if (!msix_size_ok(off, size) || !in_range(off, size, start, n))
		return -EINVAL;
	if (pba)
		return 0;   /* read-only */
	rel = off - start;
	vec = rel / MSIX_ENTRY;
	was_masked = tbl32(d, vec, 3) & MSIX_VEC_MASKED;
	for (unsigned w = 0; w < size / 4; w++) {
		unsigned word = (rel % MSIX_ENTRY) / 4 + w;
		uint32_t v, cur;

		memcpy(&v, (const uint8_t *)data + 4 * w, 4);
		cur = tbl32(d, vec, word);
		if (word == 0)
			v &= ~3u;                 /* dword-aligned address */
		else if (word == 3)
			v = (cur & ~MSIX_VEC_MASKED) | (v & MSIX_VEC_MASKED);
		memcpy(d->msix_table + vec * MSIX_ENTRY + word * 4, &v, 4);
	}
	if (was_masked && !(tbl32(d, vec, 3) & MSIX_VEC_MASKED))
		msix_fire_pending(d);
	if (d->ops && d->ops->irq_config_changed)
		d->ops->irq_config_changed(d);
	return 0;
}
