/* SPDX-License-Identifier: MIT */
/*
 * tracefs: where it is, an event's id, and its format file.  The format
 * parser is pure (text in, fields out) so it can be tested on recorded files
 * and fuzzed without a kernel.
 */
#ifndef EXITLAB_TRACEFS_H
#define EXITLAB_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TP_NAME_MAX 64
#define TP_FORMAT_MAX_FIELDS 64

struct tp_field {
	char name[TP_NAME_MAX];
	uint32_t offset;         /* in the raw record, from common_type */
	uint32_t size;           /* bytes; whole array for arrays */
	bool is_signed;
	bool data_loc;           /* __data_loc: a u32 (len << 16 | offset) */
	bool array;              /* "name[N]" */
};

struct tp_format {
	char name[TP_NAME_MAX];  /* "kvm_pio"; "" if the text had no name line */
	int id;                  /* -1 if the text had no ID line */
	size_t nfields;          /* common_* fields included */
	struct tp_field fields[TP_FORMAT_MAX_FIELDS];
};

/*
 * The tracefs root ("/sys/kernel/tracing"), found once and cached: the
 * standard mount, mounted there if we are root and it is absent, else the
 * debugfs path.  0, or -1 with err saying what was tried and why it failed.
 */
int tracefs_root(char *buf, size_t len, char *err, size_t errlen);
/* Event id of system:event (events/SYSTEM/EVENT/id). -1 with err. */
int tracefs_event_id(const char *system, const char *event, char *err, size_t errlen);
/* Read and parse events/SYSTEM/EVENT/format. 0, or -1 with err. */
int tracefs_event_format(const char *system, const char *event, struct tp_format *out,
			 char *err, size_t errlen);
/* Split "kvm:kvm_pio" (or "kvm/kvm_pio") into its parts. 0, or -1 if malformed. */
int tracefs_split_name(const char *full, char *system, size_t syslen, char *event, size_t evlen);

/* Parse the text of a format file. Pure. 0, or -1 with err naming the line. */
int tracefs_format_parse(const char *text, struct tp_format *out, char *err, size_t errlen);
/* A field by name, or NULL. */
const struct tp_field *tp_format_field(const struct tp_format *fmt, const char *name);

#endif
