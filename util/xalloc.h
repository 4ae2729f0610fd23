/* SPDX-License-Identifier: MIT */
/* Allocations that cannot fail quietly: out of memory ends the process with a message. */
#ifndef EXITLAB_XALLOC_H
#define EXITLAB_XALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "exitlab: out of memory\n");
		abort();
	}
	return d;
}

static inline void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "exitlab: out of memory\n");
		abort();
	}
	return q;
}

#endif
