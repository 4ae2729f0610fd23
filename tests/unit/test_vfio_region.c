// SPDX-License-Identifier: MIT
/*
 * devices/vfio: region info and what gets mmapped.  Checked: a region
 * without capabilities; the sparse-mmap and MSI-X-mappable capabilities;
 * hostile capability chains (an offset inside the fixed part, past the
 * buffer, unaligned, going backwards, too long; more areas than the buffer
 * holds; areas outside the region) refused or ignored without reading past
 * the buffer; the two-step GET_REGION_INFO against the fake; and the
 * page-aligned pieces of a BAR minus the MSI-X table and PBA pages.
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

struct buf {
	struct vfio_region_info info;
	uint8_t caps[256];
};

static size_t sparse_at(struct buf *b, uint32_t at, uint32_t next, unsigned nr,
			const struct vfio_region_sparse_mmap_area *areas)
{
	struct vfio_region_info_cap_sparse_mmap sp = {
		.header = { .id = VFIO_REGION_INFO_CAP_SPARSE_MMAP, .version = 1, .next = next },
		.nr_areas = nr,
	};
	uint8_t *p = (uint8_t *)b + at;

	memcpy(p, &sp, sizeof(sp));
	memcpy(p + sizeof(sp), areas, nr * sizeof(*areas));
	return at + sizeof(sp) + nr * sizeof(*areas);
}

static void base(struct buf *b, uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->info.argsz = sizeof(*b);
	b->info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;
	b->info.size = size;
	b->info.offset = 5ULL << 40;
}

static void test_plain(void **state)
{
	struct vfio_region r;
	struct buf b;

	(void)state;
	base(&b, 0x20000);
	assert_int_equal(vfio_region_parse(&b, sizeof(b.info), &r), 0);
	assert_int_equal(r.size, 0x20000);
	assert_int_equal(r.offset, 5ULL << 40);
	assert_false(r.sparse);
	assert_int_equal(vfio_region_parse(&b, sizeof(b.info) - 1, &r), -EINVAL);
}

static void test_sparse_and_msix_mappable(void **state)
{
	const struct vfio_region_sparse_mmap_area a[3] = {
		{ .offset = 0, .size = 0x1000 },
		{ .offset = 0x3000, .size = 0x1000 },
		{ .offset = 0x30000, .size = 0x1000 },      /* outside the region: ignored */
	};
	struct vfio_info_cap_header mm = { .id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, .version = 1 };
	struct vfio_region r;
	struct buf b;
	size_t end;

	(void)state;
	base(&b, 0x4000);
	b.info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
	b.info.cap_offset = sizeof(b.info);
	end = sparse_at(&b, sizeof(b.info), 0, 3, a);
	memcpy((uint8_t *)&b + end, &mm, sizeof(mm));
	sparse_at(&b, sizeof(b.info), end, 3, a);       /* chain on to it */
	assert_int_equal(vfio_region_parse(&b, end + sizeof(mm), &r), 0);
	assert_true(r.sparse);
	assert_int_equal(r.nareas, 2);
	assert_int_equal(r.areas[1].off, 0x3000);
	assert_true(r.msix_mappable);
}

static void test_hostile_chains(void **state)
{
	const struct vfio_region_sparse_mmap_area a = { .offset = 0, .size = 0x1000 };
	struct vfio_region r;
	struct buf b;
	size_t end;

	(void)state;
	/* inside the fixed part */
	base(&b, 0x4000);
	b.info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
	b.info.cap_offset = 8;
	assert_int_equal(vfio_region_parse(&b, sizeof(b), &r), -EINVAL);
	/* past the buffer */
	b.info.cap_offset = sizeof(b) + 16;
	assert_int_equal(vfio_region_parse(&b, sizeof(b), &r), -EINVAL);
	b.info.cap_offset = sizeof(b) - 2;
	assert_int_equal(vfio_region_parse(&b, sizeof(b), &r), -EINVAL);
	/* unaligned */
	b.info.cap_offset = sizeof(b.info) + 1;
	assert_int_equal(vfio_region_parse(&b, sizeof(b), &r), -EINVAL);
	/* a loop: next points back at itself */
	b.info.cap_offset = sizeof(b.info);
	sparse_at(&b, sizeof(b.info), sizeof(b.info), 1, &a);
	assert_int_equal(vfio_region_parse(&b, sizeof(b), &r), -EINVAL);
	/* nr_areas far beyond the buffer: only what fits is read */
	base(&b, 0x4000);
	b.info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
	b.info.cap_offset = sizeof(b.info);
	end = sparse_at(&b, sizeof(b.info), 0, 1, &a);
	((struct vfio_region_info_cap_sparse_mmap *)((uint8_t *)&b + sizeof(b.info)))->nr_areas = 0xffffffff;
	assert_int_equal(vfio_region_parse(&b, end, &r), 0);
	assert_true(r.sparse);
	assert_int_equal(r.nareas, 1);
	/* a sparse capability cut short by the buffer: no area, so nothing is mmapped */
	assert_int_equal(vfio_region_parse(&b, sizeof(b.info) + 10, &r), 0);
	assert_true(r.sparse);
	assert_int_equal(r.nareas, 0);
}

static void test_pieces(void **state)
{
	struct vfio_area out[VFIO_MAX_MAPS];
	struct vfio_area holes[2] = { { 0, 5 * 16 }, { 0x2000, 8 } };
	struct vfio_region r = { .flags = VFIO_REGION_INFO_FLAG_MMAP, .size = 0x4000 };
	unsigned n;

	(void)state;
	n = vfio_mmap_pieces(&r, 0x4000, NULL, 0, out, VFIO_MAX_MAPS);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].size, 0x4000);
	n = vfio_mmap_pieces(&r, 0x4000, holes, 2, out, VFIO_MAX_MAPS);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].off, 0x1000);
	assert_int_equal(out[0].size, 0x1000);
	assert_int_equal(out[1].off, 0x3000);
	/* a hole spanning pages, a hole of 0 bytes */
	holes[0] = (struct vfio_area){ 0xff8, 0x10 };
	holes[1] = (struct vfio_area){ 0x3000, 0 };
	n = vfio_mmap_pieces(&r, 0x4000, holes, 2, out, VFIO_MAX_MAPS);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].off, 0x2000);
	assert_int_equal(out[0].size, 0x2000);
	/* no mmap flag, a BAR smaller than a page, a BAR bigger than its region: nothing */
	r.flags = 0;
	assert_int_equal(vfio_mmap_pieces(&r, 0x4000, NULL, 0, out, VFIO_MAX_MAPS), 0);
	r.flags = VFIO_REGION_INFO_FLAG_MMAP;
	r.size = 0x800;
	assert_int_equal(vfio_mmap_pieces(&r, 0x800, NULL, 0, out, VFIO_MAX_MAPS), 0);
	assert_int_equal(vfio_mmap_pieces(&r, 0x4000, NULL, 0, out, VFIO_MAX_MAPS), 0);
	/* sparse areas: only whole pages inside them */
	r = (struct vfio_region){ .flags = VFIO_REGION_INFO_FLAG_MMAP, .size = 0x10000, .sparse = true,
				  .nareas = 2, .areas = { { 0x100, 0x2000 }, { 0x8000, 0x800 } } };
	n = vfio_mmap_pieces(&r, 0x10000, NULL, 0, out, VFIO_MAX_MAPS);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].off, 0x1000);
	assert_int_equal(out[0].size, 0x1000);
	/* more pieces than room: capped */
	r.nareas = 8;
	for (unsigned i = 0; i < 8; i++)
		r.areas[i] = (struct vfio_area){ i * 0x2000, 0x1000 };
	assert_int_equal(vfio_mmap_pieces(&r, 0x10000, NULL, 0, out, 3), 3);
}

static void test_two_step_info(void **state)
{
	struct fake_vfio f;
	struct vfio_dev v = { 0 };
	struct vfio_region r;

	(void)state;
	fake_init(&f);
	f.sparse_on[0] = true;
	f.nsparse[0] = 1;
	f.sparse[0][0] = (struct vfio_region_sparse_mmap_area){ .offset = 0x1000, .size = 0x2000 };
	v.ops = &fake_vfio_ops;
	v.ctx = &f;
	v.dev = fake_new_fd(&f);
	assert_int_equal(vfio_region_info(&v, VFIO_PCI_BAR0_REGION_INDEX, &r), 0);
	assert_int_equal(r.size, 0x20000);
	assert_true(r.sparse);
	assert_int_equal(r.nareas, 1);
	assert_int_equal(r.areas[0].off, 0x1000);
	assert_int_equal(vfio_region_info(&v, VFIO_PCI_CONFIG_REGION_INDEX, &r), 0);
	assert_int_equal(r.size, 256);
	assert_int_equal(r.offset, (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << FAKE_IDX_SHIFT);
	f.fail_req = VFIO_DEVICE_GET_REGION_INFO;
	f.fail_errno = EIO;
	assert_int_equal(vfio_region_info(&v, VFIO_PCI_BAR0_REGION_INDEX, &r), -EIO);
	fake_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_sparse_and_msix_mappable),
		cmocka_unit_test(test_hostile_chains),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_two_step_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
