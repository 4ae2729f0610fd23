/* SPDX-License-Identifier: MIT */
/*
 * What a Linux guest's console said, as `exitlab run linux` watches it: the
 * last LINUX_CONSOLE_LINES lines (for the diagnostic of a failed boot), the
 * bytes seen (progress), and whether a line said "Kernel panic". Pure: fed a
 * byte at a time by the UART's output, read by the run (unit-tested).
 */
#ifndef EXITLAB_LINUX_CONSOLE_H
#define EXITLAB_LINUX_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LINUX_CONSOLE_LINES 20
#define LINUX_CONSOLE_COLS  200   /* longer lines are cut */

struct linux_console {
	char lines[LINUX_CONSOLE_LINES][LINUX_CONSOLE_COLS + 1];
	unsigned next;             /* the slot the current line fills */
	unsigned nlines;           /* completed lines, up to LINUX_CONSOLE_LINES */
	size_t col;
	uint64_t bytes;
	bool panic;
	char panic_line[LINUX_CONSOLE_COLS + 1];
};

void linux_console_init(struct linux_console *c);
/* One byte of output; true when it completed a line that says "Kernel panic" (the first such). */
bool linux_console_put(struct linux_console *c, uint8_t ch);
/* The last lines, oldest first (the unfinished one too), each prefixed with prefix. */
void linux_console_dump(const struct linux_console *c, FILE *f, const char *prefix);

#endif
