// SPDX-License-Identifier: MIT
#include <stdint.h>

#include "format.h"

static void put_num(format_putc_fn out, void *o, uint64_t v, unsigned base, int neg, int width,
		    char pad, int left, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + neg;
	if (neg && pad == '0')
		out('-', o);
	if (!left)
		for (; width > len; width--)
			out(pad, o);
	if (neg && pad != '0')
		out('-', o);
	while (n)
		out(tmp[--n], o);
	for (; width > len; width--)
		out(' ', o);
}

void format_v(format_putc_fn out, void *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, left = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out(*fmt, o);
			continue;
		}
		fmt++;
		if (*fmt == '-')
			left = 1, fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng = 1, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);

			put_num(out, o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad, left, 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);

			put_num(out, o, v, *fmt == 'u' ? 10 : 16, 0, width, pad, left, *fmt == 'X');
			break;
		}
		case 'p':
			out('0', o);
			out('x', o);
			put_num(out, o, (uintptr_t)va_arg(ap, void *), 16, 0, width, pad, left, 0);
			break;
		case 'c':
			out((char)va_arg(ap, int), o);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			if (!left)
				for (; width > len; width--)
					out(' ', o);
			while (*s)
				out(*s++, o);
			for (; width > len; width--)
				out(' ', o);
			break;
		}
		case '%':
			out('%', o);
			break;
		case 0:
			return;
		default:
			out('%', o);
			out(*fmt, o);
		}
	}
}

struct sbuf {
	char *buf;
	size_t size, len;
};

static void sbuf_putc(char c, void *opaque)
{
	struct sbuf *s = opaque;

	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

size_t format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf s = { buf, size, 0 };

	format_v(sbuf_putc, &s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = 0;
	return s.len;
}

size_t format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
