/* SPDX-License-Identifier: MIT */
/*
 * What a guest may print: each text channel (the serial console, the bench
 * protocol's LOG records) passes on at most GUEST_TEXT_MAX bytes per run; the
 * rest is counted and dropped, so a guest that floods the console fills
 * neither the terminal, nor a campaign's log, nor a pipe's reader's memory.
 * The VMM holds none of it: text is passed on as it comes.
 */
#ifndef EXITLAB_GUEST_TEXT_H
#define EXITLAB_GUEST_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_TEXT_MAX (1u << 20)

struct guest_text {
	uint64_t passed, dropped;
};

/* How many of the next n bytes pass (0..n); the others are counted dropped. */
static inline size_t guest_text_admit(struct guest_text *t, size_t n)
{
	size_t room = t->passed < GUEST_TEXT_MAX ? GUEST_TEXT_MAX - t->passed : 0;
	size_t ok = n < room ? n : room;

	t->passed += ok;
	t->dropped += n - ok;
	return ok;
}

#endif
