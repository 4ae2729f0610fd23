// SPDX-License-Identifier: MIT
/*
 * devices/vfio: INTx of a passed-through function (the fake e1000e of
 * unit/vfio_fake.h, INTA#), on the real host bridge.  Checked: the pin is
 * offered and routed by pci_host_add like our emulated devices' (GSI and
 * INTERRUPT_LINE); vfio_dev_start gives VFIO a trigger eventfd bound by a
 * resampling irqfd whose resample eventfd is VFIO's unmask eventfd, KVM
 * bound before VFIO triggers; INTx goes before MSI-X comes and is set up
 * again when MSI-X goes; COMMAND.INTX_DISABLE masks and unmasks it in VFIO
 * (and survives an MSI-X round trip); stop tears it down before the reset;
 * a device whose VFIO has no INTx, or with no or a bogus pin, keeps pin 0;
 * hostile writes to INTERRUPT_PIN/LINE change no routing and reach no
 * device; a refused SET_IRQS leaves nothing behind and is retried.
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
#include "vmm/vm.h"
#include "tests/unit/vfio_fake.h"

#define MSIX_CAP 0xa0
#define GSI      (PCI_INTX_GSI_BASE + 1)   /* slot 1, INTA# */

struct fx {
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	struct pci_device *d;
	struct vm vm;
	struct pci_host h;
};

/* Init, put on the bridge as devices/vfio/vfio_type.c does; start (INTx) if asked. */
static struct fx *fx_new(void (*tweak)(struct fake_vfio *f), bool start)
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[256];

	if (fake_dev_setup(&x->f, &x->r, &x->v, &x->d, tweak, err, sizeof(err)))
		fail_msg("init: %s", err);
	bus_init(&x->vm.pio, "pio");
	bus_init(&x->vm.mmio, "mmio");
	assert_int_equal(pci_host_init(&x->h, &x->vm, NULL, err, sizeof(err)), 0);
	assert_int_equal(pci_host_add(&x->h, x->d, -1, err, sizeof(err)), 0);
	if (start)
		vfio_dev_start(&x->v);
	return x;
}

static void fx_free(struct fx *x)
{
	pci_host_destroy(&x->h);
	bus_destroy(&x->vm.pio);
	bus_destroy(&x->vm.mmio);
	vfio_dev_destroy(&x->v);
	assert_int_equal(fake_open_fds(&x->f), 0);
	assert_int_equal(x->f.intx_trigger, -1);
	for (int g = 0; g < 24; g++)
		assert_int_equal(x->f.intx_irqfd[g], -1);
	fake_ram_fini(&x->r);
	fake_fini(&x->f);
	free(x);
}

static uint32_t rd(struct fx *x, unsigned off, unsigned len)
{
	return pci_config_read(x->d, off, len);
}

static void wr(struct fx *x, unsigned off, unsigned len, uint32_t v)
{
	pci_config_write(x->d, off, len, v);
}

/* INTx fully on in the fake: trigger = irqfd, resample = unmask, all open. */
static void assert_intx_on(struct fx *x)
{
	assert_true(x->v.intx.on);
	assert_true(x->f.intx_trigger >= 0);
	assert_int_equal(x->f.intx_irqfd[GSI], x->f.intx_trigger);
	assert_int_equal(x->f.intx_resample[GSI], x->f.intx_unmask);
	assert_true(x->f.intx_unmask >= 0 && x->f.intx_unmask != x->f.intx_trigger);
	assert_true(x->f.fd_open[x->f.intx_trigger] && x->f.fd_open[x->f.intx_unmask]);
}

static void assert_intx_off(struct fx *x, int old_trigger, int old_unmask)
{
	assert_false(x->v.intx.on);
	assert_int_equal(x->f.intx_trigger, -1);
	assert_int_equal(x->f.intx_irqfd[GSI], -1);
	if (old_trigger >= 0)
		assert_false(x->f.fd_open[old_trigger]);
	if (old_unmask >= 0)
		assert_false(x->f.fd_open[old_unmask]);
}

static void test_pin_routed_and_wired(void **state)
{
	struct fx *x = fx_new(NULL, false);
	int i, res, trig, unm;

	(void)state;
	/* the bridge routed our pin as it does the e1000's */
	assert_int_equal(rd(x, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(rd(x, PCI_INTERRUPT_LINE, 1), GSI);
	assert_int_equal(x->v.pci.intx_gsi, GSI);
	assert_true(fake_find(&x->f, "ioctl DEVICE_GET_IRQ_INFO 0", 0) >= 0);
	/* nothing on the host before start */
	assert_int_equal(fake_find(&x->f, "irqfd resample", 0), -1);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS", 0), -1);
	i = x->f.nlog;
	vfio_dev_start(&x->v);
	assert_intx_on(x);
	assert_false(x->f.intx_masked);
	/* KVM listens first, then VFIO triggers, then its unmask is the resample eventfd */
	res = fake_find(&x->f, "irqfd resample", i);
	trig = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 trigger eventfd", i);
	unm = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 unmask eventfd", i);
	assert_true(res >= i && trig > res && unm > trig);
	assert_int_equal(fake_count(&x->f, "eventfd"), 2);
	/* starting again changes nothing */
	i = x->f.nlog;
	vfio_dev_start(&x->v);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS", i), -1);
	assert_int_equal(fake_find(&x->f, "irqfd", i), -1);
	fx_free(x);
}

static void test_msix_excludes_intx(void **state)
{
	struct fx *x = fx_new(NULL, true);
	int trig = x->f.intx_trigger, unm = x->f.intx_unmask, i, off, det, msix;

	(void)state;
	assert_intx_on(x);
	i = x->f.nlog;
	wr(x, MSIX_CAP + 2, 2, 0x8000);
	off = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 0 trigger", i);
	det = fake_find(&x->f, "irqfd detach", i);
	msix = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 2 5 trigger eventfd", i);
	assert_true(off >= i && det > off && msix > det);   /* INTx gone in VFIO before MSI-X comes */
	assert_intx_off(x, trig, unm);
	assert_int_equal(x->v.irq_mode, VFIO_IRQ_MSIX);
	/* MSI-X table writes leave INTx off */
	i = x->f.nlog;
	wr(x, MSIX_CAP + 2, 2, 0xc000);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0", i), -1);
	/* MSI-X off: INTx back, after VFIO's MSI-X is gone */
	i = x->f.nlog;
	wr(x, MSIX_CAP + 2, 2, 0);
	msix = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 2 0", i);
	trig = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 trigger eventfd", i);
	assert_true(msix >= i && trig > msix);
	assert_int_equal(x->v.irq_mode, VFIO_IRQ_NONE);
	assert_intx_on(x);
	fx_free(x);
}

static void test_command_masks(void **state)
{
	struct fx *x = fx_new(NULL, true);
	uint16_t cmd = rd(x, PCI_COMMAND, 2);
	int i;

	(void)state;
	i = x->f.nlog;
	wr(x, PCI_COMMAND, 2, cmd | PCI_CMD_INTX_DISABLE);
	assert_true(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 mask", i) >= i);
	assert_true(x->f.intx_masked);
	assert_true(cfg_get(x->f.cfg, PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE);   /* vfio-pci sees it too */
	assert_intx_on(x);                                                       /* wiring stays */
	/* the same value again: no second mask; another COMMAND bit: none either */
	i = x->f.nlog;
	wr(x, PCI_COMMAND, 2, cmd | PCI_CMD_INTX_DISABLE);
	wr(x, PCI_COMMAND + 1, 1, (cmd | PCI_CMD_INTX_DISABLE) >> 8);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS", i), -1);
	/* masked across an MSI-X round trip: the new INTx comes back masked */
	wr(x, MSIX_CAP + 2, 2, 0x8000);
	assert_false(x->f.intx_masked);
	i = x->f.nlog;
	wr(x, MSIX_CAP + 2, 2, 0);
	assert_true(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 mask", i) >
		    fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 unmask eventfd", i));
	assert_true(x->f.intx_masked);
	/* cleared: unmasked (no data: the unmask eventfd stays) */
	i = x->f.nlog;
	wr(x, PCI_COMMAND, 2, cmd);
	assert_true(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 unmask", i) >= i);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 1 unmask eventfd", i), -1);
	assert_false(x->f.intx_masked);
	assert_intx_on(x);
	assert_false(cfg_get(x->f.cfg, PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE);
	fx_free(x);
}

static void test_stop_tears_down(void **state)
{
	struct fx *x = fx_new(NULL, true);
	int start, off, det, reset;

	(void)state;
	assert_intx_on(x);
	pci_host_destroy(&x->h);
	bus_destroy(&x->vm.pio);
	bus_destroy(&x->vm.mmio);
	start = x->f.nlog;
	vfio_dev_destroy(&x->v);
	off = fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0 0 trigger", start);
	det = fake_find(&x->f, "irqfd detach", start);
	reset = fake_find(&x->f, "ioctl DEVICE_RESET", start);
	assert_true(off >= start && det > off && reset > det);
	assert_int_equal(fake_open_fds(&x->f), 0);
	assert_int_equal(x->f.intx_irqfd[GSI], -1);
	for (int i = 0; i < x->f.nlog; i++)
		assert_null(strstr(x->f.log[i], "closed fd"));
	fake_ram_fini(&x->r);
	fake_fini(&x->f);
	free(x);
}

static void no_intx(struct fake_vfio *f)
{
	f->no_intx = true;
}

static void no_pin(struct fake_vfio *f)
{
	f->cfg[PCI_INTERRUPT_PIN] = 0;
}

static void bogus_pin(struct fake_vfio *f)
{
	f->cfg[PCI_INTERRUPT_PIN] = 0xe5;
}

static void test_no_intx_keeps_pin_0(void **state)
{
	void (*const tweaks[])(struct fake_vfio *) = { no_intx, no_pin, bogus_pin };

	(void)state;
	for (unsigned t = 0; t < 3; t++) {
		struct fx *x = fx_new(tweaks[t], true);

		assert_int_equal(rd(x, PCI_INTERRUPT_PIN, 1), 0);
		assert_int_equal(rd(x, PCI_INTERRUPT_LINE, 1), 0xff);
		assert_false(x->v.intx.on);
		assert_int_equal(fake_find(&x->f, "irqfd resample", 0), -1);
		assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS", 0), -1);
		/* MSI-X still works, and INTx never appears after it */
		wr(x, MSIX_CAP + 2, 2, 0x8000);
		assert_int_equal(x->v.irq_mode, VFIO_IRQ_MSIX);
		wr(x, MSIX_CAP + 2, 2, 0);
		wr(x, PCI_COMMAND, 2, rd(x, PCI_COMMAND, 2) | PCI_CMD_INTX_DISABLE);
		assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 0", 0), -1);
		fx_free(x);
	}
}

static void test_hostile_pin_line(void **state)
{
	struct fx *x = fx_new(NULL, true);
	int trig = x->f.intx_trigger, i;

	(void)state;
	i = x->f.nlog;
	wr(x, PCI_INTERRUPT_PIN, 1, 0xff);
	wr(x, PCI_INTERRUPT_PIN, 1, 0);
	wr(x, PCI_INTERRUPT_LINE, 2, 0x0000);
	wr(x, PCI_INTERRUPT_LINE, 4, 0xffffffff);
	assert_int_equal(rd(x, PCI_INTERRUPT_PIN, 1), 1);                /* read-only */
	assert_int_equal(rd(x, PCI_INTERRUPT_LINE, 1), 0xff);            /* a scratch byte */
	wr(x, PCI_INTERRUPT_LINE, 1, 0x05);
	assert_int_equal(rd(x, PCI_INTERRUPT_LINE, 1), 0x05);
	/* the routing is the bridge's, not LINE's: nothing moved, nothing reached the device */
	assert_int_equal(x->v.pci.intx_gsi, GSI);
	assert_int_equal(x->f.intx_trigger, trig);
	assert_int_equal(x->f.intx_irqfd[GSI], trig);
	assert_int_equal(fake_find(&x->f, "ioctl", i), -1);
	assert_int_equal(fake_find(&x->f, "irqfd", i), -1);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x3c", i), -1);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x3d", i), -1);
	assert_int_equal(x->f.cfg[PCI_INTERRUPT_PIN], 1);
	/* odd accesses around them: ignored or confined */
	wr(x, PCI_INTERRUPT_LINE + 1, 2, 0xffff);                          /* PIN + MIN_GNT */
	assert_int_equal(rd(x, PCI_INTERRUPT_PIN, 1), 1);
	assert_intx_on(x);
	fx_free(x);
}

static void test_set_irqs_refused(void **state)
{
	struct fx *x = fx_new(NULL, false);

	(void)state;
	x->f.fail_req = VFIO_DEVICE_SET_IRQS;
	x->f.fail_errno = EINVAL;
	vfio_dev_start(&x->v);
	assert_false(x->v.intx.on);
	assert_int_equal(x->f.intx_irqfd[GSI], -1);                       /* the irqfd went again */
	assert_int_equal(fake_open_fds(&x->f), 3);                          /* container, group, device */
	assert_true(x->v.counters[VFIO_M_IRQ_ERRORS] >= 1);
	/* the next interrupt-config change retries, and succeeds */
	x->f.fail_req = 0;
	wr(x, PCI_COMMAND, 2, rd(x, PCI_COMMAND, 2) | PCI_CMD_INTX_DISABLE);
	assert_intx_on(x);
	assert_true(x->f.intx_masked);
	fx_free(x);
}

static void test_resample_refused(void **state)
{
	struct fx *x = fx_new(NULL, false);

	(void)state;
	x->f.intx_irqfd[GSI] = 99;          /* the GSI's irqfd taken: KVM says EBUSY */
	vfio_dev_start(&x->v);
	assert_false(x->v.intx.on);
	assert_int_equal(fake_find(&x->f, "ioctl DEVICE_SET_IRQS", 0), -1);   /* VFIO never asked */
	assert_int_equal(fake_open_fds(&x->f), 3);
	x->f.intx_irqfd[GSI] = -1;
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_routed_and_wired),
		cmocka_unit_test(test_msix_excludes_intx),
		cmocka_unit_test(test_command_masks),
		cmocka_unit_test(test_stop_tears_down),
		cmocka_unit_test(test_no_intx_keeps_pin_0),
		cmocka_unit_test(test_hostile_pin_line),
		cmocka_unit_test(test_set_irqs_refused),
		cmocka_unit_test(test_resample_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
