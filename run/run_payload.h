/* SPDX-License-Identifier: MIT */
/*
 * The payload of `exitlab run`, read and checked before anything runs: found
 * (a name or a path), read, no output file over it, its ELF valid for low RAM
 * (under exitlab's own VMM), and what it declares (its catalogue) agreeing
 * with --test and --param. Anything wrong is bad input, reported on stderr.
 */
#ifndef EXITLAB_RUN_PAYLOAD_H
#define EXITLAB_RUN_PAYLOAD_H

#include <limits.h>
#include <stddef.h>

#include "run/run_opts.h"
#include "util/outcome.h"
#include "vmm/catalogue.h"
#include "vmm/elf.h"
#include "vmm/linux_bzimage.h"

struct run_payload {
	char path[PATH_MAX];
	void *image;
	size_t len;
	struct elf_image elf;     /* not parsed under a peer VMM (it loads the image itself) */
	struct catalogue cat;     /* none for a Linux guest (cat.present false) */
	/* PAYLOAD "linux": path, image and len are the kernel's (run/run_linux.c) */
	bool is_linux;
	struct bzimage bz;
	void *initrd;
	size_t initrd_len;
};

/* OK, or BAD_INPUT (reported). p is always initialized: run_payload_close it. */
enum outcome run_payload_open(struct run_payload *p, const struct run_opts *o);
void run_payload_close(struct run_payload *p);

#endif
