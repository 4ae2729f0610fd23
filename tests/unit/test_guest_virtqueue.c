/* SPDX-License-Identifier: MIT */
/*
 * The guest runtime's driver-side virtqueue (guest-payloads/lib/guest_virtqueue.c)
 * and test-frame pattern (net_frame.c), compiled for the host: chains,
 * publishing, EVENT_IDX and NO_NOTIFY kick decisions across index
 * wrap-around, harvesting, and a device that returns ids we never gave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The guest's bump allocator, replaced by the host's heap (freed at exit by the test). */
void *alloc_zeroed(uint64_t size, uint64_t align);
static void *allocs[64];
static int nallocs;

void *alloc_zeroed(uint64_t size, uint64_t align)
{
	void *p = aligned_alloc(align, (size + align - 1) & ~(align - 1));

	assert_non_null(p);
	memset(p, 0, size);
	allocs[nallocs++] = p;
	return p;
}

static void free_allocs(void)
{
	while (nallocs)
		free(allocs[--nallocs]);
}

#include "guest-payloads/lib/net_frame.c"
#include "guest-payloads/lib/guest_virtqueue.c"

static int notified;

static void count_notify(struct vq *vq)
{
	(void)vq;
	notified++;
}

static void make(struct vq *vq, uint16_t size, bool event_idx)
{
	memset(vq, 0, sizeof(*vq));
	assert_int_equal(vq_init(vq, 1, size, event_idx, false), 0);
	vq->notify = count_notify;
	notified = 0;
}

/* The device side: mark chain `head` used with `len` bytes written. */
static void device_use(struct vq *vq, uint16_t head, uint32_t len)
{
	struct vq_used_elem *ring = (struct vq_used_elem *)&vq->used[2];
	uint16_t idx = vq->used[1];

	ring[idx & (vq->size - 1)] = (struct vq_used_elem){ head, len };
	vq->used[1] = (uint16_t)(idx + 1);
}

static void test_vq_init_rejects_bad_sizes(void **state)
{
	struct vq vq;

	(void)state;
	assert_int_equal(vq_init(&vq, 0, 0, false, false), -1);
	assert_int_equal(vq_init(&vq, 0, 6, false, false), -1);
	free_allocs();
}

static void test_vq_chain_and_harvest(void **state)
{
	struct vq vq;
	struct vq_buf b[3] = { { 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true } };
	int cookie;
	uint32_t len = 0;

	(void)state;
	make(&vq, 8, false);
	assert_int_equal(vq_add(&vq, b, 3, &cookie), 0);
	assert_int_equal(vq.num_free, 5);
	assert_int_equal(vq.desc[0].flags, VQ_DESC_F_NEXT);
	assert_int_equal(vq.desc[1].flags, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE);
	assert_int_equal(vq.desc[2].flags, VQ_DESC_F_WRITE);
	assert_int_equal(vq.desc[vq.desc[0].next].addr, 0x2000);
	/* Not visible to the device before the kick. */
	assert_int_equal(vq.avail[1], 0);
	assert_int_equal(vq_kick(&vq), 1);
	assert_int_equal(vq.avail[1], 1);
	assert_int_equal(vq.avail[2], 0);
	assert_int_equal(notified, 1);
	/* Nothing new: no second notification. */
	assert_int_equal(vq_kick(&vq), 0);
	assert_null(vq_get_used(&vq, &len));
	device_use(&vq, 0, 513);
	assert_int_equal(vq_pending_used(&vq), 1);
	assert_ptr_equal(vq_get_used(&vq, &len), &cookie);
	assert_int_equal(len, 513);
	assert_int_equal(vq.num_free, 8);
	/* A chain longer than the free descriptors does not fit. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(vq_add(&vq, b, 3, &cookie), 0);
	assert_int_equal(vq_add(&vq, b, 3, &cookie), -1);
	assert_int_equal(vq_add(&vq, b, 0, &cookie), -1);
	free_allocs();
}

static void test_vq_no_notify_flag(void **state)
{
	struct vq vq;
	struct vq_buf b = { 0x1000, 64, false };

	(void)state;
	make(&vq, 4, false);
	vq.used[0] = VQ_USED_F_NO_NOTIFY;
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	assert_int_equal(vq_kick(&vq), 0);
	assert_int_equal(notified, 0);
	assert_int_equal(vq.avail[1], 1); /* published all the same */
	vq.used[0] = 0;
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	assert_int_equal(vq_kick(&vq), 1);
	assert_int_equal(vq.kicks, 1);
	free_allocs();
}

/* avail_event: the device wants a kick once the index passes it, 16-bit wrap-around included. */
static void test_vq_event_idx_wraps(void **state)
{
	struct vq vq;
	struct vq_buf b = { 0x1000, 64, false };
	uint16_t *avail_event;

	(void)state;
	make(&vq, 4, true);
	avail_event = &vq.used[2 + 4 * vq.size];
	vq.avail_idx = vq.kicked_idx = 0xfffe;
	vq.avail[1] = 0xfffe;
	*avail_event = 0xffff; /* notify when entry 0xffff is made available */
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0); /* idx 0xfffe -> 0xffff: event not passed */
	assert_int_equal(vq_kick(&vq), 0);
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0); /* 0xffff -> 0x0000: passes 0xffff */
	assert_int_equal(vq_kick(&vq), 1);
	assert_int_equal(vq.avail[1], 0);
	/* A batch that jumps over the event index still notifies once. */
	*avail_event = 1;
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0); /* 0x0000 -> 0x0002 in one kick */
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	assert_int_equal(vq_kick(&vq), 1);
	assert_int_equal(notified, 2);
	free_allocs();
}

/*
 * vq_publish shows the device new entries without a notification decision;
 * the next vq_kick decides over everything since the last decision, so a
 * device that asked for a kick at an entry published earlier still gets one,
 * exactly one, and one that is busy (avail_event behind the window) none.
 */
static void test_vq_publish_then_kick(void **state)
{
	struct vq vq;
	struct vq_buf b = { 0x1000, 64, false };
	uint16_t *avail_event;

	(void)state;
	make(&vq, 8, true);
	avail_event = &vq.used[2 + 4 * vq.size];
	*avail_event = 1; /* the device went idle after entry 0: kick me when entry 1 is there */
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	vq_publish(&vq);
	assert_int_equal(vq.avail[1], 1);
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	vq_publish(&vq);
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	vq_publish(&vq);
	assert_int_equal(vq.avail[1], 3); /* visible at once ... */
	assert_int_equal(notified, 0);    /* ... and no notification yet */
	assert_int_equal(vq_kick(&vq), 1); /* entry 1, published two publishes ago, is in the window */
	assert_int_equal(notified, 1);
	assert_int_equal(vq_kick(&vq), 0); /* nothing since */
	/* A device still draining (avail_event left behind) hears nothing. */
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	vq_publish(&vq);
	assert_int_equal(vq_add(&vq, &b, 1, NULL), 0);
	assert_int_equal(vq_kick(&vq), 0);
	assert_int_equal(vq.avail[1], 5);
	assert_int_equal(vq.kicks, 1);
	free_allocs();
}

/* A device naming a descriptor we never gave: refused, the ring and free list left alone. */
static void test_vq_hostile_used_id(void **state)
{
	struct vq vq;
	struct vq_buf b = { 0x1000, 64, false };
	int cookie;

	(void)state;
	make(&vq, 4, false);
	assert_int_equal(vq_add(&vq, &b, 1, &cookie), 0);
	vq_kick(&vq);
	device_use(&vq, 9, 0);
	assert_null(vq_get_used(&vq, NULL));
	assert_int_equal(vq.num_free, 3);
	assert_int_equal(vq.last_used, 0);
	free_allocs();
}

static void test_net_frame_pattern(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t f[NET_FRAME_MAX];
	uint32_t seq = 0;

	(void)state;
	net_frame_fill(f, sizeof(f), 0x01020304, mac);
	assert_int_equal(f[12], 0x88);
	assert_int_equal(f[13], 0xb5);
	assert_int_equal(f[14], 1);
	assert_int_equal(f[17], 4);
	/* The same formula as the host side (devices/net/net_backend.h, net_pattern_byte). */
	assert_int_equal(f[100], (uint8_t)(0x01020304u * 31u + 100));
	assert_true(net_frame_check(f, sizeof(f), &seq));
	assert_int_equal(seq, 0x01020304);
	/* every byte as the host computes it, for lengths the word loop ends at and past */
	for (uint32_t len = 60; len <= 67; len++) {
		net_frame_fill(f, len, 0xabcdef01u + len, mac);
		for (uint32_t i = 18; i < len; i++)
			assert_int_equal(f[i], (uint8_t)((0xabcdef01u + len) * 31u + i));
		assert_true(net_frame_check(f, len, &seq));
	}
	/* a flipped bit anywhere in the pattern is caught, in the words and in the tail */
	net_frame_fill(f, sizeof(f), 0x01020304, mac);
	for (uint32_t i = 18; i < sizeof(f); i++) {
		f[i] ^= 0x20;
		if (net_frame_check(f, sizeof(f), &seq))
			fail_msg("a flipped byte %u was not caught", i);
		f[i] ^= 0x20;
	}
	assert_false(net_frame_check(f, 17, &seq));
	f[12] = 0x08;
	assert_false(net_frame_check(f, 60, &seq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vq_init_rejects_bad_sizes),
		cmocka_unit_test(test_vq_chain_and_harvest),
		cmocka_unit_test(test_vq_no_notify_flag),
		cmocka_unit_test(test_vq_event_idx_wraps),
		cmocka_unit_test(test_vq_publish_then_kick),
		cmocka_unit_test(test_vq_hostile_used_id),
		cmocka_unit_test(test_net_frame_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
