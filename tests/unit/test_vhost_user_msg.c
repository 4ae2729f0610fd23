// SPDX-License-Identifier: MIT
/*
 * The vhost-user message codec (devices/vhost/vhost_user_msg.h): requests
 * laid out as the spec says, and hostile replies (wrong request, missing
 * REPLY flag, wrong version, size mismatch, truncation, oversized payloads,
 * unexpected fds, wrong ring, wrong config window) refused with a reason.
 * Named _msg so that it does not collide with the integration test
 * test_vhost_user (both would build to build/tests/test_vhost_user).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/vhost/vhost_user_msg.h"

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static size_t reply(uint8_t *b, uint32_t req, uint32_t flags, uint32_t size)
{
	put32(b, req);
	put32(b + 4, flags);
	put32(b + 8, size);
	return VHU_HDR_SIZE + size;
}

static void test_encode_requests(void **state)
{
	struct vhu_msg m;
	uint8_t b[512];
	uint32_t v;
	uint64_t q;

	(void)state;
	vhu_msg_u64(&m, VHU_SET_FEATURES, 0x140000000ull);
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 20);
	memcpy(&v, b, 4);
	assert_int_equal(v, VHU_SET_FEATURES);
	memcpy(&v, b + 4, 4);
	assert_int_equal(v, 1);
	memcpy(&v, b + 8, 4);
	assert_int_equal(v, 8);
	memcpy(&q, b + 12, 8);
	assert_true(q == 0x140000000ull);

	vhu_msg_none(&m, VHU_SET_OWNER);
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 12);

	vhu_msg_addr(&m, 1, 0x1000, 0x3000, 0x2000);
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 52);
	memcpy(&q, b + 20, 8);
	assert_true(q == 0x1000);   /* desc */
	memcpy(&q, b + 28, 8);
	assert_true(q == 0x3000);   /* used before avail */
	memcpy(&q, b + 36, 8);
	assert_true(q == 0x2000);

	struct vhu_region r[2] = { { 0, 1 << 20, 0x7f0000000000ull, 0 }, { 1ull << 32, 4096, 0x7f0000100000ull, 1 << 20 } };
	assert_int_equal(vhu_msg_mem(&m, r, 2), 0);
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 12 + 8 + 64);
	memcpy(&v, b + 12, 4);
	assert_int_equal(v, 2);
	memcpy(&q, b + 20 + 32 + 24, 8);
	assert_true(q == 1 << 20);  /* second region's mmap_offset */
	assert_int_equal(vhu_msg_mem(&m, r, 0), -EINVAL);
	assert_int_equal(vhu_msg_mem(&m, r, VHU_MAX_REGIONS + 1), -EINVAL);

	assert_int_equal(vhu_msg_get_config(&m, 0, 60), 0);
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 12 + 12 + 60);
	assert_int_equal(vhu_msg_get_config(&m, 0, VHU_CONFIG_MAX + 1), -EINVAL);
	assert_int_equal(vhu_msg_get_config(&m, 0, 0), -EINVAL);

	/* too small a buffer, or a size that does not match the payload */
	vhu_msg_u64(&m, VHU_SET_FEATURES, 1);
	assert_int_equal(vhu_encode(&m, b, 19), 0);
	m.size = 9;
	assert_int_equal(vhu_encode(&m, b, sizeof(b)), 0);
}

static void test_decode_good(void **state)
{
	struct vhu_msg sent, out;
	uint8_t b[512];
	char err[200];
	size_t n;

	(void)state;
	vhu_msg_none(&sent, VHU_GET_FEATURES);
	n = reply(b, VHU_GET_FEATURES, 1 | VHU_FLAG_REPLY, 8);
	put64(b + 12, 0x1234567890ull);
	assert_int_equal(vhu_decode_reply(b, n, 0, &sent, &out, err, sizeof(err)), 0);
	assert_true(out.p.u64 == 0x1234567890ull);

	vhu_msg_state(&sent, VHU_GET_VRING_BASE, 1, 0);
	n = reply(b, VHU_GET_VRING_BASE, 1 | VHU_FLAG_REPLY, 8);
	put32(b + 12, 1);
	put32(b + 16, 77);
	assert_int_equal(vhu_decode_reply(b, n, 0, &sent, &out, err, sizeof(err)), 0);
	assert_int_equal(out.p.state.num, 77);

	assert_int_equal(vhu_msg_get_config(&sent, 0, 8), 0);
	n = reply(b, VHU_GET_CONFIG, 1 | VHU_FLAG_REPLY, 20);
	put32(b + 12, 0);
	put32(b + 16, 8);
	put32(b + 20, 0);
	memcpy(b + 24, "abcdefgh", 8);
	assert_int_equal(vhu_decode_reply(b, n, 0, &sent, &out, err, sizeof(err)), 0);
	assert_memory_equal(out.p.cfg.data, "abcdefgh", 8);

	/* a REPLY_ACK to a set request */
	vhu_msg_u64(&sent, VHU_SET_FEATURES, 1);
	sent.flags |= VHU_FLAG_NEED_REPLY;
	n = reply(b, VHU_SET_FEATURES, 1 | VHU_FLAG_REPLY, 8);
	put64(b + 12, 0);
	assert_int_equal(vhu_decode_reply(b, n, 0, &sent, &out, err, sizeof(err)), 0);
	assert_true(out.p.u64 == 0);
}

static void expect_refused(const uint8_t *b, size_t n, unsigned nfds, const struct vhu_msg *sent, const char *what)
{
	struct vhu_msg out;
	char err[200] = "";

	assert_int_equal(vhu_decode_reply(b, n, nfds, sent, &out, err, sizeof(err)), -EPROTO);
	if (!strstr(err, what))
		fail_msg("'%s' does not say '%s'", err, what);
}

static void test_decode_hostile(void **state)
{
	struct vhu_msg sent;
	uint8_t b[VHU_HDR_SIZE + VHU_PAYLOAD_MAX + 64];
	size_t n;

	(void)state;
	memset(b, 0, sizeof(b));
	vhu_msg_none(&sent, VHU_GET_FEATURES);
	n = reply(b, VHU_GET_PROTOCOL_FEATURES, 1 | VHU_FLAG_REPLY, 8);
	expect_refused(b, n, 0, &sent, "carries GET_PROTOCOL_FEATURES");
	n = reply(b, 9999, 1 | VHU_FLAG_REPLY, 8);
	expect_refused(b, n, 0, &sent, "request 9999");
	n = reply(b, VHU_GET_FEATURES, 1, 8);
	expect_refused(b, n, 0, &sent, "REPLY flag");
	n = reply(b, VHU_GET_FEATURES, 2 | VHU_FLAG_REPLY, 8);
	expect_refused(b, n, 0, &sent, "version 2");
	n = reply(b, VHU_GET_FEATURES, 1 | VHU_FLAG_REPLY, 4);
	expect_refused(b, n, 0, &sent, "4 payload bytes (8 expected)");
	n = reply(b, VHU_GET_FEATURES, 1 | VHU_FLAG_REPLY, 0xffffffffu);
	expect_refused(b, 12, 0, &sent, "announces 4294967295");
	n = reply(b, VHU_GET_FEATURES, 1 | VHU_FLAG_REPLY, 8);
	expect_refused(b, n - 3, 0, &sent, "truncated");
	expect_refused(b, n + 1, 0, &sent, "too long");
	expect_refused(b, 7, 0, &sent, "not even a header");
	expect_refused(b, 0, 0, &sent, "not even a header");
	expect_refused(b, n, 1, &sent, "unexpected file descriptors");

	/* GET_VRING_BASE for another ring, or a base beyond 16 bits */
	vhu_msg_state(&sent, VHU_GET_VRING_BASE, 0, 0);
	n = reply(b, VHU_GET_VRING_BASE, 1 | VHU_FLAG_REPLY, 8);
	put32(b + 12, 1);
	put32(b + 16, 3);
	expect_refused(b, n, 0, &sent, "answered for ring 1");
	put32(b + 12, 0);
	put32(b + 16, 0x10000);
	expect_refused(b, n, 0, &sent, "not a 16-bit index");

	/* GET_CONFIG with another window or a size beyond the request */
	assert_int_equal(vhu_msg_get_config(&sent, 0, 36), 0);
	n = reply(b, VHU_GET_CONFIG, 1 | VHU_FLAG_REPLY, 12 + 36);
	put32(b + 12, 4);
	put32(b + 16, 36);
	expect_refused(b, n, 0, &sent, "answered with 36 bytes at 4");
	n = reply(b, VHU_GET_CONFIG, 1 | VHU_FLAG_REPLY, 12 + 256);
	expect_refused(b, n, 0, &sent, "payload bytes");
}

/* Every prefix and every corrupted header of a good reply: refused or accepted, never a crash. */
static void test_decode_fuzz(void **state)
{
	struct vhu_msg sent, out;
	uint8_t good[64], b[64];
	char err[200];
	size_t n;

	(void)state;
	assert_int_equal(vhu_msg_get_config(&sent, 0, 20), 0);
	n = reply(good, VHU_GET_CONFIG, 1 | VHU_FLAG_REPLY, 32);
	put32(good + 12, 0);
	put32(good + 16, 20);
	put32(good + 20, 0);
	for (size_t len = 0; len < n; len++)
		assert_int_equal(vhu_decode_reply(good, len, 0, &sent, &out, err, sizeof(err)), -EPROTO);
	assert_int_equal(vhu_decode_reply(good, n, 0, &sent, &out, err, sizeof(err)), 0);
	for (size_t i = 0; i < 24; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(b, good, n);
			b[i] ^= (uint8_t)(1u << bit);
			if (i == 6 || i == 7 || (i == 4 && bit > 3) || i == 5 || i == 20 || i == 21 || i == 22 ||
			    i == 23 || (i == 4 && bit == 3))
				continue; /* flag bits we do not check (NEED_REPLY, unused), and cfg.flags */
			assert_int_equal(vhu_decode_reply(b, n, 0, &sent, &out, err, sizeof(err)), -EPROTO);
		}
}

static void test_names(void **state)
{
	char b[24];

	(void)state;
	assert_string_equal(vhu_request_name(VHU_SET_MEM_TABLE, b, sizeof(b)), "SET_MEM_TABLE");
	assert_string_equal(vhu_request_name(7, b, sizeof(b)), "request 7");
	assert_string_equal(vhu_request_name(0xffffffffu, b, sizeof(b)), "request 4294967295");
	assert_true(vhu_request_has_reply(VHU_GET_VRING_BASE));
	assert_false(vhu_request_has_reply(VHU_SET_VRING_BASE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_requests),
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_decode_hostile),
		cmocka_unit_test(test_decode_fuzz),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
