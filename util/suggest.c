// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "util/suggest.h"

#define SUGGEST_MAX_LEN 128 /* longer words are not typos of names */

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, SUGGEST_MAX_LEN), lb = strnlen(b, SUGGEST_MAX_LEN);
	/* Three rows of the dynamic programme: two back for transpositions. */
	size_t r0[SUGGEST_MAX_LEN + 1], r1[SUGGEST_MAX_LEN + 1], r2[SUGGEST_MAX_LEN + 1];
	size_t *pp = r0, *p = r1, *c = r2;

	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		c[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

const char *suggest_closest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strnlen(word, SUGGEST_MAX_LEN), limit = len / 3, best = (size_t)-1;
	const char *pick = NULL;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!cands[i])
			continue;
		d = suggest_distance(word, cands[i]);
		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return best <= limit ? pick : NULL;
}
