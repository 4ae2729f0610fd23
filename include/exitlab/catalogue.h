/* SPDX-License-Identifier: MIT */
/*
 * The payload catalogue: what a payload declares about itself, in one place.
 * The guest emits these records into the ELF section CATALOGUE_SECTION (kept
 * by guest-payloads/lib/payload.ld); the host reads them from the ELF file
 * (vmm/catalogue.c) for `exitlab list`, for checking --test, --param and
 * campaign files, and for judging each result by its exit counts
 * (run/validity.c).  The guest harness runs from the same records, so the
 * host never keeps a copy of a payload's tests or parameters.
 *
 * Layout: a sequence of records, each starting with struct catalogue_hdr
 * whose size is the record's full size (the guest may append fields of its
 * own after the fixed part: struct measure_test does).  Records are 8-byte
 * aligned; zero words between them are padding.  Shared by host and guest:
 * fixed-width fields only.
 */
#ifndef EXITLAB_CATALOGUE_H
#define EXITLAB_CATALOGUE_H

#include <stdint.h>

#include "exitlab/bench_proto.h"

#define CATALOGUE_SECTION ".exitlab.catalogue"
#define CATALOGUE_MAGIC   0x474c5443u /* "CTLG" */
#define CATALOGUE_VERSION 1
#define CATALOGUE_HELP_MAX 96       /* one line, including the NUL */
#define CATALOGUE_VALUE_MAX 48      /* a parameter's default, including the NUL */

enum catalogue_kind {
	CATALOGUE_PAYLOAD = 1,      /* struct catalogue_payload: one per payload */
	CATALOGUE_TEST = 2,         /* struct catalogue_test (or a guest struct starting with one) */
	CATALOGUE_PARAM = 3,        /* struct catalogue_param */
};

struct catalogue_hdr {
	uint32_t magic;             /* CATALOGUE_MAGIC */
	uint16_t version;           /* CATALOGUE_VERSION */
	uint16_t kind;              /* enum catalogue_kind */
	uint32_t size;              /* bytes of this record, header included; a multiple of 8 */
	uint32_t pad;
};

struct catalogue_payload {
	struct catalogue_hdr hdr;
	char name[BENCH_NAME_MAX];  /* what bench_hello says */
	char help[CATALOGUE_HELP_MAX];
};

/* catalogue_test.expect: which expectations the test declares. */
#define CATALOGUE_EXPECT_EXITS (1u << 0) /* exits: KVM exits per operation */
#define CATALOGUE_EXPECT_USER  (1u << 1) /* user_exits: exits to the VMM per operation */

/* catalogue_test.flags */
#define CATALOGUE_TF_OVERHEAD (1u << 0) /* the loop overhead of its ring (BENCH_TF_OVERHEAD) */

struct catalogue_test {
	struct catalogue_hdr hdr;
	char name[BENCH_NAME_MAX];  /* as sent in BENCH_TEST_BEGIN */
	uint32_t rings;             /* BOOT_RING0 and/or BOOT_RING3 */
	uint32_t flags;             /* CATALOGUE_TF_* */
	uint32_t expect;            /* CATALOGUE_EXPECT_* */
	/*
	 * Per operation, on a hardware backend (VT-x, SVM): what the test
	 * measures.  Where a backend legitimately differs the host knows it
	 * (run/validity.c's table), not the payload.
	 */
	uint16_t exits;
	uint16_t user_exits;
	char help[CATALOGUE_HELP_MAX]; /* what it measures */
};

struct catalogue_param {
	struct catalogue_hdr hdr;
	char name[BENCH_NAME_MAX];  /* the --param key, [a-z0-9_]+ */
	char value[CATALOGUE_VALUE_MAX]; /* the default, as text ("" if it depends, see help) */
	char help[CATALOGUE_HELP_MAX];
};

_Static_assert(sizeof(struct catalogue_hdr) == 16, "catalogue_hdr layout");
_Static_assert(sizeof(struct catalogue_payload) % 8 == 0, "catalogue_payload size");
_Static_assert(sizeof(struct catalogue_test) % 8 == 0, "catalogue_test size");
_Static_assert(sizeof(struct catalogue_param) % 8 == 0, "catalogue_param size");

#define CATALOGUE_HDR(k, type) \
	{ .magic = CATALOGUE_MAGIC, .version = CATALOGUE_VERSION, .kind = (k), .size = sizeof(type) }

#endif
