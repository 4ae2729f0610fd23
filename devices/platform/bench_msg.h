/* SPDX-License-Identifier: MIT */
/*
 * Validation of bench-protocol messages (include/exitlab/bench_proto.h).
 * Pure: callable without a VM, so the parser can be unit-tested and fuzzed.
 */
#ifndef EXITLAB_BENCH_PROTO_PARSE_H
#define EXITLAB_BENCH_PROTO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "exitlab/bench_proto.h"

struct bench_msg {
	enum bench_cmd cmd;
	union {
		struct bench_hello hello;
		struct bench_test_begin begin;
		struct bench_phase_end phase_end;
		struct bench_overhead overhead;
		struct bench_test_end test_end;
		struct bench_exception exc;
		struct bench_done done;
		struct bench_request req;
		char log[BENCH_BODY_MAX];
	} u;
};

/*
 * Parse a private copy of the mailbox rung with doorbell value `doorbell`.
 * Every field is checked: magic, version, command, body length for the
 * command, NUL-terminated printable strings, enum ranges. 0, or -1 with err.
 */
int bench_msg_parse(const struct bench_mailbox *mb, uint32_t doorbell, struct bench_msg *out,
		    char *err, size_t errlen);

const char *bench_cmd_name(unsigned cmd);

/*
 * Validate a key-value list ("k=v k2=v2", keys [a-z0-9_]+, values
 * [A-Za-z0-9_.:+,-]+, NUL within max, at most BENCH_KV_PAIRS pairs). 0 or -1.
 */
#define BENCH_KV_PAIRS 16
int bench_kv_check(const char *s, size_t max, const char *what, char *err, size_t errlen);
/* Call fn for each pair of a checked list; key and value are NUL-terminated copies. */
void bench_kv_foreach(const char *s, void (*fn)(void *opaque, const char *key, const char *value),
		      void *opaque);

#endif
