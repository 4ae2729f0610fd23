/* SPDX-License-Identifier: MIT */
/*
 * Write a file so that readers see the old content or the new, never a part:
 * a temp file in the same directory, fsync, rename, fsync of the directory.
 * Missing parent directories are created; the file is mode 0644.
 */
#ifndef EXITLAB_ATOMIC_FILE_H
#define EXITLAB_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* 0, or -1 with err naming the step that failed. */
int atomic_write_text(const char *path, const char *text, char *err, size_t errlen);

/*
 * The same for a file written bit by bit: `f` writes to the temp file, which
 * becomes `path` only at atomic_file_commit; atomic_file_abort (or a failed
 * commit) removes it, so a failure leaves nothing half-written at `path`.
 */
struct atomic_file {
	FILE *f;
	char *path, *tmp, *dir;
};

/* 0, or -1 with err (parents created as for atomic_write_text). */
int atomic_file_open(struct atomic_file *af, const char *path, char *err, size_t errlen);
/* Flush, fsync, rename over path. 0, or -1 with err and the temp file removed. */
int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen);
/* Drop what was written; a no-op on a file never opened or already committed. */
void atomic_file_abort(struct atomic_file *af);

#endif
