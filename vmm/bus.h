/* SPDX-License-Identifier: MIT */
/*
 * An address-range bus, one instance for port I/O and one for MMIO: devices
 * register [base, base + len) with an ops table, and the exit loop hands
 * each access to whichever device owns the address.
 *
 * Registration happens before any vCPU starts and the range table is never
 * changed afterwards, so lookups take no lock. The per-range and unhandled
 * counters are updated with relaxed atomics because vCPUs share them.
 */
#ifndef EXITLAB_BUS_H
#define EXITLAB_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus_ops {
	/* Return 0, or -1 if the device rejects the access. A NULL hook
	 * behaves like open bus: reads give all-ones, writes are dropped. */
	int (*read)(void *opaque, uint64_t offset, void *data, unsigned size);
	int (*write)(void *opaque, uint64_t offset, const void *data, unsigned size);
};

struct bus_range {
	uint64_t base, len;
	const char *name;          /* not copied: must outlive the bus */
	const struct bus_ops *ops;
	void *opaque;
	uint64_t reads, writes;
};

struct bus {
	const char *name;
	struct bus_range *ranges;  /* sorted by base, never overlapping */
	size_t n, cap;
	uint64_t unhandled;        /* accesses that hit no range */
};

void bus_init(struct bus *b, const char *name);
void bus_destroy(struct bus *b);

/* Rejects len 0, ranges that wrap past 2^64 and overlaps (the message names both). */
int bus_register(struct bus *b, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, char *err, size_t errlen);

/*
 * 0 handled; -ENOENT nothing there (reads get all-ones bytes, like real
 * hardware); -EINVAL the access straddles a range end or size is not 1, 2,
 * 4 or 8; -EIO the device rejected it (reads then also get all-ones).
 */
int bus_access(struct bus *b, uint64_t addr, bool is_write, void *data, unsigned size);

/* The range containing addr, or NULL. */
struct bus_range *bus_find(struct bus *b, uint64_t addr);

#endif
