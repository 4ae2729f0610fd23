// SPDX-License-Identifier: MIT
/* Address-range bus for PIO and MMIO dispatch (see bus.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bus.h"

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
}

void bus_destroy(struct bus *b)
{
	free(b->ranges);
	b->ranges = NULL;
	b->n = b->cap = 0;
}

/* Inclusive last address, so a range may end exactly at 2^64. */
static uint64_t range_last(const struct bus_range *r)
{
	return r->base + r->len - 1;
}

/* Index of the first range whose base is > addr (0..n). */
static size_t upper_bound(const struct bus *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct bus_range *bus_find(struct bus *b, uint64_t addr)
{
	size_t i = upper_bound(b, addr);
	struct bus_range *r;

	if (i == 0)
		return NULL;
	r = &b->ranges[i - 1];
	return addr <= range_last(r) ? r : NULL;
}

int bus_register(struct bus *b, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, char *err, size_t errlen)
{
	const struct bus_range *clash = NULL;
	uint64_t last = base + len - 1;
	size_t i;

	if (!ops) {
		snprintf(err, errlen, "%s bus: %s has no ops", b->name, name);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s bus: %s at 0x%llx has length 0", b->name, name,
			 (unsigned long long)base);
		return -1;
	}
	if (last < base) {
		snprintf(err, errlen, "%s bus: %s at 0x%llx + 0x%llx wraps around", b->name, name,
			 (unsigned long long)base, (unsigned long long)len);
		return -1;
	}
	/* Sorted and disjoint, so only the neighbours can overlap. */
	i = upper_bound(b, base);
	if (i > 0 && range_last(&b->ranges[i - 1]) >= base)
		clash = &b->ranges[i - 1];
	else if (i < b->n && b->ranges[i].base <= last)
		clash = &b->ranges[i];
	if (clash) {
		snprintf(err, errlen,
			 "%s bus: %s [0x%llx, 0x%llx] overlaps %s [0x%llx, 0x%llx]", b->name, name,
			 (unsigned long long)base, (unsigned long long)last, clash->name,
			 (unsigned long long)clash->base, (unsigned long long)range_last(clash));
		return -1;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bus_range *nr = realloc(b->ranges, cap * sizeof(*nr));

		if (!nr) {
			snprintf(err, errlen, "%s bus: out of memory", b->name);
			return -1;
		}
		b->ranges = nr;
		b->cap = cap;
	}
	memmove(&b->ranges[i + 1], &b->ranges[i], (b->n - i) * sizeof(*b->ranges));
	b->ranges[i] = (struct bus_range){
		.base = base, .len = len, .name = name, .ops = ops, .opaque = opaque,
	};
	b->n++;
	return 0;
}

int bus_access(struct bus *b, uint64_t addr, bool is_write, void *data, unsigned size)
{
	struct bus_range *r;
	int rc;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	r = bus_find(b, addr);
	if (!r) {
		__atomic_fetch_add(&b->unhandled, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, size);
		return -ENOENT;
	}
	/* The device sees only offsets inside its own range. */
	if (addr + size - 1 < addr || addr + size - 1 > range_last(r)) {
		if (!is_write)
			memset(data, 0xff, size);
		return -EINVAL;
	}
	if (is_write) {
		__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
		rc = r->ops->write ? r->ops->write(r->opaque, addr - r->base, data, size) : 0;
	} else {
		__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
		rc = r->ops->read ? r->ops->read(r->opaque, addr - r->base, data, size)
				  : (memset(data, 0xff, size), 0);
		if (rc)
			memset(data, 0xff, size);
	}
	return rc ? -EIO : 0;
}
