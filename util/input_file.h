/* SPDX-License-Identifier: MIT */
/*
 * Input files as exitlab reads them (payload ELFs, results JSON, manifests,
 * campaign files): opened without blocking, so that a FIFO or a device named
 * where a file is expected fails at once with "PATH: not a regular file"
 * instead of stalling open() or the read, and only a regular file accepted.
 */
#ifndef EXITLAB_INPUT_FILE_H
#define EXITLAB_INPUT_FILE_H

#include <stdio.h>
#include <sys/stat.h>

#include <jansson.h>

/*
 * A read-only descriptor of the regular file path (its stat in *st if st), or
 * -1 with errno set and the reason (strerror, or "not a regular file") in
 * why, without the path.
 */
int input_file_open(const char *path, struct stat *st, char *why, size_t whylen);
/* The same as a stdio stream for reading, or NULL. */
FILE *input_file_fopen(const char *path, char *why, size_t whylen);
/*
 * json_load_file for an input file: on a file that cannot be opened or is
 * not a regular file, NULL with je->line -1 and the reason (without the path)
 * in je->text, as jansson reports a file it cannot open.
 */
json_t *input_file_json(const char *path, size_t flags, json_error_t *je);
/*
 * Whether out names the same file as in (same device and inode): an output
 * that does not exist yet is none of the inputs.
 */
int input_file_same(const char *out, const char *in);

#endif
