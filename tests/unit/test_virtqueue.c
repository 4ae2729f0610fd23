// SPDX-License-Identifier: MIT
/*
 * devices/virtio/virtqueue.c against rings a fake driver builds in fake
 * guest RAM: chains of 1..n, indirect tables, used/avail wrap-around at
 * 65535 -> 0, EVENT_IDX arithmetic and notification suppression, and the
 * hostile cases (loops, out-of-range next/head, chains too long, buffers
 * outside RAM or across the MMIO hole, huge lengths, bad indirect tables,
 * an avail idx running ahead), each of which must break the queue with a
 * diagnostic rather than be followed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/vq_driver.h"

#define Q0   0x10000ULL  /* rings */
#define BUF  0x40000ULL  /* buffers */
#define IND  0x80000ULL  /* indirect tables */
#define HI   BOOT_HIGH_MEM_GPA

struct fx {
	struct guest_mem m;
	struct vqd d;
	struct virtq q;
	struct virtq_elem e;
};

static struct fx *fx_new(uint16_t num, bool event_idx, bool indirect)
{
	struct fx *f = calloc(1, sizeof(*f));

	tmem_create(&f->m);
	vqd_init(&f->d, &f->m, num, Q0);
	assert_int_equal(virtq_init(&f->q, &f->m, num, f->d.desc, f->d.avail, f->d.used, event_idx, indirect),
			 0);
	return f;
}

static void fx_free(struct fx *f)
{
	tmem_destroy(&f->m);
	free(f);
}

/* Publish one chain of n buffers of 100 bytes each at BUF + 0x1000 * i. */
static uint16_t put_chain(struct fx *f, unsigned n, unsigned nout)
{
	uint64_t a[VIRTQ_MAX_SIZE];
	uint32_t l[VIRTQ_MAX_SIZE];
	uint16_t head;

	for (unsigned i = 0; i < n; i++) {
		a[i] = BUF + 0x100ULL * (i % 256);
		l[i] = 100;
	}
	head = vqd_chain(&f->d, n, nout, a, l);
	vqd_publish(&f->d, head);
	return head;
}

/* Expect -EIO with a diagnostic containing `what`, and the queue staying broken. */
static void expect_broken(struct fx *f, const char *what)
{
	assert_int_equal(virtq_pop(&f->q, &f->e), -EIO);
	assert_true(f->q.broken);
	if (!strstr(f->q.why, what))
		fail_msg("diagnostic \"%s\" does not mention \"%s\"", f->q.why, what);
	assert_int_equal(virtq_pop(&f->q, &f->e), -EIO);
	assert_int_equal(virtq_push(&f->q, 0, 0), -EIO);
	assert_false(virtq_has_avail(&f->q));
}

static void test_init_checks(void **state)
{
	struct guest_mem m;
	struct virtq q;
	(void)state;

	tmem_create(&m);
	memset(&q, 0, sizeof(q));
	assert_int_equal(virtq_init(&q, &m, 0, Q0, Q0 + 0x4000, Q0 + 0x5000, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "power of two"));
	assert_int_equal(virtq_init(&q, &m, 3, Q0, Q0 + 0x4000, Q0 + 0x5000, false, false), -EINVAL);
	assert_int_equal(virtq_init(&q, &m, 2048, Q0, Q0 + 0x4000, Q0 + 0x5000, false, false), -EINVAL);
	assert_false(q.ready);
	/* alignment: desc 16, avail 2, used 4 */
	assert_int_equal(virtq_init(&q, &m, 8, Q0 + 8, Q0 + 0x4000, Q0 + 0x5000, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "misaligned"));
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4001, Q0 + 0x5000, false, false), -EINVAL);
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4000, Q0 + 0x5002, false, false), -EINVAL);
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4002, Q0 + 0x5004, false, false), 0);
	/* each ring wholly in RAM: past the end of low RAM, across the hole, past high RAM */
	assert_int_equal(virtq_init(&q, &m, 256, TMEM_LOW - 16 * 128, Q0 + 0x4000, Q0 + 0x5000, false, false),
			 -EINVAL);
	assert_non_null(strstr(q.why, "descriptor table"));
	assert_int_equal(virtq_init(&q, &m, 8, Q0, TMEM_LOW - 8, Q0 + 0x5000, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "avail ring"));
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4000, HI - 32, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "used ring"));
	assert_int_equal(virtq_init(&q, &m, 1024, HI + TMEM_HIGH - 0x1000, Q0 + 0x4000, Q0 + 0x5000, false, false), -EINVAL);
	assert_int_equal(virtq_init(&q, &m, 8, UINT64_MAX - 15, Q0 + 0x4000, Q0 + 0x5000, false, false),
			 -EINVAL);
	/* rings on each other: the used ring on the avail ring, on the table, the avail ring in the table */
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4000, Q0 + 0x4010, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "avail ring 0x"));
	assert_non_null(strstr(q.why, "overlaps used ring"));
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x4000, Q0 + 0x40, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "descriptor table 0x"));
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x70, Q0 + 0x5000, false, false), -EINVAL);
	assert_non_null(strstr(q.why, "overlaps avail ring"));
	/* touching is not overlapping: 8 descriptors end at Q0 + 0x80 */
	assert_int_equal(virtq_init(&q, &m, 8, Q0, Q0 + 0x80, Q0 + 0x5000, false, false), 0);
	/* rings in high RAM are fine */
	assert_int_equal(virtq_init(&q, &m, 64, HI, HI + 0x1000, HI + 0x2000, false, false), 0);
	assert_true(q.ready);
	virtq_reset(&q);
	assert_false(q.ready);
	assert_ptr_equal(q.mem, &m);
	assert_int_equal(virtq_pop(&q, NULL), 0); /* not ready: nothing */
	tmem_destroy(&m);
}

static void test_single_and_chains(void **state)
{
	struct fx *f = fx_new(16, false, false);
	uint32_t id, len;
	uint16_t head;
	(void)state;

	assert_int_equal(virtq_pop(&f->q, &f->e), 0);
	assert_false(virtq_has_avail(&f->q));
	for (unsigned n = 1; n <= 16; n++) {
		unsigned nout = n / 2;

		head = put_chain(f, n, nout);
		assert_true(virtq_has_avail(&f->q));
		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
		assert_int_equal(f->e.head, head);
		assert_int_equal(f->e.nout, nout);
		assert_int_equal(f->e.nin, n - nout);
		assert_int_equal(f->e.out_bytes, 100 * nout);
		assert_int_equal(f->e.in_bytes, 100 * (n - nout));
		for (unsigned i = 0; i < n; i++) {
			const struct iovec *v = i < nout ? &f->e.out[i] : &f->e.in[i - nout];

			assert_ptr_equal(v->iov_base, f->m.host + BUF + 0x100 * i);
			assert_int_equal(v->iov_len, 100);
		}
		assert_int_equal(virtq_pop(&f->q, &f->e), 0);
		assert_int_equal(virtq_push(&f->q, head, 7 * n), 0);
		assert_int_equal(vqd_used(&f->d, &id, &len), 1);
		assert_int_equal(id, head);
		assert_int_equal(len, 7 * n);
		assert_int_equal(vqd_used(&f->d, &id, &len), 0);
	}
	assert_int_equal(f->q.chains_popped, 16);
	assert_int_equal(f->q.chains_pushed, 16);
	assert_int_equal(virtq_push(&f->q, 16, 0), -EINVAL); /* head out of range */
	assert_false(f->q.broken);
	fx_free(f);
}

static void test_batch_and_zero_length(void **state)
{
	struct fx *f = fx_new(8, false, false);
	uint64_t a[3] = { BUF, BUF + 0x100, BUF + 0x200 };
	uint32_t l[3] = { 0, 10, 0 };
	uint16_t h[8];
	(void)state;

	/* A zero-length buffer is skipped, not an error, and NEXT is still followed. */
	h[0] = vqd_chain(&f->d, 3, 1, a, l);
	vqd_publish(&f->d, h[0]);
	assert_int_equal(virtq_pop(&f->q, &f->e), 1);
	assert_int_equal(f->e.nout, 0);
	assert_int_equal(f->e.nin, 1);
	assert_int_equal(f->e.in_bytes, 10);
	assert_int_equal(virtq_push(&f->q, h[0], 0), 0);

	/* A full ring's worth published at once, popped in order. */
	f->d.next_desc = 0;
	for (unsigned i = 0; i < 8; i++)
		h[i] = put_chain(f, 1, 1);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
		assert_int_equal(f->e.head, h[i]);
	}
	assert_int_equal(virtq_pop(&f->q, &f->e), 0);
	fx_free(f);
}

/* Indices that wrap from 65535 to 0 on both rings. */
/* Several chains published by one used idx store, in order, across the ring's end. */
static void test_push_n(void **state)
{
	struct fx *f = fx_new(4, false, false);
	uint16_t heads[4];
	uint32_t lens[4] = { 10, 20, 30, 40 }, id, len;
	(void)state;

	vqd_set_idx(&f->d, &f->q, 65534);
	for (unsigned i = 0; i < 4; i++)
		put_chain(f, 1, 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
		heads[i] = f->e.head;
	}
	assert_int_equal(virtq_push_n(&f->q, heads, lens, 3), 0);
	assert_int_equal(*vqd_used16(&f->d, 1), 1); /* 65534 + 3 */
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vqd_used(&f->d, &id, &len), 1);
		assert_int_equal(id, heads[i]);
		assert_int_equal(len, lens[i]);
	}
	assert_int_equal(vqd_used(&f->d, &id, &len), 0);
	heads[3] = 4;
	assert_int_equal(virtq_push_n(&f->q, heads + 3, lens, 1), -EINVAL); /* head out of range */
	assert_int_equal(virtq_push_n(&f->q, heads, lens, 5), -EINVAL);
	assert_int_equal(*vqd_used16(&f->d, 1), 1);
	assert_int_equal(f->q.chains_pushed, 3);
	fx_free(f);
}

static void test_wrap_around(void **state)
{
	struct fx *f = fx_new(4, false, false);
	uint32_t id, len;
	(void)state;

	vqd_set_idx(&f->d, &f->q, 65533);
	for (unsigned i = 0; i < 12; i++) {
		uint16_t head = put_chain(f, 1, 0);

		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
		assert_int_equal(f->e.head, head);
		assert_int_equal(virtq_push(&f->q, head, i), 0);
		assert_int_equal(vqd_used(&f->d, &id, &len), 1);
		assert_int_equal(id, head);
		assert_int_equal(len, i);
	}
	assert_int_equal(f->q.last_avail, (uint16_t)(65533 + 12));
	assert_int_equal(*vqd_used16(&f->d, 1), (uint16_t)(65533 + 12));
	/* a full ring pending across the wrap is fine, one more is not */
	vqd_set_idx(&f->d, &f->q, 65534);
	for (unsigned i = 0; i < 4; i++)
		put_chain(f, 1, 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
	fx_free(f);
}

static void test_max_chain(void **state)
{
	struct fx *f = fx_new(128, false, false);
	(void)state;

	/* 64 readable + 64 writable = the queue size, and VIRTQ_MAX_SEGS each way */
	put_chain(f, 128, 64);
	assert_int_equal(virtq_pop(&f->q, &f->e), 1);
	assert_int_equal(f->e.nout, 64);
	assert_int_equal(f->e.nin, 64);
	/* 65 readable segments exceed the iovec array */
	put_chain(f, 65, 65);
	expect_broken(f, "more than 64 device-readable");
	fx_free(f);

	f = fx_new(128, false, false);
	put_chain(f, 66, 1);
	expect_broken(f, "more than 64 device-writable");
	fx_free(f);
}

static void test_indirect(void **state)
{
	struct fx *f = fx_new(8, false, true);
	uint16_t head;
	(void)state;

	/* head -> [out 20, in 30, in 40] in an indirect table, entries chained out of order */
	vqd_desc(&f->d, IND, 0, BUF, 20, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&f->d, IND, 2, BUF + 0x100, 30, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vqd_desc(&f->d, IND, 1, BUF + 0x200, 40, VIRTQ_DESC_F_WRITE, 0);
	head = 5;
	vqd_desc(&f->d, f->d.desc, head, IND, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, head);
	assert_int_equal(virtq_pop(&f->q, &f->e), 1);
	assert_int_equal(f->e.head, 5);
	assert_int_equal(f->e.nout, 1);
	assert_int_equal(f->e.nin, 2);
	assert_ptr_equal(f->e.out[0].iov_base, f->m.host + BUF);
	assert_ptr_equal(f->e.in[1].iov_base, f->m.host + BUF + 0x200);
	assert_int_equal(f->e.in_bytes, 70);

	/* a direct readable descriptor, then NEXT into an indirect table: allowed */
	vqd_desc(&f->d, f->d.desc, 0, BUF + 0x300, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&f->d, f->d.desc, 1, IND, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, 0);
	assert_int_equal(virtq_pop(&f->q, &f->e), 1);
	assert_int_equal(f->e.nout, 2);
	assert_int_equal(f->e.nin, 2);

	/* an indirect table of 1024 entries (the largest accepted), in high RAM */
	for (unsigned i = 0; i < 1024; i++)
		vqd_desc(&f->d, HI, i, BUF, 1, i < 1023 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	vqd_desc(&f->d, f->d.desc, 2, HI, 1024 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, 2);
	expect_broken(f, "more than 64"); /* 1024 readable segments */
	fx_free(f);
}

/* One hostile head descriptor in an indirect-capable queue of 8: the diagnostic expected. */
static void hostile_head(uint64_t addr, uint32_t len, uint16_t flags, uint16_t next, bool indirect,
			 const char *what)
{
	struct fx *f = fx_new(8, false, indirect);

	vqd_desc(&f->d, f->d.desc, 3, addr, len, flags, next);
	vqd_publish(&f->d, 3);
	expect_broken(f, what);
	fx_free(f);
}

static void test_hostile_buffers(void **state)
{
	(void)state;
	hostile_head(TMEM_LOW, 1, 0, 0, false, "outside guest RAM");
	hostile_head(TMEM_LOW - 8, 16, 0, 0, false, "outside guest RAM");
	hostile_head(BOOT_MMIO_BASE, 4, 0, 0, false, "outside guest RAM");
	hostile_head(HI - 8, 16, VIRTQ_DESC_F_WRITE, 0, false, "outside guest RAM"); /* across the hole */
	hostile_head(HI + TMEM_HIGH - 8, 16, 0, 0, false, "outside guest RAM");
	hostile_head(BUF, 0xffffffffu, VIRTQ_DESC_F_WRITE, 0, false, "outside guest RAM");
	hostile_head(UINT64_MAX - 3, 8, 0, 0, false, "outside guest RAM");
	/* next out of range */
	hostile_head(BUF, 8, VIRTQ_DESC_F_NEXT, 8, false, "out of range");
	hostile_head(BUF, 8, VIRTQ_DESC_F_NEXT, 0xffff, false, "out of range");
	/* indirect: not negotiated, with NEXT, bad lengths, table outside RAM */
	hostile_head(IND, 32, VIRTQ_DESC_F_INDIRECT, 0, false, "without INDIRECT_DESC");
	hostile_head(IND, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 4, true, "also has NEXT");
	hostile_head(IND, 24, VIRTQ_DESC_F_INDIRECT, 0, true, "not a multiple of 16");
	hostile_head(IND, 0, VIRTQ_DESC_F_INDIRECT, 0, true, "indirect table of length 0");
	/* 16400 is a multiple of 16: the fault is its size, and the message says so */
	hostile_head(IND, 1025 * 16, VIRTQ_DESC_F_INDIRECT, 0, true, "length 16400 is over 16384 (1024 descriptors)");
	hostile_head(TMEM_LOW - 16, 32, VIRTQ_DESC_F_INDIRECT, 0, true, "indirect table");
	hostile_head(HI - 16, 32, VIRTQ_DESC_F_INDIRECT, 0, true, "indirect table");
}

static void test_hostile_chains(void **state)
{
	struct fx *f;
	(void)state;

	/* a loop of two in the main table */
	f = fx_new(8, false, false);
	vqd_desc(&f->d, f->d.desc, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&f->d, f->d.desc, 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vqd_publish(&f->d, 0);
	expect_broken(f, "a loop");
	fx_free(f);

	/* a descriptor pointing at itself */
	f = fx_new(8, false, false);
	vqd_desc(&f->d, f->d.desc, 4, BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
	vqd_publish(&f->d, 4);
	expect_broken(f, "longer than");
	fx_free(f);

	/* a loop inside an indirect table */
	f = fx_new(8, false, true);
	vqd_desc(&f->d, IND, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&f->d, IND, 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vqd_desc(&f->d, f->d.desc, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, 0);
	expect_broken(f, "indirect table of 2");
	fx_free(f);

	/* nested indirect */
	f = fx_new(8, false, true);
	vqd_desc(&f->d, IND, 0, IND + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_desc(&f->d, f->d.desc, 0, IND, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, 0);
	expect_broken(f, "nested");
	fx_free(f);

	/* next out of range inside an indirect table */
	f = fx_new(8, false, true);
	vqd_desc(&f->d, IND, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&f->d, f->d.desc, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&f->d, 0);
	expect_broken(f, "out of range");
	fx_free(f);

	/* readable after writable */
	f = fx_new(8, false, false);
	vqd_desc(&f->d, f->d.desc, 0, BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vqd_desc(&f->d, f->d.desc, 1, BUF, 8, 0, 0);
	vqd_publish(&f->d, 0);
	expect_broken(f, "device-readable descriptor 1 after");
	fx_free(f);

	/* the avail ring names a head beyond the table */
	f = fx_new(8, false, false);
	vqd_publish(&f->d, 8);
	expect_broken(f, "holds head 8");
	fx_free(f);

	/* avail idx jumping ahead by more than the queue size (also across the wrap) */
	f = fx_new(8, false, false);
	*vqd_avail16(&f->d, 1) = 9;
	expect_broken(f, "runs 9 ahead");
	fx_free(f);
	f = fx_new(8, false, false);
	vqd_set_idx(&f->d, &f->q, 65530);
	*vqd_avail16(&f->d, 1) = 3;
	expect_broken(f, "runs 9 ahead");
	fx_free(f);
	f = fx_new(8, false, false);
	*vqd_avail16(&f->d, 1) = 0xffff; /* "behind": as far ahead as a u16 goes */
	expect_broken(f, "ahead");
	fx_free(f);
}

static void test_need_event(void **state)
{
	(void)state;
	/* event_idx e: notify when the used idx moves from old to new past e, i.e. e in [old, new) */
	assert_true(virtq_need_event(0, 1, 0));
	assert_false(virtq_need_event(1, 1, 0));
	assert_true(virtq_need_event(4, 10, 0));
	assert_true(virtq_need_event(9, 10, 0));
	assert_false(virtq_need_event(10, 10, 0));
	assert_false(virtq_need_event(5, 10, 6));
	assert_false(virtq_need_event(3, 3, 3));
	/* around 65535 -> 0 */
	assert_true(virtq_need_event(65535, 0, 65535));
	assert_true(virtq_need_event(65535, 2, 65530));
	assert_true(virtq_need_event(0, 2, 65530));
	assert_true(virtq_need_event(1, 2, 65530));
	assert_false(virtq_need_event(2, 2, 65530));
	assert_false(virtq_need_event(65529, 2, 65530));
	assert_true(virtq_need_event(65530, 2, 65530));
}

static void push_n(struct fx *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t head = put_chain(f, 1, 0);

		assert_int_equal(virtq_pop(&f->q, &f->e), 1);
		assert_int_equal(virtq_push(&f->q, head, 1), 0);
	}
}

static void test_notify_flags(void **state)
{
	struct fx *f = fx_new(8, false, false);
	(void)state;

	assert_false(virtq_should_notify(&f->q)); /* nothing pushed yet */
	assert_int_equal(f->q.notifies_sent + f->q.notifies_suppressed, 0);
	push_n(f, 1);
	assert_true(virtq_should_notify(&f->q));
	assert_false(virtq_should_notify(&f->q)); /* nothing new */
	*vqd_avail16(&f->d, 0) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	push_n(f, 2);
	assert_false(virtq_should_notify(&f->q));
	*vqd_avail16(&f->d, 0) = 0;
	push_n(f, 1);
	assert_true(virtq_should_notify(&f->q));
	assert_int_equal(f->q.notifies_sent, 2);
	assert_int_equal(f->q.notifies_suppressed, 1);

	/* kicks: the NO_NOTIFY flag in the used ring */
	virtq_set_kick_wanted(&f->q, false);
	assert_int_equal(*vqd_used16(&f->d, 0), VIRTQ_USED_F_NO_NOTIFY);
	virtq_set_kick_wanted(&f->q, true);
	assert_int_equal(*vqd_used16(&f->d, 0), 0);
	fx_free(f);
}

static void test_notify_event_idx(void **state)
{
	struct fx *f = fx_new(8, true, false);
	uint16_t *used_event;
	(void)state;

	used_event = vqd_avail16(&f->d, 2 + 8);
	/* the flag is ignored under EVENT_IDX */
	*vqd_avail16(&f->d, 0) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	push_n(f, 1);
	assert_true(virtq_should_notify(&f->q)); /* first decision: always */
	/* the driver wants an interrupt once used idx passes 4 (i.e. when entry 4 is used) */
	*used_event = 4;
	push_n(f, 2); /* used idx 3 */
	assert_false(virtq_should_notify(&f->q));
	push_n(f, 1); /* 4 */
	assert_false(virtq_should_notify(&f->q));
	push_n(f, 1); /* 5: passed 4 */
	assert_true(virtq_should_notify(&f->q));
	push_n(f, 3); /* 8: no new request from the driver */
	assert_false(virtq_should_notify(&f->q));
	*used_event = 8;
	push_n(f, 4); /* 12: crossing 8 in a batch is one interrupt */
	assert_true(virtq_should_notify(&f->q));
	assert_int_equal(f->q.notifies_sent, 3);
	assert_int_equal(f->q.notifies_suppressed, 3);

	/* across the wrap */
	vqd_set_idx(&f->d, &f->q, 65534);
	f->q.signalled_used = 65534;
	*used_event = 65535;
	push_n(f, 1); /* 65535 */
	assert_false(virtq_should_notify(&f->q));
	push_n(f, 1); /* 0 */
	assert_true(virtq_should_notify(&f->q));
	*used_event = 1;
	push_n(f, 3); /* 3 */
	assert_true(virtq_should_notify(&f->q));

	/* kicks: avail_event = last_avail when wanted; disabling leaves it alone */
	virtq_set_kick_wanted(&f->q, true);
	assert_int_equal(*vqd_used16(&f->d, 2 + 4 * 8), f->q.last_avail);
	assert_int_equal(*vqd_used16(&f->d, 0), 0);
	push_n(f, 2);
	virtq_set_kick_wanted(&f->q, false);
	assert_int_equal(*vqd_used16(&f->d, 2 + 4 * 8), (uint16_t)(f->q.last_avail - 2));
	fx_free(f);
}

static void test_iov_copy(void **state)
{
	uint8_t a[3], b[5], c[4], out[16], in[12];
	struct iovec v[3] = { { a, 3 }, { b, 5 }, { c, 4 } };
	(void)state;

	for (unsigned i = 0; i < 12; i++)
		in[i] = (uint8_t)(i + 1);
	assert_int_equal(iov_from_buf(v, 3, 0, in, 12), 12);
	assert_int_equal(a[0], 1);
	assert_int_equal(b[0], 4);
	assert_int_equal(c[3], 12);
	memset(out, 0, sizeof(out));
	assert_int_equal(iov_to_buf(v, 3, 2, out, 16), 10);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[9], 12);
	assert_int_equal(iov_to_buf(v, 3, 4, out, 3), 3);
	assert_int_equal(out[0], 5);
	assert_int_equal(out[2], 7);
	assert_int_equal(iov_to_buf(v, 3, 12, out, 4), 0);
	assert_int_equal(iov_to_buf(v, 3, 100, out, 4), 0);
	assert_int_equal(iov_from_buf(v, 3, 7, in, 100), 5);
	assert_int_equal(b[4], 1);
	assert_int_equal(c[0], 2);
	assert_int_equal(iov_from_buf(v, 0, 0, in, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks),
		cmocka_unit_test(test_single_and_chains),
		cmocka_unit_test(test_batch_and_zero_length),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_push_n),
		cmocka_unit_test(test_max_chain),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_hostile_buffers),
		cmocka_unit_test(test_hostile_chains),
		cmocka_unit_test(test_need_event),
		cmocka_unit_test(test_notify_flags),
		cmocka_unit_test(test_notify_event_idx),
		cmocka_unit_test(test_iov_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
