// SPDX-License-Identifier: MIT
/* Unit tests for vmm/bus.c: registration, lookup, dispatch, error codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/bus.h"

/* A fake device that records the last access and can be told to reject. */
struct fake {
	uint64_t last_off;
	unsigned last_size;
	uint8_t mem[16];
	bool reject;
};

static int fake_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct fake *f = opaque;

	f->last_off = off;
	f->last_size = size;
	if (f->reject)
		return -1;
	memcpy(data, &f->mem[off % 8], size);
	return 0;
}

static int fake_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct fake *f = opaque;

	f->last_off = off;
	f->last_size = size;
	if (f->reject)
		return -1;
	memcpy(&f->mem[off % 8], data, size);
	return 0;
}

static const struct bus_ops fake_ops = { .read = fake_read, .write = fake_write };
static const struct bus_ops null_ops = { 0 };

static void test_register_and_find(void **state)
{
	struct bus b;
	char err[256];
	int a, c, d;

	(void)state;
	bus_init(&b, "pio");
	/* Registered out of order; must end up sorted. */
	assert_int_equal(bus_register(&b, "c", 0x300, 0x10, &fake_ops, &c, err, sizeof(err)), 0);
	assert_int_equal(bus_register(&b, "a", 0x100, 0x8, &fake_ops, &a, err, sizeof(err)), 0);
	assert_int_equal(bus_register(&b, "d", 0x3f8, 8, &fake_ops, &d, err, sizeof(err)), 0);
	/* Adjacent to "a" on both sides is fine. */
	assert_int_equal(bus_register(&b, "a-", 0xf8, 0x8, &fake_ops, NULL, err, sizeof(err)), 0);
	assert_int_equal(bus_register(&b, "a+", 0x108, 0x8, &fake_ops, NULL, err, sizeof(err)), 0);
	assert_int_equal(b.n, 5);
	for (size_t i = 1; i < b.n; i++)
		assert_true(b.ranges[i - 1].base < b.ranges[i].base);

	assert_string_equal(bus_find(&b, 0x100)->name, "a");
	assert_string_equal(bus_find(&b, 0x107)->name, "a");
	assert_string_equal(bus_find(&b, 0x108)->name, "a+");
	assert_string_equal(bus_find(&b, 0xf8)->name, "a-");
	assert_ptr_equal(bus_find(&b, 0x300)->opaque, &c);
	assert_ptr_equal(bus_find(&b, 0x3ff)->opaque, &d);
	assert_null(bus_find(&b, 0));
	assert_null(bus_find(&b, 0xf7));
	assert_null(bus_find(&b, 0x110));
	assert_null(bus_find(&b, 0x400));
	assert_null(bus_find(&b, UINT64_MAX));
	bus_destroy(&b);
	assert_int_equal(b.n, 0);
}

static void test_register_rejects(void **state)
{
	struct bus b;
	char err[256];

	(void)state;
	bus_init(&b, "mmio");
	assert_int_equal(bus_register(&b, "uart", 0x1000, 0x100, &fake_ops, NULL, err, sizeof(err)), 0);

	assert_int_equal(bus_register(&b, "zero", 0x5000, 0, &fake_ops, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "length 0"));
	assert_int_equal(bus_register(&b, "wrap", UINT64_MAX - 4, 8, &fake_ops, NULL, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "wraps"));
	assert_int_equal(bus_register(&b, "noops", 0x9000, 8, NULL, NULL, err, sizeof(err)), -1);

	/* Overlap from below, from above, inside, enclosing: all name both. */
	assert_int_equal(bus_register(&b, "low", 0xff0, 0x11, &fake_ops, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "low"));
	assert_non_null(strstr(err, "uart"));
	assert_int_equal(bus_register(&b, "high", 0x10ff, 4, &fake_ops, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "high"));
	assert_non_null(strstr(err, "uart"));
	assert_int_equal(bus_register(&b, "in", 0x1010, 4, &fake_ops, NULL, err, sizeof(err)), -1);
	assert_int_equal(bus_register(&b, "big", 0, 0x10000, &fake_ops, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "big"));
	assert_int_equal(b.n, 1);

	/* A range may end exactly at the top of the address space. */
	assert_int_equal(bus_register(&b, "top", UINT64_MAX - 7, 8, &fake_ops, NULL, err,
				      sizeof(err)), 0);
	assert_string_equal(bus_find(&b, UINT64_MAX)->name, "top");
	bus_destroy(&b);
}

static void test_access_dispatch(void **state)
{
	struct fake f = { 0 };
	struct bus b;
	char err[256];
	uint32_t v32 = 0xdeadbeef, r32 = 0;
	uint8_t v8;

	(void)state;
	bus_init(&b, "pio");
	assert_int_equal(bus_register(&b, "fake", 0x3f8, 8, &fake_ops, &f, err, sizeof(err)), 0);

	assert_int_equal(bus_access(&b, 0x3fa, true, &v32, 4), 0);
	assert_int_equal(f.last_off, 2);
	assert_int_equal(f.last_size, 4);
	assert_int_equal(bus_access(&b, 0x3fa, false, &r32, 4), 0);
	assert_int_equal(r32, 0xdeadbeef);
	v8 = 0x5a;
	assert_int_equal(bus_access(&b, 0x3ff, true, &v8, 1), 0);
	assert_int_equal(f.last_off, 7);
	assert_int_equal(b.ranges[0].writes, 2);
	assert_int_equal(b.ranges[0].reads, 1);
	assert_int_equal(b.unhandled, 0);
	bus_destroy(&b);
}

static void test_access_errors(void **state)
{
	struct fake f = { 0 };
	struct bus b;
	char err[256];
	uint64_t v = 0;
	uint8_t buf[3];

	(void)state;
	bus_init(&b, "mmio");
	assert_int_equal(bus_register(&b, "fake", 0x1000, 8, &fake_ops, &f, err, sizeof(err)), 0);

	/* Nothing there: all-ones, counted. */
	assert_int_equal(bus_access(&b, 0x2000, false, &v, 8), -ENOENT);
	assert_int_equal(v, UINT64_MAX);
	v = 0;
	assert_int_equal(bus_access(&b, 0x2000, true, &v, 2), -ENOENT);
	assert_int_equal(b.unhandled, 2);

	/* Straddles the end of the range, or wraps the address space. */
	v = 0;
	assert_int_equal(bus_access(&b, 0x1006, false, &v, 4), -EINVAL);
	assert_int_equal(v & 0xffffffff, 0xffffffff);
	assert_int_equal(bus_access(&b, 0x1004, true, &v, 8), -EINVAL);
	assert_int_equal(bus_access(&b, UINT64_MAX, false, &v, 2), -ENOENT);

	/* Bad sizes; the device is never called. */
	f.last_size = 0;
	assert_int_equal(bus_access(&b, 0x1000, false, buf, 3), -EINVAL);
	assert_int_equal(bus_access(&b, 0x1000, false, buf, 0), -EINVAL);
	assert_int_equal(bus_access(&b, 0x1000, true, &v, 16), -EINVAL);
	assert_int_equal(f.last_size, 0);

	/* Device rejects: -EIO, reads give all-ones. */
	f.reject = true;
	v = 0;
	assert_int_equal(bus_access(&b, 0x1000, false, &v, 4), -EIO);
	assert_int_equal(v & 0xffffffff, 0xffffffff);
	assert_int_equal(bus_access(&b, 0x1000, true, &v, 4), -EIO);
	bus_destroy(&b);
}

static void test_null_hooks(void **state)
{
	struct bus b;
	char err[256];
	uint16_t v = 0;

	(void)state;
	bus_init(&b, "pio");
	assert_int_equal(bus_register(&b, "sink", 0x80, 1, &null_ops, NULL, err, sizeof(err)), 0);
	assert_int_equal(bus_access(&b, 0x80, true, &v, 1), 0);
	assert_int_equal(bus_access(&b, 0x80, false, &v, 1), 0);
	assert_int_equal(v & 0xff, 0xff);
	bus_destroy(&b);
}

static void test_many_ranges(void **state)
{
	struct bus b;
	char err[256];

	(void)state;
	bus_init(&b, "mmio");
	/* Enough to force several reallocations; insert from both ends. */
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t base = (i % 2 ? i : 200 - i) * 0x1000;

		assert_int_equal(bus_register(&b, "r", base, 0x800, &null_ops, (void *)(uintptr_t)base,
					      err, sizeof(err)), 0);
	}
	for (size_t i = 1; i < b.n; i++)
		assert_true(b.ranges[i - 1].base < b.ranges[i].base);
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t base = (i % 2 ? i : 200 - i) * 0x1000;

		assert_ptr_equal(bus_find(&b, base + 0x7ff)->opaque, (void *)(uintptr_t)base);
		assert_null(bus_find(&b, base + 0x800));
	}
	bus_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_find),
		cmocka_unit_test(test_register_rejects),
		cmocka_unit_test(test_access_dispatch),
		cmocka_unit_test(test_access_errors),
		cmocka_unit_test(test_null_hooks),
		cmocka_unit_test(test_many_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
