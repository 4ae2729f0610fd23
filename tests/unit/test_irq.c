// SPDX-License-Identifier: MIT
/*
 * Tests that need KVM: vmm/irq.c (GSI routing with MSI routes, irqfds,
 * KVM_IRQ_LINE, KVM_SIGNAL_MSI) and devices/pci/pci_host.c on a real VM
 * (configuration access through 0xCF8/0xCFC and ECAM, BAR placement and
 * dispatch through the windows).  Skipped, with the reason, without /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/irq.h"
#include "devices/pci/pci_host.h"
#include "devices/virtio/virtio_pci.h"
#include "vmm/vm.h"

static const char *kvm_missing(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return strerror(errno);
	close(fd);
	return NULL;
}

static void make_vm(struct vm *vm, bool irqchip)
{
	struct vm_config cfg = { .mem_size = 64ULL << 20, .backing = GUEST_BACKING_4K, .irqchip = irqchip };
	const char *why = kvm_missing();
	char err[512];

	if (why) {
		fprintf(stderr, "skipped: /dev/kvm: %s\n", why);
		skip();
	}
	if (vm_create(vm, &cfg, err, sizeof(err)) != OUTCOME_OK) {
		fprintf(stderr, "vm_create: %s\n", err);
		vm_destroy(vm);
		fail();
	}
}

static void test_no_irqchip(void **state)
{
	static struct vm vm;
	struct irq_chip c;
	char err[256] = "";

	(void)state;
	make_vm(&vm, false);
	assert_int_equal(irq_chip_init(&c, &vm, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "irqchip"));
	vm_destroy(&vm);
}

static void test_routing(void **state)
{
	static struct vm vm;
	static struct irq_chip c;
	char err[256];
	int g1, g2, n;

	(void)state;
	make_vm(&vm, true);
	assert_true(vm.has_irqchip);
	assert_int_equal(irq_chip_init(&c, &vm, err, sizeof(err)), 0);

	g1 = irq_msi_route_alloc(&c);
	g2 = irq_msi_route_alloc(&c);
	assert_int_equal(g1, IRQ_MSI_GSI_BASE);
	assert_int_equal(g2, IRQ_MSI_GSI_BASE + 1);
	assert_true(c.msi[0].masked);
	/* KVM accepts the table with the default pins plus live MSI routes */
	assert_int_equal(irq_msi_route_set(&c, g1, 0xfee00000u, 0x4031, false), 0);
	assert_int_equal(irq_msi_route_set(&c, g2, 0xfee01000u, 0x4032, false), 0);
	assert_false(c.msi[1].masked);
	assert_int_equal(irq_msi_route_set(&c, g2, 0xfee01000u, 0x4033, false), 0);
	assert_int_equal(c.msi[1].data, 0x4033);
	assert_int_equal(irq_msi_route_set(&c, g1, 0xfee00000u, 0x4031, true), 0);
	assert_true(c.msi[0].masked);
	/* not an MSI address: kept masked, never routed */
	assert_int_equal(irq_msi_route_set(&c, g1, 0x12345678u, 0x1, false), 0);
	assert_true(c.msi[0].masked);
	/* not ours */
	assert_int_equal(irq_msi_route_set(&c, 3, 0xfee00000u, 0x30, false), -EINVAL);
	assert_int_equal(irq_msi_route_set(&c, g2 + 1, 0xfee00000u, 0x30, false), -EINVAL);
	assert_int_equal(irq_msi_route_set(&c, IRQ_MSI_GSI_BASE + IRQ_MAX_MSI_GSIS, 0xfee00000u, 0, false),
			 -EINVAL);

	/* all routes live at once, then exhaustion */
	for (n = 2; n < IRQ_MAX_MSI_GSIS; n++) {
		int g = irq_msi_route_alloc(&c);

		assert_int_equal(g, IRQ_MSI_GSI_BASE + n);
	}
	assert_int_equal(irq_msi_route_alloc(&c), -ENOSPC);
	for (n = 2; n < IRQ_MAX_MSI_GSIS; n++)
		assert_int_equal(irq_msi_route_set(&c, IRQ_MSI_GSI_BASE + n, 0xfee00000u, 0x40 + n % 64,
						   n == IRQ_MAX_MSI_GSIS - 1), 0);
	irq_msi_route_free(&c, g1);
	assert_int_equal(irq_msi_route_alloc(&c), g1);
	irq_msi_route_free(&c, 5);   /* not an MSI GSI: ignored */

	irq_chip_destroy(&c);
	vm_destroy(&vm);
}

static void test_lines_msi_irqfd(void **state)
{
	static struct vm vm;
	static struct irq_chip c;
	char err[256];
	int g, efd, efd2, rfd;
	uint64_t one = 1;

	(void)state;
	make_vm(&vm, true);
	assert_int_equal(irq_chip_init(&c, &vm, err, sizeof(err)), 0);

	/* INTx lines: PIC/IOAPIC pins, level up and down */
	assert_int_equal(irq_line_set(&c, 4, true), 0);
	assert_int_equal(irq_line_set(&c, 4, false), 0);
	assert_int_equal(irq_line_set(&c, 19, true), 0);
	assert_int_equal(irq_line_set(&c, 19, false), 0);
	assert_int_equal(c.lines_raised, 2);
	assert_int_equal(irq_line_set(&c, IRQ_NUM_PIN_GSIS, true), -EINVAL);

	/* direct MSI: KVM refuses (EPERM) when no vCPU's APIC matches, so give it one */
	assert_int_equal(vcpu_create(&vm, 0, err, sizeof(err)), 0);
	assert_int_equal(irq_msi_signal(&c, 0xfee00000u, 0x4030), 0);
	assert_int_equal(c.msis_signalled, 1);
	assert_int_equal(irq_msi_signal(&c, 0xd0000000u, 0x4030), -EINVAL);
	assert_int_equal(c.msis_signalled, 1);

	/* irqfd on an MSI route, before and after the route goes live */
	g = irq_msi_route_alloc(&c);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0 && efd2 >= 0);
	assert_int_equal(irq_irqfd_attach(&c, efd, g), 0);
	assert_int_equal(irq_msi_route_set(&c, g, 0xfee00000u, 0x4041, false), 0);
	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	/* the same eventfd twice is refused by KVM */
	assert_true(irq_irqfd_attach(&c, efd, g) < 0);
	/* an irqfd on an IOAPIC pin */
	assert_int_equal(irq_irqfd_attach(&c, efd2, 20), 0);
	assert_int_equal(irq_irqfd_detach(&c, efd2, 20), 0);
	assert_int_equal(irq_irqfd_detach(&c, efd, g), 0);
	/* attach again after detach works */
	assert_int_equal(irq_irqfd_attach(&c, efd, g), 0);
	assert_int_equal(irq_irqfd_detach(&c, efd, g), 0);
	assert_int_equal(irq_irqfd_attach(&c, -1, g), -EINVAL);
	assert_int_equal(irq_irqfd_attach(&c, efd, -3), -EINVAL);
	/* a resampling irqfd: only on an irqchip pin, with both eventfds */
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(rfd >= 0);
	assert_int_equal(irq_irqfd_attach_resample(&c, efd2, rfd, IRQ_NUM_PIN_GSIS), -EINVAL);
	assert_int_equal(irq_irqfd_attach_resample(&c, efd2, -1, 21), -EINVAL);
	assert_int_equal(irq_irqfd_attach_resample(&c, -1, rfd, 21), -EINVAL);
	if (ioctl(vm.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE) > 0) {
		assert_int_equal(irq_irqfd_attach_resample(&c, efd2, rfd, 21), 0);
		assert_true(irq_irqfd_attach_resample(&c, efd2, rfd, 21) < 0);   /* the same eventfd twice */
		assert_int_equal(write(efd2, &one, sizeof(one)), sizeof(one));   /* asserts GSI 21 */
		assert_int_equal(irq_irqfd_detach(&c, efd2, 21), 0);
		assert_int_equal(irq_irqfd_attach_resample(&c, efd2, rfd, 21), 0);   /* and again */
		assert_int_equal(irq_irqfd_detach(&c, efd2, 21), 0);
	}
	close(rfd);
	close(efd);
	close(efd2);
	irq_chip_destroy(&c);
	vm_destroy(&vm);
}

/* A device whose BARs remember the last access. */
struct bar_rec {
	uint64_t off;
	unsigned size, reads, writes;
	uint32_t last;
};

static int rec_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct bar_rec *r = opaque;
	uint32_t v = 0xa5a50000u | (uint32_t)off;

	r->off = off;
	r->size = size;
	r->reads++;
	memcpy(data, &v, size < 4 ? size : 4);
	return 0;
}

static int rec_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct bar_rec *r = opaque;

	r->off = off;
	r->size = size;
	r->writes++;
	r->last = 0;
	memcpy(&r->last, data, size < 4 ? size : 4);
	return 0;
}

static const struct bus_ops rec_ops = { .read = rec_read, .write = rec_write };

static uint32_t cf8_read(struct vm *vm, unsigned devfn, unsigned bus, unsigned reg, unsigned size)
{
	uint32_t a = 0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc), v = 0;

	assert_int_equal(bus_access(&vm->pio, PCI_CONFIG_ADDR, true, &a, 4), 0);
	assert_int_equal(bus_access(&vm->pio, PCI_CONFIG_DATA + (reg & 3), false, &v, size), 0);
	return v;
}

static void cf8_write(struct vm *vm, unsigned devfn, unsigned reg, unsigned size, uint32_t v)
{
	uint32_t a = 0x80000000u | devfn << 8 | (reg & 0xfc);

	assert_int_equal(bus_access(&vm->pio, PCI_CONFIG_ADDR, true, &a, 4), 0);
	assert_int_equal(bus_access(&vm->pio, PCI_CONFIG_DATA + (reg & 3), true, &v, size), 0);
}

static uint32_t ecam_read(struct vm *vm, unsigned devfn, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(bus_access(&vm->mmio, PCI_ECAM_BASE + (devfn << 12) + reg, false, &v, size), 0);
	return v;
}

static void test_pci_host(void **state)
{
	static struct vm vm;
	static struct irq_chip c;
	static struct pci_host h;
	static struct pci_device d, d2;
	struct bar_rec r0 = { 0 }, r1 = { 0 }, r2 = { 0 };
	char err[256];
	uint32_t v, a;
	uint64_t m64, io, m32;
	unsigned devfn;

	(void)state;
	make_vm(&vm, true);
	assert_int_equal(irq_chip_init(&c, &vm, err, sizeof(err)), 0);
	assert_int_equal(pci_host_init(&h, &vm, &c, err, sizeof(err)), 0);

	pci_device_init(&d, "testdev", 0x1af4, 0x1041, 0x020000, 0x1af4, 0x0001);
	assert_int_equal(pci_bar_init(&d, 0, PCI_BAR_MEM32, 0x1000, &rec_ops, &r0, "regs"), 0);
	assert_int_equal(pci_bar_init(&d, 1, PCI_BAR_IO, 0x40, &rec_ops, &r1, "io"), 0);
	assert_int_equal(pci_bar_init(&d, 2, PCI_BAR_MEM64, 0x4000, &rec_ops, &r2, "m64"), 0);
	assert_int_equal(pci_host_add(&h, &d, -1, err, sizeof(err)), 0);
	assert_int_equal(d.devfn, 1 << 3);
	devfn = d.devfn;

	/* the host bridge on slot 0 and our device on slot 1, by 0xCF8/0xCFC */
	assert_int_equal(cf8_read(&vm, 0, 0, 0, 4), 0x29c08086u);
	assert_int_equal(cf8_read(&vm, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	assert_int_equal(cf8_read(&vm, devfn, 0, 0, 4), 0x10411af4u);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_DEVICE_ID, 2), 0x1041);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_SUBSYSTEM_VENDOR, 4), 0x00011af4u);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_CLASS_DEVICE + 1, 1), 0x02);
	/* empty slot, other function, other bus: all-ones */
	assert_int_equal(cf8_read(&vm, 5 << 3, 0, 0, 4), 0xffffffffu);
	assert_int_equal(cf8_read(&vm, devfn | 1, 0, 0, 4), 0xffffffffu);
	assert_int_equal(cf8_read(&vm, devfn, 1, 0, 4), 0xffffffffu);
	/* the latch reads back; without the enable bit data reads all-ones */
	a = devfn << 8;
	assert_int_equal(bus_access(&vm.pio, PCI_CONFIG_ADDR, true, &a, 4), 0);
	assert_int_equal(bus_access(&vm.pio, PCI_CONFIG_ADDR, false, &v, 4), 0);
	assert_int_equal(v, devfn << 8);
	assert_int_equal(bus_access(&vm.pio, PCI_CONFIG_DATA, false, &v, 4), 0);
	assert_int_equal(v, 0xffffffffu);
	/* a data access straddling 0xCFF is refused */
	assert_true(bus_access(&vm.pio, PCI_CONFIG_DATA + 2, false, &v, 4) < 0);

	/* ECAM */
	assert_int_equal(ecam_read(&vm, 0, 0, 4), 0x29c08086u);
	assert_int_equal(ecam_read(&vm, devfn, 0, 4), 0x10411af4u);
	assert_int_equal(ecam_read(&vm, devfn, PCI_DEVICE_ID, 2), 0x1041);
	assert_int_equal(ecam_read(&vm, 7 << 3, 0, 4), 0xffffffffu);
	assert_int_equal(ecam_read(&vm, devfn, 0x100, 4), 0);   /* extended space */
	assert_int_equal(ecam_read(&vm, devfn, 1, 2), 0xffff);  /* unaligned */

	/* placement: naturally aligned, inside the windows, MEM64 below 4 GiB; decoding on */
	m32 = d.bars[0].addr;
	io = d.bars[1].addr;
	m64 = d.bars[2].addr;
	assert_true(m32 >= PCI_MMIO_WINDOW && m32 % 0x1000 == 0);
	assert_true(m64 >= PCI_MMIO_WINDOW && m64 % 0x4000 == 0 && m64 + 0x4000 <= 1ULL << 32);
	assert_true(m64 >= m32 + 0x1000 || m64 + 0x4000 <= m32);
	assert_true(io >= PCI_IO_WINDOW && io % 0x40 == 0);
	v = cf8_read(&vm, devfn, 0, PCI_COMMAND, 2);
	assert_int_equal(v & 7, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_BAR0, 4), m32);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_BAR0 + 4, 4), io | 1);
	/* INTx: slot 1, INTA -> GSI 17 */
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(cf8_read(&vm, devfn, 0, PCI_INTERRUPT_LINE, 1), 17);
	assert_int_equal(d.intx_gsi, 17);
	assert_int_equal(pci_irq_raise(&d, 0), 0);
	pci_intx_lower(&d);
	assert_true(c.lines_raised >= 1);

	/* dispatch through the windows */
	assert_int_equal(bus_access(&vm.mmio, m32 + 0x10, false, &v, 4), 0);
	assert_int_equal(v, 0xa5a50010u);
	assert_int_equal(r0.off, 0x10);
	v = 0x1234;
	assert_int_equal(bus_access(&vm.pio, io + 2, true, &v, 2), 0);
	assert_int_equal(r1.off, 2);
	assert_int_equal(r1.last, 0x1234);
	assert_int_equal(bus_access(&vm.mmio, m64 + 0x3ff8, true, &v, 4), 0);
	assert_int_equal(r2.off, 0x3ff8);
	assert_int_equal(h.bar_accesses, 3);
	/* past the BAR, straddling its end, or nowhere: all-ones, counted */
	v = 0;
	assert_int_equal(bus_access(&vm.mmio, m32 + 0xffe, false, &v, 4), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(bus_access(&vm.mmio, PCI_MMIO_WINDOW + PCI_MMIO_SIZE - 4, false, &v, 4), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(h.unhandled, 2);
	assert_int_equal(r0.reads, 1);

	/* the guest moves BAR 0 by config write: the old address goes dead */
	cf8_write(&vm, devfn, PCI_BAR0, 4, 0xd8000000u);
	assert_int_equal(d.bars[0].addr, 0xd8000000u);
	assert_int_equal(bus_access(&vm.mmio, m32 + 0x10, false, &v, 4), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(bus_access(&vm.mmio, 0xd8000000u + 0x20, false, &v, 4), 0);
	assert_int_equal(v, 0xa5a50020u);
	/* memory decode off: no MMIO BAR answers, IO still does */
	cf8_write(&vm, devfn, PCI_COMMAND, 2, PCI_CMD_IO);
	assert_int_equal(bus_access(&vm.mmio, 0xd8000000u + 0x20, false, &v, 4), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(bus_access(&vm.pio, io, false, &v, 1), 0);
	assert_int_equal(v & 0xff, 0x00);

	/* a second device: next slot, swizzled pin, BARs after the first ones */
	pci_device_init(&d2, "second", 0x8086, 0x100e, 0x020000, 0x8086, 0x001e);
	assert_int_equal(pci_bar_init(&d2, 0, PCI_BAR_MEM32, 0x20000, &rec_ops, &r0, "e1000"), 0);
	assert_int_equal(pci_host_add(&h, &d2, 3, err, sizeof(err)), 0);
	assert_int_equal(d2.intx_gsi, 16 + (3 + 0) % 4);
	assert_true(d2.bars[0].addr % 0x20000 == 0 && d2.bars[0].addr > m64);
	assert_int_equal(ecam_read(&vm, 3 << 3, 0, 4), 0x100e8086u);
	assert_int_equal(pci_host_add(&h, &d2, 3, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "taken"));
	assert_int_equal(pci_host_add(&h, &d2, 32, err, sizeof(err)), -1);

	pci_host_destroy(&h);
	pci_device_destroy(&d);
	pci_device_destroy(&d2);
	irq_chip_destroy(&c);
	vm_destroy(&vm);
}

static void mmio_wr(struct vm *vm, uint64_t addr, unsigned size, uint64_t v)
{
	assert_int_equal(bus_access(&vm->mmio, addr, true, &v, size), 0);
}

static uint64_t mmio_rd(struct vm *vm, uint64_t addr, unsigned size)
{
	uint64_t v = 0;

	assert_int_equal(bus_access(&vm->mmio, addr, false, &v, size), 0);
	return v;
}

/* Whether KVM already has an ioeventfd for a 2-byte MMIO write at addr (a second one is refused). */
static bool ioeventfd_taken(struct vm *vm, uint64_t addr)
{
	struct ioeventfd probe;
	char err[256];

	if (ioeventfd_add(vm, &probe, addr, 2, false, false, 0, err, sizeof(err)))
		return true;
	ioeventfd_del(vm, &probe);
	return false;
}

static const struct virtio_dev_ops null_vops = { 0 };

/* virtio-pci on a real VM: config through the host, an ioeventfd at the notify address, irqfd routes. */
static void test_virtio_pci_kvm(void **state)
{
	static struct vm vm;
	static struct irq_chip c;
	static struct pci_host h;
	static struct virtio_dev dev, dev2;
	static struct virtio_pci t, t2;
	uint64_t bar, bar2, msix, notify, n;
	char err[256];
	uint32_t lo;
	int kfd;

	(void)state;
	make_vm(&vm, true);
	assert_int_equal(irq_chip_init(&c, &vm, err, sizeof(err)), 0);
	assert_int_equal(pci_host_init(&h, &vm, &c, err, sizeof(err)), 0);
	dev = (struct virtio_dev){ .name = "vnet", .device_id = VIRTIO_ID_NET, .nqueues = 2,
				   .host_features = 1ULL << VIRTIO_F_VERSION_1, .ops = &null_vops,
				   .mem = &vm.mem };
	dev.queue_max[0] = dev.queue_max[1] = 256;
	assert_int_equal(virtio_pci_init(&t, &dev, &vm, &h, &c, false, err, sizeof(err)), 0);
	assert_int_equal(ecam_read(&vm, t.pci.devfn, 0, 4), 0x10411af4u);
	lo = ecam_read(&vm, t.pci.devfn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4);
	bar = (lo & ~15u) | (uint64_t)ecam_read(&vm, t.pci.devfn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR + 4, 4) << 32;
	msix = ecam_read(&vm, t.pci.devfn, PCI_BAR0 + 4 * VIRTIO_PCI_MSIX_BAR, 4) & ~15u;
	assert_int_equal(bar, pci_bar_decoded(&t.pci, VIRTIO_PCI_BAR));
	assert_true(bar >= PCI_MMIO_WINDOW && bar < (1ULL << 32));

	/* the driver's side of setup, through the MMIO bus */
	mmio_wr(&vm, bar + VIRTIO_PCI_STATUS, 1, 3);
	mmio_wr(&vm, bar + VIRTIO_PCI_GFSELECT, 4, 1);
	mmio_wr(&vm, bar + VIRTIO_PCI_GF, 4, 1);
	mmio_wr(&vm, bar + VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_true(mmio_rd(&vm, bar + VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
	mmio_wr(&vm, msix + 0x10, 4, 0xfee00000u);
	mmio_wr(&vm, msix + 0x18, 4, 0x4061);
	mmio_wr(&vm, msix + 0x1c, 4, 0);
	cf8_write(&vm, t.pci.devfn, t.pci.msix_cap + 2, 2, 0x8000);
	assert_true(pci_msix_enabled(&t.pci));
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_SELECT, 2, 0);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_SIZE, 2, 64);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_DESC, 8, 0x200000);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_DRIVER, 8, 0x201000);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_DEVICE, 8, 0x202000);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_MSIX, 2, 1);
	mmio_wr(&vm, bar + VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_true(dev.vq[0].ready);

	/* the irqfd route follows the MSI-X entry */
	assert_true(dev.tops->call_fd(&dev, 0) >= 0);
	assert_int_equal(dev.tops->call_fd(&dev, 1), -1);
	assert_true(t.q[0].route_live);
	assert_false(c.msi[t.q[0].gsi - IRQ_MSI_GSI_BASE].masked);
	assert_int_equal(c.msi[t.q[0].gsi - IRQ_MSI_GSI_BASE].data, 0x4061);
	mmio_wr(&vm, msix + 0x1c, 4, 1);   /* masking the entry masks the route */
	assert_true(c.msi[t.q[0].gsi - IRQ_MSI_GSI_BASE].masked);
	mmio_wr(&vm, msix + 0x1c, 4, 0);
	assert_false(c.msi[t.q[0].gsi - IRQ_MSI_GSI_BASE].masked);

	/* KVM holds the kick eventfd at the notify address, and it follows the BAR */
	notify = bar + VIRTIO_PCI_NOTIFY_OFF;
	kfd = dev.tops->kick_fd(&dev, 0);
	assert_true(kfd >= 0);
	assert_int_equal(t.q[0].ev.fd, kfd);
	assert_true(ioeventfd_taken(&vm, notify));
	assert_false(ioeventfd_taken(&vm, notify + 4));   /* queue 1 not enabled */
	cf8_write(&vm, t.pci.devfn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4, 0xdf000000u);
	assert_int_equal(pci_bar_decoded(&t.pci, VIRTIO_PCI_BAR), 0xdf000000u);
	assert_false(ioeventfd_taken(&vm, notify));
	assert_true(ioeventfd_taken(&vm, 0xdf000000u + VIRTIO_PCI_NOTIFY_OFF));
	assert_int_equal(dev.tops->kick_fd(&dev, 0), kfd);
	/* decode off drops it, decode on brings it back */
	cf8_write(&vm, t.pci.devfn, PCI_COMMAND, 2, PCI_CMD_MASTER);
	assert_false(ioeventfd_taken(&vm, 0xdf000000u + VIRTIO_PCI_NOTIFY_OFF));
	cf8_write(&vm, t.pci.devfn, PCI_COMMAND, 2, PCI_CMD_MASTER | PCI_CMD_MEMORY);
	assert_true(ioeventfd_taken(&vm, 0xdf000000u + VIRTIO_PCI_NOTIFY_OFF));
	/* reset releases it */
	mmio_wr(&vm, 0xdf000000u + VIRTIO_PCI_STATUS, 1, 0);
	assert_false(ioeventfd_taken(&vm, 0xdf000000u + VIRTIO_PCI_NOTIFY_OFF));
	assert_int_equal(dev.tops->kick_fd(&dev, 0), -1);

	/* exit mode: no ioeventfd; the BAR handler signals the kick eventfd */
	dev2 = dev;
	dev2.name = "vnet-exit";
	assert_int_equal(virtio_pci_init(&t2, &dev2, &vm, &h, &c, true, err, sizeof(err)), 0);
	bar2 = pci_bar_decoded(&t2.pci, VIRTIO_PCI_BAR);
	assert_true(bar2 != 0);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_STATUS, 1, 3);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_GFSELECT, 4, 1);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_GF, 4, 1);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_Q_SELECT, 2, 1);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_Q_DESC, 8, 0x300000);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_Q_DRIVER, 8, 0x304000);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_Q_DEVICE, 8, 0x305000);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_true(dev2.vq[1].ready);
	assert_false(ioeventfd_taken(&vm, bar2 + VIRTIO_PCI_NOTIFY_OFF + 4));
	assert_int_equal(t2.q[1].ev.fd, -1);
	mmio_wr(&vm, bar2 + VIRTIO_PCI_NOTIFY_OFF + 4, 2, 1);
	assert_int_equal(read(dev2.tops->kick_fd(&dev2, 1), &n, sizeof(n)), sizeof(n));
	assert_int_equal(n, 1);
	assert_int_equal(t2.notifies_by_exit, 1);

	virtio_pci_destroy(&t2);
	virtio_pci_destroy(&t);
	assert_int_equal(ecam_read(&vm, t.pci.devfn, 0, 4), 0xffffffffu);
	pci_host_destroy(&h);
	irq_chip_destroy(&c);
	vm_destroy(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_irqchip),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_lines_msi_irqfd),
		cmocka_unit_test(test_pci_host),
		cmocka_unit_test(test_virtio_pci_kvm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
