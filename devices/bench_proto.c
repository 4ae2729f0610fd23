/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "bench_proto.h"

static const struct {
	const char *name;
	size_t body; /* exact body size; 0 = none; SIZE_MAX = variable (LOG) */
} cmds[BENCH_CMD_MAX_] = {
	[BENCH_HELLO] = { "HELLO", sizeof(struct bench_hello) },
	[BENCH_TEST_BEGIN] = { "TEST_BEGIN", sizeof(struct bench_test_begin) },
	[BENCH_PHASE_BEGIN] = { "PHASE_BEGIN", 0 },
	[BENCH_PHASE_END] = { "PHASE_END", sizeof(struct bench_phase_end) },
	[BENCH_TEST_END] = { "TEST_END", sizeof(struct bench_test_end) },
	[BENCH_LOG] = { "LOG", SIZE_MAX },
	[BENCH_EXCEPTION] = { "EXCEPTION", sizeof(struct bench_exception) },
	[BENCH_DONE] = { "DONE", sizeof(struct bench_done) },
};

const char *bench_cmd_name(unsigned cmd)
{
	if (cmd > 0 && cmd < BENCH_CMD_MAX_ && cmds[cmd].name)
		return cmds[cmd].name;
	return "?";
}

/* A name: NUL-terminated within max, non-empty, [A-Za-z0-9_.-] only (it ends up in file names and JSON keys). */
static int check_name(const char *s, size_t max, const char *what, char *err, size_t errlen)
{
	size_t n = strnlen(s, max);

	if (n == max) {
		snprintf(err, errlen, "%s is not NUL-terminated within %zu bytes", what, max);
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s is empty", what);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.')) {
			snprintf(err, errlen, "%s has a forbidden character 0x%02x at %zu", what,
				 (unsigned char)c, i);
			return -1;
		}
	}
	return 0;
}

/* Free text: NUL-terminated within max; control characters become '?'. */
static int check_text(char *s, size_t max, const char *what, char *err, size_t errlen)
{
	size_t n = strnlen(s, max);

	if (n == max) {
		snprintf(err, errlen, "%s is not NUL-terminated within %zu bytes", what, max);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			s[i] = '?';
		else if ((unsigned char)s[i] >= 0x7f)
			s[i] = '?';
	return 0;
}

int bench_msg_parse(const struct bench_mailbox *mb, uint32_t doorbell, struct bench_msg *out,
		    char *err, size_t errlen)
{
	const struct bench_mailbox_hdr *h = &mb->hdr;

	memset(out, 0, sizeof(*out));
	if (h->magic != BENCH_MAGIC) {
		snprintf(err, errlen, "bad mailbox magic 0x%08x", h->magic);
		return -1;
	}
	if (h->version != BENCH_VERSION) {
		snprintf(err, errlen, "bench protocol version %u, this VMM speaks %u", h->version,
			 BENCH_VERSION);
		return -1;
	}
	if (h->cmd == 0 || h->cmd >= BENCH_CMD_MAX_ || !cmds[h->cmd].name) {
		snprintf(err, errlen, "unknown command %u", h->cmd);
		return -1;
	}
	if (doorbell != h->cmd) {
		snprintf(err, errlen, "doorbell value %u does not match mailbox command %u", doorbell,
			 h->cmd);
		return -1;
	}
	if (h->len > BENCH_BODY_MAX) {
		snprintf(err, errlen, "%s: body length %u exceeds the mailbox (%zu)",
			 cmds[h->cmd].name, h->len, (size_t)BENCH_BODY_MAX);
		return -1;
	}
	if (cmds[h->cmd].body != SIZE_MAX && h->len != cmds[h->cmd].body) {
		snprintf(err, errlen, "%s: body length %u, expected %zu", cmds[h->cmd].name, h->len,
			 cmds[h->cmd].body);
		return -1;
	}
	out->cmd = h->cmd;
	memcpy(&out->u, mb->body, h->len);

	switch (out->cmd) {
	case BENCH_HELLO:
		return check_name(out->u.hello.payload, BENCH_NAME_MAX, "HELLO payload name", err, errlen);
	case BENCH_TEST_BEGIN:
		if (check_name(out->u.begin.name, BENCH_NAME_MAX, "TEST_BEGIN name", err, errlen))
			return -1;
		if (out->u.begin.ring != 0 && out->u.begin.ring != 3) {
			snprintf(err, errlen, "TEST_BEGIN %s: ring %u is not 0 or 3", out->u.begin.name,
				 out->u.begin.ring);
			return -1;
		}
		if (out->u.begin.flags & ~BENCH_TF_OVERHEAD) {
			snprintf(err, errlen, "TEST_BEGIN %s: unknown flags 0x%x", out->u.begin.name,
				 out->u.begin.flags);
			return -1;
		}
		return 0;
	case BENCH_PHASE_END: {
		const struct bench_phase_end *p = &out->u.phase_end;

		if (p->ops_per_sample == 0 || p->nsamples == 0 || p->iterations == 0) {
			snprintf(err, errlen, "PHASE_END: zero iterations, samples or ops per sample");
			return -1;
		}
		if (p->nsamples > (UINT64_MAX / 8) || p->iterations / p->ops_per_sample != p->nsamples) {
			snprintf(err, errlen,
				 "PHASE_END: %llu iterations != %llu samples x %llu ops per sample",
				 (unsigned long long)p->iterations, (unsigned long long)p->nsamples,
				 (unsigned long long)p->ops_per_sample);
			return -1;
		}
		if (p->iterations % p->ops_per_sample) {
			snprintf(err, errlen, "PHASE_END: iterations not a multiple of ops per sample");
			return -1;
		}
		return 0;
	}
	case BENCH_TEST_END:
		if (out->u.test_end.status > BENCH_STATUS_FAILED) {
			snprintf(err, errlen, "TEST_END: unknown status %u", out->u.test_end.status);
			return -1;
		}
		return check_text(out->u.test_end.reason, BENCH_REASON_MAX, "TEST_END reason", err, errlen);
	case BENCH_LOG:
		if (h->len == 0) {
			snprintf(err, errlen, "LOG: empty body");
			return -1;
		}
		return check_text(out->u.log, h->len, "LOG text", err, errlen);
	case BENCH_EXCEPTION:
		if (out->u.exc.vector > 255) {
			snprintf(err, errlen, "EXCEPTION: vector %llu > 255",
				 (unsigned long long)out->u.exc.vector);
			return -1;
		}
		return 0;
	case BENCH_PHASE_BEGIN:
	case BENCH_DONE:
		return 0;
	default:
		snprintf(err, errlen, "unknown command %u", h->cmd);
		return -1;
	}
}
