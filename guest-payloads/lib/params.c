// SPDX-License-Identifier: MIT
#include "guest_bench.h"
#include "guest_catalogue.h"
#include "params.h"
#include "runtime.h"
#include "string.h"

static const char *params_text(const struct boot_info *bi)
{
	const char *t = (const char *)bi->params_gpa;

	if (!bi->params_gpa || bi->params_len >= BOOT_PARAMS_MAX || t[bi->params_len])
		return "";
	return t;
}

int param_str(const struct boot_info *bi, const char *key, char *buf, size_t len)
{
	const char *p = params_text(bi);
	size_t klen = strlen(key);

	/* The host checks --param against the catalogue: an undeclared read is a payload bug. */
	if (!catalogue_find(CATALOGUE_PARAM, key)) {
		bench_log("payload bug: --param '%s' read but not declared with PARAM()", key);
		runtime_exit(1);
	}
	while (*p) {
		const char *end = p;

		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
			size_t n = (size_t)(end - p) - klen - 1;

			if (n >= len)
				n = len - 1;
			memcpy(buf, p + klen + 1, n);
			buf[n] = 0;
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int param_parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (!len)
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < len) {
		unsigned shift;

		switch (s[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		if (i + 1 != len || v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	*out = v;
	return 0;
}

uint64_t param_size(const struct boot_info *bi, const char *key, uint64_t def)
{
	char buf[64];
	uint64_t v;

	if (!param_str(bi, key, buf, sizeof(buf)) || param_parse_size(buf, strlen(buf), &v))
		return def;
	return v;
}

int param_parse_size_list(const char *s, uint64_t *out, int max)
{
	int n = 0;

	while (*s) {
		const char *end = s;

		while (*end && *end != ',')
			end++;
		if (n >= max || param_parse_size(s, (size_t)(end - s), &out[n]))
			return -1;
		n++;
		s = *end ? end + 1 : end;
	}
	return n;
}
