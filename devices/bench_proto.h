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
		struct bench_test_end test_end;
		struct bench_exception exc;
		struct bench_done done;
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

#endif
