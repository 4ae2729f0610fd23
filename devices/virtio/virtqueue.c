// SPDX-License-Identifier: MIT
/*
 * The device side of a split virtqueue (virtio 1.x, 2.7; see virtqueue.h).
 * The driver writes the rings concurrently, so every field it owns is read
 * once with an atomic (acquire where it publishes something) load, and each
 * descriptor is copied out of guest memory before it is validated: what is
 * checked is what is used.  Anything malformed marks the queue broken with
 * a diagnostic in q->why; nothing the guest writes is followed unchecked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devices/virtio/virtqueue.h"

/* The ring layouts (2.7.5, 2.7.6, 2.7.8), little-endian like x86. */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

#define DESC_SIZE        16u
#define AVAIL_SIZE(num)  (6u + 2u * (uint64_t)(num)) /* flags, idx, ring[num], used_event */
#define USED_SIZE(num)   (6u + 8u * (uint64_t)(num)) /* flags, idx, ring[num], avail_event */

static int vq_break(struct virtq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vq_break(struct virtq *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->why, sizeof(q->why), fmt, ap);
	va_end(ap);
	q->broken = true;
	return -EIO;
}

/* The rings were checked by virtq_init(); guest RAM never moves, so these cannot fail afterwards. */
static uint16_t *avail_field(const struct virtq *q, unsigned i)
{
	return (uint16_t *)guest_mem_ptr(q->mem, q->avail_gpa, AVAIL_SIZE(q->num)) + i;
}

static uint16_t *used_field(const struct virtq *q, unsigned i)
{
	return (uint16_t *)guest_mem_ptr(q->mem, q->used_gpa, USED_SIZE(q->num)) + i;
}

static struct vring_used_elem *used_elem(const struct virtq *q, unsigned i)
{
	uint8_t *u = guest_mem_ptr(q->mem, q->used_gpa, USED_SIZE(q->num));

	return (struct vring_used_elem *)(u + 4 + 8 * (size_t)i);
}

static uint16_t avail_idx(const struct virtq *q)
{
	return __atomic_load_n(avail_field(q, 1), __ATOMIC_ACQUIRE);
}

int virtq_init(struct virtq *q, const struct guest_mem *mem, uint16_t num, uint64_t desc, uint64_t avail,
	       uint64_t used, bool event_idx, bool indirect)
{
	virtq_reset(q);
	q->mem = mem;
	if (!num || num > VIRTQ_MAX_SIZE || (num & (num - 1))) {
		snprintf(q->why, sizeof(q->why), "queue size %u is not a power of two in 1..%u", num,
			 VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	if ((desc & 15) || (avail & 1) || (used & 3)) {
		snprintf(q->why, sizeof(q->why),
			 "misaligned rings: desc 0x%llx (16), avail 0x%llx (2), used 0x%llx (4)",
			 (unsigned long long)desc, (unsigned long long)avail, (unsigned long long)used);
		return -EINVAL;
	}
	if (!guest_mem_ptr(mem, desc, DESC_SIZE * num)) {
		snprintf(q->why, sizeof(q->why), "descriptor table 0x%llx+%u outside guest RAM",
			 (unsigned long long)desc, DESC_SIZE * num);
		return -EINVAL;
	}
	if (!guest_mem_ptr(mem, avail, AVAIL_SIZE(num))) {
		snprintf(q->why, sizeof(q->why), "avail ring 0x%llx+%llu outside guest RAM",
			 (unsigned long long)avail, (unsigned long long)AVAIL_SIZE(num));
		return -EINVAL;
	}
	if (!guest_mem_ptr(mem, used, USED_SIZE(num))) {
		snprintf(q->why, sizeof(q->why), "used ring 0x%llx+%llu outside guest RAM",
			 (unsigned long long)used, (unsigned long long)USED_SIZE(num));
		return -EINVAL;
	}
	/*
	 * Rings on each other (the used ring written over the avail ring or the
	 * descriptor table) would have the device overwrite what it then reads:
	 * no driver lays them out so (the spec gives each its own area), refused.
	 */
	{
		static const char *const name[3] = { "descriptor table", "avail ring", "used ring" };
		const uint64_t at[3] = { desc, avail, used };
		const uint64_t len[3] = { DESC_SIZE * num, AVAIL_SIZE(num), USED_SIZE(num) };

		for (int a = 0; a < 3; a++)
			for (int b = a + 1; b < 3; b++)
				if (at[a] < at[b] + len[b] && at[b] < at[a] + len[a]) {
					snprintf(q->why, sizeof(q->why), "%s 0x%llx+%llu overlaps %s 0x%llx+%llu",
						 name[a], (unsigned long long)at[a], (unsigned long long)len[a],
						 name[b], (unsigned long long)at[b], (unsigned long long)len[b]);
					return -EINVAL;
				}
	}
	q->num = num;
	q->desc_gpa = desc;
	q->avail_gpa = avail;
	q->used_gpa = used;
	q->event_idx = event_idx;
	q->indirect = indirect;
	q->ready = true;
	return 0;
}

void virtq_reset(struct virtq *q)
{
	const struct guest_mem *mem = q->mem;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
}

/* One descriptor, copied out of guest memory once; the barrier keeps the compiler from re-reading it. */
static void desc_copy(struct vring_desc *d, const void *table, unsigned i)
{
	memcpy(d, (const uint8_t *)table + (size_t)i * DESC_SIZE, sizeof(*d));
	__asm__ volatile("" ::: "memory");
}

int virtq_pop(struct virtq *q, struct virtq_elem *e)
{
	const void *table;
	unsigned tsize, visited = 0, idx;
	bool in_indirect = false;
	uint16_t aidx, pending, head;

	if (q->broken)
		return -EIO;
	if (!q->ready)
		return 0;
	aidx = avail_idx(q);
	pending = (uint16_t)(aidx - q->last_avail);
	if (!pending)
		return 0;
	if (pending > q->num)
		return vq_break(q, "avail idx %u runs %u ahead of last_avail %u (queue size %u)", aidx, pending,
				q->last_avail, q->num);
	head = __atomic_load_n(avail_field(q, 2 + (q->last_avail & (q->num - 1))), __ATOMIC_RELAXED);
	if (head >= q->num)
		return vq_break(q, "avail ring slot %u holds head %u, queue size %u",
				q->last_avail & (q->num - 1), head, q->num);

	e->head = head;
	e->nout = e->nin = 0;
	e->out_bytes = e->in_bytes = 0;
	table = guest_mem_ptr(q->mem, q->desc_gpa, DESC_SIZE * q->num);
	tsize = q->num;
	idx = head;
	for (;;) {
		struct vring_desc d;
		void *p;

		if (idx >= tsize)
			return vq_break(q, "chain %u: next %u out of range (%s table of %u)", head, idx,
					in_indirect ? "indirect" : "descriptor", tsize);
		if (++visited > tsize)
			return vq_break(q, "chain %u: longer than its %s table of %u (a loop?)", head,
					in_indirect ? "indirect" : "descriptor", tsize);
		desc_copy(&d, table, idx);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect)
				return vq_break(q, "chain %u: INDIRECT descriptor %u without INDIRECT_DESC", head,
						idx);
			if (in_indirect)
				return vq_break(q, "chain %u: nested INDIRECT descriptor %u", head, idx);
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return vq_break(q, "chain %u: INDIRECT descriptor %u also has NEXT", head, idx);
			/* each fault its own message: a length can be a multiple of 16 and still too long */
			if (!d.len)
				return vq_break(q, "chain %u: indirect table of length 0", head);
			if (d.len % DESC_SIZE)
				return vq_break(q, "chain %u: indirect table length %u is not a multiple of 16",
						head, d.len);
			if (d.len / DESC_SIZE > VIRTQ_MAX_SIZE)
				return vq_break(q, "chain %u: indirect table length %u is over %u (%u descriptors)",
						head, d.len, VIRTQ_MAX_SIZE * DESC_SIZE, VIRTQ_MAX_SIZE);
			table = guest_mem_ptr(q->mem, d.addr, d.len);
			if (!table)
				return vq_break(q, "chain %u: indirect table 0x%llx+%u outside guest RAM", head,
						(unsigned long long)d.addr, d.len);
			tsize = d.len / DESC_SIZE;
			in_indirect = true;
			visited = 0;
			idx = 0;
			continue;
		}
		if (d.len) {
			p = guest_mem_ptr(q->mem, d.addr, d.len);
			if (!p)
				return vq_break(q, "chain %u: buffer 0x%llx+%u (descriptor %u) outside guest RAM",
						head, (unsigned long long)d.addr, d.len, idx);
			if (d.flags & VIRTQ_DESC_F_WRITE) {
				if (e->nin >= VIRTQ_MAX_SEGS)
					return vq_break(q, "chain %u: more than %u device-writable segments", head,
							VIRTQ_MAX_SEGS);
				e->in[e->nin].iov_base = p;
				e->in[e->nin++].iov_len = d.len;
				e->in_bytes += d.len;
			} else {
				if (e->nin)
					return vq_break(q, "chain %u: device-readable descriptor %u after a "
							"device-writable one", head, idx);
				if (e->nout >= VIRTQ_MAX_SEGS)
					return vq_break(q, "chain %u: more than %u device-readable segments", head,
							VIRTQ_MAX_SEGS);
				e->out[e->nout].iov_base = p;
				e->out[e->nout++].iov_len = d.len;
				e->out_bytes += d.len;
			}
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	q->last_avail++;
	q->chains_popped++;
	return 1;
}

int virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem *u;

	if (q->broken)
		return -EIO;
	if (!q->ready || head >= q->num)
		return -EINVAL;
	u = used_elem(q, q->used_idx & (q->num - 1));
	__atomic_store_n(&u->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&u->len, len, __ATOMIC_RELAXED);
	q->used_idx++;
	/* The element before the index that publishes it. */
	__atomic_store_n(used_field(q, 1), q->used_idx, __ATOMIC_RELEASE);
	q->chains_pushed++;
	return 0;
}

int virtq_push_n(struct virtq *q, const uint16_t *heads, const uint32_t *lens, unsigned n)
{
	uint16_t idx = q->used_idx;

	if (q->broken)
		return -EIO;
	if (!q->ready || n > q->num)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (heads[i] >= q->num)
			return -EINVAL;
	for (unsigned i = 0; i < n; i++, idx++) {
		struct vring_used_elem *u = used_elem(q, idx & (q->num - 1));

		__atomic_store_n(&u->id, heads[i], __ATOMIC_RELAXED);
		__atomic_store_n(&u->len, lens[i], __ATOMIC_RELAXED);
	}
	q->used_idx = idx;
	__atomic_store_n(used_field(q, 1), q->used_idx, __ATOMIC_RELEASE);
	q->chains_pushed += n;
	return 0;
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t old = q->signalled_used;
	bool valid = q->signalled_valid, notify;

	if (!q->ready)
		return false;
	if (q->used_idx == old && (valid || !q->chains_pushed))
		return false; /* nothing pushed since the last decision */
	/* Our used idx store must be visible before we read the driver's suppression (store -> load). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t ev = __atomic_load_n(avail_field(q, 2 + q->num), __ATOMIC_RELAXED);

		notify = !valid || virtq_need_event(ev, q->used_idx, old);
	} else {
		notify = !(__atomic_load_n(avail_field(q, 0), __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	if (notify)
		q->notifies_sent++;
	else
		q->notifies_suppressed++;
	return notify;
}

void virtq_set_kick_wanted(struct virtq *q, bool wanted)
{
	if (!q->ready)
		return;
	if (q->event_idx) {
		/* Disabling has no field with EVENT_IDX: a stale avail_event already stops kicks. */
		if (wanted)
			__atomic_store_n(used_field(q, 2 + 4 * q->num), q->last_avail, __ATOMIC_RELAXED);
	} else {
		uint16_t *f = used_field(q, 0);
		uint16_t v = __atomic_load_n(f, __ATOMIC_RELAXED);

		v = wanted ? (v & ~VIRTQ_USED_F_NO_NOTIFY) : (v | VIRTQ_USED_F_NO_NOTIFY);
		__atomic_store_n(f, v, __ATOMIC_RELAXED);
	}
	/* The caller re-checks avail next: that load must not pass this store. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_has_avail(struct virtq *q)
{
	if (!q->ready || q->broken)
		return false;
	return avail_idx(q) != q->last_avail;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t skip, void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)buf + done, (const uint8_t *)iov[i].iov_base + skip, c);
		done += c;
		skip = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t skip, const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)iov[i].iov_base + skip, (const uint8_t *)buf + done, c);
		done += c;
		skip = 0;
	}
	return done;
}
