// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exitlab/linux_guest.h"
#include "linux-guest/cmdline.h"

#define LG_PAGE 4096u
#define WANT "want four hex numbers [com2,]MAILBOX,PORT,BUF,LEN"

/* One hex number ([0x]digits, at most 16 of them) ending at a ',' or the end of the value. */
static int parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	*v = 0;
	for (; s < end && *s != ','; s++, digits++) {
		char c = *s;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (digits == 16)
			return -1;
		*v = *v << 4 | d;
	}
	if (!digits)
		return -1;
	*p = s;
	return 0;
}

static int bad(char *err, size_t errlen, const char *why, const char *value, int vlen)
{
	snprintf(err, errlen, "malformed %s%.*s: %s", LINUX_BENCH_KEY, vlen, value, why);
	return -1;
}

int lg_cmdline_parse(const char *cmdline, struct lg_bench_loc *loc, char *err, size_t errlen)
{
	static const size_t klen = sizeof(LINUX_BENCH_KEY) - 1;
	const char *val = NULL, *end = NULL, *v0, *p;
	uint64_t f[4];
	int vlen;

	/* Whole words only: "xexitlab.bench=" is some other key. */
	for (p = cmdline; (p = strstr(p, LINUX_BENCH_KEY)); p += klen) {
		if (p != cmdline && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
			continue;
		if (val) {
			snprintf(err, errlen, "%s is given twice on the command line", LINUX_BENCH_KEY);
			return -1;
		}
		val = p + klen;
		end = val + strcspn(val, " \t\n");
	}
	if (!val)
		return 0;
	v0 = p = val;
	vlen = (int)(end - val);
	loc->com2 = 0;
	if (end - p >= 5 && !strncmp(p, "com2,", 5)) {
		loc->com2 = 1;
		p += 5;
	}
	for (int i = 0; i < 4; i++) {
		if (i && (p >= end || *p++ != ','))
			return bad(err, errlen, WANT, v0, vlen);
		if (parse_hex(&p, end, &f[i]))
			return bad(err, errlen, WANT, v0, vlen);
	}
	if (p != end)
		return bad(err, errlen, WANT, v0, vlen);
	if (f[0] % LG_PAGE)
		return bad(err, errlen, "the mailbox is not page-aligned", v0, vlen);
	if (!f[1] || f[1] > 0xffff)
		return bad(err, errlen, "the port is not in 1..0xffff", v0, vlen);
	if (f[2] % LG_PAGE)
		return bad(err, errlen, "the buffer is not page-aligned", v0, vlen);
	if (!f[3] || f[3] % 8)
		return bad(err, errlen, "the buffer length is not a nonzero multiple of 8", v0, vlen);
	if (f[2] + f[3] < f[2])
		return bad(err, errlen, "the buffer wraps around", v0, vlen);
	if (f[0] + LG_PAGE > f[2] && f[0] < f[2] + f[3])
		return bad(err, errlen, "the mailbox lies inside the buffer", v0, vlen);
	loc->mailbox = f[0];
	loc->port = (uint16_t)f[1];
	loc->buf = f[2];
	loc->len = f[3];
	return 1;
}

int lg_cmdline_read(const char *path, struct lg_bench_loc *loc, char *err, size_t errlen)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = 0;
	return lg_cmdline_parse(line, loc, err, errlen);
}
