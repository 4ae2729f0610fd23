/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/cpulist.h"

/* A decimal number at *p, advanced past it: 0, or -1. */
static int number(const char **p, unsigned limit, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	*v = strtoul(*p, &end, 10);
	if (errno || *v >= limit)
		return -1;
	*p = end;
	return 0;
}

static bool listed(const unsigned *cpus, size_t n, unsigned c)
{
	for (size_t i = 0; i < n; i++)
		if (cpus[i] == c)
			return true;
	return false;
}

int cpulist_parse(const char *s, unsigned limit, unsigned *cpus, size_t max, size_t *n, char *err,
		  size_t errlen)
{
	const char *p = s;

	*n = 0;
	if (!*p) {
		snprintf(err, errlen, "an empty CPU list");
		return -1;
	}
	for (;;) {
		unsigned long a, b;

		if (number(&p, limit, &a)) {
			snprintf(err, errlen, "\"%s\": expected a CPU number 0..%u at \"%s\"", s, limit - 1, p);
			return -1;
		}
		b = a;
		if (*p == '-') {
			p++;
			if (number(&p, limit, &b) || b < a) {
				snprintf(err, errlen, "\"%s\": a range is FIRST-LAST with FIRST <= LAST < %u", s,
					 limit);
				return -1;
			}
		}
		for (unsigned long c = a; c <= b; c++) {
			if (listed(cpus, *n, (unsigned)c)) {
				snprintf(err, errlen, "\"%s\": CPU %lu listed twice", s, c);
				return -1;
			}
			if (*n >= max) {
				snprintf(err, errlen, "\"%s\": more than %zu CPUs", s, max);
				return -1;
			}
			cpus[(*n)++] = (unsigned)c;
		}
		if (!*p)
			return 0;
		if (*p != ',') {
			snprintf(err, errlen, "\"%s\": CPUs and ranges are separated by commas, not \"%c\"", s, *p);
			return -1;
		}
		p++;
	}
}
