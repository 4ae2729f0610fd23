/* SPDX-License-Identifier: MIT */
/*
 * One perf ring-buffer record of a tracepoint session, parsed.  Samples are
 * opened with sample_type = TID | TIME | RAW, so a PERF_RECORD_SAMPLE is
 *   header, u32 pid, u32 tid, u64 time, u32 raw_size, raw[raw_size]
 * and raw starts with the tracepoint's common_type, the event id.  Records
 * are hostile input: every length is checked against the bytes we have.
 */
#ifndef EXITLAB_TP_RECORD_H
#define EXITLAB_TP_RECORD_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

#include "instruments/tracefs.h"

#define TP_SAMPLE_TYPE (PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW)

enum tp_record_kind {
	TP_REC_SAMPLE,	/* a tracepoint hit */
	TP_REC_LOST,	/* the kernel dropped `lost` records (ring full) */
	TP_REC_OTHER,	/* another record type: skip it (size is valid) */
};

struct tp_record {
	enum tp_record_kind kind;
	uint32_t type;		/* perf_event_header.type */
	uint32_t size;		/* perf_event_header.size: bytes to skip */
	uint32_t pid, tid;
	uint64_t time;		/* ns, perf's clock */
	uint16_t event_id;	/* common_type */
	uint32_t raw_size;
	const uint8_t *raw;	/* points into the parsed buffer */
	uint64_t lost;
};

/*
 * Parse the record at buf, of which len bytes are readable (the record's own
 * size must fit in them).  0 with *r filled, or -1 with err if malformed.
 */
int tp_record_parse(const void *buf, size_t len, struct tp_record *r, char *err, size_t errlen);

/*
 * A field of a sample as a u64 (signed fields sign-extended; a __data_loc
 * field gives its u32 descriptor).  0, or -1 if the field lies past raw_size
 * or is not a 1/2/4/8-byte scalar.
 */
int tp_record_u64(const struct tp_record *r, const struct tp_field *f, uint64_t *out);

#endif
