/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "run/linux_console.h"

void linux_console_init(struct linux_console *c)
{
	memset(c, 0, sizeof(*c));
}

bool linux_console_put(struct linux_console *c, uint8_t ch)
{
	char *line = c->lines[c->next];
	bool panic;

	__atomic_fetch_add(&c->bytes, 1, __ATOMIC_RELAXED);
	if (ch == '\r')
		return false;
	if (ch != '\n') {
		if (c->col < LINUX_CONSOLE_COLS)
			line[c->col++] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
		line[c->col] = 0;
		return false;
	}
	line[c->col] = 0;
	panic = !c->panic && strstr(line, "Kernel panic");
	if (panic) {
		c->panic = true;
		memcpy(c->panic_line, line, sizeof(c->panic_line));
	}
	c->next = (c->next + 1) % LINUX_CONSOLE_LINES;
	if (c->nlines < LINUX_CONSOLE_LINES)
		c->nlines++;
	c->col = 0;
	c->lines[c->next][0] = 0;
	return panic;
}

void linux_console_dump(const struct linux_console *c, FILE *f, const char *prefix)
{
	/* With a partial line pending, it is the newest and the oldest complete one drops out. */
	unsigned n = c->nlines + (c->col > 0);
	unsigned first;

	if (n > LINUX_CONSOLE_LINES)
		n = LINUX_CONSOLE_LINES;
	first = (c->next + LINUX_CONSOLE_LINES + (c->col > 0) - n) % LINUX_CONSOLE_LINES;
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s%s\n", prefix, c->lines[(first + i) % LINUX_CONSOLE_LINES]);
}
