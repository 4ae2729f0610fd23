/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "devices/platform/bench_msg.h"

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
	[BENCH_REQUEST] = { "REQUEST", sizeof(struct bench_request) },
	[BENCH_OVERHEAD] = { "OVERHEAD", sizeof(struct bench_overhead) },
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

static bool kv_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool kv_value_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '+' || c == '-' || c == ',';
}

int bench_kv_check(const char *s, size_t max, const char *what, char *err, size_t errlen)
{
	size_t n = strnlen(s, max), i = 0, pairs = 0;

	if (n == max) {
		snprintf(err, errlen, "%s is not NUL-terminated within %zu bytes", what, max);
		return -1;
	}
	while (i < n) {
		size_t k = i, v;

		while (i < n && kv_key_char(s[i]))
			i++;
		if (i == k || i >= n || s[i] != '=') {
			snprintf(err, errlen, "%s: expected key= at byte %zu", what, k);
			return -1;
		}
		v = ++i;
		while (i < n && kv_value_char(s[i]))
			i++;
		if (i == v || (i < n && s[i] != ' ')) {
			snprintf(err, errlen, "%s: bad value at byte %zu", what, v);
			return -1;
		}
		if (++pairs > BENCH_KV_PAIRS) {
			snprintf(err, errlen, "%s: more than %d pairs", what, BENCH_KV_PAIRS);
			return -1;
		}
		if (i < n)
			i++; /* the single space between pairs */
		if (i == n && s[n - 1] == ' ') {
			snprintf(err, errlen, "%s: trailing space", what);
			return -1;
		}
	}
	return 0;
}

void bench_kv_foreach(const char *s, void (*fn)(void *opaque, const char *key, const char *value),
		      void *opaque)
{
	char key[BENCH_KV_MAX], value[BENCH_KV_MAX];

	while (*s) {
		const char *eq = strchr(s, '='), *end;

		if (!eq)
			return;
		end = strchr(eq, ' ');
		if (!end)
			end = eq + strlen(eq);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
		snprintf(value, sizeof(value), "%.*s", (int)(end - eq - 1), eq + 1);
		fn(opaque, key, value);
		s = *end ? end + 1 : end;
	}
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
	if (h->version < BENCH_VERSION_MIN || h->version > BENCH_VERSION) {
		snprintf(err, errlen, "bench protocol version %u, this VMM speaks %u..%u", h->version,
			 BENCH_VERSION_MIN, BENCH_VERSION);
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
	if (h->cmd == BENCH_OVERHEAD && h->version < 3) {
		snprintf(err, errlen, "OVERHEAD needs bench protocol version 3, the mailbox says %u",
			 h->version);
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
		return bench_kv_check(out->u.begin.params, BENCH_KV_MAX, "TEST_BEGIN params", err, errlen);
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
	case BENCH_OVERHEAD: {
		const struct bench_overhead *o = &out->u.overhead;

		if (o->nbefore == 0 || o->nbefore > BENCH_OVERHEAD_MAX || o->nafter > BENCH_OVERHEAD_MAX) {
			snprintf(err, errlen, "OVERHEAD: %llu samples before, %llu after: need 1..%u before, "
				 "at most %u after", (unsigned long long)o->nbefore,
				 (unsigned long long)o->nafter, BENCH_OVERHEAD_MAX, BENCH_OVERHEAD_MAX);
			return -1;
		}
		return 0;
	}
	case BENCH_TEST_END:
		if (out->u.test_end.status > BENCH_STATUS_FAILED) {
			snprintf(err, errlen, "TEST_END: unknown status %u", out->u.test_end.status);
			return -1;
		}
		if (check_text(out->u.test_end.reason, BENCH_REASON_MAX, "TEST_END reason", err, errlen))
			return -1;
		return bench_kv_check(out->u.test_end.metrics, BENCH_KV_MAX, "TEST_END metrics", err, errlen);
	case BENCH_REQUEST:
		if (out->u.req.op < BENCH_REQ_DIRTY_LOG_START || out->u.req.op > BENCH_REQ_DISCARD) {
			snprintf(err, errlen, "REQUEST: unknown operation %u", out->u.req.op);
			return -1;
		}
		return 0;
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
