// SPDX-License-Identifier: MIT
/*
 * A device region (BAR, ROM, config space) as VFIO_DEVICE_GET_REGION_INFO
 * describes it: size, flags, offset in the device fd, and a capability
 * chain that may restrict mmap to sparse areas or allow mmap of the MSI-X
 * table.  The chain comes from the kernel but is walked as untrusted input
 * (every offset bounds-checked, no loops).  Also: which page-aligned pieces
 * of a BAR end up mmapped, given the holes we must trap (MSI-X table, PBA).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vfio/vfio.h"

#define PAGE 4096ULL
#define MAX_CAPS 16

static void parse_sparse(const uint8_t *buf, size_t len, size_t at, struct vfio_region *r)
{
	struct vfio_region_info_cap_sparse_mmap sp;
	size_t base = at + sizeof(sp);

	r->sparse = true;     /* even with no valid area (or a cut-short one): then nothing is mmapped */
	r->nareas = 0;
	if (len < base)
		return;
	memcpy(&sp, buf + at, sizeof(sp));
	for (uint32_t i = 0; i < sp.nr_areas && r->nareas < VFIO_MAX_SPARSE; i++) {
		struct vfio_region_sparse_mmap_area a;
		size_t o = base + (size_t)i * sizeof(a);

		if (o + sizeof(a) > len || o + sizeof(a) < o)
			break;
		memcpy(&a, buf + o, sizeof(a));
		if (!a.size || a.offset > r->size || a.size > r->size - a.offset)
			continue;   /* outside the region: ignored */
		r->areas[r->nareas++] = (struct vfio_area){ a.offset, a.size };
	}
}

int vfio_region_parse(const void *bufp, size_t len, struct vfio_region *r)
{
	const uint8_t *buf = bufp;
	struct vfio_region_info info;
	uint32_t at;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(info))
		return -EINVAL;
	memcpy(&info, buf, sizeof(info));
	r->flags = info.flags;
	r->size = info.size;
	r->offset = info.offset;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	at = info.cap_offset;
	for (int n = 0; at && n < MAX_CAPS; n++) {
		struct vfio_info_cap_header h;

		/* a capability lies after the fixed part, inside the buffer, 4-aligned */
		if (at < sizeof(info) || at > len || len - at < sizeof(h) || (at & 3))
			return -EINVAL;
		memcpy(&h, buf + at, sizeof(h));
		if (h.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			parse_sparse(buf, len, at, r);
		else if (h.id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)
			r->msix_mappable = true;
		if (h.next && h.next <= at)
			return -EINVAL;   /* chains only go forward */
		at = h.next;
	}
	return at ? -EINVAL : 0;
}

int vfio_region_info(struct vfio_dev *v, unsigned index, struct vfio_region *r)
{
	struct vfio_region_info first = { .argsz = sizeof(first), .index = index };
	struct vfio_region_info *big;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_GET_REGION_INFO, &first);
	if (rc < 0)
		return rc;
	if (first.argsz <= sizeof(first) || !(first.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return vfio_region_parse(&first, sizeof(first), r);
	if (first.argsz > 65536)
		return -E2BIG;
	big = calloc(1, first.argsz);
	if (!big)
		return -ENOMEM;
	big->argsz = first.argsz;
	big->index = index;
	rc = v->ops->ioctl(v->ctx, v->dev, VFIO_DEVICE_GET_REGION_INFO, big);
	if (rc >= 0)
		rc = vfio_region_parse(big, big->argsz < first.argsz ? big->argsz : first.argsz, r);
	free(big);
	return rc;
}

static unsigned add_piece(struct vfio_area *out, unsigned n, unsigned max, uint64_t s, uint64_t e)
{
	if (e > s && n < max)
		out[n++] = (struct vfio_area){ s, e - s };
	return n;
}

unsigned vfio_mmap_pieces(const struct vfio_region *r, uint64_t size, const struct vfio_area *holes,
			  unsigned nholes, struct vfio_area *out, unsigned max)
{
	struct vfio_area cur[VFIO_MAX_MAPS * 2], next[VFIO_MAX_MAPS * 2];
	unsigned n = 0;

	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || size < PAGE || size > r->size)
		return 0;
	if (r->sparse) {
		for (unsigned i = 0; i < r->nareas; i++) {
			uint64_t s = (r->areas[i].off + PAGE - 1) & ~(PAGE - 1);
			uint64_t e = (r->areas[i].off + r->areas[i].size) & ~(PAGE - 1);

			n = add_piece(cur, n, VFIO_MAX_MAPS * 2, s, e > size ? size & ~(PAGE - 1) : e);
		}
	} else {
		n = add_piece(cur, n, VFIO_MAX_MAPS * 2, 0, size & ~(PAGE - 1));
	}
	for (unsigned h = 0; h < nholes; h++) {
		uint64_t hs = holes[h].off & ~(PAGE - 1);
		uint64_t he = (holes[h].off + holes[h].size + PAGE - 1) & ~(PAGE - 1);
		unsigned m = 0;

		if (!holes[h].size)
			continue;
		for (unsigned i = 0; i < n; i++) {
			uint64_t s = cur[i].off, e = cur[i].off + cur[i].size;

			if (he <= s || hs >= e) {
				m = add_piece(next, m, VFIO_MAX_MAPS * 2, s, e);
				continue;
			}
			m = add_piece(next, m, VFIO_MAX_MAPS * 2, s, hs > s ? hs : s);
			m = add_piece(next, m, VFIO_MAX_MAPS * 2, he < e ? he : e, e);
		}
		memcpy(cur, next, sizeof(next[0]) * m);
		n = m;
	}
	if (n > max)
		n = max;
	memcpy(out, cur, sizeof(cur[0]) * n);
	return n;
}
