// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux-guest/params.h"

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int value_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_.:+,-", c) != NULL;
}

int lg_param_add(struct lg_params *p, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	size_t klen;

	if (!eq || eq == kv || !eq[1]) {
		snprintf(err, errlen, "--param %s: want key=value", kv);
		return -1;
	}
	klen = (size_t)(eq - kv);
	for (size_t i = 0; i < klen; i++)
		if (!key_char(kv[i])) {
			snprintf(err, errlen, "--param %s: a key is [a-z0-9_]+", kv);
			return -1;
		}
	for (int i = 0; i < p->n; i++)
		if (strlen(p->key[i]) == klen && !memcmp(p->key[i], kv, klen)) {
			char *v = strdup(eq + 1);

			if (!v)
				goto oom;
			free(p->val[i]);
			p->val[i] = v;
			return 0;
		}
	if (p->n == LG_PARAMS_MAX) {
		snprintf(err, errlen, "--param %s: more than %d parameters", kv, LG_PARAMS_MAX);
		return -1;
	}
	p->key[p->n] = strndup(kv, klen);
	p->val[p->n] = strdup(eq + 1);
	if (!p->key[p->n] || !p->val[p->n]) {
		free(p->key[p->n]);
		free(p->val[p->n]);
		goto oom;
	}
	p->n++;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

const char *lg_param_str(const struct lg_params *p, const char *key, const char *def)
{
	for (int i = 0; p && i < p->n; i++)
		if (!strcmp(p->key[i], key))
			return p->val[i];
	return def;
}

int lg_parse_u64(const char *text, uint64_t *v)
{
	char *end;
	unsigned long long x;
	int shift = 0;

	if (!text || !*text || *text == '-' || *text == '+' || *text == ' ')
		return -1;
	x = strtoull(text, &end, 0);
	if (end == text)
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && x > (~0ull >> shift)))
		return -1;
	*v = (uint64_t)x << shift;
	return 0;
}

uint64_t lg_param_u64(const struct lg_params *p, const char *key, uint64_t def)
{
	uint64_t v;

	return lg_parse_u64(lg_param_str(p, key, NULL), &v) ? def : v;
}

int lg_key_known(const struct lg_key *keys, const char *key)
{
	for (; keys && keys->key; keys++)
		if (!strcmp(keys->key, key))
			return 1;
	return 0;
}

int lg_param_check(const struct lg_params *p, const struct lg_key *keys, char *err, size_t errlen)
{
	for (; keys && keys->key; keys++) {
		const char *v = lg_param_str(p, keys->key, NULL);
		uint64_t x;

		if (v && keys->type == 'u' && lg_parse_u64(v, &x)) {
			snprintf(err, errlen, "--param %s=%s: not a number", keys->key, v);
			return -1;
		}
	}
	return 0;
}

void lg_params_free(struct lg_params *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->key[i]);
		free(p->val[i]);
	}
	p->n = 0;
}

void lg_kv_add(char *buf, size_t cap, const char *key, const char *fmt, ...)
{
	char val[128];
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	for (char *c = val; *c; c++)
		if (!value_char(*c))
			*c = '_';
	if (!*val)
		snprintf(val, sizeof(val), "none");
	/* A pair that does not fit whole is left out: the list stays well-formed. */
	if (len + strlen(key) + strlen(val) + 3 <= cap)
		snprintf(buf + len, cap - len, "%s%s=%s", len ? " " : "", key, val);
}
