// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include "format.h"
#include "serial.h"
#include "x86.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20
/* A missing or wedged UART must not hang the payload: give up waiting after this. */
#define UART_SPIN_MAX 1000

void serial_putc(char c)
{
	for (int i = 0; i < UART_SPIN_MAX; i++)
		if (inb(SERIAL_COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(SERIAL_COM1 + UART_THR, c);
}

void serial_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}

static void serial_fmt_putc(char c, void *opaque)
{
	(void)opaque;
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

void serial_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_v(serial_fmt_putc, 0, fmt, ap);
	va_end(ap);
}
