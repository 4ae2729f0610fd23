/* SPDX-License-Identifier: MIT */
/*
 * The bench protocol's transport from Linux userspace
 * (include/exitlab/linux_guest.h): the mailbox page and the sample buffer
 * mapped from /dev/mem, the doorbell an `outl` after iopl(3).  Unmeasured
 * (no key on the command line) there is no mailbox and the buffer is plain
 * memory, so that the workloads run the same way on any Linux box.
 */
#ifndef LG_TRANSPORT_H
#define LG_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "exitlab/bench_proto.h"
#include "linux-guest/cmdline.h"

struct lg_bench;

/* Rings the doorbell with cmd; the reply is then in the mailbox.  Tests put a fake VMM here. */
typedef void (*lg_doorbell_fn)(struct lg_bench *b, uint32_t cmd);

struct lg_bench {
	struct bench_mailbox *mb; /* NULL: unmeasured */
	uint16_t port;
	lg_doorbell_fn doorbell;
	void *opaque;             /* for a fake doorbell */
	int port_fd;              /* the com2 doorbell's /dev/port, open while mapped (else unused) */
	uint64_t *buf;            /* the sample buffer, mapped (or allocated when unmeasured) */
	uint64_t buf_gpa;         /* its guest-physical address (0 when unmeasured) */
	uint64_t buf_len;         /* bytes */
};

/* Map the mailbox and the buffer of loc from fd (/dev/mem, or a file standing in for it). 0 or -1. */
int lg_transport_map(struct lg_bench *b, int fd, const struct lg_bench_loc *loc, lg_doorbell_fn doorbell,
		     char *err, size_t errlen);
/* The real thing: /dev/mem, iopl(3), the outl doorbell. 0 or -1 with err. */
int lg_transport_open(struct lg_bench *b, const struct lg_bench_loc *loc, char *err, size_t errlen);
/* No VMM: a heap buffer of LINUX_BENCH_BUF_LEN bytes, no mailbox. 0 or -1. */
int lg_transport_unmeasured(struct lg_bench *b);
void lg_transport_close(struct lg_bench *b);

static inline int lg_measured(const struct lg_bench *b)
{
	return b->mb != NULL;
}

/* Fill the mailbox with cmd and body, ring, return the VMM's reply (BENCH_REPLY_OK unmeasured). */
int32_t lg_send(struct lg_bench *b, uint16_t cmd, const void *body, uint32_t len);

/* The guest-physical address of p, a pointer into the buffer. */
uint64_t lg_gpa(const struct lg_bench *b, const void *p);

#endif
