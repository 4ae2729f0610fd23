// SPDX-License-Identifier: MIT
/*
 * The PCI host bridge (see pci_host.h): configuration mechanism #1 on ports
 * 0xCF8..0xCFF and ECAM pages on the MMIO bus for bus 0, boot-time BAR
 * placement, and dispatch of the MMIO and I/O windows to whichever BAR
 * decodes an address at the moment.  The buses are fixed once vCPUs start,
 * so the windows are registered whole and a rwlock orders BAR moves
 * (config writes) against dispatch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/acpi_dsdt.h"
#include "vmm/irq.h"
#include "devices/pci/pci_host.h"
#include "vmm/vm.h"

#define CFG_ENABLE   (1u << 31)
#define CFG_ADDR_MASK 0x80fffffcu   /* enable, bus, device, function, dword register */

/* The host bridge's own identity: what q35's MCH reports. */
#define HOST_VENDOR  0x8086
#define HOST_DEVICE  0x29c0
#define HOST_CLASS   0x060000

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* The device at bus/devfn, or NULL (other buses and functions are empty). */
static struct pci_device *lookup(struct pci_host *h, unsigned bus, unsigned devfn)
{
	if (bus != 0 || (devfn & 7))
		return NULL;
	return h->devs[devfn >> 3];
}

static void cfg_read(struct pci_host *h, struct pci_device *d, unsigned reg, void *data, unsigned size)
{
	uint32_t v = ~0u;

	count(&h->cfg_accesses);
	if (d) {
		pthread_rwlock_rdlock(&h->lock);
		v = pci_config_read(d, reg, size);
		pthread_rwlock_unlock(&h->lock);
	}
	memcpy(data, &v, size);
}

static void cfg_write(struct pci_host *h, struct pci_device *d, unsigned reg, const void *data,
		      unsigned size)
{
	uint32_t v = 0;

	count(&h->cfg_accesses);
	if (!d)
		return;
	memcpy(&v, data, size);
	pthread_rwlock_wrlock(&h->lock);
	pci_config_write(d, reg, size, v);
	pthread_rwlock_unlock(&h->lock);
}

/* Ports 0xCF8..0xCFF: the address latch, then the data window. */
static int cf8_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct pci_host *h = opaque;
	uint32_t a = __atomic_load_n(&h->config_addr, __ATOMIC_RELAXED);

	if (off < 4) {
		if (off != 0 || size != 4)
			memset(data, 0xff, size);
		else
			memcpy(data, &a, 4);
		return 0;
	}
	off -= 4;
	if (size > 4 || off + size > 4 || !(a & CFG_ENABLE)) {
		memset(data, 0xff, size);
		return 0;
	}
	cfg_read(h, lookup(h, (a >> 16) & 0xff, (a >> 8) & 0xff), (a & 0xfc) + off, data, size);
	return 0;
}

static int cf8_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct pci_host *h = opaque;
	uint32_t a = __atomic_load_n(&h->config_addr, __ATOMIC_RELAXED), v;

	if (off < 4) {
		/* Only a dword write at 0xCF8 is the latch (bytes at 0xCF9 are chipset reset on real boards). */
		if (off == 0 && size == 4) {
			memcpy(&v, data, 4);
			__atomic_store_n(&h->config_addr, v & CFG_ADDR_MASK, __ATOMIC_RELAXED);
		}
		return 0;
	}
	off -= 4;
	if (size > 4 || off + size > 4 || !(a & CFG_ENABLE))
		return 0;
	cfg_write(h, lookup(h, (a >> 16) & 0xff, (a >> 8) & 0xff), (a & 0xfc) + off, data, size);
	return 0;
}

static const struct bus_ops cf8_ops = { .read = cf8_read, .write = cf8_write };

/* ECAM: offset = bus << 20 | devfn << 12 | register; the range covers bus 0 only. */
static int ecam_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct pci_host *h = opaque;
	unsigned reg = off & 0xfff;

	if (size > 4 || (reg & (size - 1))) {
		memset(data, 0xff, size);
		return 0;
	}
	cfg_read(h, lookup(h, off >> 20, (off >> 12) & 0xff), reg, data, size);
	return 0;
}

static int ecam_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct pci_host *h = opaque;
	unsigned reg = off & 0xfff;

	if (size > 4 || (reg & (size - 1)))
		return 0;
	cfg_write(h, lookup(h, off >> 20, (off >> 12) & 0xff), reg, data, size);
	return 0;
}

static const struct bus_ops ecam_ops = { .read = ecam_read, .write = ecam_write };

/* Find the BAR decoding [addr, addr + size) in one space; the caller holds the read lock. */
static const struct pci_bar *bar_at(struct pci_host *h, bool io, uint64_t addr, unsigned size, uint64_t *off)
{
	for (int s = 0; s < PCI_MAX_DEVICES; s++) {
		struct pci_device *d = h->devs[s];

		if (!d)
			continue;
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];
			uint64_t base;

			if (bar->kind == PCI_BAR_NONE || (bar->kind == PCI_BAR_IO) != io)
				continue;
			base = pci_bar_decoded(d, b);
			if (!base || addr < base || addr - base >= bar->size)
				continue;
			if (size > bar->size - (addr - base))
				return NULL;   /* straddles the BAR's end */
			*off = addr - base;
			return bar;
		}
	}
	return NULL;
}

static int window_access(struct pci_host *h, bool io, uint64_t addr, bool is_write, void *data,
			 unsigned size)
{
	const struct pci_bar *bar;
	uint64_t off;
	int rc = 0;

	pthread_rwlock_rdlock(&h->lock);
	bar = bar_at(h, io, addr, size, &off);
	if (!bar) {
		count(&h->unhandled);
		if (!is_write)
			memset(data, 0xff, size);
	} else {
		count(&h->bar_accesses);
		if (is_write)
			rc = bar->ops && bar->ops->write ? bar->ops->write(bar->opaque, off, data, size) : 0;
		else if (bar->ops && bar->ops->read)
			rc = bar->ops->read(bar->opaque, off, data, size);
		else
			memset(data, 0xff, size);
	}
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

static int mmio_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	return window_access(opaque, false, PCI_MMIO_WINDOW + off, false, data, size);
}

static int mmio_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	return window_access(opaque, false, PCI_MMIO_WINDOW + off, true, (void *)data, size);
}

static int io_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	return window_access(opaque, true, PCI_IO_WINDOW + off, false, data, size);
}

static int io_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	return window_access(opaque, true, PCI_IO_WINDOW + off, true, (void *)data, size);
}

static const struct bus_ops mmio_win_ops = { .read = mmio_read, .write = mmio_write };
static const struct bus_ops io_win_ops = { .read = io_read, .write = io_write };

/* The sink that pci.c raises interrupts through. */
static int sink_line(void *opaque, unsigned gsi, bool level)
{
	return irq_line_set(opaque, gsi, level);
}

static int sink_msi(void *opaque, uint64_t addr, uint32_t data)
{
	return irq_msi_signal(opaque, addr, data);
}

int pci_host_init(struct pci_host *h, struct vm *vm, struct irq_chip *irq, char *err, size_t errlen)
{
	struct pci_device *bridge;

	memset(h, 0, sizeof(*h));
	h->vm = vm;
	h->irq = irq;
	h->next_mmio = PCI_MMIO_WINDOW;
	h->next_io = PCI_IO_WINDOW;
	if (bus_register(&vm->pio, "pci-config", PCI_CONFIG_ADDR, 8, &cf8_ops, h, err, errlen) ||
	    bus_register(&vm->mmio, "pci-ecam", PCI_ECAM_BASE, PCI_ECAM_SIZE, &ecam_ops, h, err, errlen) ||
	    bus_register(&vm->mmio, "pci-mmio-window", PCI_MMIO_WINDOW, PCI_MMIO_SIZE, &mmio_win_ops, h,
			 err, errlen) ||
	    bus_register(&vm->pio, "pci-io-window", PCI_IO_WINDOW, PCI_IO_SIZE, &io_win_ops, h, err, errlen))
		return -1;
	pthread_rwlock_init(&h->lock, NULL);

	bridge = calloc(1, sizeof(*bridge));
	if (!bridge) {
		snprintf(err, errlen, "pci host: out of memory");
		pthread_rwlock_destroy(&h->lock);
		return -1;
	}
	pci_device_init(bridge, "pci-host-bridge", HOST_VENDOR, HOST_DEVICE, HOST_CLASS, 0, 0);
	bridge->cfg[PCI_INTERRUPT_PIN] = 0;
	if (pci_host_add(h, bridge, 0, err, errlen)) {
		free(bridge);
		pthread_rwlock_destroy(&h->lock);
		return -1;
	}
	return 0;
}

void pci_host_destroy(struct pci_host *h)
{
	if (!h->vm)
		return;
	/* Slot 0 is our bridge; the other devices belong to their models. */
	if (h->devs[0]) {
		pci_device_destroy(h->devs[0]);
		free(h->devs[0]);
	}
	memset(h->devs, 0, sizeof(h->devs));
	pthread_rwlock_destroy(&h->lock);
	h->vm = NULL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Assign every BAR an address in its window, as firmware would. */
static int place_bars(struct pci_host *h, struct pci_device *d, uint16_t *cmd, char *err, size_t errlen)
{
	uint64_t mmio = h->next_mmio, io = h->next_io;

	for (int b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar *bar = &d->bars[b];
		unsigned reg = PCI_BAR0 + 4 * b;
		uint64_t at;

		if (bar->kind == PCI_BAR_NONE)
			continue;
		if (bar->kind == PCI_BAR_IO) {
			at = align_up(io, bar->size);
			if (at + bar->size > PCI_IO_WINDOW + PCI_IO_SIZE)
				goto full;
			io = at + bar->size;
			*cmd |= PCI_CMD_IO;
		} else {
			at = align_up(mmio, bar->size);
			if (at < mmio || at + bar->size > PCI_MMIO_WINDOW + PCI_MMIO_SIZE)
				goto full;
			mmio = at + bar->size;
			*cmd |= PCI_CMD_MEMORY;
		}
		pci_config_write(d, reg, 4, (uint32_t)at);
		if (bar->kind == PCI_BAR_MEM64)
			pci_config_write(d, reg + 4, 4, at >> 32);
		continue;
full:
		snprintf(err, errlen, "pci: no room for %s BAR %d (%s, 0x%llx bytes) in the %s window",
			 d->name, b, bar->name ? bar->name : "?", (unsigned long long)bar->size,
			 bar->kind == PCI_BAR_IO ? "I/O" : "MMIO");
		return -1;
	}
	h->next_mmio = mmio;
	h->next_io = io;
	return 0;
}

int pci_host_add(struct pci_host *h, struct pci_device *d, int slot, char *err, size_t errlen)
{
	uint16_t cmd = PCI_CMD_MASTER;
	unsigned pin;
	int rc = -1;

	pthread_rwlock_wrlock(&h->lock);
	if (slot < 0) {
		for (int s = 1; s < PCI_MAX_DEVICES; s++)
			if (!h->devs[s]) {
				slot = s;
				break;
			}
		if (slot < 0) {
			snprintf(err, errlen, "pci: no free slot for %s", d->name);
			goto out;
		}
	} else if (slot >= PCI_MAX_DEVICES || h->devs[slot]) {
		snprintf(err, errlen, "pci: slot %d for %s is %s", slot, d->name,
			 slot >= PCI_MAX_DEVICES ? "out of range" : "taken");
		goto out;
	}
	if (place_bars(h, d, &cmd, err, errlen))
		goto out;
	d->devfn = slot << 3;
	pin = d->cfg[PCI_INTERRUPT_PIN];
	if (pin >= 1 && pin <= 4) {
		/* the swizzle the Linux guest's _PRT states: one function for both */
		d->intx_gsi = acpi_pci_intx_gsi(&(struct acpi_pci){ .intx_gsi_base = PCI_INTX_GSI_BASE }, slot, pin - 1);
		d->cfg[PCI_INTERRUPT_LINE] = d->intx_gsi;
	} else {
		d->cfg[PCI_INTERRUPT_PIN] = 0;
		d->cfg[PCI_INTERRUPT_LINE] = 0xff;   /* "unknown / no connection" */
	}
	if (h->irq)
		d->sink = (struct pci_irq_sink){ .line = sink_line, .msi = sink_msi, .opaque = h->irq };
	pci_config_write(d, PCI_COMMAND, 2, pci_config_read(d, PCI_COMMAND, 2) | cmd);
	h->devs[slot] = d;
	rc = 0;
out:
	pthread_rwlock_unlock(&h->lock);
	return rc;
}
