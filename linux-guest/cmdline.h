/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line's exitlab.bench=[com2,]MAILBOX,PORT,BUF,LEN key
 * (include/exitlab/linux_guest.h): where the bench mailbox, the doorbell and
 * the sample buffer are, and how the doorbell rings.  Pure parsing, so that
 * it can be unit-tested.
 */
#ifndef LG_CMDLINE_H
#define LG_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

struct lg_bench_loc {
	uint64_t mailbox;  /* GPA of the one-page mailbox, page-aligned */
	uint16_t port;     /* doorbell port, nonzero */
	uint64_t buf;      /* GPA of the sample buffer, page-aligned */
	uint64_t len;      /* its length in bytes, a nonzero multiple of 8 */
	int com2;          /* "com2,": a byte to a UART's data port, reply polled in the mailbox */
};

/*
 * Find the key in a command line.  1: found and sound (*loc filled); 0: not
 * there; -1: there but malformed (why in err).
 */
int lg_cmdline_parse(const char *cmdline, struct lg_bench_loc *loc, char *err, size_t errlen);

/* The same for a file (/proc/cmdline); -1 also when it cannot be read. */
int lg_cmdline_read(const char *path, struct lg_bench_loc *loc, char *err, size_t errlen);

#endif
