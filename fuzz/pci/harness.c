// SPDX-License-Identifier: MIT
/*
 * PCI configuration space and BAR dispatch: devices/pci/pci.c (headers,
 * BAR sizing and moves, the capability list, MSI and MSI-X with masking and
 * pending bits, INTx), devices/pci/pci_host.c (0xCF8/0xCFC, ECAM, the MMIO
 * and I/O windows) and the VM's buses (vmm/bus.c) under them, with the real
 * functions on the bus: the host bridge, a virtio-net behind virtio-pci
 * (MEM64 BAR 4, MSI-X in BAR 1), an e1000 (MEM32 BAR 0, I/O BAR 1), and a
 * function with an MSI capability (no real model has one) and BARs of each
 * kind.  Every BAR's handler is wrapped to record which BAR an access
 * reached; the virtio function's handlers are then called for real.
 *
 * The input is a sequence of up to MAX_OPS accesses: port I/O at
 * 0xCF8..0xCFF, ECAM and window accesses (offset, width, value), and
 * shortcuts a driver would compose of them (a config write to one
 * function, a BAR moved onto another BAR, an MSI-X table write where the
 * table's BAR is, an interrupt raised).  After each one the harness checks
 * that the buses kept their ranges and that every BAR decodes where config
 * space says and receives exactly the accesses the host's rule gives it
 * (the first function and BAR, in slot order, whose decoded range holds the
 * address); a violation aborts with a description.  Every input starts
 * from the state right after boot-time placement.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e1000/e1000.h"
#include "pci_host.h"
#include "virtio_net.h"
#include "virtio_pci.h"
#include "virtqueue/rig.h"
#include "vm.h"

#define MAX_OPS 32
#define NDEV    4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { OP_PIO, OP_ECAM, OP_WINDOW, OP_CFG, OP_BAR_ONTO, OP_BAR_SIZE, OP_MSIX, OP_IRQ, OP_NOPS };

static struct vm vm;
static struct pci_host host;
static struct guest_mem mem;
static struct rig_net nbe;
static struct virtio_net vnet;
static struct virtio_pci vpci;
static struct rig_net ebe;
static struct e1000 e1000;
static struct pci_device msidev;
static struct pci_device *dev[NDEV];   /* by slot as the host placed them: bridge, virtio, e1000, msidev */
static size_t mmio_ranges, pio_ranges;
static FILE *report;
/* What config space says of every BAR (at the last check), and what it said after boot. */
static uint64_t says[NDEV][PCI_NUM_BARS], boot[NDEV][PCI_NUM_BARS];
static void check(int slot, bool probes);

/* ---- recording each BAR's accesses ---- */

struct tap {
	const struct bus_ops *real;    /* forwarded to, or NULL */
	void *real_opaque;
	int dev, bar;
};

static struct tap taps[NDEV][PCI_NUM_BARS];
static struct { int dev, bar; uint64_t off; unsigned n; } hit;

static int tap_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct tap *t = opaque;

	hit.dev = t->dev, hit.bar = t->bar, hit.off = off, hit.n++;
	if (t->real && t->real->read)
		return t->real->read(t->real_opaque, off, data, size);
	memset(data, 0xff, size);
	return 0;
}

static int tap_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct tap *t = opaque;

	hit.dev = t->dev, hit.bar = t->bar, hit.off = off, hit.n++;
	if (t->real && t->real->write)
		return t->real->write(t->real_opaque, off, data, size);
	return 0;
}

static const struct bus_ops tap_ops = { .read = tap_read, .write = tap_write };

/* ---- interrupts go nowhere, counted ---- */

static unsigned lines, msis;

static int sink_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque, (void)gsi, (void)level;
	lines++;
	return 0;
}

static int sink_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)addr, (void)data;
	msis++;
	return 0;
}

/* ---- the state every input starts from ---- */

static struct pci_device snap[NDEV];
static uint8_t snap_table[NDEV][64 * 16];
static uint64_t snap_pba[NDEV][1];

static void snapshot(void)
{
	for (int i = 0; i < NDEV; i++) {
		snap[i] = *dev[i];
		if (dev[i]->msix_table)
			memcpy(snap_table[i], dev[i]->msix_table, dev[i]->msix_nvec * 16);
		if (dev[i]->msix_pba)
			memcpy(snap_pba[i], dev[i]->msix_pba, sizeof(snap_pba[i]));
	}
}

static void restore(void)
{
	uint8_t zero = 0;

	/* the virtio transport's own state: a reset, as the driver does it */
	vpci.pci.bars[VIRTIO_PCI_BAR].ops->write(vpci.pci.bars[VIRTIO_PCI_BAR].opaque,
						 VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_STATUS, &zero, 1);
	for (int i = 0; i < NDEV; i++) {
		*dev[i] = snap[i];
		if (dev[i]->msix_table)
			memcpy(dev[i]->msix_table, snap_table[i], dev[i]->msix_nvec * 16);
		if (dev[i]->msix_pba)
			memcpy(dev[i]->msix_pba, snap_pba[i], sizeof(snap_pba[i]));
	}
	host.config_addr = 0;
}

static void add(struct pci_device *d, int slot)
{
	char err[256];

	if (pci_host_add(&host, d, slot, err, sizeof(err))) {
		fprintf(report, "pci harness: %s\n", err);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const uint8_t mac2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
	char err[256];

	(void)argc, (void)argv;
	/* A failed check is reported on the real stderr; the models' own diagnostics go nowhere. */
	report = fdopen(dup(2), "w");
	stderr = fopen("/dev/null", "w");
	if (!report || !stderr)
		abort();
	setvbuf(report, NULL, _IONBF, 0);
	rig_mem_create(&mem);
	bus_init(&vm.pio, "pio");
	bus_init(&vm.mmio, "mmio");
	if (pci_host_init(&host, &vm, NULL, err, sizeof(err)))
		goto fail;

	rig_net_create(&nbe, 0);
	if (virtio_net_init(&vnet, &mem, &nbe.be, mac, err, sizeof(err)))
		goto fail;
	vnet.serve_inline = true;   /* DRIVER_OK starts no thread */
	if (virtio_pci_init(&vpci, &vnet.vdev, &vm, &host, NULL, true, err, sizeof(err)))
		goto fail;

	rig_net_create(&ebe, 0);
	if (e1000_init(&e1000, &mem, &ebe.be, mac2, err, sizeof(err)))
		goto fail;
	add(e1000_pci_device(&e1000), 2);

	/* A function with MSI (8 vectors, per-vector masks) and BARs of every kind: I/O, MEM32, MEM64. */
	pci_device_init(&msidev, "msi-dev", 0x1234, 0x11, 0xff0000, 0x1234, 0x11);
	msidev.cfg[PCI_INTERRUPT_PIN] = 1;
	if (pci_bar_init(&msidev, 0, PCI_BAR_IO, 32, NULL, NULL, "io") ||
	    pci_bar_init(&msidev, 1, PCI_BAR_MEM32, 0x1000, NULL, NULL, "mem32") ||
	    pci_bar_init(&msidev, 2, PCI_BAR_MEM64, 0x100000, NULL, NULL, "mem64") ||
	    pci_msi_init(&msidev, 8) < 0)
		goto fail;
	add(&msidev, 3);

	for (int s = 0; s < NDEV; s++) {
		dev[s] = host.devs[s];
		if (!dev[s])
			goto fail;
		dev[s]->sink = (struct pci_irq_sink){ .line = sink_line, .msi = sink_msi };
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			struct pci_bar *bar = &dev[s]->bars[b];
			struct tap *t = &taps[s][b];

			t->dev = s, t->bar = b;
			if (dev[s] == &vpci.pci) {   /* the virtio handlers run for real */
				t->real = bar->ops;
				t->real_opaque = bar->opaque;
			}
			bar->ops = &tap_ops;
			bar->opaque = t;
		}
	}
	mmio_ranges = vm.mmio.n;
	pio_ranges = vm.pio.n;
	snapshot();
	check(-1, true);   /* with boot[] still zero: the placement itself probed */
	memcpy(boot, says, sizeof(says));
	return 0;
fail:
	fprintf(report, "pci harness: set-up failed: %s\n", err);
	abort();
}

/* ---- the checks ---- */

static void fail(const char *what, int s, int b, uint64_t a, uint64_t x)
{
	fprintf(report, "pci harness: %s: slot %d BAR %d: 0x%llx vs 0x%llx\n", what, s, b, (unsigned long long)a,
		(unsigned long long)x);
	abort();
}

/* The address config space (read as the guest reads it) says BAR b of slot s decodes, or 0. */
static uint64_t cfg_says(int s, int b)
{
	struct pci_device *d = dev[s];
	uint32_t lo, cmd = pci_config_read(d, PCI_COMMAND, 2);
	uint64_t a;

	switch (d->bars[b].kind) {
	case PCI_BAR_IO:
		lo = pci_config_read(d, PCI_BAR0 + 4 * b, 4);
		a = lo & ~3u;
		return (cmd & PCI_CMD_IO) ? a : 0;
	case PCI_BAR_MEM32:
		lo = pci_config_read(d, PCI_BAR0 + 4 * b, 4);
		a = lo & ~15u;
		return (cmd & PCI_CMD_MEMORY) ? a : 0;
	case PCI_BAR_MEM64:
		lo = pci_config_read(d, PCI_BAR0 + 4 * b, 4);
		a = (lo & ~15u) | (uint64_t)pci_config_read(d, PCI_BAR0 + 4 * b + 4, 4) << 32;
		return (cmd & PCI_CMD_MEMORY) ? a : 0;
	default:
		return 0;
	}
}

/* Which BAR the host's rule sends an access at addr to: the first decoding it, in slot and BAR order. */
static bool owner(bool io, uint64_t addr, int *os, int *ob)
{
	for (int s = 0; s < NDEV; s++)
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar *bar = &dev[s]->bars[b];
			uint64_t base = says[s][b];

			if (bar->kind == PCI_BAR_NONE || (bar->kind == PCI_BAR_IO) != io || !base)
				continue;
			if (addr >= base && addr - base < bar->size) {
				*os = s, *ob = b;
				return true;
			}
		}
	return false;
}

static void check_bus(const struct bus *bus, size_t n)
{
	if (bus->n != n)
		fail("bus range count changed", -1, -1, bus->n, n);
	for (size_t i = 1; i < bus->n; i++)
		if (bus->ranges[i - 1].base + bus->ranges[i - 1].len > bus->ranges[i].base)
			fail("bus ranges overlap", -1, (int)i, bus->ranges[i - 1].base, bus->ranges[i].base);
}

/* One byte read through the VM's bus at addr: it must reach the BAR the rule names, or nothing. */
static void probe(bool io, uint64_t addr)
{
	uint8_t b;
	int es = -1, eb = -1;
	bool owned = owner(io, addr, &es, &eb);
	bool in_win = io ? addr >= PCI_IO_WINDOW && addr < PCI_IO_WINDOW + PCI_IO_SIZE
			 : addr >= PCI_MMIO_WINDOW && addr < PCI_MMIO_WINDOW + PCI_MMIO_SIZE;

	hit.n = 0;
	bus_access(io ? &vm.pio : &vm.mmio, addr, false, &b, 1);
	if (!in_win) {
		/* outside the windows: the host never sees it (ECAM and 0xCF8 are not BARs) */
		if (hit.n)
			fail("an access outside the windows reached a BAR", hit.dev, hit.bar, addr, 0);
		return;
	}
	if (!owned) {
		if (hit.n)
			fail("an access no BAR decodes reached one", hit.dev, hit.bar, addr, 0);
		return;
	}
	if (hit.n != 1 || hit.dev != es || hit.bar != eb)
		fail(hit.n ? "an access reached the wrong BAR" : "an access missed its BAR", es, eb, addr,
		     hit.n ? (uint64_t)(hit.dev * 8 + hit.bar) : 0);
	if (hit.off != addr - says[es][eb])
		fail("an access reached its BAR at the wrong offset", es, eb, hit.off, addr - says[es][eb]);
}

/*
 * The checks: after every config write, the buses and the written function's
 * BARs' decoded addresses against config space (slot -1: every function); at the end of the input, where accesses
 * land, unless the BARs are where boot put them (checked once at start-up:
 * the probes are what costs, the host searching every slot per access).
 */
static void check(int slot, bool probes)
{
	check_bus(&vm.mmio, mmio_ranges);
	check_bus(&vm.pio, pio_ranges);
	for (int s = 0; s < NDEV; s++) {
		if (slot >= 0 && s != slot)
			continue;
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			says[s][b] = cfg_says(s, b);
			if (dev[s]->bars[b].kind != PCI_BAR_NONE && pci_bar_decoded(dev[s], b) != says[s][b])
				fail("decoded address differs from config space", s, b, pci_bar_decoded(dev[s], b),
				     says[s][b]);
		}
	}
	if (!probes || !memcmp(boot, says, sizeof(says)))
		return;
	for (int s = 0; s < NDEV; s++)
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar *bar = &dev[s]->bars[b];
			uint64_t at = says[s][b];

			if (bar->kind == PCI_BAR_NONE || !at)
				continue;
			/* its first and last byte, and just past its end */
			probe(bar->kind == PCI_BAR_IO, at);
			probe(bar->kind == PCI_BAR_IO, at + bar->size - 1);
			probe(bar->kind == PCI_BAR_IO, at + bar->size);
		}
}

/* ---- the operations ---- */

static unsigned width(uint8_t code)
{
	return 1u << (code & 3);
}

static void bus_rw(struct bus *bus, uint64_t addr, bool is_write, unsigned sz, struct fuzz_input *in)
{
	uint64_t v = 0;

	if (is_write)
		fuzz_bytes(in, &v, sz);
	bus_access(bus, addr, is_write, &v, sz);
}

/* A BAR's register offset in config space, and the function. */
static void bar_pick(struct fuzz_input *in, int *s, int *b)
{
	uint8_t v = fuzz_u8(in);

	*s = v % NDEV;
	*b = (v >> 2) % PCI_NUM_BARS;
}

/* The slot whose config space the operation wrote, NDEV if it may be any, -1 if none. */
static int op(struct fuzz_input *in)
{
	uint8_t o = fuzz_u8(in), w = fuzz_u8(in);
	unsigned sz = width(w);
	bool wr = w & 4;
	int s, b, s2, b2;

	switch (o % OP_NOPS) {
	case OP_PIO:
		/* 0xCF8..0xCFF, sometimes anywhere in the I/O space */
		bus_rw(&vm.pio, o & 0x80 ? fuzz_u16(in) : PCI_CONFIG_ADDR + (w >> 3 & 7), wr, sz, in);
		return wr ? NDEV : -1;
	case OP_ECAM: {
		uint32_t off = fuzz_u32(in);

		/* bus 0 mostly, functions of the four slots mostly */
		if (!(o & 0x80))
			off = (off & 0x3ffff) % (NDEV << 15);
		bus_rw(&vm.mmio, PCI_ECAM_BASE + off % PCI_ECAM_SIZE, wr, sz, in);
		return wr ? NDEV : -1;
	}
	case OP_WINDOW:
		if (o & 0x80)
			bus_rw(&vm.pio, PCI_IO_WINDOW + fuzz_u16(in) % PCI_IO_SIZE, wr, sz, in);
		else
			bus_rw(&vm.mmio, PCI_MMIO_WINDOW + fuzz_u32(in) % PCI_MMIO_SIZE, wr, sz, in);
		return -1;
	case OP_CFG: {
		/* a config write to one function: mostly the header and the capabilities */
		uint16_t reg = o & 0x80 ? fuzz_u16(in) % PCI_CFG_SIZE : fuzz_u8(in);

		s = (w >> 3) % NDEV;
		if (sz == 8)
			sz = 4;
		pci_config_write(dev[s], reg & ~(sz - 1u), sz, fuzz_u32(in));
		return s;
	}
	case OP_BAR_ONTO:
		/* BAR b of s moved to where BAR b2 of s2 decodes (or would): overlapping them */
		bar_pick(in, &s, &b);
		bar_pick(in, &s2, &b2);
		{
			uint64_t to = dev[s2]->bars[b2].addr + (w & 8 ? fuzz_u16(in) : 0);

			pci_config_write(dev[s], PCI_BAR0 + 4 * b, 4, (uint32_t)to);
			if (dev[s]->bars[b].kind == PCI_BAR_MEM64)
				pci_config_write(dev[s], PCI_BAR0 + 4 * b + 4, 4, (uint32_t)(to >> 32));
		}
		return s;
	case OP_BAR_SIZE:
		/* sizing as firmware does it: all ones, read the mask, maybe put it back */
		bar_pick(in, &s, &b);
		{
			uint32_t old = pci_config_read(dev[s], PCI_BAR0 + 4 * b, 4);

			pci_config_write(dev[s], PCI_BAR0 + 4 * b, 4, ~0u);
			pci_config_read(dev[s], PCI_BAR0 + 4 * b, 4);
			if (w & 8)
				pci_config_write(dev[s], PCI_BAR0 + 4 * b, 4, old);
		}
		return s;
	case OP_MSIX: {
		/* the MSI-X table or PBA through the bus, wherever the guest put their BAR */
		struct pci_device *d = dev[(w >> 3) % NDEV];
		uint64_t base = d->msix_cap ? pci_bar_decoded(d, d->msix_bar) : 0;
		uint16_t off = fuzz_u16(in) % 0x1000;

		if (base)
			bus_rw(&vm.mmio, base + off, wr, sz, in);
		else if (d->msix_cap)
			wr ? pci_msix_table_write(d, off, &(uint64_t){ fuzz_u64(in) }, sz)
			   : pci_msix_table_read(d, off, &(uint64_t){ 0 }, sz);
		return -1;
	}
	case OP_IRQ:
		/* the device model raises (or drops INTx): MSI-X, MSI, INTx, whichever the guest enabled */
		s = (w >> 3) % NDEV;
		if (w & 4)
			pci_intx_lower(dev[s]);
		else
			pci_irq_raise(dev[s], fuzz_u8(in) % 40);
		return -1;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	for (unsigned i = 0; i < MAX_OPS && fuzz_left(&in); i++) {
		int slot = op(&in);

		if (slot >= 0)
			check(slot == NDEV ? -1 : slot, false);
	}
	check(-1, true);
	restore();
	return 0;
}
