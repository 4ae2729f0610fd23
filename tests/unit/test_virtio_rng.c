// SPDX-License-Identifier: MIT
/*
 * devices/virtio/virtio_rng.c over a fake transport (kick eventfd,
 * interrupts counted) and a fake driver building chains in fake guest RAM
 * (tests/unit/vq_driver.h): buffers come back filled and different, a
 * request larger than VIRTIO_RNG_FILL_MAX gets that much, and malformed
 * chains (a device-readable buffer, a zero length, a buffer or an indirect
 * table outside RAM, an indirect table not negotiated) get length 0 or a
 * reset, never a write where the driver did not allow one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "exitlab/boot_abi.h"
#include "tests/unit/fake_transport.h"
#include "tests/unit/vq_driver.h"
#include "devices/virtio/virtio_rng.h"

#define QBASE  0x10000ULL
#define DATA   0x40000ULL   /* buffers, 4 KiB per slot */
#define IND    0xf0000ULL
#define QSIZE  32
#define FILLER 0xee

struct rig {
	struct guest_mem m;
	struct virtio_rng rng;
	struct vqd d;
	struct fake_transport t;
};

/* Negotiated with features (VERSION_1 added); inline: served by virtio_rng_serve(), else by the worker. */
static struct rig *rig_new(uint64_t features, bool serve_inline)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct virtio_dev *v = &r->rng.vdev;
	char err[256];

	tmem_create(&r->m);
	assert_int_equal(virtio_rng_init(&r->rng, &r->m, err, sizeof(err)), 0);
	r->rng.w.serve_inline = serve_inline;
	fake_transport_attach(&r->t, v);
	vqd_init(&r->d, &r->m, QSIZE, QBASE);
	features |= 1ULL << VIRTIO_F_VERSION_1;
	assert_int_equal(v->ops->set_features(v, features), 0);
	v->features = features;
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, r->d.desc, r->d.avail, r->d.used,
				    (features >> VIRTIO_RING_F_EVENT_IDX) & 1, (features >> VIRTIO_RING_F_INDIRECT_DESC) & 1),
			 0);
	assert_int_equal(v->ops->start(v), 0);
	memset(tmem_at(&r->m, DATA), FILLER, 0x40000);
	return r;
}

static void rig_free(struct rig *r)
{
	virtio_rng_destroy(&r->rng);
	close(r->t.kick);
	tmem_destroy(&r->m);
	free(r);
}

static uint64_t metric(struct rig *r, const char *name)
{
	const struct dev_metrics *m = virtio_rng_metrics(&r->rng);

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return __atomic_load_n(&m->values[i], __ATOMIC_SEQ_CST);
	fail_msg("no metric %s", name);
	return 0;
}

/* Publish a chain of n buffers (nout device-readable first) and serve it inline: its used length. */
static uint32_t serve(struct rig *r, unsigned n, unsigned nout, const uint64_t *a, const uint32_t *l)
{
	uint32_t id, len = 0xdeadbeef;

	vqd_publish(&r->d, vqd_chain(&r->d, n, nout, a, l));
	assert_int_equal(virtio_rng_serve(&r->rng), 0);
	assert_int_equal(vqd_used(&r->d, &id, &len), 1);
	return len;
}

/* Whether [gpa, gpa + len) still holds the filler byte everywhere. */
static bool untouched(struct rig *r, uint64_t gpa, size_t len)
{
	const uint8_t *p = tmem_at(&r->m, gpa);

	for (size_t i = 0; i < len; i++)
		if (p[i] != FILLER)
			return false;
	return true;
}

static void test_features_and_config(void **state)
{
	struct rig *r = rig_new(0, true);
	struct virtio_dev *v = &r->rng.vdev;
	uint8_t cfg[8];
	(void)state;

	assert_int_equal(v->device_id, 4);   /* PCI device 0x1040 + 4 = 0x1044 */
	assert_int_equal(v->nqueues, 1);
	assert_int_equal(v->config_len, 0);
	assert_int_equal(v->host_features, 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_EVENT_IDX |
						  1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	assert_int_equal(v->ops->set_features(v, 0), -1);                     /* no VERSION_1 */
	assert_int_equal(v->ops->set_features(v, 1ULL << VIRTIO_F_VERSION_1 | 1), -1); /* not offered */
	memset(cfg, 0xff, sizeof(cfg));
	v->ops->config_read(v, 0, cfg, sizeof(cfg));
	for (unsigned i = 0; i < sizeof(cfg); i++)
		assert_int_equal(cfg[i], 0);
	assert_string_equal(virtio_rng_metrics(&r->rng)->device, "virtio-rng");
	rig_free(r);
}

/* Buffers come back whole, filled, and not the same bytes twice; a chain of two buffers is filled through. */
static void test_fill(void **state)
{
	struct rig *r = rig_new(0, true);
	uint64_t a[2] = { DATA, DATA + 0x1000 };
	uint32_t l[2] = { 256, 100 };
	(void)state;

	assert_int_equal(serve(r, 1, 0, a, l), 256);
	assert_false(untouched(r, DATA, 16) && untouched(r, DATA + 16, 240));
	assert_int_equal(serve(r, 1, 0, &a[1], &l[0]), 256);
	assert_memory_not_equal(tmem_at(&r->m, DATA), tmem_at(&r->m, DATA + 0x1000), 256);
	assert_true(untouched(r, DATA + 256, 0x1000 - 256));    /* nothing past the buffer */
	a[0] = DATA + 0x2000, a[1] = DATA + 0x3000;
	assert_int_equal(serve(r, 2, 0, a, l), 356);
	assert_true(untouched(r, DATA + 0x3000 + 100, 0x100));
	assert_int_equal(metric(r, "requests"), 3);
	assert_int_equal(metric(r, "bytes"), 256 + 256 + 356);
	assert_int_equal(metric(r, "errors"), 0);
	assert_int_equal(r->t.irqs, 3);   /* no EVENT_IDX, no NO_INTERRUPT: one per serve */
	rig_free(r);
}

/* More than VIRTIO_RNG_FILL_MAX asked (two 768 KiB views of the same RAM): that much given. */
static void test_fill_max(void **state)
{
	struct rig *r = rig_new(0, true);
	uint64_t a[2] = { 0x40000, 0x40000 };
	uint32_t l[2] = { 768 << 10, 768 << 10 };
	(void)state;

	assert_int_equal(serve(r, 2, 0, a, l), VIRTIO_RNG_FILL_MAX);
	assert_int_equal(metric(r, "bytes"), VIRTIO_RNG_FILL_MAX);
	rig_free(r);
}

/* Chains the driver may not send: length 0, counted, no byte written; the queue goes on. */
static void test_malformed_chains(void **state)
{
	struct rig *r = rig_new(0, true);
	uint64_t a[2] = { DATA, DATA + 0x1000 };
	uint32_t l[2] = { 64, 64 }, zero = 0;
	(void)state;

	/* a device-readable buffer before a writable one: neither touched */
	assert_int_equal(serve(r, 2, 1, a, l), 0);
	assert_true(untouched(r, DATA, 64) && untouched(r, DATA + 0x1000, 64));
	/* only a device-readable buffer */
	assert_int_equal(serve(r, 1, 1, a, l), 0);
	assert_true(untouched(r, DATA, 64));
	/* a writable buffer of length 0 */
	assert_int_equal(serve(r, 1, 0, a, &zero), 0);
	assert_true(untouched(r, DATA, 64));
	assert_int_equal(metric(r, "errors"), 3);
	assert_int_equal(metric(r, "bytes"), 0);
	assert_false(r->rng.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	/* still serving */
	assert_int_equal(serve(r, 1, 0, a, l), 64);
	rig_free(r);
}

/* A buffer outside guest RAM (in the MMIO hole, past the end, wrapping) breaks the ring: reset, no write. */
static void test_buffer_outside_ram(void **state)
{
	static const uint64_t bad[] = { BOOT_MMIO_BASE, TMEM_LOW - 16, UINT64_MAX - 15, (4ULL << 30) + TMEM_HIGH };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(0, true);
		uint32_t l = 64, id, len;

		vqd_publish(&r->d, vqd_chain(&r->d, 1, 0, &bad[i], &l));
		assert_int_equal(virtio_rng_serve(&r->rng), -1);
		assert_int_equal(vqd_used(&r->d, &id, &len), 0);
		assert_true(r->rng.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
		assert_int_equal(r->t.cfg_irqs, 1);
		assert_int_equal(metric(r, "requests"), 0);
		rig_free(r);
	}
}

/* An indirect table: filled through it when negotiated; refused (reset) when not or when outside RAM. */
static void test_indirect(void **state)
{
	struct rig *r = rig_new(1ULL << VIRTIO_RING_F_INDIRECT_DESC, true);
	uint32_t id, len;
	(void)state;

	vqd_desc(&r->d, IND, 0, DATA, 128, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vqd_desc(&r->d, IND, 1, DATA + 0x1000, 64, VIRTQ_DESC_F_WRITE, 0);
	vqd_desc(&r->d, r->d.desc, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&r->d, 0);
	assert_int_equal(virtio_rng_serve(&r->rng), 0);
	assert_int_equal(vqd_used(&r->d, &id, &len), 1);
	assert_int_equal(id, 0);
	assert_int_equal(len, 192);
	assert_true(untouched(r, DATA + 128, 64));
	/* a device-readable descriptor inside the table: length 0, nothing written */
	memset(tmem_at(&r->m, DATA), FILLER, 128);
	vqd_desc(&r->d, IND, 0, DATA, 128, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&r->d, r->d.desc, 1, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&r->d, 1);
	assert_int_equal(virtio_rng_serve(&r->rng), 0);
	assert_int_equal(vqd_used(&r->d, &id, &len), 1);
	assert_int_equal(len, 0);
	assert_true(untouched(r, DATA, 128));
	/* the table itself outside guest RAM */
	vqd_desc(&r->d, r->d.desc, 2, BOOT_MMIO_BASE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&r->d, 2);
	assert_int_equal(virtio_rng_serve(&r->rng), -1);
	assert_true(r->rng.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	rig_free(r);

	/* not negotiated */
	r = rig_new(0, true);
	vqd_desc(&r->d, IND, 0, DATA, 128, VIRTQ_DESC_F_WRITE, 0);
	vqd_desc(&r->d, r->d.desc, 0, IND, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&r->d, 0);
	assert_int_equal(virtio_rng_serve(&r->rng), -1);
	assert_true(r->rng.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(untouched(r, DATA, 128));
	rig_free(r);
}

/* The worker: a kick on the eventfd, the requests served on its thread, EVENT_IDX honoured. */
static void test_worker(void **state)
{
	struct rig *r = rig_new(1ULL << VIRTIO_RING_F_EVENT_IDX, false);
	uint64_t one = 1, a;
	uint32_t l = 512, id, len = 0;
	(void)state;

	assert_int_equal(virtio_rng_serve(&r->rng), -1);   /* not inline */
	for (unsigned i = 0; i < 4; i++) {
		a = DATA + 0x1000ULL * i;
		vqd_publish(&r->d, vqd_chain(&r->d, 1, 0, &a, &l));
	}
	assert_int_equal(write(r->t.kick, &one, 8), 8);
	for (unsigned got = 0; got < 4;) {
		if (vqd_used(&r->d, &id, &len)) {
			assert_int_equal(len, 512);
			got++;
		} else {
			usleep(1000);
		}
	}
	for (int i = 0; i < 1000 && metric(r, "kicks") < 1; i++)
		usleep(1000);
	assert_int_equal(metric(r, "kicks"), 1);
	assert_int_equal(metric(r, "requests"), 4);
	/* used_event stays 0: the driver asked for one interrupt, at the first completion */
	assert_int_equal(metric(r, "interrupts"), 1);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_and_config),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_fill_max),
		cmocka_unit_test(test_malformed_chains),
		cmocka_unit_test(test_buffer_outside_ram),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_worker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
