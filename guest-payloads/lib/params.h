/* SPDX-License-Identifier: MIT */
/*
 * The payload's --param text (boot_info.params_gpa: "key=value key=value",
 * validated by the VMM). Sizes take k/m/g suffixes (powers of 1024).
 */
#ifndef GUEST_PARAMS_H
#define GUEST_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "exitlab/boot_abi.h"

/* Copy the value of key into buf (NUL-terminated); 1 if present, 0 if not. */
int param_str(const struct boot_info *bi, const char *key, char *buf, size_t len);
/* A number with an optional k/m/g suffix; def if absent or malformed. */
uint64_t param_size(const struct boot_info *bi, const char *key, uint64_t def);
/* Parse "4k" / "2m" / "1g" / "4096"; 0 on success. */
int param_parse_size(const char *s, size_t len, uint64_t *out);
/* Parse a comma-separated list of sizes into out[0..max); returns the count, -1 if malformed. */
int param_parse_size_list(const char *s, uint64_t *out, int max);

#endif
