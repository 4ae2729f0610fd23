// SPDX-License-Identifier: MIT
/*
 * Unit tests for devices/virtio/virtio_pci.c without a VM: a fake virtio
 * device behind the transport, its BARs driven directly through their bus
 * ops.  Capabilities, feature negotiation (and refusal), queue setup and
 * enable, reset, ISR read-to-clear with INTx, MSI-X vectors, notifications
 * by exit, and hostile register accesses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/virtio/virtio_pci.h"

#define FAKE_F_A   0   /* device feature bits we offer */
#define FAKE_F_B   5

struct fake {
	uint64_t set_features_arg;
	int set_features_rc, start_rc;
	unsigned set_features_calls, starts, stops;
	bool break_in_set_features;   /* a worker breaks the device while the driver writes the status */
	uint8_t config[12];
};

static struct fake F;
static struct guest_mem mem;

static int fake_set_features(struct virtio_dev *v, uint64_t f)
{
	F.set_features_calls++;
	F.set_features_arg = f;
	if (F.break_in_set_features)
		virtio_dev_needs_reset(v, "broken by the fake device while FEATURES_OK is written");
	return F.set_features_rc;
}

static void fake_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	(void)v;
	assert_true(off + len <= sizeof(F.config));
	memcpy(data, F.config + off, len);
}

static void fake_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	(void)v;
	assert_true(off + len <= sizeof(F.config));
	memcpy(F.config + off, data, len);
}

static int fake_start(struct virtio_dev *v)
{
	(void)v;
	F.starts++;
	return F.start_rc;
}

static void fake_stop(struct virtio_dev *v)
{
	(void)v;
	F.stops++;
}

static const struct virtio_dev_ops fake_ops = {
	.set_features = fake_set_features, .config_read = fake_config_read,
	.config_write = fake_config_write, .start = fake_start, .stop = fake_stop,
};

/* The interrupt sink pci.c raises through. */
static unsigned lines, msis;
static bool line_level;
static uint32_t msi_data;

static int stub_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	(void)gsi;
	lines++;
	line_level = level;
	return 0;
}

static int stub_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	(void)addr;
	msis++;
	msi_data = data;
	return 0;
}

static struct virtio_dev dev;
static struct virtio_pci t;

static int setup(void **state)
{
	char err[256];

	(void)state;
	memset(&F, 0, sizeof(F));
	memcpy(F.config, "abcdefghijkl", 12);
	lines = msis = 0;
	line_level = false;
	if (!mem.host && guest_mem_create(&mem, 1 << 20, 0, GUEST_BACKING_4K, err, sizeof(err)))
		return -1;
	memset(&dev, 0, sizeof(dev));
	dev.name = "fake";
	dev.device_id = VIRTIO_ID_NET;
	dev.host_features = 1ULL << FAKE_F_A | 1ULL << FAKE_F_B | 1ULL << VIRTIO_F_VERSION_1 |
			    1ULL << VIRTIO_RING_F_EVENT_IDX;
	dev.nqueues = 2;
	dev.queue_max[0] = 256;
	dev.queue_max[1] = 64;
	dev.config_len = 10;
	dev.ops = &fake_ops;
	dev.mem = &mem;
	if (virtio_pci_init(&t, &dev, NULL, NULL, NULL, false, err, sizeof(err)))
		return -1;
	t.pci.sink = (struct pci_irq_sink){ .line = stub_line, .msi = stub_msi };
	t.pci.intx_gsi = 18;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_pci_destroy(&t);
	return 0;
}

static uint64_t rd(uint64_t off, unsigned size)
{
	const struct pci_bar *b = &t.pci.bars[VIRTIO_PCI_BAR];
	uint64_t v = 0;

	assert_int_equal(b->ops->read(b->opaque, off, &v, size), 0);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	const struct pci_bar *b = &t.pci.bars[VIRTIO_PCI_BAR];

	assert_int_equal(b->ops->write(b->opaque, off, &v, size), 0);
}

static void msix_wr(uint64_t off, uint32_t v)
{
	const struct pci_bar *b = &t.pci.bars[VIRTIO_PCI_MSIX_BAR];

	assert_int_equal(b->ops->write(b->opaque, off, &v, 4), 0);
}

static uint8_t status(void)
{
	return rd(VIRTIO_PCI_STATUS, 1);
}

/* Negotiate `features` and return the status afterwards. */
static uint8_t negotiate(uint64_t features)
{
	wr(VIRTIO_PCI_STATUS, 1, 0);
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	wr(VIRTIO_PCI_GF, 4, (uint32_t)features);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, features >> 32);
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return status();
}

/* Ring addresses inside the fake guest RAM. */
static void setup_queue(unsigned q, uint16_t size, uint64_t base)
{
	wr(VIRTIO_PCI_Q_SELECT, 2, q);
	wr(VIRTIO_PCI_Q_SIZE, 2, size);
	wr(VIRTIO_PCI_Q_DESC, 8, base);
	wr(VIRTIO_PCI_Q_DRIVER, 4, (uint32_t)(base + 0x4000));   /* by halves */
	wr(VIRTIO_PCI_Q_DRIVER + 4, 4, 0);
	wr(VIRTIO_PCI_Q_DEVICE, 8, base + 0x5000);
}

static void test_identity_and_caps(void **state)
{
	uint8_t seen[5] = { 0 };
	unsigned p, msix = 0;

	(void)state;
	assert_int_equal(pci_config_read(&t.pci, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(pci_config_read(&t.pci, PCI_DEVICE_ID, 2), 0x1041);
	assert_int_equal(pci_config_read(&t.pci, PCI_REVISION_ID, 1), 1);
	assert_int_equal(pci_config_read(&t.pci, PCI_SUBSYSTEM_VENDOR, 2), 0x1af4);
	assert_true(pci_config_read(&t.pci, PCI_SUBSYSTEM_ID, 2) >= 0x40);
	assert_int_equal(pci_config_read(&t.pci, PCI_CLASS_DEVICE, 2), 0x0200);
	assert_int_equal(t.pci.bars[VIRTIO_PCI_BAR].kind, PCI_BAR_MEM64);
	assert_int_equal(t.pci.bars[VIRTIO_PCI_BAR].size, VIRTIO_PCI_BAR_SIZE);
	assert_int_equal(pci_config_read(&t.pci, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4) & 7, 4);
	for (p = pci_config_read(&t.pci, PCI_CAP_PTR, 1); p; p = pci_config_read(&t.pci, p + 1, 1)) {
		unsigned id = pci_config_read(&t.pci, p, 1);

		if (id == PCI_CAP_ID_MSIX) {
			msix = p;
			continue;
		}
		assert_int_equal(id, PCI_CAP_ID_VNDR);
		unsigned type = pci_config_read(&t.pci, p + 3, 1);
		uint32_t off = pci_config_read(&t.pci, p + 8, 4), len = pci_config_read(&t.pci, p + 12, 4);

		assert_true(type >= 1 && type <= 4);
		seen[type]++;
		assert_int_equal(pci_config_read(&t.pci, p + 4, 1), VIRTIO_PCI_BAR);
		assert_true(off + len <= VIRTIO_PCI_BAR_SIZE);
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			assert_int_equal(pci_config_read(&t.pci, p + 2, 1), 20);
			assert_int_equal(pci_config_read(&t.pci, p + 16, 4), 4);
			assert_int_equal(len, 2 * 4);
		} else {
			assert_int_equal(pci_config_read(&t.pci, p + 2, 1), 16);
		}
		if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
			assert_int_equal(len, 10);
		if (type == VIRTIO_PCI_CAP_COMMON_CFG)
			assert_int_equal(len, 0x38);
	}
	assert_int_equal(seen[1] + seen[2] + seen[3] + seen[4], 4);
	assert_true(seen[1] == 1 && seen[2] == 1 && seen[3] == 1 && seen[4] == 1);
	assert_true(msix != 0);
	assert_int_equal(pci_config_read(&t.pci, msix + 2, 2) & 0x7ff, 2);   /* 3 vectors */
	assert_int_equal(t.pci.msix_nvec, 3);
	assert_ptr_equal(dev.transport, &t);
	assert_non_null(dev.tops);
	assert_int_equal(rd(VIRTIO_PCI_NUM_QUEUES, 2), 2);
}

static void test_features(void **state)
{
	uint64_t want = 1ULL << FAKE_F_B | 1ULL << VIRTIO_F_VERSION_1;

	(void)state;
	wr(VIRTIO_PCI_DFSELECT, 4, 0);
	assert_int_equal(rd(VIRTIO_PCI_DF, 4), (uint32_t)dev.host_features);
	wr(VIRTIO_PCI_DFSELECT, 4, 1);
	assert_int_equal(rd(VIRTIO_PCI_DF, 4), dev.host_features >> 32);
	wr(VIRTIO_PCI_DFSELECT, 4, 7);
	assert_int_equal(rd(VIRTIO_PCI_DF, 4), 0);

	/* no VERSION_1: refused, FEATURES_OK stays clear, set_features never asked */
	assert_false(negotiate(1ULL << FAKE_F_B) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(F.set_features_calls, 0);
	/* a feature we did not offer: refused */
	assert_false(negotiate(want | 1ULL << 3) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(F.set_features_calls, 0);
	/* the device model refuses */
	F.set_features_rc = -1;
	assert_false(negotiate(want) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(F.set_features_calls, 1);
	assert_int_equal(dev.features, 0);
	/* DRIVER_OK without FEATURES_OK is refused too */
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	assert_false(status() & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(F.starts, 0);

	/* accepted */
	F.set_features_rc = 0;
	assert_true(negotiate(want) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(F.set_features_arg, want);
	assert_int_equal(dev.features, want);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	assert_int_equal(rd(VIRTIO_PCI_GF, 4), (uint32_t)want);
	/* features are frozen after FEATURES_OK */
	wr(VIRTIO_PCI_GF, 4, 0xffffffff);
	assert_int_equal(rd(VIRTIO_PCI_GF, 4), (uint32_t)want);
	assert_int_equal(dev.features, want);
	/* the driver cannot set NEEDS_RESET */
	wr(VIRTIO_PCI_STATUS, 1, status() | VIRTIO_STATUS_NEEDS_RESET);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
	wr(VIRTIO_PCI_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_true(status() & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(F.starts, 1);
}

static void test_queues_and_reset(void **state)
{
	uint64_t n;
	int kfd;

	(void)state;
	assert_true(negotiate(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_PCI_Q_SELECT, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 64);          /* the maximum, at reset */
	assert_int_equal(rd(VIRTIO_PCI_Q_NOFF, 2), 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	assert_int_equal(dev.vq[0].ready, false);
	assert_int_equal(dev.tops->kick_fd(&dev, 0), -1);

	setup_queue(0, 128, 0x10000);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 128);
	assert_int_equal(rd(VIRTIO_PCI_Q_DESC, 8), 0x10000);
	assert_int_equal(rd(VIRTIO_PCI_Q_DRIVER, 4), 0x14000);
	assert_int_equal(rd(VIRTIO_PCI_Q_DEVICE + 4, 4), 0);
	wr(VIRTIO_PCI_Q_MSIX, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_MSIX, 2), 1);
	wr(VIRTIO_PCI_Q_MSIX, 2, 3);                              /* beyond the table: refused */
	assert_int_equal(rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	wr(VIRTIO_PCI_Q_MSIX, 2, 1);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 1);
	assert_true(dev.vq[0].ready);
	assert_int_equal(dev.vq[0].num, 128);
	assert_int_equal(dev.vq[0].desc_gpa, 0x10000);
	assert_int_equal(dev.vq[0].avail_gpa, 0x14000);
	assert_int_equal(dev.vq[0].used_gpa, 0x15000);
	assert_true(dev.vq[0].event_idx);
	kfd = dev.tops->kick_fd(&dev, 0);
	assert_true(kfd >= 0);
	assert_int_equal(dev.tops->call_fd(&dev, 0), -1);         /* no irqchip here */
	/* an enabled queue's config is frozen */
	wr(VIRTIO_PCI_Q_SIZE, 2, 64);
	wr(VIRTIO_PCI_Q_DESC, 8, 0x20000);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 128);
	assert_int_equal(rd(VIRTIO_PCI_Q_DESC, 8), 0x10000);
	/* writing 0 to queue_enable does nothing */
	wr(VIRTIO_PCI_Q_ENABLE, 2, 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 1);

	/* a notification by exit (no VM: exit mode) signals the kick eventfd */
	wr(VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	wr(VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	assert_int_equal(read(kfd, &n, sizeof(n)), sizeof(n));
	assert_int_equal(n, 2);
	assert_int_equal(t.notifies_by_exit, 2);
	assert_int_equal(t.q[0].notifies_by_exit, 2);
	/* to a queue not enabled: dropped */
	wr(VIRTIO_PCI_NOTIFY_OFF + 4, 2, 1);
	assert_int_equal(t.notifies_by_exit, 2);

	wr(VIRTIO_PCI_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(F.starts, 1);
	/* reset: stop, queues forgotten, features cleared */
	unsigned stops = F.stops;

	wr(VIRTIO_PCI_STATUS, 1, 0);
	assert_int_equal(status(), 0);
	assert_int_equal(F.stops, stops + 1);
	assert_false(dev.vq[0].ready);
	assert_int_equal(dev.features, 0);
	assert_int_equal(dev.tops->kick_fd(&dev, 0), -1);
	wr(VIRTIO_PCI_Q_SELECT, 2, 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 256);
	assert_int_equal(rd(VIRTIO_PCI_Q_DESC, 8), 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	assert_int_equal(rd(VIRTIO_PCI_GF, 4), 0);
}

static void test_bad_rings_need_reset(void **state)
{
	(void)state;
	assert_true(negotiate(1ULL << VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	setup_queue(0, 16, 0xfff000);              /* runs past the 1 MiB of RAM */
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	assert_false(dev.vq[0].ready);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	/* the config change interrupt went out by INTx with the ISR config bit */
	assert_true(line_level);
	assert_int_equal(t.config_irqs, 1);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	wr(VIRTIO_PCI_STATUS, 1, 0);
	assert_int_equal(status(), 0);
	/* misaligned descriptor table */
	assert_true(negotiate(1ULL << VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	setup_queue(0, 16, 0x10008);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_false(dev.vq[0].ready);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	wr(VIRTIO_PCI_STATUS, 1, 0);
	/* a queue enabled after DRIVER_OK would never be served: refused, the driver told */
	assert_true(negotiate(1ULL << VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_PCI_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
	setup_queue(0, 16, 0x10000);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	assert_false(dev.vq[0].ready);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_isr_intx(void **state)
{
	(void)state;
	assert_false(pci_msix_enabled(&t.pci));
	assert_int_equal(dev.tops->interrupt(&dev, 1), 0);
	assert_true(line_level);
	assert_true(pci_config_read(&t.pci, PCI_STATUS, 2) & PCI_STATUS_INTX);
	assert_int_equal(dev.tops->interrupt(&dev, -1), 0);
	/* read-to-clear: both bits once, the line drops */
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
	assert_false(line_level);
	assert_false(pci_config_read(&t.pci, PCI_STATUS, 2) & PCI_STATUS_INTX);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), 0);
	assert_int_equal(t.intx_irqs, 2);
	assert_int_equal(t.config_irqs, 1);
	assert_int_equal(msis, 0);
	assert_int_equal(dev.tops->interrupt(&dev, 2), -EINVAL);   /* no such queue */
}

static void test_msix_vectors(void **state)
{
	unsigned c = t.pci.msix_cap;

	(void)state;
	assert_true(negotiate(1ULL << VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	/* entry 0: config, entry 1: queue 0 */
	msix_wr(0x00, 0xfee00000u);
	msix_wr(0x08, 0x4050);
	msix_wr(0x0c, 0);
	msix_wr(0x10, 0xfee00000u);
	msix_wr(0x18, 0x4051);
	msix_wr(0x1c, 0);
	pci_config_write(&t.pci, c + 3, 1, 0x80);
	assert_true(pci_msix_enabled(&t.pci));
	wr(VIRTIO_PCI_MSIX_CONFIG, 2, 0);
	assert_int_equal(rd(VIRTIO_PCI_MSIX_CONFIG, 2), 0);
	wr(VIRTIO_PCI_MSIX_CONFIG, 2, 9);
	assert_int_equal(rd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_NO_VECTOR);
	wr(VIRTIO_PCI_MSIX_CONFIG, 2, 0);
	wr(VIRTIO_PCI_Q_SELECT, 2, 0);
	wr(VIRTIO_PCI_Q_MSIX, 2, 1);

	assert_int_equal(dev.tops->interrupt(&dev, 0), 0);
	assert_int_equal(msis, 1);
	assert_int_equal(msi_data, 0x4051);
	assert_int_equal(dev.tops->interrupt(&dev, -1), 0);
	assert_int_equal(msis, 2);
	assert_int_equal(msi_data, 0x4050);
	assert_int_equal(t.irqs_by_vector[0], 1);
	assert_int_equal(t.irqs_by_vector[1], 1);
	/* no ISR queue bit and no INTx with MSI-X on */
	assert_int_equal(lines, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), 0);
	/* queue 1 has no vector: no interrupt at all */
	assert_int_equal(dev.tops->interrupt(&dev, 1), 0);
	assert_int_equal(msis, 2);
	/* masked: pending in the PBA, delivered on unmask */
	msix_wr(0x1c, 1);
	assert_int_equal(dev.tops->interrupt(&dev, 0), 0);
	assert_int_equal(msis, 2);
	msix_wr(0x1c, 0);
	assert_int_equal(msis, 3);
	assert_int_equal(msi_data, 0x4051);
	/* hostile MSI-X BAR accesses are ignored */
	{
		const struct pci_bar *b = &t.pci.bars[VIRTIO_PCI_MSIX_BAR];
		uint16_t h = 0xffff;
		uint32_t v = 0;

		assert_int_equal(b->ops->write(b->opaque, 0x1e, &h, 2), 0);
		assert_int_equal(b->ops->read(b->opaque, 0x400, &v, 4), 0);
		assert_int_equal(v, 0xffffffffu);
		assert_int_equal(b->ops->read(b->opaque, 0x1c, &v, 4), 0);
		assert_int_equal(v, 0);
	}
}

/*
 * The driver must not clear status bits (virtio 1.x 2.1.2); a hostile one
 * does.  Clearing FEATURES_OK and DRIVER_OK without a reset must neither
 * unfreeze the features of a running device (its workers read them) nor
 * restart it: only a reset (status 0) takes bits away.
 */
static void test_status_bits_only_reset_clears(void **state)
{
	const uint8_t run = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
			    VIRTIO_STATUS_DRIVER_OK;
	uint64_t want = 1ULL << FAKE_F_A | 1ULL << VIRTIO_F_VERSION_1;
	unsigned stops;

	(void)state;
	assert_true(negotiate(want) & VIRTIO_STATUS_FEATURES_OK);
	stops = F.stops; /* negotiate() starts with a reset */
	wr(VIRTIO_PCI_STATUS, 1, run);
	assert_int_equal(status(), run);
	assert_int_equal(F.starts, 1);
	/* Take FEATURES_OK and DRIVER_OK back, offer other features, set both again. */
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_int_equal(status(), run);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	wr(VIRTIO_PCI_GF, 4, 1u << FAKE_F_B);
	wr(VIRTIO_PCI_STATUS, 1, run);
	assert_int_equal(status(), run);
	assert_int_equal(dev.features, want);
	assert_int_equal(F.set_features_calls, 1);
	assert_int_equal(F.starts, 1);
	assert_int_equal(F.stops, stops);
	/* FAILED is added, not a reset */
	wr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_FAILED);
	assert_int_equal(status(), run | VIRTIO_STATUS_FAILED);
	/* a reset still clears everything */
	wr(VIRTIO_PCI_STATUS, 1, 0);
	assert_int_equal(status(), 0);
	assert_int_equal(F.stops, stops + 1);
}

/* NEEDS_RESET set by the device while a status write is under way is not lost by that write. */
static void test_needs_reset_survives_status_write(void **state)
{
	(void)state;
	F.break_in_set_features = true;
	negotiate(1ULL << VIRTIO_F_VERSION_1);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(status() & VIRTIO_STATUS_FEATURES_OK);
	F.break_in_set_features = false;
	wr(VIRTIO_PCI_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	wr(VIRTIO_PCI_STATUS, 1, 0);
	assert_int_equal(status(), 0);
}

static void test_hostile(void **state)
{
	uint64_t before;

	(void)state;
	/* queue_select out of range: the queue reads as absent, writes go nowhere */
	wr(VIRTIO_PCI_Q_SELECT, 2, 2);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_NOFF, 2), 0);
	before = t.bad_accesses;
	wr(VIRTIO_PCI_Q_SIZE, 2, 16);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	wr(VIRTIO_PCI_Q_DESC, 8, 0x1000);
	wr(VIRTIO_PCI_Q_MSIX, 2, 0);
	assert_int_equal(t.bad_accesses, before + 4);
	wr(VIRTIO_PCI_Q_SELECT, 2, 0xffff);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 0);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		assert_false(dev.vq[q].ready);

	/* queue sizes: not a power of two, above the maximum, zero */
	wr(VIRTIO_PCI_Q_SELECT, 2, 1);
	wr(VIRTIO_PCI_Q_SIZE, 2, 48);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 64);
	wr(VIRTIO_PCI_Q_SIZE, 2, 128);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 64);
	wr(VIRTIO_PCI_Q_SIZE, 2, 0);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 64);
	wr(VIRTIO_PCI_Q_SIZE, 2, 32);
	assert_int_equal(rd(VIRTIO_PCI_Q_SIZE, 2), 32);

	/* device config: in range works, past config_len reads all-ones and writes nothing */
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF, 4), 0x64636261);
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF + 8, 2), 0x6a69);
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF + 8, 4), 0xffffffffu);   /* straddles the end */
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF + 10, 1), 0xff);
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF + 0x800, 8), ~0ULL);
	wr(VIRTIO_PCI_DEVICE_OFF + 9, 2, 0x5858);
	assert_int_equal(F.config[10], 'k');
	wr(VIRTIO_PCI_DEVICE_OFF + 1, 1, 'X');
	assert_int_equal(F.config[1], 'X');

	/* wrong widths and unaligned accesses in the common config */
	before = t.bad_accesses;
	wr(VIRTIO_PCI_STATUS, 2, 0x0f0f);
	assert_int_equal(status(), 0);
	wr(VIRTIO_PCI_Q_SELECT, 4, 1);
	wr(VIRTIO_PCI_DFSELECT + 1, 2, 1);
	assert_int_equal(rd(VIRTIO_PCI_DFSELECT + 1, 2), 0xffff);
	wr(VIRTIO_PCI_NUM_QUEUES, 2, 8);                         /* read-only */
	assert_int_equal(rd(VIRTIO_PCI_NUM_QUEUES, 2), 2);
	wr(VIRTIO_PCI_Q_DESC + 2, 4, 1);
	wr(0x36, 4, 1);                                           /* past the structure */
	assert_int_equal(rd(0x100, 4), 0xffffffffu);              /* a gap */
	assert_true(t.bad_accesses >= before + 7);
	/* ISR: only its first byte means anything */
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF + 2, 1), 0);
	/* notify-region reads */
	assert_int_equal(rd(VIRTIO_PCI_NOTIFY_OFF, 2), 0xffff);
}

static void test_init_refusals(void **state)
{
	struct virtio_dev d2 = dev;
	struct virtio_pci t2;
	char err[256];

	(void)state;
	d2.nqueues = 0;
	assert_int_equal(virtio_pci_init(&t2, &d2, NULL, NULL, NULL, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "queues"));
	d2.nqueues = VIRTIO_MAX_QUEUES + 1;
	assert_int_equal(virtio_pci_init(&t2, &d2, NULL, NULL, NULL, false, err, sizeof(err)), -1);
	d2.nqueues = 2;
	d2.queue_max[1] = 100;
	assert_int_equal(virtio_pci_init(&t2, &d2, NULL, NULL, NULL, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "power of two"));
	d2.queue_max[1] = 64;
	d2.config_len = 0x2000;
	assert_int_equal(virtio_pci_init(&t2, &d2, NULL, NULL, NULL, false, err, sizeof(err)), -1);
	d2.config_len = 0;
	assert_int_equal(virtio_pci_init(&t2, &d2, NULL, NULL, NULL, false, err, sizeof(err)), 0);
	virtio_pci_destroy(&t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queues_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rings_need_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isr_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_bits_only_reset_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reset_survives_status_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refusals, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	guest_mem_destroy(&mem);
	return rc;
}
