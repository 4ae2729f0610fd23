/* SPDX-License-Identifier: MIT */
/*
 * Where the running binary lives: build/ in the source tree, PREFIX/bin when
 * installed.  Files that ship with it (payloads, the payload kit) are found
 * from there, so that an installed exitlab needs no source tree.
 */
#ifndef EXITLAB_SELF_EXE_H
#define EXITLAB_SELF_EXE_H

#include <stddef.h>

/* The directory of /proc/self/exe into buf; 0, or -1 if it cannot be read or does not fit. */
int self_exe_dir(char *buf, size_t len);
/* Its parent (PREFIX for PREFIX/bin/exitlab); 0, or -1 as above. */
int self_exe_prefix(char *buf, size_t len);

#endif
