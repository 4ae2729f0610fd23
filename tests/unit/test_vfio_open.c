// SPDX-License-Identifier: MIT
/*
 * devices/vfio: opening and closing a passed-through device against the
 * fake host (unit/vfio_fake.h).  Checked: the PCI address parser; every
 * refusal (no such device, no /dev/vfio, no IOMMU group, bound to another
 * driver or to none, a group shared with a device bound to a host driver,
 * a group the kernel says is not viable, permission denied, no type-1
 * IOMMU, a failing ioctl) with its message, its outcome, and nothing left
 * open or mapped; the setup sequence (TYPE1v2 preferred, reset at start,
 * guest RAM mapped for DMA at its GPAs) and the teardown order (interrupts
 * off, slots out, reset, DMA unmapped, device, group, container closed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci/pci_host.h"
#include "exitlab/linux_guest.h"
#include "tests/unit/vfio_fake.h"
#include "vmm/linux_boot_params.h"

static void test_bdf_parse(void **state)
{
	char out[VFIO_BDF_LEN];

	(void)state;
	assert_int_equal(vfio_bdf_parse("0000:00:03.0", out), 0);
	assert_string_equal(out, "0000:00:03.0");
	assert_int_equal(vfio_bdf_parse("00:1f.7", out), 0);
	assert_string_equal(out, "0000:00:1f.7");
	assert_int_equal(vfio_bdf_parse("0001:3A:00.1", out), 0);
	assert_string_equal(out, "0001:3a:00.1");
	assert_int_equal(vfio_bdf_parse("", out), -1);
	assert_int_equal(vfio_bdf_parse("zz", out), -1);
	assert_int_equal(vfio_bdf_parse("0000:00:20.0", out), -1);    /* device > 31 */
	assert_int_equal(vfio_bdf_parse("0000:00:03.8", out), -1);    /* function > 7 */
	assert_int_equal(vfio_bdf_parse("0000:00:03.0x", out), -1);
	assert_int_equal(vfio_bdf_parse("../../etc", out), -1);
	assert_int_equal(vfio_bdf_parse("0000:00:03.0/../x", out), -1);
	assert_int_equal(vfio_bdf_parse(NULL, out), -1);
}

/* init must fail with outcome o and a message containing want, leaving nothing behind. */
static void refused(struct fake_vfio *f, const char *want, enum outcome o)
{
	struct fake_ram r;
	struct vfio_dev v;
	char err[512] = "";

	fake_ram_init(&r, 1 << 20, 0);
	assert_int_equal(fake_dev_init(&v, f, &r, err, sizeof(err)), o);
	if (!strstr(err, want))
		fail_msg("message '%s' lacks '%s'", err, want);
	assert_int_equal(fake_open_fds(f), 0);
	assert_int_equal(f->mmaps, f->munmaps);
	assert_int_equal(f->slots_used, 0);
	assert_int_equal(f->dma_maps, 0);
	/* no ioctl on a closed fd, an UNSET only after a SET */
	assert_int_equal(fake_find(f, "ioctl DEVICE_SET_IRQS", 0), -1);
	assert_true(fake_count(f, "ioctl GROUP_UNSET_CONTAINER") <= fake_count(f, "ioctl GROUP_SET_CONTAINER"));
	for (int i = 0; i < f->nlog; i++)
		assert_null(strstr(f->log[i], "closed fd"));
	fake_ram_fini(&r);
}

static void test_refuse_no_device(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.no_sysfs_dev = true;
	refused(&f, "no PCI device 0000:00:03.0", OUTCOME_NO_HOST);
	assert_int_equal(f.nlog, 0);   /* nothing opened at all */
	fake_fini(&f);
}

static void test_refuse_no_dev_vfio(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.no_dev_vfio = true;
	refused(&f, "modprobe vfio-pci; the host needs an IOMMU", OUTCOME_NO_HOST);
	fake_fini(&f);
}

static void test_refuse_no_group(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.no_group = true;
	refused(&f, "has no IOMMU group", OUTCOME_NO_HOST);
	fake_fini(&f);
}

static void test_refuse_other_driver(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.driver = "e1000e";
	refused(&f, "bound to e1000e, not vfio-pci: echo 0000:00:03.0 > /sys/bus/pci/devices/0000:00:03.0/driver/unbind; "
		"echo vfio-pci > /sys/bus/pci/devices/0000:00:03.0/driver_override; "
		"echo 0000:00:03.0 > /sys/bus/pci/drivers_probe", OUTCOME_NO_HOST);
	fake_fini(&f);

	fake_init(&f);
	f.driver = "";
	refused(&f, "bound to no driver, not vfio-pci: echo vfio-pci > /sys/bus/pci/devices/0000:00:03.0/driver_override",
		OUTCOME_NO_HOST);
	fake_fini(&f);
}

static void test_refuse_shared_group(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.nothers = 3;
	f.others[0] = "0000:00:04.0";
	f.others_drv[0] = "e1000e";
	f.others[1] = "0000:00:05.0";
	f.others_drv[1] = "vfio-pci";   /* fine */
	f.others[2] = "0000:00:06.0";
	f.others_drv[2] = "";           /* unbound: fine */
	refused(&f, "IOMMU group 7 of 0000:00:03.0 is not viable: 0000:00:04.0 (bound to e1000e) shares it",
		OUTCOME_NO_HOST);
	fake_fini(&f);

	/* the kernel says not viable although sysfs showed nothing wrong */
	fake_init(&f);
	f.not_viable = true;
	refused(&f, "is not viable: bind every device in /sys/kernel/iommu_groups/7/devices to vfio-pci", OUTCOME_NO_HOST);
	assert_true(fake_find(&f, "close", fake_find(&f, "ioctl GROUP_GET_STATUS", 0)) > 0);
	fake_fini(&f);
}

static void test_refuse_permission(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.open_errno_group = EACCES;
	refused(&f, "permission denied opening /dev/vfio/7", OUTCOME_NO_HOST);
	fake_fini(&f);

	fake_init(&f);
	f.open_errno_container = EPERM;
	refused(&f, "permission denied opening /dev/vfio/vfio", OUTCOME_NO_HOST);
	fake_fini(&f);

	fake_init(&f);
	f.open_errno_group = EBUSY;
	refused(&f, "/dev/vfio/7 is busy", OUTCOME_NO_HOST);
	fake_fini(&f);
}

static void test_refuse_no_type1(void **state)
{
	struct fake_vfio f;

	(void)state;
	fake_init(&f);
	f.no_type1v2 = f.no_type1 = true;
	refused(&f, "no type-1 IOMMU driver", OUTCOME_NO_HOST);
	fake_fini(&f);
}

static void test_refuse_failing_ioctls(void **state)
{
	static const struct { unsigned long req; const char *msg; enum outcome o; } cases[] = {
		{ VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER", OUTCOME_NO_HOST },
		{ VFIO_SET_IOMMU, "VFIO_SET_IOMMU", OUTCOME_NO_HOST },
		{ VFIO_SET_IOMMU, "allow_unsafe_interrupts=1", OUTCOME_NO_HOST },
		{ VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD", OUTCOME_NO_HOST },
		{ VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO", OUTCOME_NO_HOST },
		{ VFIO_DEVICE_GET_REGION_INFO, "config region", OUTCOME_FAILED },
		{ VFIO_IOMMU_MAP_DMA, "for DMA", OUTCOME_NO_HOST },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_vfio f;

		fake_init(&f);
		f.fail_req = cases[i].req;
		f.fail_errno = cases[i].req == VFIO_IOMMU_MAP_DMA ? ENOMEM : i == 2 ? EPERM : EINVAL;
		refused(&f, cases[i].msg, cases[i].o);
		fake_fini(&f);
	}
}

static void test_setup_sequence(void **state)
{
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	char err[256] = "", want[96];
	int i;

	(void)state;
	fake_init(&f);
	fake_ram_init(&r, 1 << 20, 2 << 20);
	assert_int_equal(fake_dev_init(&v, &f, &r, err, sizeof(err)), OUTCOME_OK);
	assert_int_equal(v.api, VFIO_API_GROUP);
	i = fake_find(&f, "open /dev/vfio/vfio", 0);
	assert_true(i >= 0);
	i = fake_find(&f, "ioctl GET_API_VERSION", i);
	assert_true(i > 0);
	i = fake_find(&f, "open /dev/vfio/7", i);
	assert_true(i > 0);
	i = fake_find(&f, "ioctl GROUP_GET_STATUS", i);
	assert_true(i > 0);
	i = fake_find(&f, "ioctl GROUP_SET_CONTAINER", i);
	assert_true(i > 0);
	i = fake_find(&f, "ioctl SET_IOMMU 3", i);     /* TYPE1v2 */
	assert_true(i > 0);
	i = fake_find(&f, "ioctl GROUP_GET_DEVICE_FD 0000:00:03.0", i);
	assert_true(i > 0);
	i = fake_find(&f, "ioctl DEVICE_GET_INFO", i);
	assert_true(i > 0);
	i = fake_find(&f, "ioctl DEVICE_RESET", i);    /* reset before the config is read */
	assert_true(i > 0);
	snprintf(want, sizeof(want), "ioctl IOMMU_MAP_DMA 0x0 0x100000 %llx", (unsigned long long)(uintptr_t)r.buf);
	assert_true(fake_find(&f, want, i) > 0);
	snprintf(want, sizeof(want), "ioctl IOMMU_MAP_DMA 0x%llx 0x200000 %llx",
		 (unsigned long long)BOOT_HIGH_MEM_GPA, (unsigned long long)(uintptr_t)(r.buf + (1 << 20)));
	assert_true(fake_find(&f, want, i) > 0);
	assert_int_equal(f.dma_maps, 2);
	/* BAR0, BAR1 whole; BAR3 minus its MSI-X table and PBA pages; the I/O BAR never */
	assert_int_equal(f.mmaps, 4);
	assert_true(fake_find(&f, "mmap 0+0x0 0x20000", 0) >= 0);
	assert_true(fake_find(&f, "mmap 1+0x0 0x20000", 0) >= 0);
	assert_true(fake_find(&f, "mmap 3+0x1000 0x1000", 0) >= 0);
	assert_true(fake_find(&f, "mmap 3+0x3000 0x1000", 0) >= 0);
	assert_int_equal(fake_find(&f, "mmap 2+", 0), -1);
	vfio_dev_destroy(&v);
	assert_int_equal(fake_open_fds(&f), 0);
	assert_int_equal(f.dma_maps, 0);
	assert_int_equal(f.munmaps, 4);
	fake_ram_fini(&r);
	fake_fini(&f);
}

/*
 * A Linux guest's DMA targets every RAM range of its e820 map (vmm/linux_boot_params.c, as
 * run linux lays it out: the bench mailbox and sample buffer, the ECAM, RAM above 4 GiB):
 * each lies inside one IOMMU mapping at its guest-physical address.
 */
static void test_linux_e820_ram_mapped(void **state)
{
	const uint64_t low = 20 << 20, high = 2 << 20;
	struct linux_mem lm = {
		.low_size = low, .high_size = high, .mailbox_gpa = LINUX_BENCH_MAILBOX,
		.buf_gpa = low - LINUX_BENCH_BUF_LEN, .buf_len = LINUX_BENCH_BUF_LEN,
		.ecam_gpa = PCI_ECAM_BASE, .ecam_len = PCI_ECAM_SIZE,
	};
	struct e820_entry e[32];
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	char err[256];
	size_t n, ram = 0;

	(void)state;
	fake_init(&f);
	fake_ram_init(&r, low, high);
	assert_int_equal(fake_dev_init(&v, &f, &r, err, sizeof(err)), OUTCOME_OK);
	n = linux_e820_build(&lm, e, 32);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		bool in = false;

		if (e[i].type != E820_RAM)
			continue;
		ram++;
		for (unsigned k = 0; k < v.ndma; k++)
			in |= e[i].addr >= v.dma_iova[k] && e[i].addr + e[i].size <= v.dma_iova[k] + v.dma_size[k];
		if (!in)
			fail_msg("e820 RAM [0x%llx, +0x%llx) is not mapped for DMA", (unsigned long long)e[i].addr,
				 (unsigned long long)e[i].size);
	}
	assert_true(ram >= 3);                         /* below the EBDA, from 1 MiB, from 4 GiB */
	vfio_dev_destroy(&v);
	fake_ram_fini(&r);
	fake_fini(&f);
}

static void test_type1_fallback(void **state)
{
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	char err[256];

	(void)state;
	fake_init(&f);
	f.no_type1v2 = true;
	fake_ram_init(&r, 1 << 20, 0);
	assert_int_equal(fake_dev_init(&v, &f, &r, err, sizeof(err)), OUTCOME_OK);
	assert_true(fake_find(&f, "ioctl SET_IOMMU 1", 0) > 0);
	assert_int_equal(f.dma_maps, 1);
	vfio_dev_destroy(&v);
	fake_ram_fini(&r);
	fake_fini(&f);
}

static void test_teardown_order(void **state)
{
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	struct pci_device *d;
	char err[256];
	int start, irqs, slot, reset, dma, dev_close, unset, grp_close, ctr_close;
	(void)state;
	fake_init(&f);
	fake_ram_init(&r, 1 << 20, 0);
	assert_int_equal(fake_dev_init(&v, &f, &r, err, sizeof(err)), OUTCOME_OK);
	d = vfio_dev_pci(&v);
	/* as the host bridge does: BAR0 placed, decoding on; then the guest enables MSI-X */
	pci_config_write(d, PCI_BAR0, 4, 0xd0000000);
	pci_config_write(d, PCI_COMMAND, 2, PCI_CMD_MEMORY | PCI_CMD_MASTER);
	assert_int_equal(f.slots_used, 1);
	pci_config_write(d, v.pci.msix_cap + 2, 2, 0x8000);
	assert_int_equal(f.irq_count, 5);

	start = f.nlog;
	vfio_dev_destroy(&v);
	irqs = fake_find(&f, "ioctl DEVICE_SET_IRQS 2 0", start);
	slot = fake_find(&f, "slot_unmap", start);
	reset = fake_find(&f, "ioctl DEVICE_RESET", start);
	dma = fake_find(&f, "ioctl IOMMU_UNMAP_DMA", start);
	unset = fake_find(&f, "ioctl GROUP_UNSET_CONTAINER", start);
	dev_close = fake_find(&f, "close", dma);
	grp_close = fake_find(&f, "close", unset);
	ctr_close = fake_find(&f, "close", grp_close + 1);
	assert_true(irqs >= start);
	assert_true(slot > irqs);
	assert_true(reset > slot);
	assert_true(dma > reset);
	assert_true(dev_close > dma && dev_close < unset);
	assert_true(grp_close > unset);
	assert_true(ctr_close > grp_close);
	assert_int_equal(fake_open_fds(&f), 0);
	assert_int_equal(f.slots_used, 0);
	assert_int_equal(f.mmaps, f.munmaps);
	for (int i = 0; i < 64; i++)
		assert_false(f.route[i].used);
	/* destroying twice is harmless */
	vfio_dev_destroy(&v);
	fake_ram_fini(&r);
	fake_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_parse),
		cmocka_unit_test(test_refuse_no_device),
		cmocka_unit_test(test_refuse_no_dev_vfio),
		cmocka_unit_test(test_refuse_no_group),
		cmocka_unit_test(test_refuse_other_driver),
		cmocka_unit_test(test_refuse_shared_group),
		cmocka_unit_test(test_refuse_permission),
		cmocka_unit_test(test_refuse_no_type1),
		cmocka_unit_test(test_refuse_failing_ioctls),
		cmocka_unit_test(test_setup_sequence),
		cmocka_unit_test(test_linux_e820_ram_mapped),
		cmocka_unit_test(test_type1_fallback),
		cmocka_unit_test(test_teardown_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
