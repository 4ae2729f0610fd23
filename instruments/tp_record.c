/* SPDX-License-Identifier: MIT */
/* Parser of one perf record of a tracepoint session (see tp_record.h). */
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#include "instruments/tp_record.h"

/* Unaligned-safe little helpers: the buffer may be a bounce copy. */
static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#define HDR_SIZE sizeof(struct perf_event_header)
/* pid, tid, time, raw_size */
#define SAMPLE_FIXED (HDR_SIZE + 4 + 4 + 8 + 4)

int tp_record_parse(const void *buf, size_t len, struct tp_record *r, char *err, size_t errlen)
{
	const uint8_t *p = buf;
	struct perf_event_header h;

	memset(r, 0, sizeof(*r));
	if (len < HDR_SIZE) {
		snprintf(err, errlen, "truncated record: %zu bytes, header needs %zu", len, HDR_SIZE);
		return -1;
	}
	memcpy(&h, p, sizeof(h));
	r->type = h.type;
	r->size = h.size;
	if (h.size < HDR_SIZE) {
		snprintf(err, errlen, "record size %u is smaller than its header", h.size);
		return -1;
	}
	if (h.size > len) {
		snprintf(err, errlen, "truncated record: size %u, only %zu bytes", h.size, len);
		return -1;
	}

	switch (h.type) {
	case PERF_RECORD_SAMPLE:
		if (h.size < SAMPLE_FIXED) {
			snprintf(err, errlen, "sample of %u bytes, shorter than its fixed part (%zu)",
				 h.size, SAMPLE_FIXED);
			return -1;
		}
		r->kind = TP_REC_SAMPLE;
		r->pid = get32(p + HDR_SIZE);
		r->tid = get32(p + HDR_SIZE + 4);
		r->time = get64(p + HDR_SIZE + 8);
		r->raw_size = get32(p + HDR_SIZE + 16);
		if (r->raw_size > h.size - SAMPLE_FIXED) {
			snprintf(err, errlen, "raw_size %u runs past the record (%zu bytes left)",
				 r->raw_size, h.size - SAMPLE_FIXED);
			return -1;
		}
		if (r->raw_size < 2) {
			snprintf(err, errlen, "raw data of %u bytes has no common_type", r->raw_size);
			return -1;
		}
		r->raw = p + SAMPLE_FIXED;
		r->event_id = get16(r->raw);
		return 0;
	case PERF_RECORD_LOST:	/* u64 id, u64 lost */
		if (h.size < HDR_SIZE + 16) {
			snprintf(err, errlen, "LOST record of %u bytes (needs %zu)", h.size, HDR_SIZE + 16);
			return -1;
		}
		r->kind = TP_REC_LOST;
		r->lost = get64(p + HDR_SIZE + 8);
		return 0;
	case PERF_RECORD_LOST_SAMPLES:	/* u64 lost */
		if (h.size < HDR_SIZE + 8) {
			snprintf(err, errlen, "LOST_SAMPLES record of %u bytes (needs %zu)", h.size,
				 HDR_SIZE + 8);
			return -1;
		}
		r->kind = TP_REC_LOST;
		r->lost = get64(p + HDR_SIZE);
		return 0;
	default:
		r->kind = TP_REC_OTHER;
		return 0;
	}
}

int tp_record_u64(const struct tp_record *r, const struct tp_field *f, uint64_t *out)
{
	const uint8_t *p;

	if (r->kind != TP_REC_SAMPLE || !r->raw || !f)
		return -1;
	if ((uint64_t)f->offset + f->size > r->raw_size)
		return -1;
	if (f->array && !f->data_loc)
		return -1;
	p = r->raw + f->offset;
	switch (f->size) {
	case 1:
		*out = f->is_signed ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
		return 0;
	case 2:
		*out = f->is_signed ? (uint64_t)(int64_t)(int16_t)get16(p) : get16(p);
		return 0;
	case 4:
		*out = f->is_signed && !f->data_loc ? (uint64_t)(int64_t)(int32_t)get32(p) : get32(p);
		return 0;
	case 8:
		*out = get64(p);
		return 0;
	default:
		return -1;
	}
}
