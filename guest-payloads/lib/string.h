/* SPDX-License-Identifier: MIT */
/* Freestanding string helpers (gcc may also emit memset/memcpy calls itself). */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
/* Always NUL-terminates dst (unlike the libc one); returns dst. */
char *strncpy(char *dst, const char *src, size_t n);

#endif
