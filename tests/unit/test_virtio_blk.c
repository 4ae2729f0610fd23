// SPDX-License-Identifier: MIT
/*
 * devices/blk/blk_file.c and devices/virtio/virtio_blk.c end to end over
 * a temporary image file: a fake transport (kick eventfd, interrupts
 * counted) and a fake driver building request chains in fake guest RAM.
 * Writes must reach the file and reads return them, flush and GET_ID
 * answer, a read-only image refuses writes, and every malformed request
 * (short header, past capacity, odd length, unknown type) gets a status,
 * never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/blk/blk_backend.h"
#include "tests/unit/fake_transport.h"
#include "tests/unit/vq_driver.h"
#include "devices/virtio/virtio_blk.h"

#define QBASE  0x10000ULL
#define HDR    0x30000ULL   /* request headers, 32 bytes apart */
#define STATUS 0x38000ULL   /* status bytes, 16 apart */
#define DATA   0x40000ULL   /* data, 8 KiB per slot */
#define IND    0xf0000ULL
#define QSIZE  32
#define IMG_SECTORS 256     /* 128 KiB */

struct rig {
	struct guest_mem m;
	struct blk_backend be;
	struct virtio_blk b;
	struct vqd d;
	char path[64];
	struct fake_transport t;
};

static struct rig *rig_new(bool ro, uint64_t features)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct virtio_dev *v = &r->b.vdev;
	uint8_t sec[512];
	char err[256];
	int fd;

	tmem_create(&r->m);
	strcpy(r->path, "/tmp/exitlab-blk-XXXXXX");
	fd = mkstemp(r->path);
	assert_true(fd >= 0);
	for (unsigned s = 0; s < IMG_SECTORS; s++) {
		memset(sec, (int)(s & 0xff), sizeof(sec));
		assert_int_equal(write(fd, sec, sizeof(sec)), 512);
	}
	close(fd);
	assert_int_equal(blk_backend_open(&r->be, r->path, ro, err, sizeof(err)), OUTCOME_OK);
	assert_int_equal(virtio_blk_init(&r->b, &r->m, &r->be, err, sizeof(err)), 0);
	fake_transport_attach(&r->t, v);
	vqd_init(&r->d, &r->m, QSIZE, QBASE);
	features |= 1ULL << VIRTIO_F_VERSION_1;
	assert_int_equal(v->ops->set_features(v, features), 0);
	v->features = features;
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, r->d.desc, r->d.avail, r->d.used,
				    (features >> VIRTIO_RING_F_EVENT_IDX) & 1, (features >> VIRTIO_RING_F_INDIRECT_DESC) & 1),
			 0);
	assert_int_equal(v->ops->start(v), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	virtio_blk_destroy(&r->b);
	blk_backend_close(&r->be);
	close(r->t.kick);
	unlink(r->path);
	tmem_destroy(&r->m);
	free(r);
}

static void kick(struct rig *r)
{
	uint64_t one = 1;

	assert_int_equal(write(r->t.kick, &one, 8), 8);
}

static uint64_t metric(struct rig *r, const char *name)
{
	const struct dev_metrics *m = virtio_blk_metrics(&r->b);

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return __atomic_load_n(&m->values[i], __ATOMIC_SEQ_CST);
	fail_msg("no metric %s", name);
	return 0;
}

/*
 * A request in slot s: header (hdr_len bytes of it), `len` data bytes split
 * over two descriptors (device-writable for IN and GET_ID), one status byte.
 */
static void req(struct rig *r, unsigned s, uint32_t type, uint64_t sector, uint32_t len, uint32_t hdr_len,
		bool data_in)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	uint64_t a[4] = { HDR + 32 * s, DATA + 8192ULL * s, DATA + 8192ULL * s + len / 2, STATUS + 16 * s };
	uint32_t l[4] = { hdr_len, len / 2, len - len / 2, 1 };

	memcpy(tmem_at(&r->m, a[0]), &h, sizeof(h));
	*tmem_at(&r->m, a[3]) = 0xee;
	if (!len) {
		a[1] = a[3], l[1] = 1;
		vqd_publish(&r->d, vqd_chain(&r->d, 2, 1, a, l));
	} else {
		vqd_publish(&r->d, vqd_chain(&r->d, 4, data_in ? 1 : 3, a, l));
	}
}

/* Wait for the next completion: its used length and the status byte of slot s. */
static uint8_t complete(struct rig *r, unsigned s, uint32_t *len)
{
	uint32_t id;

	for (int i = 0; i < 10000 && !vqd_used(&r->d, &id, len); i++)
		usleep(1000);
	assert_int_not_equal(*len, 0xdeadbeef);
	return *tmem_at(&r->m, STATUS + 16 * s);
}

static uint8_t do_req(struct rig *r, unsigned s, uint32_t type, uint64_t sector, uint32_t len, bool data_in,
		      uint32_t *used_len)
{
	*used_len = 0xdeadbeef;
	req(r, s, type, sector, len, 16, data_in);
	kick(r);
	return complete(r, s, used_len);
}

static void test_file_backend(void **state)
{
	struct blk_backend b;
	char path[] = "/tmp/exitlab-blkf-XXXXXX", err[256];
	uint8_t buf[1024], back[1024];
	struct iovec v[2] = { { buf, 512 }, { buf + 512, 512 } };
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4 * 512 + 100), 0); /* a tail that is not a whole sector */
	close(fd);
	assert_int_equal(blk_backend_open(&b, path, false, err, sizeof(err)), OUTCOME_OK);
	assert_int_equal(b.size, 2048);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(blk_backend_writev(&b, 1024, v, 2), 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, back, 1024, 1024), 1024);
	close(fd);
	assert_memory_equal(back, buf, 1024);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(blk_backend_readv(&b, 1024, v, 2), 0);
	assert_memory_equal(back, buf, 1024);
	/* bounds: the last sector is fine, one byte more is not, nor an offset past the end or wrapping */
	assert_int_equal(blk_backend_readv(&b, 2048 - 1024, v, 2), 0);
	assert_int_equal(blk_backend_readv(&b, 2048 - 1023, v, 2), -EINVAL);
	assert_int_equal(blk_backend_writev(&b, 4096, v, 1), -EINVAL);
	assert_int_equal(blk_backend_writev(&b, UINT64_MAX - 100, v, 2), -EINVAL);
	assert_int_equal(blk_backend_flush(&b), 0);
	assert_int_equal(b.reads, 2);
	assert_int_equal(b.writes, 1);
	assert_int_equal(b.write_bytes, 1024);
	assert_int_equal(b.flushes, 1);
	assert_int_equal(b.errors, 3);
	blk_backend_close(&b);

	assert_int_equal(blk_backend_open(&b, path, true, err, sizeof(err)), OUTCOME_OK);
	assert_int_equal(blk_backend_writev(&b, 0, v, 1), -EROFS);
	assert_int_equal(blk_backend_readv(&b, 0, v, 1), 0);
	blk_backend_close(&b);

	assert_int_equal(truncate(path, 100), 0);
	assert_int_equal(blk_backend_open(&b, path, false, err, sizeof(err)), OUTCOME_BAD_INPUT);
	assert_non_null(strstr(err, "smaller than one"));
	unlink(path);
	assert_int_equal(blk_backend_open(&b, path, false, err, sizeof(err)), OUTCOME_BAD_INPUT);
	assert_non_null(strstr(err, path));

	/* a FIFO is refused at once, read-only too (open would wait for a writer): the alarm fails a hang */
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(60);
	assert_int_equal(blk_backend_open(&b, path, true, err, sizeof(err)), OUTCOME_BAD_INPUT);
	alarm(0);
	assert_non_null(strstr(err, "neither a regular file nor a block device"));
	unlink(path);
}

static void test_features_and_config(void **state)
{
	struct rig *r = rig_new(true, 0);
	struct virtio_dev *v = &r->b.vdev;
	uint8_t cfg[VIRTIO_BLK_CONFIG_LEN];
	uint64_t cap;
	uint32_t seg, bs;
	(void)state;

	assert_int_equal(v->device_id, VIRTIO_ID_BLK);
	assert_int_equal(v->nqueues, 1);
	for (unsigned bit = 0; bit < 64; bit++) {
		static const unsigned want[] = { VIRTIO_F_VERSION_1, VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX,
						 VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_RO,
						 VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC };
		bool wanted = false;

		for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			wanted |= want[i] == bit;
		assert_int_equal((v->host_features >> bit) & 1, wanted);
	}
	assert_int_equal(v->ops->set_features(v, 1ULL << VIRTIO_BLK_F_FLUSH), -1); /* no VERSION_1 */
	v->ops->config_read(v, 0, cfg, sizeof(cfg));
	memcpy(&cap, cfg + VIRTIO_BLK_CFG_CAPACITY, 8);
	memcpy(&seg, cfg + VIRTIO_BLK_CFG_SEG_MAX, 4);
	memcpy(&bs, cfg + VIRTIO_BLK_CFG_BLK_SIZE, 4);
	assert_int_equal(cap, IMG_SECTORS);
	assert_int_equal(seg, VIRTIO_BLK_SEG_MAX);
	assert_int_equal(bs, 512);
	rig_free(r);

	r = rig_new(false, 0);
	assert_false(r->b.vdev.host_features & 1ULL << VIRTIO_BLK_F_RO);
	rig_free(r);
}

static void test_write_read_flush_id(void **state)
{
	struct rig *r = rig_new(false, 0);
	uint8_t *data, back[1024];
	uint32_t ulen;
	int fd;
	(void)state;

	/* OUT: 2 sectors at sector 3 */
	data = tmem_at(&r->m, DATA);
	for (unsigned i = 0; i < 1024; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(do_req(r, 0, VIRTIO_BLK_T_OUT, 3, 1024, false, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 1);
	fd = open(r->path, O_RDONLY);
	assert_int_equal(pread(fd, back, 1024, 3 * 512), 1024);
	assert_memory_equal(back, data, 1024);
	assert_int_equal(pread(fd, back, 512, 5 * 512), 512);
	assert_int_equal(back[0], 5); /* the sector after is untouched */
	close(fd);

	/* IN: read them back into another slot, plus the original content next to them */
	assert_int_equal(do_req(r, 1, VIRTIO_BLK_T_IN, 3, 1536, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 1536 + 1);
	assert_memory_equal(tmem_at(&r->m, DATA + 8192), data, 1024);
	assert_int_equal(*tmem_at(&r->m, DATA + 8192 + 1024), 5);
	/* the last sector of the image */
	assert_int_equal(do_req(r, 2, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 512, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(*tmem_at(&r->m, DATA + 2 * 8192 + 511), (IMG_SECTORS - 1) & 0xff);

	assert_int_equal(do_req(r, 3, VIRTIO_BLK_T_FLUSH, 0, 0, false, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 1);
	assert_int_equal(do_req(r, 4, VIRTIO_BLK_T_GET_ID, 0, 20, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 21);
	assert_memory_equal(tmem_at(&r->m, DATA + 4 * 8192), "exitlab-virtio-blk\0\0", 20);
	assert_int_equal(do_req(r, 5, 99, 0, 0, false, &ulen), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(ulen, 1);

	assert_int_equal(metric(r, "writes"), 1);
	assert_int_equal(metric(r, "write_bytes"), 1024);
	assert_int_equal(metric(r, "reads"), 2);
	assert_int_equal(metric(r, "read_bytes"), 2048);
	assert_int_equal(metric(r, "flushes"), 1);
	assert_int_equal(metric(r, "errors"), 1);
	/* a kick that lands while the worker is still draining may be read together with the next one */
	assert_true(metric(r, "kicks") >= 1 && metric(r, "kicks") <= 6);
	for (int i = 0; i < 10000 && metric(r, "interrupts") < 6; i++)
		usleep(1000);
	assert_int_equal(metric(r, "interrupts"), 6);
	assert_int_equal(r->t.irqs, 6);
	rig_free(r);
}

static void test_read_only(void **state)
{
	struct rig *r = rig_new(true, 0);
	uint8_t back[512];
	uint32_t ulen;
	int fd;
	(void)state;

	memset(tmem_at(&r->m, DATA), 0x77, 512);
	assert_int_equal(do_req(r, 0, VIRTIO_BLK_T_OUT, 0, 512, false, &ulen), VIRTIO_BLK_S_IOERR);
	fd = open(r->path, O_RDONLY);
	assert_int_equal(pread(fd, back, 512, 0), 512);
	close(fd);
	assert_int_equal(back[0], 0);
	assert_int_equal(do_req(r, 1, VIRTIO_BLK_T_IN, 1, 512, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(*tmem_at(&r->m, DATA + 8192), 1);
	assert_int_equal(do_req(r, 2, VIRTIO_BLK_T_FLUSH, 0, 0, false, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(metric(r, "writes"), 0);
	assert_int_equal(metric(r, "errors"), 1);
	rig_free(r);
}

static void test_hostile_requests(void **state)
{
	struct rig *r = rig_new(false, 0);
	uint32_t ulen;
	uint64_t a = HDR;
	uint32_t l = 16;
	(void)state;

	/* past capacity, straddling the end, a wrapping sector, an odd length */
	assert_int_equal(do_req(r, 0, VIRTIO_BLK_T_IN, IMG_SECTORS, 512, true, &ulen), VIRTIO_BLK_S_IOERR);
	assert_int_equal(ulen, 1);
	assert_int_equal(do_req(r, 1, VIRTIO_BLK_T_OUT, IMG_SECTORS - 1, 1024, false, &ulen),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(do_req(r, 2, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true, &ulen), VIRTIO_BLK_S_IOERR);
	assert_int_equal(do_req(r, 3, VIRTIO_BLK_T_OUT, UINT64_MAX / 512 + 1, 512, false, &ulen),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(do_req(r, 4, VIRTIO_BLK_T_IN, 0, 100, true, &ulen), VIRTIO_BLK_S_IOERR);
	assert_int_equal(do_req(r, 5, VIRTIO_BLK_T_OUT, 0, 513, false, &ulen), VIRTIO_BLK_S_IOERR);
	/* a header too short */
	ulen = 0xdeadbeef;
	req(r, 6, VIRTIO_BLK_T_IN, 0, 512, 8, true);
	kick(r);
	assert_int_equal(complete(r, 6, &ulen), VIRTIO_BLK_S_IOERR);
	/* no device-writable byte at all: nothing to answer with, used length 0 */
	vqd_publish(&r->d, vqd_chain(&r->d, 1, 1, &a, &l));
	kick(r);
	ulen = 0xdeadbeef;
	complete(r, 7, &ulen);
	assert_int_equal(ulen, 0);
	assert_int_equal(metric(r, "errors"), 8);
	assert_int_equal(metric(r, "reads") + metric(r, "writes"), 0);
	/* still serving */
	assert_int_equal(do_req(r, 8, VIRTIO_BLK_T_IN, 0, 512, true, &ulen), VIRTIO_BLK_S_OK);

	/* a data buffer outside guest RAM breaks the ring: needs reset, the worker stops */
	vqd_desc(&r->d, r->d.desc, 30, HDR, 16, VIRTQ_DESC_F_NEXT, 31);
	vqd_desc(&r->d, r->d.desc, 31, BOOT_MMIO_BASE, 512, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&r->d, 30);
	kick(r);
	for (int i = 0; i < 10000 && !__atomic_load_n(&r->t.cfg_irqs, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_int_equal(r->t.cfg_irqs, 1);
	assert_true(r->b.vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_non_null(strstr(r->b.vdev.vq[0].why, "outside guest RAM"));
	rig_free(r);
}

/* A request through an indirect table, with EVENT_IDX suppressing the interrupt the driver did not ask for. */
static void test_indirect_event_idx(void **state)
{
	struct rig *r = rig_new(false, 1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = 7 };
	uint32_t ulen;
	(void)state;

	memcpy(tmem_at(&r->m, HDR), &h, sizeof(h));
	vqd_desc(&r->d, IND, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&r->d, IND, 1, DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vqd_desc(&r->d, IND, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	vqd_desc(&r->d, r->d.desc, 0, IND, 48, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&r->d, 0);
	kick(r);
	ulen = 0xdeadbeef;
	assert_int_equal(complete(r, 0, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 513);
	assert_int_equal(*tmem_at(&r->m, DATA + 100), 7);
	for (int i = 0; i < 10000 && !__atomic_load_n(&r->t.irqs, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_int_equal(r->t.irqs, 1); /* the first decision always interrupts */

	/* the driver asks for an interrupt only after the 3rd next completion (used_event = 3) */
	*vqd_avail16(&r->d, 2 + QSIZE) = 3;
	for (unsigned s = 1; s <= 3; s++) {
		assert_int_equal(do_req(r, s, VIRTIO_BLK_T_IN, s, 512, true, &ulen), VIRTIO_BLK_S_OK);
		for (int i = 0; i < 10000 && metric(r, "interrupts") + metric(r, "interrupts_suppressed") < 1 + s;
		     i++)
			usleep(1000);
	}
	assert_int_equal(metric(r, "interrupts_suppressed"), 2);
	assert_int_equal(metric(r, "interrupts"), 2);
	assert_int_equal(r->t.irqs, 2);
	rig_free(r);
}

/* Inline mode (the fuzz harness's): no worker; each virtio_blk_serve() serves what is available, on this thread. */
static void test_serve_inline(void **state)
{
	struct rig *r = rig_new(false, 0);
	struct virtio_dev *v = &r->b.vdev;
	uint32_t id, len;
	(void)state;

	v->ops->stop(v);
	assert_int_equal(virtio_blk_serve(&r->b), -1); /* not started inline */
	r->b.w.serve_inline = true;
	vqd_init(&r->d, &r->m, QSIZE, QBASE);
	assert_int_equal(virtq_init(&v->vq[0], &r->m, QSIZE, r->d.desc, r->d.avail, r->d.used, false, false), 0);
	assert_int_equal(v->ops->start(v), 0);
	assert_false(r->b.w.running);
	req(r, 0, VIRTIO_BLK_T_GET_ID, 0, 20, 16, true);
	kick(r);
	assert_int_equal(vqd_used(&r->d, &id, &len), 0); /* nobody serves it behind our back */
	assert_int_equal(virtio_blk_serve(&r->b), 0);
	assert_int_equal(vqd_used(&r->d, &id, &len), 1);
	assert_int_equal(len, 21);
	assert_int_equal(*tmem_at(&r->m, STATUS), VIRTIO_BLK_S_OK);
	assert_int_equal(metric(r, "kicks"), 1);
	v->ops->stop(v);
	assert_int_equal(virtio_blk_serve(&r->b), -1);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_backend),
		cmocka_unit_test(test_features_and_config),
		cmocka_unit_test(test_write_read_flush_id),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_hostile_requests),
		cmocka_unit_test(test_indirect_event_idx),
		cmocka_unit_test(test_serve_inline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
