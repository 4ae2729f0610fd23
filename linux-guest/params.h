/* SPDX-License-Identifier: MIT */
/*
 * --param key=value settings for the workloads, and the key=value lists
 * (TEST_BEGIN params, TEST_END metrics) built from them: keys [a-z0-9_]+,
 * values [A-Za-z0-9_.:+,-]+ (docs/bench-protocol.md).
 */
#ifndef LG_PARAMS_H
#define LG_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define LG_PARAMS_MAX 32

struct lg_params {
	int n;
	char *key[LG_PARAMS_MAX], *val[LG_PARAMS_MAX];
};

/* A key a workload reads: 'u' an unsigned number (decimal, 0x hex, k/M/G suffix), 's' text. */
struct lg_key {
	const char *key;
	char type;
	const char *help;
};

/* Add "key=value" (a later one replaces an earlier). 0, or -1 with err. */
int lg_param_add(struct lg_params *p, const char *kv, char *err, size_t errlen);
const char *lg_param_str(const struct lg_params *p, const char *key, const char *def);
/* The number under key (checked beforehand by lg_param_check), or def. */
uint64_t lg_param_u64(const struct lg_params *p, const char *key, uint64_t def);
/* 0 if text is a number lg_param_u64 reads. */
int lg_parse_u64(const char *text, uint64_t *v);
/* Every key in keys (NULL-terminated by .key) that p sets must parse as its type. 0 or -1 with err. */
int lg_param_check(const struct lg_params *p, const struct lg_key *keys, char *err, size_t errlen);
/* 1 if keys names key. */
int lg_key_known(const struct lg_key *keys, const char *key);
void lg_params_free(struct lg_params *p);

/*
 * Append " key=value" to the list in buf (cap bytes), the value printf-formatted;
 * characters a value may not hold become '_' (a path's slashes, say).
 */
void lg_kv_add(char *buf, size_t cap, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
