/* SPDX-License-Identifier: MIT */
/*
 * A tiny printf core shared by the serial console and bench_log:
 * %s %c %d %i %u %x %X %p %%, the l/ll/z length modifiers, width, '-' and '0'.
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_putc_fn)(char c, void *opaque);

void format_v(format_putc_fn out, void *opaque, const char *fmt, va_list ap);
/* Like vsnprintf: always NUL-terminates, returns the untruncated length. */
size_t format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t format_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
