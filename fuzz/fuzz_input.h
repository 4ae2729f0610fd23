/* SPDX-License-Identifier: MIT */
/*
 * Reading a fuzzer's input as a sequence of typed values: each harness turns
 * the bytes into accesses (register writes, ring contents, messages).  Reads
 * past the end return zeros, so every input is a valid sequence and the
 * fuzzer never wastes executions on a length check.
 */
#ifndef EXITLAB_FUZZ_INPUT_H
#define EXITLAB_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

static inline size_t fuzz_left(const struct fuzz_input *in)
{
	return in->n;
}

/* Copy up to len bytes into dst, zero-filling what the input lacks. */
static inline void fuzz_bytes(struct fuzz_input *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	uint64_t v;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

/* A value in [0, n) (n > 0): the modulo bias does not matter to a fuzzer. */
static inline uint32_t fuzz_below(struct fuzz_input *in, uint32_t n)
{
	return fuzz_u32(in) % n;
}

/* The next len bytes in place (fewer if the input ends): *got says how many. */
static inline const uint8_t *fuzz_take(struct fuzz_input *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	*got = len < in->n ? len : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

#endif
