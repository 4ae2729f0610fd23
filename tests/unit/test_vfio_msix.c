// SPDX-License-Identifier: MIT
/*
 * devices/vfio: MSI-X of a passed-through function, driven the way a guest
 * does (capability writes, table writes and reads through the BAR's trap
 * handler) against the fake host.  Checked: enabling gives VFIO one eventfd
 * per vector and each vector an MSI route; the irqfd is bound only while a
 * vector is unmasked with an MSI address, and follows masked->unmasked
 * transitions and the function mask; the route carries the guest's message
 * and follows rewrites; the PBA shows interrupts raised while masked and is
 * read-only; hostile writes (vectors past the table, into the device's
 * table beyond what we offer (test_vectors_capped), unaligned, 1- and 2-byte, straddling entries,
 * non-MSI addresses) change nothing they must not and never reach the
 * device; the whole table rewritten with garbage binds exactly the
 * unmasked entries with an MSI address; disabling undoes everything; a
 * refused SET_IRQS leaves nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/vfio_fake.h"

#define MSIX_CAP 0xa0

struct fx {
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	struct pci_device *d;
};

static struct fx *fx_new(void (*tweak)(struct fake_vfio *f))
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[256];

	if (fake_dev_setup(&x->f, &x->r, &x->v, &x->d, tweak, err, sizeof(err)))
		fail_msg("init: %s", err);
	pci_config_write(x->d, PCI_BAR0 + 12, 4, 0xd0040000);
	pci_config_write(x->d, PCI_COMMAND, 2, PCI_CMD_MEMORY | PCI_CMD_MASTER);
	return x;
}

static void fx_free(struct fx *x)
{
	vfio_dev_destroy(&x->v);
	assert_int_equal(fake_open_fds(&x->f), 0);
	for (int i = 0; i < 64; i++) {
		assert_false(x->f.route[i].used);
		assert_int_equal(x->f.irqfd_of[i], -1);
	}
	fake_ram_fini(&x->r);
	fake_fini(&x->f);
	free(x);
}

static void tw(struct fx *x, uint64_t off, uint64_t val, unsigned size)
{
	assert_int_equal(vfio_bar_ops.write(&x->v.bars[3], off, &val, size), 0);
}

static uint64_t tr(struct fx *x, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	assert_int_equal(vfio_bar_ops.read(&x->v.bars[3], off, &v, size), 0);
	return v;
}

static void entry(struct fx *x, unsigned vec, uint64_t addr, uint32_t data, bool masked)
{
	tw(x, vec * 16, addr & 0xffffffff, 4);
	tw(x, vec * 16 + 4, addr >> 32, 4);
	tw(x, vec * 16 + 8, data, 4);
	tw(x, vec * 16 + 12, masked, 4);
}

static int gsi_of(struct fx *x, unsigned vec)
{
	return x->v.vec[vec].gsi;
}

static bool bound(struct fx *x, unsigned vec)
{
	int g = gsi_of(x, vec);

	return g >= 24 && x->f.irqfd_of[g - 24] == x->v.vec[vec].efd;
}

static void enable(struct fx *x, bool fmask)
{
	pci_config_write(x->d, MSIX_CAP + 2, 2, 0x8000 | (fmask ? 0x4000 : 0));
}

static void test_enable_sets_up_vectors(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	enable(x, false);
	assert_int_equal(x->f.irq_index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(x->f.irq_count, 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(x->f.irq_fds[i], x->v.vec[i].efd);
		assert_true(gsi_of(x, i) >= 24);
		assert_false(bound(x, i));            /* masked at reset */
	}
	assert_int_equal(fake_count(&x->f, "route_alloc"), 5);
	/* enabling again changes nothing on the host */
	enable(x, false);
	assert_int_equal(fake_count(&x->f, "ioctl DEVICE_SET_IRQS"), 1);
	fx_free(x);
}

static void test_unmask_routes_irqfd(void **state)
{
	struct fx *x = fx_new(NULL);
	char want[64];
	int i;

	(void)state;
	enable(x, false);
	entry(x, 2, 0xfee01000, 0x4041, true);
	assert_false(bound(x, 2));
	i = x->f.nlog;
	tw(x, 2 * 16 + 12, 0, 4);                     /* masked -> unmasked */
	snprintf(want, sizeof(want), "route_set %d 0xfee01000 0x4041 0", gsi_of(x, 2));
	assert_true(fake_find(&x->f, want, i) >= i);
	assert_true(bound(x, 2));
	assert_true(fake_find(&x->f, "irqfd attach", i) > fake_find(&x->f, want, i));   /* route first */
	/* rewriting the data of a live vector re-routes it, the irqfd stays */
	tw(x, 2 * 16 + 8, 0x4042, 4);
	assert_int_equal(x->f.route[gsi_of(x, 2) - 24].data, 0x4042);
	assert_true(bound(x, 2));
	/* unmasked -> masked: irqfd unbound, route masked */
	tw(x, 2 * 16 + 12, 1, 4);
	assert_false(bound(x, 2));
	assert_true(x->f.route[gsi_of(x, 2) - 24].masked);
	/* the other vectors never moved */
	for (unsigned v = 0; v < 5; v++)
		if (v != 2)
			assert_false(bound(x, v));
	fx_free(x);
}

static void test_function_mask(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	enable(x, false);
	entry(x, 0, 0xfee00000, 0x30, false);
	entry(x, 1, 0xfee00000, 0x31, false);
	assert_true(bound(x, 0) && bound(x, 1));
	enable(x, true);                              /* function mask */
	assert_false(bound(x, 0) || bound(x, 1));
	assert_int_equal(fake_count(&x->f, "ioctl DEVICE_SET_IRQS"), 1);   /* vectors stay enabled in VFIO */
	enable(x, false);
	assert_true(bound(x, 0) && bound(x, 1));
	fx_free(x);
}

static void test_pending_while_masked(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	enable(x, false);
	entry(x, 3, 0xfee00000, 0x33, true);
	assert_int_equal(tr(x, 0x2000, 8), 0);
	x->f.pending[x->v.vec[3].efd] = true;         /* the device fired while masked */
	assert_int_equal(tr(x, 0x2000, 8), 1u << 3);
	assert_int_equal(tr(x, 0x2000, 4), 1u << 3);
	/* pci.c's own PBA is not touched: no second delivery through KVM_SIGNAL_MSI on unmask */
	assert_int_equal(x->v.pci.msix_pba[0], 0);
	tw(x, 3 * 16 + 12, 0, 4);                     /* unmask: irqfd bound, KVM takes the count */
	assert_true(bound(x, 3));
	assert_false(x->f.pending[x->v.vec[3].efd]);
	assert_int_equal(tr(x, 0x2000, 8), 0);
	assert_int_equal(x->v.pci.irqs_sent, 0);
	fx_free(x);
}

static void test_hostile_table_writes(void **state)
{
	struct fx *x = fx_new(NULL);
	uint8_t before[80];
	int pw;

	(void)state;
	enable(x, false);
	memcpy(before, x->v.pci.msix_table, 80);
	pw = fake_count(&x->f, "pwrite");
	/* unaligned, 1- and 2-byte, straddling two entries: dropped */
	tw(x, 2, 0xffffffff, 4);
	tw(x, 13, 0, 1);
	tw(x, 12, 0, 2);
	tw(x, 15, 0, 1);
	tw(x, 4, 0, 8);                               /* 8 bytes at 4: unaligned for its size */
	tw(x, 0x4c, 0, 8);                            /* straddles the table's end (5 * 16 = 0x50) */
	assert_memory_equal(before, x->v.pci.msix_table, 80);
	/* reads of the same shapes give all-ones */
	assert_int_equal(tr(x, 2, 4), 0xffffffff);
	assert_int_equal(tr(x, 12, 1), 0xff);
	/* the PBA is read-only */
	tw(x, 0x2000, ~0ULL, 8);
	assert_int_equal(tr(x, 0x2000, 8), 0);
	/* nothing of it reached the device, no vector got bound */
	assert_int_equal(fake_count(&x->f, "pwrite"), pw);
	for (unsigned v = 0; v < 5; v++)
		assert_false(bound(x, v));
	assert_true(x->v.counters[VFIO_M_BAD_ACCESSES] >= 6);
	/* an 8-byte aligned write of an address pair is fine */
	tw(x, 16, 0x00000000fee00000ULL, 8);
	tw(x, 24, 0x0000000000000041ULL, 8);          /* data 0x41, unmasked */
	assert_true(bound(x, 1));
	assert_int_equal(x->f.route[gsi_of(x, 1) - 24].addr, 0xfee00000);
	fx_free(x);
}

static void test_non_msi_address_stays_masked(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	enable(x, false);
	entry(x, 0, 0x00100000, 0x30, false);        /* guest RAM, not the APIC */
	assert_false(bound(x, 0));
	entry(x, 0, 0xfee00003, 0x30, false);        /* low bits dropped: an MSI address */
	assert_true(bound(x, 0));
	assert_int_equal(x->f.route[gsi_of(x, 0) - 24].addr, 0xfee00000);
	fx_free(x);
}

static void many_vectors(struct fake_vfio *f)
{
	cfg_put(f->cfg, 0xa2, 2, 199);                /* 200 vectors: table 0..0xc80 */
	cfg_put(f->cfg, 0xa8, 4, 0x00002003);
}

static void test_vectors_capped(void **state)
{
	struct fx *x = fx_new(many_vectors);

	(void)state;
	assert_int_equal(pci_config_read(x->d, MSIX_CAP + 2, 2) & 0x7ff, VFIO_MAX_MSIX - 1);
	enable(x, false);
	assert_int_equal(x->f.irq_count, VFIO_MAX_MSIX);
	/* the device's vector 100: not ours, not the device's either */
	tw(x, 100 * 16 + 12, 0, 4);
	assert_int_equal(tr(x, 100 * 16, 4), 0xffffffff);
	assert_int_equal(fake_count(&x->f, "pwrite 3+"), 0);
	/* the device's whole table is trapped: no slot over page 0 */
	assert_int_equal(x->v.bars[3].maps[0].off, 0x1000);
	fx_free(x);
}

static void test_disable_undoes(void **state)
{
	struct fx *x = fx_new(NULL);
	int i;

	(void)state;
	enable(x, false);
	entry(x, 0, 0xfee00000, 0x30, false);
	i = x->f.nlog;
	pci_config_write(x->d, MSIX_CAP + 2, 2, 0);
	assert_true(fake_find(&x->f, "ioctl DEVICE_SET_IRQS 2 0", i) >= i);
	assert_true(fake_find(&x->f, "irqfd detach", i) > fake_find(&x->f, "ioctl DEVICE_SET_IRQS 2 0", i));
	assert_int_equal(fake_count(&x->f, "route_free"), 5);
	for (int g = 0; g < 64; g++)
		assert_false(x->f.route[g].used);
	assert_int_equal(fake_open_fds(&x->f), 3);    /* container, group, device */
	/* and again */
	enable(x, false);
	assert_int_equal(x->f.irq_count, 5);
	fx_free(x);
}

static void test_set_irqs_refused(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	x->f.fail_req = VFIO_DEVICE_SET_IRQS;
	x->f.fail_errno = EINVAL;
	enable(x, false);
	assert_int_equal(x->v.irq_mode, VFIO_IRQ_NONE);
	assert_int_equal(fake_open_fds(&x->f), 3);    /* the eventfds went again */
	for (int g = 0; g < 64; g++)
		assert_false(x->f.route[g].used);
	assert_true(x->v.counters[VFIO_M_IRQ_ERRORS] >= 1);
	entry(x, 0, 0xfee00000, 0x30, false);         /* retried, refused again, no crash */
	x->f.fail_req = 0;
	entry(x, 0, 0xfee00000, 0x30, false);         /* the next change succeeds */
	assert_int_equal(x->v.irq_mode, VFIO_IRQ_MSIX);
	assert_true(bound(x, 0));
	fx_free(x);
}

/*
 * The whole table rewritten with garbage, as a hostile guest would (aligned
 * dwords, every word random), with MSI-X on and unmasked: a vector gets an
 * irqfd exactly when its entry is unmasked with an MSI address (upper dword
 * 0), its route carries that entry's message; nothing reaches the device;
 * the table reads back what was written (less the address's low 2 bits and
 * the control word's reserved bits); disabling unbinds everything.
 */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static void test_garbage_table(void **state)
{
	struct fx *x = fx_new(NULL);
	uint32_t seed = 15, words[5][4];
	unsigned nbound = 0;
	int pw;

	(void)state;
	enable(x, false);
	pw = fake_count(&x->f, "pwrite");
	for (unsigned round = 0; round < 64; round++) {
		for (unsigned v = 0; v < 5; v++)
			for (unsigned w = 0; w < 4; w++) {
				uint32_t r = lcg(&seed);

				/* a quarter of the addresses in the MSI window, a quarter of those with a high dword */
				/* (decisions from the high bits: an LCG's low bits repeat every few draws) */
				if (w == 0 && ((r >> 16) & 3) == 0)
					r = 0xfee00000u | (r & 0xffffc);
				if (w == 1 && ((r >> 20) & 3) != 3)
					r = 0;
				if (w == 3)
					r &= (r >> 24) & 1 ? ~0u : ~1u;
				words[v][w] = r;
				tw(x, v * 16 + w * 4, r, 4);
			}
		for (unsigned v = 0; v < 5; v++) {
			bool msi = !words[v][1] && (words[v][0] & 0xfff00000u) == 0xfee00000u;
			bool want = msi && !(words[v][3] & 1);

			/* as written, but the address's low 2 bits and the control word's reserved bits */
			assert_int_equal(tr(x, v * 16, 4), words[v][0] & ~3u);
			assert_int_equal(tr(x, v * 16 + 4, 4), words[v][1]);
			assert_int_equal(tr(x, v * 16 + 8, 4), words[v][2]);
			assert_int_equal(tr(x, v * 16 + 12, 4) & 1, words[v][3] & 1);
			assert_int_equal(bound(x, v), want);
			if (want) {
				assert_int_equal(x->f.route[gsi_of(x, v) - 24].addr, words[v][0] & ~3u);
				assert_int_equal(x->f.route[gsi_of(x, v) - 24].data, words[v][2]);
				nbound++;
			}
		}
	}
	assert_true(nbound > 0);                      /* the garbage did hit live vectors */
	assert_int_equal(fake_count(&x->f, "pwrite"), pw);
	pci_config_write(x->d, MSIX_CAP + 2, 2, 0);
	for (unsigned v = 0; v < 5; v++)
		assert_false(bound(x, v));
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable_sets_up_vectors),
		cmocka_unit_test(test_unmask_routes_irqfd),
		cmocka_unit_test(test_function_mask),
		cmocka_unit_test(test_pending_while_masked),
		cmocka_unit_test(test_hostile_table_writes),
		cmocka_unit_test(test_non_msi_address_stays_masked),
		cmocka_unit_test(test_vectors_capped),
		cmocka_unit_test(test_disable_undoes),
		cmocka_unit_test(test_set_irqs_refused),
		cmocka_unit_test(test_garbage_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
