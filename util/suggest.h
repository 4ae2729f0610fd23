/* SPDX-License-Identifier: MIT */
/* "did you mean X?": the closest known word to a mistyped one. */
#ifndef EXITLAB_SUGGEST_H
#define EXITLAB_SUGGEST_H

#include <stddef.h>

/*
 * Edit distance (optimal string alignment: insertions, deletions,
 * substitutions and transpositions of neighbours each cost 1).
 */
size_t suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to word, if it is close enough to be what was meant
 * (at most a third of the word's length edited, at least 1, at most 3), else
 * NULL.  Ties go to the earlier candidate.
 */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
