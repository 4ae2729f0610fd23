/* SPDX-License-Identifier: MIT */
/*
 * Where payloads live: a bare name means payloads/NAME.elf beside this binary,
 * else ../lib/exitlab/payloads/NAME.elf from it (an installed exitlab), else
 * build/payloads/NAME.elf from the working directory; a path is taken as it is.
 */
#ifndef EXITLAB_PAYLOAD_PATH_H
#define EXITLAB_PAYLOAD_PATH_H

#include <stddef.h>

/* The payload directory; 0, or -1 if neither place exists (buf holds the last tried). */
int payload_dir(char *buf, size_t len);
/* PAYLOAD (a name or a path) to a readable file; 0, or -1 (path holds what was tried). */
int payload_resolve(const char *arg, char *path, size_t len);
/*
 * A payload file read whole: a regular file of at most max_mib MiB (opened
 * as input_file.h does: a FIFO is refused, never waited on). The
 * buffer (free() it) and its length, or NULL with err naming the path.
 */
void *payload_read(const char *path, size_t max_mib, size_t *len, char *err, size_t errlen);

#endif
