/* SPDX-License-Identifier: MIT */
/*
 * `exitlab new-payload`: a payload of one's own, outside exitlab's tree.  It
 * writes a directory with a Makefile that includes the installed payload kit
 * (PREFIX/share/exitlab/payload.mk, from `make install`), a main.c in the
 * table-driven form of guest-payloads/exit-costs/main.c with one example test,
 * and a README saying how to build and run it.  Nothing written names the
 * source tree: only the install prefix, or pkg-config's exitlab-guest.
 */
#ifndef EXITLAB_PAYLOAD_KIT_H
#define EXITLAB_PAYLOAD_KIT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/outcome.h"

/* The longest payload name: what bench_hello and the catalogue carry (BENCH_NAME_MAX - 1). */
#define PAYLOAD_KIT_NAME_MAX 31

struct payload_kit_opts {
	const char *name;   /* [a-z0-9_-]+, at most PAYLOAD_KIT_NAME_MAX */
	const char *dir;    /* where to write it; NULL: ./NAME */
	const char *prefix; /* the kit's install prefix; NULL: this binary's, if the kit is there */
};

/* Whether name is a payload name new-payload accepts. */
bool payload_kit_name_ok(const char *name);

/*
 * Write the scaffold.  OK; BAD_INPUT for a bad name or prefix, or a DIR that
 * exists and is not an empty directory; FAILED if a file cannot be written.
 * err says why (not OK); note says what the user should know on success
 * (e.g. that no kit is installed at the prefix yet), else empty.  The
 * directory written goes into dir_out.
 */
enum outcome payload_kit_new(const struct payload_kit_opts *o, char *dir_out, size_t dirlen,
			     char *err, size_t errlen, char *note, size_t notelen);

#endif
