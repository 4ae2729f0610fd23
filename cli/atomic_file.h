/* SPDX-License-Identifier: MIT */
/*
 * Write a file so that readers see the old content or the new, never a part:
 * a temp file in the same directory, fsync, rename, fsync of the directory.
 * Missing parent directories are created; the file is mode 0644.
 */
#ifndef EXITLAB_ATOMIC_FILE_H
#define EXITLAB_ATOMIC_FILE_H

#include <stddef.h>

/* 0, or -1 with err naming the step that failed. */
int atomic_write_text(const char *path, const char *text, char *err, size_t errlen);

#endif
