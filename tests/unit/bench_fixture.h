/* SPDX-License-Identifier: MIT */
/*
 * What the bench device's unit tests share: the mailbox as the guest runtime
 * fills it, and guest RAM on the heap for a device built without a VM.
 */
#ifndef EXITLAB_TEST_BENCH_FIXTURE_H
#define EXITLAB_TEST_BENCH_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "devices/platform/bench.h"

/* A message in the mailbox: header, then len bytes of body (none if body is NULL). */
static inline void mb_init(struct bench_mailbox *mb, uint16_t cmd, const void *body, uint32_t len)
{
	memset(mb, 0, sizeof(*mb));
	mb->hdr.magic = BENCH_MAGIC;
	mb->hdr.version = BENCH_VERSION;
	mb->hdr.cmd = cmd;
	mb->hdr.len = len;
	if (body)
		memcpy(mb->body, body, len);
}

/* ram bytes of zeroed low RAM with no memfd behind them; NULL host if out of memory. */
static inline void fixture_ram(struct guest_mem *m, size_t ram)
{
	memset(m, 0, sizeof(*m));
	m->host = calloc(1, ram);
	m->size = ram;
	m->memfd = -1;
}

#endif
