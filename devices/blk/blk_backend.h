/* SPDX-License-Identifier: MIT */
/*
 * The storage behind virtio-blk: a raw image file, read-only or writable,
 * accessed with pread/pwrite (and fdatasync for flush).
 */
#ifndef EXITLAB_BLK_BACKEND_H
#define EXITLAB_BLK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/outcome.h"

struct blk_backend {
	int fd;
	uint64_t size;            /* bytes, a multiple of 512 (a tail is ignored) */
	bool read_only;
	uint64_t reads, writes, flushes, read_bytes, write_bytes, errors;
	char path[256];           /* for the diagnostic of a failed transfer (truncated) */
	bool io_error_noted;      /* that diagnostic is printed once */
};

/*
 * Open path; read_only or not. OUTCOME_OK, or with err: OUTCOME_BAD_INPUT (no such
 * file, not a file or disk, under one sector), OUTCOME_NO_HOST (permission).
 */
enum outcome blk_backend_open(struct blk_backend *b, const char *path, bool read_only, char *err, size_t errlen);
void blk_backend_close(struct blk_backend *b);
/* I/O at a byte offset; offset + length must lie inside the image. 0 or -errno (-EROFS, -EINVAL). */
int blk_backend_readv(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n);
int blk_backend_writev(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n);
int blk_backend_flush(struct blk_backend *b);

#endif
