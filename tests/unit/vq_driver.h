/* SPDX-License-Identifier: MIT */
/*
 * A fake virtio driver for the unit tests: guest RAM in a malloc'd buffer
 * (low RAM, the MMIO hole, a little high RAM, laid out as guest_mem_create
 * would) and split rings built in it by hand, the way a guest would, so
 * tests can hand the device side well-formed and hostile chains alike.
 * Header-only: tests include it as "unit/vq_driver.h".
 */
#ifndef EXITLAB_TEST_VQ_DRIVER_H
#define EXITLAB_TEST_VQ_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_mem.h"
#include "devices/virtio/virtqueue.h"

#define TMEM_LOW  (1ULL << 20)   /* 1 MiB of low RAM */
#define TMEM_HIGH (64ULL << 10)  /* 64 KiB above 4 GiB */

static inline void tmem_create(struct guest_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	m->host = aligned_alloc(4096, TMEM_LOW + TMEM_HIGH);
	memset(m->host, 0, TMEM_LOW + TMEM_HIGH);
	m->size = TMEM_LOW;
	m->high_size = TMEM_HIGH;
	m->page_size = 4096;
}

static inline void tmem_destroy(struct guest_mem *m)
{
	free(m->host);
	m->host = NULL;
}

static inline uint8_t *tmem_at(const struct guest_mem *m, uint64_t gpa)
{
	return guest_mem_ptr(m, gpa, 1);
}

/* One queue as the driver sees it: rings at base (desc), base + 0x4000 (avail), base + 0x5000 (used). */
struct vqd {
	const struct guest_mem *m;
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx;   /* driver's shadow of avail->idx */
	uint16_t used_seen;   /* used entries consumed */
	uint16_t next_desc;   /* descriptors are handed out round-robin */
};

static inline void vqd_init(struct vqd *d, const struct guest_mem *m, uint16_t num, uint64_t base)
{
	memset(d, 0, sizeof(*d));
	d->m = m;
	d->num = num;
	d->desc = base;
	d->avail = base + 0x4000;
	d->used = base + 0x5000;
	memset(tmem_at(m, base), 0, 0x8000);
}

static inline void vqd_desc(struct vqd *d, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	uint8_t *p = tmem_at(d->m, table + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static inline uint16_t *vqd_avail16(struct vqd *d, unsigned i)
{
	return (uint16_t *)tmem_at(d->m, d->avail + 2ULL * i);
}

static inline uint16_t *vqd_used16(struct vqd *d, unsigned i)
{
	return (uint16_t *)tmem_at(d->m, d->used + 2ULL * i);
}

/* Put head in the next avail slot and publish it. */
static inline void vqd_publish(struct vqd *d, uint16_t head)
{
	*vqd_avail16(d, 2 + (d->avail_idx & (d->num - 1))) = head;
	d->avail_idx++;
	__atomic_store_n(vqd_avail16(d, 1), d->avail_idx, __ATOMIC_RELEASE);
}

/* Start both sides at index `at` (to test wrap-around): avail->idx and used->idx. */
static inline void vqd_set_idx(struct vqd *d, struct virtq *q, uint16_t at)
{
	d->avail_idx = d->used_seen = at;
	*vqd_avail16(d, 1) = at;
	*vqd_used16(d, 1) = at;
	q->last_avail = q->used_idx = at;
}

/*
 * A chain of n buffers (nout device-readable first) in the main table,
 * descriptors taken round-robin; returns its head without publishing.
 */
static inline uint16_t vqd_chain(struct vqd *d, unsigned n, unsigned nout, const uint64_t *addr,
				 const uint32_t *len)
{
	uint16_t head = d->next_desc;

	for (unsigned i = 0; i < n; i++) {
		uint16_t me = d->next_desc, nx = (uint16_t)((me + 1) & (d->num - 1));
		uint16_t fl = (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (i >= nout ? VIRTQ_DESC_F_WRITE : 0);

		vqd_desc(d, d->desc, me, addr[i], len[i], fl, nx);
		d->next_desc = nx;
	}
	return head;
}

/* The next used element: 1 and its id/len, or 0 if none. */
static inline int vqd_used(struct vqd *d, uint32_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(vqd_used16(d, 1), __ATOMIC_ACQUIRE);
	uint8_t *e;

	if (idx == d->used_seen)
		return 0;
	e = tmem_at(d->m, d->used + 4 + 8ULL * (d->used_seen & (d->num - 1)));
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
	d->used_seen++;
	return 1;
}

#endif
