/* SPDX-License-Identifier: MIT */
/*
 * An LD_PRELOAD library for the fault-injection tests: makes one file
 * operation fail with a chosen errno, at a point the test controls.
 *
 *   EXITLAB_FAULT=OP:ERRNO:PATTERN[:AFTER[:SKIP]]
 *
 * OP is write, fsync or rename; ERRNO is ENOSPC, EIO, EROFS or EDQUOT;
 * PATTERN a substring of the file's path (for rename, of either name).
 * write: a stream fdopen'd on a matching file accepts AFTER bytes (default
 * 0) and then fails, as a full disk does; stdio writes through glibc's
 * internal write, which no preload can interpose, so the stream itself is
 * replaced (fopencookie). Each injected failure is noted on stderr as
 * "fault_shim: OP PATH: ERRNO" so a test can tell it was reached.
 * SKIP (default 0): the first SKIP matching operations of the process
 * succeed (a stream opened, an fsync, a rename), so that a test can fail,
 * say, the third write of a manifest and not the first.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fault {
	char op[16];
	int err;
	char pattern[256];
	long after, skip;
};

static long matched; /* matching operations so far */

/* Does this matching operation fail, or is it one of the first SKIP? */
static int fault_due(const struct fault *f)
{
	return matched++ >= f->skip;
}

static int fault_get(struct fault *f)
{
	const char *s = getenv("EXITLAB_FAULT");
	char en[16];
	int n;

	if (!s)
		return 0;
	memset(f, 0, sizeof(*f));
	n = sscanf(s, "%15[a-z]:%15[A-Z]:%255[^:]:%ld:%ld", f->op, en, f->pattern, &f->after, &f->skip);
	if (n < 3)
		return 0;
	f->err = !strcmp(en, "ENOSPC") ? ENOSPC : !strcmp(en, "EIO") ? EIO :
		 !strcmp(en, "EROFS") ? EROFS : !strcmp(en, "EDQUOT") ? EDQUOT : 0;
	return f->err != 0;
}

static int fd_matches(int fd, const struct fault *f, char *path, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	if (n < 0)
		return 0;
	path[n] = 0;
	return strstr(path, f->pattern) != NULL;
}

static void note(const char *op, const char *path, int err)
{
	fprintf(stderr, "fault_shim: %s %s: %s\n", op, path, strerror(err));
}

/* A stream that writes through to fd until `left` bytes are spent. */
struct cookie {
	int fd;
	long left;
	int err;
	char path[4096];
	FILE *f;
	struct cookie *next;
};
static struct cookie *cookies;

static ssize_t ck_write(void *c_, const char *buf, size_t size)
{
	struct cookie *c = c_;
	size_t n = size;
	ssize_t w;

	if (c->left <= 0) {
		note("write", c->path, c->err);
		errno = c->err;
		return -1;
	}
	if ((long)n > c->left)
		n = (size_t)c->left;
	w = write(c->fd, buf, n);
	if (w > 0)
		c->left -= w;
	if (w == (ssize_t)size || w < 0)
		return w;
	/* a short count would end the stream without errno; the kernel's retry fails */
	note("write", c->path, c->err);
	errno = c->err;
	return -1;
}

static int ck_close(void *c_)
{
	struct cookie *c = c_;

	return close(c->fd);
}

FILE *fdopen(int fd, const char *mode)
{
	static FILE *(*real)(int, const char *);
	struct fault f;
	struct cookie *c;

	if (!real)
		real = (FILE *(*)(int, const char *))dlsym(RTLD_NEXT, "fdopen");
	if (!fault_get(&f) || strcmp(f.op, "write") || !strchr(mode, 'w'))
		return real(fd, mode);
	c = calloc(1, sizeof(*c));
	if (!c)
		return real(fd, mode);
	if (!fd_matches(fd, &f, c->path, sizeof(c->path)) || !fault_due(&f)) {
		free(c);
		return real(fd, mode);
	}
	c->fd = fd;
	c->left = f.after;
	c->err = f.err;
	c->f = fopencookie(c, mode, (cookie_io_functions_t){ .write = ck_write, .close = ck_close });
	if (!c->f) {
		free(c);
		return real(fd, mode);
	}
	c->next = cookies;
	cookies = c;
	return c->f;
}

/* fsync(fileno(f)) must reach the real file behind a replaced stream. */
int fileno(FILE *stream)
{
	static int (*real)(FILE *);

	if (!real)
		real = (int (*)(FILE *))dlsym(RTLD_NEXT, "fileno");
	for (struct cookie *c = cookies; c; c = c->next)
		if (c->f == stream)
			return c->fd;
	return real(stream);
}

int fsync(int fd)
{
	static int (*real)(int);
	struct fault f;
	char path[4096];

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fault_get(&f) && !strcmp(f.op, "fsync") && fd_matches(fd, &f, path, sizeof(path)) && fault_due(&f)) {
		note("fsync", path, f.err);
		errno = f.err;
		return -1;
	}
	return real(fd);
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	struct fault f;

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (fault_get(&f) && !strcmp(f.op, "rename") && (strstr(from, f.pattern) || strstr(to, f.pattern)) &&
	    fault_due(&f)) {
		note("rename", to, f.err);
		errno = f.err;
		return -1;
	}
	return real(from, to);
}
