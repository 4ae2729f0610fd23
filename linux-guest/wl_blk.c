// SPDX-License-Identifier: MIT
/*
 * blk: direct I/O (O_DIRECT, so that every operation reaches the virtual
 * disk rather than the page cache) on a block device or a file.  Two tests:
 * blk-write writes the blk payload's pattern (guest-payloads/lib/blk_pattern.h:
 * each 512-byte sector carries its LBA), blk-read reads the same blocks back
 * and checks them.  A sample is one I/O of bs bytes.
 *
 * Queue depth: qd threads, each with one pread/pwrite in flight.  A static
 * glibc has no libaio, and threads need nothing beyond it; io_uring by raw
 * syscalls would save the threads' wake-ups but brings its own ring set-up
 * and kernel-version questions, which a measuring tool should not have.
 *
 * The device is overwritten: under exitlab it is the VM's scratch disk
 * (/dev/vda by default); unmeasured there is no default, and a mounted
 * device, or one anything else holds open exclusively, is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-payloads/lib/blk_pattern.h"
#include "guest-payloads/lib/timing.h"
#include "linux-guest/workloads.h"

#define QD_MAX 64

const struct lg_key lg_blk_keys[] = {
	{ "dev", 's', "block device or file, overwritten (default /dev/vda under exitlab; none unmeasured)" },
	{ "bs", 'u', "bytes per I/O, a multiple of 4096 (default 4096)" },
	{ "qd", 'u', "I/Os in flight: threads with one each (default 1, at most 64)" },
	{ "ops", 'u', "I/Os timed per test (default 4096, --quick 256)" },
	{ NULL, 0, NULL },
};

struct blk_run {
	int fd, write;
	uint64_t bs, qd, n, span;  /* span: bytes of the device the I/Os cycle over */
	uint64_t *samples;
	pthread_barrier_t go;
	/* Written by the threads, read after the join. */
	pthread_mutex_t lock;
	int err;                   /* first errno, or -1 for a short transfer */
	uint64_t err_op, bad_blocks, first_bad;
};

struct blk_thread {
	struct blk_run *r;
	uint64_t k;
	pthread_t tid;
};

static void blk_note(struct blk_run *r, int err, uint64_t op, int bad)
{
	pthread_mutex_lock(&r->lock);
	if (err && !r->err) {
		r->err = err;
		r->err_op = op;
	}
	if (bad && !r->bad_blocks++)
		r->first_bad = op;
	pthread_mutex_unlock(&r->lock);
}

/* Thread k does I/Os k, k + qd, k + 2 qd, ... into sample slots of the same numbers. */
static void *blk_thread(void *arg)
{
	struct blk_thread *th = arg;
	struct blk_run *r = th->r;
	uint8_t *buf;

	if (posix_memalign((void **)&buf, 4096, r->bs)) {
		blk_note(r, ENOMEM, th->k, 0);
		pthread_barrier_wait(&r->go);
		return NULL;
	}
	memset(buf, 0, r->bs); /* first touch before the phase */
	pthread_barrier_wait(&r->go);
	for (uint64_t j = th->k; j < r->n && !__atomic_load_n(&r->err, __ATOMIC_RELAXED); j += r->qd) {
		off_t off = (off_t)((j * r->bs) % r->span);
		uint64_t lba = (uint64_t)off / BLK_PATTERN_SECTOR;
		uint32_t sectors = (uint32_t)(r->bs / BLK_PATTERN_SECTOR);
		ssize_t got;

		if (r->write)
			blk_pattern_fill(buf, lba, sectors);
		uint64_t t0 = tsc_begin();
		got = r->write ? pwrite(r->fd, buf, r->bs, off) : pread(r->fd, buf, r->bs, off);
		r->samples[j] = tsc_end() - t0;
		if (got != (ssize_t)r->bs) {
			blk_note(r, got < 0 ? errno : -1, j, 0);
			break;
		}
		if (!r->write && !blk_pattern_check(buf, lba, sectors))
			blk_note(r, 0, j, 1);
	}
	free(buf);
	return NULL;
}

/* 1 if dev (or a partition of it) is mounted. */
static int blk_mounted(const char *dev)
{
	FILE *f = fopen("/proc/mounts", "r");
	char src[512];
	size_t len = strlen(dev);
	int hit = 0;

	if (!f)
		return 0;
	while (!hit && fscanf(f, "%511s %*[^\n]", src) == 1)
		hit = !strncmp(src, dev, len) && (!src[len] || (src[len] >= '0' && src[len] <= '9') || src[len] == 'p');
	fclose(f);
	return hit;
}

/* One test: the threads, the phase, the checks. Returns 1 if it failed, sets *ok to 1 if it ran clean. */
static int blk_test(struct lg_bench *b, struct blk_run *r, const char *name, const char *params, int *ok)
{
	struct blk_thread th[QD_MAX];
	char metrics[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX];
	struct lg_test t;
	uint64_t n = r->n;

	*ok = 0;
	if (!lg_test_begin(&t, b, name, params))
		return 0;
	r->samples = lg_samples(&t, &n);
	r->n = n - n % r->qd;
	if (!r->n)
		return lg_test_end(&t, BENCH_STATUS_SKIPPED, "fewer sample slots than threads", NULL);
	r->err = 0;
	r->bad_blocks = 0;
	pthread_barrier_init(&r->go, NULL, (unsigned)r->qd + 1);
	for (uint64_t k = 0; k < r->qd; k++) {
		th[k] = (struct blk_thread){ .r = r, .k = k };
		if (pthread_create(&th[k].tid, NULL, blk_thread, &th[k])) {
			/* The barrier can never open now: stop with what is there. */
			fprintf(stderr, "exitlab-guest: %s: cannot start thread %llu\n", name, (unsigned long long)k);
			exit(1);
		}
	}
	lg_phase_begin(&t);
	pthread_barrier_wait(&r->go);
	for (uint64_t k = 0; k < r->qd; k++)
		pthread_join(th[k].tid, NULL);
	pthread_barrier_destroy(&r->go);
	if (r->err) {
		snprintf(why, sizeof(why), "I/O %llu (offset %llu): %s", (unsigned long long)r->err_op,
			 (unsigned long long)((r->err_op * r->bs) % r->span),
			 r->err > 0 ? strerror(r->err) : "short transfer");
		return lg_test_end(&t, BENCH_STATUS_FAILED, why, NULL);
	}
	lg_phase_end(&t, r->n, r->n, 1);
	lg_kv_add(metrics, sizeof(metrics), "ios", "%llu", (unsigned long long)r->n);
	lg_kv_add(metrics, sizeof(metrics), "bytes", "%llu", (unsigned long long)(r->n * r->bs));
	lg_kv_add(metrics, sizeof(metrics), "mib_per_s", "%.1f",
		  t.wall_s > 0 ? (double)(r->n * r->bs) / t.wall_s / (1 << 20) : 0.0);
	if (!r->write)
		lg_kv_add(metrics, sizeof(metrics), "bad_blocks", "%llu", (unsigned long long)r->bad_blocks);
	if (r->bad_blocks) {
		snprintf(why, sizeof(why), "%llu blocks did not read back the pattern, the first at offset %llu",
			 (unsigned long long)r->bad_blocks,
			 (unsigned long long)((r->first_bad * r->bs) % r->span));
		return lg_test_end(&t, BENCH_STATUS_FAILED, why, metrics);
	}
	*ok = 1;
	return lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
}

int lg_blk_run(struct lg_bench *b, const struct lg_opts *o)
{
	const char *dev = lg_param_str(o->p, "dev", lg_measured(b) ? "/dev/vda" : NULL);
	struct blk_run r = { .fd = -1 };
	char params[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX];
	const char *base;
	uint64_t size = 0;
	struct stat st;
	int failed = 0, wrote;

	r.bs = lg_param_u64(o->p, "bs", 4096);
	r.qd = lg_param_u64(o->p, "qd", 1);
	r.n = lg_param_u64(o->p, "ops", o->quick ? 256 : 4096);
	base = dev ? (strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev) : "none";
	lg_kv_add(params, sizeof(params), "dev", "%s", base);
	lg_kv_add(params, sizeof(params), "bs", "%llu", (unsigned long long)r.bs);
	lg_kv_add(params, sizeof(params), "qd", "%llu", (unsigned long long)r.qd);

	why[0] = 0;
	if (!dev)
		snprintf(why, sizeof(why), "unmeasured: no default device; give --param dev=PATH (it is overwritten)");
	else if (!r.bs || r.bs % 4096 || r.bs > (64u << 20))
		snprintf(why, sizeof(why), "bs=%llu: want a multiple of 4096 up to 64M", (unsigned long long)r.bs);
	else if (!r.qd || r.qd > QD_MAX)
		snprintf(why, sizeof(why), "qd=%llu: want 1..%d", (unsigned long long)r.qd, QD_MAX);
	else if (blk_mounted(dev))
		snprintf(why, sizeof(why), "%s is mounted: refusing to overwrite it", dev);
	/* O_EXCL on a block device: EBUSY if anything (a mount, md, LVM) holds it; a file is made. */
	else if ((r.fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC |
				       (!stat(dev, &st) && S_ISBLK(st.st_mode) ? O_EXCL : O_CREAT), 0600)) < 0)
		snprintf(why, sizeof(why), "cannot open %s with O_DIRECT: %s", dev, strerror(errno));
	else if (fstat(r.fd, &st))
		snprintf(why, sizeof(why), "cannot stat %s: %s", dev, strerror(errno));
	else if (S_ISBLK(st.st_mode) && ioctl(r.fd, BLKGETSIZE64, &size))
		snprintf(why, sizeof(why), "cannot size %s: %s", dev, strerror(errno));
	if (!why[0] && S_ISREG(st.st_mode)) {
		/* A file grows to what the I/Os cover. */
		size = r.n * r.bs;
		if ((uint64_t)st.st_size < size && ftruncate(r.fd, (off_t)size))
			snprintf(why, sizeof(why), "cannot grow %s: %s", dev, strerror(errno));
	}
	if (!why[0]) {
		r.span = size < r.n * r.bs ? size - size % r.bs : r.n * r.bs;
		if (!r.span)
			snprintf(why, sizeof(why), "%s holds less than one I/O of %llu bytes", dev,
				 (unsigned long long)r.bs);
	}
	if (why[0]) {
		if (r.fd >= 0)
			close(r.fd);
		lg_skip_test(b, "blk-write", params, why);
		return lg_skip_test(b, "blk-read", params, why);
	}
	pthread_mutex_init(&r.lock, NULL);
	r.write = 1;
	failed += blk_test(b, &r, "blk-write", params, &wrote);
	/* What a write wrote must reach the disk before the reads look for it (O_DIRECT: no page cache). */
	fsync(r.fd);
	r.write = 0;
	if (wrote)
		failed += blk_test(b, &r, "blk-read", params, &wrote);
	else
		lg_skip_test(b, "blk-read", params, "blk-write did not complete: nothing to read back");
	pthread_mutex_destroy(&r.lock);
	close(r.fd);
	return failed;
}
