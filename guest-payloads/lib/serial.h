/* SPDX-License-Identifier: MIT */
/* The 16550 console at 0x3F8, polled.  For humans: every character is an exit. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#define SERIAL_COM1 0x3f8

void serial_putc(char c);
void serial_puts(const char *s);
void serial_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
