/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "instruments/kvm_stats.h"

/* struct kvm_stats_desc without its flexible name: 16 bytes on every ABI. */
#define DESC_FIXED 16
#define NAME_SIZE_MAX 1024
#define EXPONENT_MAX 64

#define FLAGS_KNOWN (KVM_STATS_TYPE_MASK | KVM_STATS_UNIT_MASK | KVM_STATS_BASE_MASK)

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A NUL-terminated printable string in [p, p + size) that fits out. */
static int take_name(const uint8_t *p, uint32_t size, char *out, bool allow_empty)
{
	const uint8_t *nul = memchr(p, 0, size);
	size_t n;

	if (!nul)
		return -1;
	n = (size_t)(nul - p);
	if (n >= KVM_STATS_NAME_MAX || (!n && !allow_empty))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return -1; /* names become JSON keys and table cells */
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

static int check_desc(struct kvm_stat_desc *d, uint32_t flags, char *err, size_t errlen)
{
	if (flags & ~FLAGS_KNOWN)
		return fail(err, errlen, "stat %s: unknown flag bits 0x%x", d->name, flags & ~FLAGS_KNOWN);
	d->type = flags & KVM_STATS_TYPE_MASK;
	d->unit = flags & KVM_STATS_UNIT_MASK;
	d->base = flags & KVM_STATS_BASE_MASK;
	if (d->type > KVM_STATS_TYPE_MAX)
		return fail(err, errlen, "stat %s: unknown type %u", d->name, d->type >> KVM_STATS_TYPE_SHIFT);
	if (d->unit > KVM_STATS_UNIT_MAX)
		return fail(err, errlen, "stat %s: unknown unit %u", d->name, d->unit >> KVM_STATS_UNIT_SHIFT);
	if (d->base > KVM_STATS_BASE_MAX)
		return fail(err, errlen, "stat %s: unknown base %u", d->name, d->base >> KVM_STATS_BASE_SHIFT);
	if (d->exponent < -EXPONENT_MAX || d->exponent > EXPONENT_MAX)
		return fail(err, errlen, "stat %s: exponent %d out of range", d->name, d->exponent);
	if (!d->size)
		return fail(err, errlen, "stat %s: size 0", d->name);
	/* The kernel defines scalars as one u64; anything else is not a layout we know. */
	if (!kvm_stats_is_hist(d->type) && d->size != 1)
		return fail(err, errlen, "stat %s: scalar with %u values", d->name, d->size);
	if ((d->type == KVM_STATS_TYPE_LINEAR_HIST) != (d->bucket_size != 0))
		return fail(err, errlen, "stat %s: bucket_size %u for type %s", d->name,
			    d->bucket_size, kvm_stats_type_name(d->type));
	if (d->offset % 8)
		return fail(err, errlen, "stat %s: offset %u not 8-byte aligned", d->name, d->offset);
	if ((uint64_t)d->offset + (uint64_t)d->size * 8 > KVM_STATS_DATA_MAX)
		return fail(err, errlen, "stat %s: values [%u, +%u×8) outside the data block",
			    d->name, d->offset, d->size);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct kvm_stat_desc *const *)a)->name, (*(struct kvm_stat_desc *const *)b)->name);
}

static int cmp_offset(const void *a, const void *b)
{
	uint32_t x = (*(struct kvm_stat_desc *const *)a)->offset;
	uint32_t y = (*(struct kvm_stat_desc *const *)b)->offset;

	return x < y ? -1 : x > y;
}

/* Names unique (they become JSON keys), value ranges disjoint (no aliasing). */
static int check_set(struct kvm_stats *s, char *err, size_t errlen)
{
	struct kvm_stat_desc **v;
	int rc = 0;

	if (s->ndesc < 2)
		return 0;
	v = malloc(s->ndesc * sizeof(*v));
	if (!v)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < s->ndesc; i++)
		v[i] = &s->desc[i];
	qsort(v, s->ndesc, sizeof(*v), cmp_name);
	for (size_t i = 1; i < s->ndesc && !rc; i++)
		if (!strcmp(v[i - 1]->name, v[i]->name))
			rc = fail(err, errlen, "stat %s: duplicate name", v[i]->name);
	qsort(v, s->ndesc, sizeof(*v), cmp_offset);
	for (size_t i = 1; i < s->ndesc && !rc; i++)
		if ((uint64_t)v[i - 1]->offset + (uint64_t)v[i - 1]->size * 8 > v[i]->offset)
			rc = fail(err, errlen, "stats %s and %s: values overlap", v[i - 1]->name, v[i]->name);
	free(v);
	return rc;
}

int kvm_stats_parse(struct kvm_stats *s, const void *buf, size_t len, char *err, size_t errlen)
{
	const uint8_t *p = buf;
	struct kvm_stats_header h;
	uint64_t dsz, desc_end, id_end, end = 0;
	size_t nvalues = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!buf || len < sizeof(h))
		return fail(err, errlen, "header truncated (%zu bytes)", len);
	memcpy(&h, p, sizeof(h));
	if (h.name_size == 0 || h.name_size > NAME_SIZE_MAX)
		return fail(err, errlen, "name_size %u out of range", h.name_size);
	if (h.num_desc > KVM_STATS_DESC_MAX)
		return fail(err, errlen, "num_desc %u exceeds %u", h.num_desc, KVM_STATS_DESC_MAX);
	if (h.data_offset > KVM_STATS_HDR_MAX || h.data_offset > len)
		return fail(err, errlen, "data_offset %u beyond the %zu bytes given", h.data_offset, len);

	/* Header, id string and descriptors: each inside [0, data_offset), disjoint. */
	dsz = DESC_FIXED + (uint64_t)h.name_size;
	id_end = (uint64_t)h.id_offset + h.name_size;
	desc_end = (uint64_t)h.desc_offset + dsz * h.num_desc;
	if (h.id_offset < sizeof(h) || id_end > h.data_offset)
		return fail(err, errlen, "id string [%u, %llu) outside [%zu, data_offset %u)",
			    h.id_offset, (unsigned long long)id_end, sizeof(h), h.data_offset);
	if (h.desc_offset < sizeof(h) || desc_end > h.data_offset)
		return fail(err, errlen, "descriptors [%u, %llu) outside [%zu, data_offset %u)",
			    h.desc_offset, (unsigned long long)desc_end, sizeof(h), h.data_offset);
	if (h.num_desc && id_end > h.desc_offset && h.id_offset < desc_end)
		return fail(err, errlen, "id string overlaps the descriptors");
	if (take_name(p + h.id_offset, h.name_size, s->id, true))
		return fail(err, errlen, "id string not NUL-terminated, too long or not printable");

	s->desc = calloc(h.num_desc ? h.num_desc : 1, sizeof(*s->desc));
	if (!s->desc)
		return fail(err, errlen, "out of memory");
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const uint8_t *q = p + h.desc_offset + i * dsz;
		struct kvm_stat_desc *d = &s->desc[i];
		uint32_t flags;
		int16_t exponent;
		uint16_t size;

		memcpy(&flags, q, 4);
		memcpy(&exponent, q + 4, 2);
		memcpy(&size, q + 6, 2);
		memcpy(&d->offset, q + 8, 4);
		memcpy(&d->bucket_size, q + 12, 4);
		d->exponent = exponent;
		d->size = size;
		if (take_name(q + DESC_FIXED, h.name_size, d->name, false)) {
			fail(err, errlen, "descriptor %u: name not NUL-terminated, empty, too long or not printable", i);
			goto bad;
		}
		if (check_desc(d, flags, err, errlen))
			goto bad;
		d->index = (uint32_t)nvalues;
		nvalues += d->size;
		if ((uint64_t)d->offset + d->size * 8ull > end)
			end = (uint64_t)d->offset + d->size * 8ull;
		s->ndesc++;
	}
	if (check_set(s, err, errlen))
		goto bad;
	s->nvalues = nvalues;
	s->data_offset = h.data_offset;
	s->data_size = end;
	s->buf = malloc(end ? end : 8);
	if (!s->buf) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	return 0;
bad:
	kvm_stats_close(s);
	return -1;
}

int kvm_stats_open(struct kvm_stats *s, int target_fd, char *err, size_t errlen)
{
	int fd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	fd = ioctl(target_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return fail(err, errlen, "KVM_GET_STATS_FD: %s", strerror(errno));
	return kvm_stats_open_fd(s, fd, err, errlen);
}

int kvm_stats_open_fd(struct kvm_stats *s, int fd, char *err, size_t errlen)
{
	struct kvm_stats_header h;
	uint8_t *hdr;
	char perr[160];
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h)) {
		fail(err, errlen, "KVM stats fd: header unreadable");
		close(fd);
		return -2;
	}
	if (h.data_offset < sizeof(h) || h.data_offset > KVM_STATS_HDR_MAX) {
		fail(err, errlen, "KVM stats fd: data_offset %u out of range", h.data_offset);
		close(fd);
		return -2;
	}
	hdr = malloc(h.data_offset);
	n = hdr ? pread(fd, hdr, h.data_offset, 0) : -1;
	if (n != (ssize_t)h.data_offset || kvm_stats_parse(s, hdr, h.data_offset, perr, sizeof(perr))) {
		fail(err, errlen, "KVM stats fd: %s", n != (ssize_t)h.data_offset ? "descriptors unreadable" : perr);
		free(hdr);
		close(fd);
		return -2;
	}
	free(hdr);
	s->fd = fd;
	/* The header does not say how long the data block is: check that it is all there. */
	if (pread(fd, s->buf, s->data_size, s->data_offset) != (ssize_t)s->data_size) {
		fail(err, errlen, "KVM stats fd: data block shorter than its %llu described bytes",
		     (unsigned long long)s->data_size);
		kvm_stats_close(s);
		return -2;
	}
	return 0;
}

void kvm_stats_close(struct kvm_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->desc);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int kvm_stats_read(struct kvm_stats *s, uint64_t *values)
{
	if (s->fd < 0 || !s->buf)
		return -1;
	if (pread(s->fd, s->buf, s->data_size, s->data_offset) != (ssize_t)s->data_size)
		return -1;
	for (size_t i = 0; i < s->ndesc; i++)
		memcpy(&values[s->desc[i].index], s->buf + s->desc[i].offset, s->desc[i].size * 8ull);
	return 0;
}

int kvm_stats_find(const struct kvm_stats *s, const char *name)
{
	for (size_t i = 0; s && i < s->ndesc; i++)
		if (!strcmp(s->desc[i].name, name))
			return (int)i;
	return -1;
}

int kvm_stats_value_index(const struct kvm_stats *s, const char *name)
{
	int i = kvm_stats_find(s, name);

	if (i < 0 || s->desc[i].size != 1)
		return -1;
	return (int)s->desc[i].index;
}

const char *kvm_stats_type_name(unsigned type)
{
	switch (type) {
	case KVM_STATS_TYPE_CUMULATIVE:
		return "cumulative";
	case KVM_STATS_TYPE_INSTANT:
		return "instant";
	case KVM_STATS_TYPE_PEAK:
		return "peak";
	case KVM_STATS_TYPE_LINEAR_HIST:
		return "linear_hist";
	case KVM_STATS_TYPE_LOG_HIST:
		return "log_hist";
	}
	return "unknown";
}

const char *kvm_stats_unit_name(unsigned unit)
{
	switch (unit) {
	case KVM_STATS_UNIT_NONE:
		return "none";
	case KVM_STATS_UNIT_BYTES:
		return "bytes";
	case KVM_STATS_UNIT_SECONDS:
		return "seconds";
	case KVM_STATS_UNIT_CYCLES:
		return "cycles";
	case KVM_STATS_UNIT_BOOLEAN:
		return "boolean";
	}
	return "unknown";
}

int kvm_stats_base_value(unsigned base)
{
	return base == KVM_STATS_BASE_POW2 ? 2 : 10;
}

bool kvm_stats_is_hist(unsigned type)
{
	return type == KVM_STATS_TYPE_LINEAR_HIST || type == KVM_STATS_TYPE_LOG_HIST;
}

bool kvm_stats_is_level(unsigned type)
{
	return type == KVM_STATS_TYPE_INSTANT || type == KVM_STATS_TYPE_PEAK;
}
