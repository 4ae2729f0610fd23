// SPDX-License-Identifier: MIT
/*
 * The raw image file behind virtio-blk (see blk_backend.h): vectored
 * pread/pwrite at byte offsets checked against the image size, fdatasync
 * for flush, and writes refused on a read-only image.  A regular file or a
 * block device; the size is rounded down to whole 512-byte sectors.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/blk/blk_backend.h"

enum outcome blk_backend_open(struct blk_backend *b, const char *path, bool read_only, char *err, size_t errlen)
{
	enum outcome o = OUTCOME_FAILED;
	struct stat st;
	uint64_t size = 0;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	snprintf(b->path, sizeof(b->path), "%s", path);
	/* O_NONBLOCK: a FIFO opened read-only would wait for a writer; refused below instead */
	b->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
	if (b->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "blk: %s: %s", path, strerror(e));
		return e == EACCES || e == EPERM || e == EROFS ? OUTCOME_NO_HOST : OUTCOME_BAD_INPUT;
	}
	if (fstat(b->fd, &st) < 0) {
		snprintf(err, errlen, "blk: %s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &size) < 0) {
			snprintf(err, errlen, "blk: %s: BLKGETSIZE64: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		snprintf(err, errlen, "blk: %s is neither a regular file nor a block device", path);
		o = OUTCOME_BAD_INPUT;
		goto fail;
	}
	/* the image is a file or a disk: back to plain blocking I/O */
	if (fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		snprintf(err, errlen, "blk: %s: %s", path, strerror(errno));
		goto fail;
	}
	b->size = size & ~511ULL;
	if (!b->size) {
		snprintf(err, errlen, "blk: %s is smaller than one 512-byte sector", path);
		o = OUTCOME_BAD_INPUT;
		goto fail;
	}
	b->read_only = read_only;
	return OUTCOME_OK;
fail:
	close(b->fd);
	b->fd = -1;
	return o;
}

void blk_backend_close(struct blk_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

static int check_range(const struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n,
		       size_t *len)
{
	size_t t = 0;

	if (n > IOV_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (iov[i].iov_len > SIZE_MAX - t)
			return -EINVAL;
		t += iov[i].iov_len;
	}
	if (off > b->size || t > b->size - off)
		return -EINVAL;
	*len = t;
	return 0;
}

/* All of [off, off + len) through preadv/pwritev, however short each call comes back. */
static int xfer(struct blk_backend *b, bool write, uint64_t off, const struct iovec *iov0, unsigned n)
{
	struct iovec iov[IOV_MAX];
	struct iovec *cur = iov;

	memcpy(iov, iov0, n * sizeof(*iov));
	while (n) {
		ssize_t r = write ? pwritev(b->fd, cur, (int)n, (off_t)off) : preadv(b->fd, cur, (int)n, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO; /* the image shrank under us */
		off += (uint64_t)r;
		while (n && (size_t)r >= cur->iov_len) {
			r -= (ssize_t)cur->iov_len;
			cur++, n--;
		}
		if (n) {
			cur->iov_base = (uint8_t *)cur->iov_base + r;
			cur->iov_len -= (size_t)r;
		}
	}
	return 0;
}

static void add(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

/*
 * The image failed a transfer the size check let through: it shrank under the
 * run, or the disk beneath it failed. Said once on stderr, naming the image;
 * each request gets IOERR and the guest's test its own reason.
 */
static void note_io_error(struct blk_backend *b, bool write, uint64_t off, int err)
{
	struct stat st;

	if (__atomic_exchange_n(&b->io_error_noted, true, __ATOMIC_RELAXED))
		return;
	if (err == EIO && fstat(b->fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < b->size)
		fprintf(stderr, "exitlab: virtio-blk: %s shrank under the run (%llu bytes at the start, %lld now): "
			"a %s at byte %llu failed; requests past its end fail (IOERR)\n", b->path,
			(unsigned long long)b->size, (long long)st.st_size, write ? "write" : "read",
			(unsigned long long)off);
	else
		fprintf(stderr, "exitlab: virtio-blk: %s: a %s at byte %llu failed: %s; the request fails (IOERR)\n",
			b->path, write ? "write" : "read", (unsigned long long)off, strerror(err));
}

int blk_backend_readv(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
	size_t len = 0;
	int r = check_range(b, off, iov, n, &len);

	if (!r) {
		r = xfer(b, false, off, iov, n);
		if (r)
			note_io_error(b, false, off, -r);
	}
	if (r) {
		add(&b->errors, 1);
		return r;
	}
	add(&b->reads, 1);
	add(&b->read_bytes, len);
	return 0;
}

int blk_backend_writev(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
	size_t len = 0;
	int r = b->read_only ? -EROFS : check_range(b, off, iov, n, &len);

	if (!r) {
		r = xfer(b, true, off, iov, n);
		if (r)
			note_io_error(b, true, off, -r);
	}
	if (r) {
		add(&b->errors, 1);
		return r;
	}
	add(&b->writes, 1);
	add(&b->write_bytes, len);
	return 0;
}

int blk_backend_flush(struct blk_backend *b)
{
	if (b->read_only)
		return 0; /* nothing of ours to make durable */
	if (fdatasync(b->fd) < 0) {
		add(&b->errors, 1);
		return -errno;
	}
	add(&b->flushes, 1);
	return 0;
}
