// SPDX-License-Identifier: MIT
/*
 * virtio-blk device model (virtio 1.x, 5.2; see virtio_blk.h).  The worker
 * pops each request chain, reads its header from the device-readable part,
 * checks type, sector range, length and read-only state, does the I/O on
 * the backend straight from/to guest memory, and writes the status into the
 * last device-writable byte.  Whatever the guest sends, the answer is a
 * status (IOERR, UNSUPP) and never a crash; only a broken ring (a loop, a
 * buffer outside RAM) stops the worker and asks the driver for a reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio_blk.h"

static const char *const vblk_metric_names[VBLK_NMETRICS] = {
	[VBLK_READS] = "reads",
	[VBLK_WRITES] = "writes",
	[VBLK_FLUSHES] = "flushes",
	[VBLK_READ_BYTES] = "read_bytes",
	[VBLK_WRITE_BYTES] = "write_bytes",
	[VBLK_ERRORS] = "errors",
	[VBLK_KICKS] = "kicks",
	[VBLK_INTERRUPTS] = "interrupts",
	[VBLK_INTERRUPTS_SUPPRESSED] = "interrupts_suppressed",
};

static void count(struct virtio_blk *b, enum virtio_blk_metric m, uint64_t v)
{
	DEV_METRIC_ADD(&b->counters[m], v);
}

/* Whether `len` bytes at `sector` lie inside the image. */
static bool range_ok(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	uint64_t cap = b->be->size / VIRTIO_BLK_SECTOR;

	return sector <= cap && len / VIRTIO_BLK_SECTOR <= cap - sector;
}

/*
 * Serve one request whose status byte exists: the status, and in *written
 * the data bytes put in the guest's buffers.  din/ndin: the device-writable
 * buffers without the status byte.
 */
static uint8_t blk_serve(struct virtio_blk *b, const struct virtq_elem *e, const struct iovec *din,
			 unsigned ndin, uint64_t din_len, uint32_t *written)
{
	struct virtio_blk_outhdr h;
	struct iovec dout[VIRTQ_MAX_SEGS];
	unsigned ndout = 0;
	uint64_t len;

	*written = 0;
	if (e->out_bytes < sizeof(h))
		return VIRTIO_BLK_S_IOERR;
	iov_to_buf(e->out, e->nout, 0, &h, sizeof(h));
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		len = din_len;
		if (len % VIRTIO_BLK_SECTOR || !range_ok(b, h.sector, len))
			return VIRTIO_BLK_S_IOERR;
		if (blk_backend_readv(b->be, h.sector * VIRTIO_BLK_SECTOR, din, ndin) < 0)
			return VIRTIO_BLK_S_IOERR;
		count(b, VBLK_READS, 1);
		count(b, VBLK_READ_BYTES, len);
		*written = (uint32_t)len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		len = e->out_bytes - sizeof(h);
		if (b->be->read_only || len % VIRTIO_BLK_SECTOR || !range_ok(b, h.sector, len))
			return VIRTIO_BLK_S_IOERR;
		for (unsigned i = 0, skip = sizeof(h); i < e->nout; i++) {
			if (skip >= e->out[i].iov_len) {
				skip -= (unsigned)e->out[i].iov_len;
				continue;
			}
			dout[ndout].iov_base = (uint8_t *)e->out[i].iov_base + skip;
			dout[ndout++].iov_len = e->out[i].iov_len - skip;
			skip = 0;
		}
		if (blk_backend_writev(b->be, h.sector * VIRTIO_BLK_SECTOR, dout, ndout) < 0)
			return VIRTIO_BLK_S_IOERR;
		count(b, VBLK_WRITES, 1);
		count(b, VBLK_WRITE_BYTES, len);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (blk_backend_flush(b->be) < 0)
			return VIRTIO_BLK_S_IOERR;
		count(b, VBLK_FLUSHES, 1);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		len = din_len < VIRTIO_BLK_ID_BYTES ? din_len : VIRTIO_BLK_ID_BYTES;
		*written = (uint32_t)iov_from_buf(din, ndin, 0, b->serial, (size_t)len);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* One request: the used length (data + status), 0 if the chain has no byte for a status. */
static uint32_t blk_request(struct virtio_blk *b, const struct virtq_elem *e)
{
	struct iovec din[VIRTQ_MAX_SEGS];
	unsigned ndin = e->nin;
	uint32_t written;
	uint8_t st, *status;

	if (!e->in_bytes) {
		count(b, VBLK_ERRORS, 1); /* nowhere to say so */
		return 0;
	}
	/* The status is the last device-writable byte; the data are the writable bytes before it. */
	memcpy(din, e->in, ndin * sizeof(*din));
	status = (uint8_t *)din[ndin - 1].iov_base + din[ndin - 1].iov_len - 1;
	if (!--din[ndin - 1].iov_len)
		ndin--;
	st = blk_serve(b, e, din, ndin, e->in_bytes - 1, &written);
	if (st != VIRTIO_BLK_S_OK)
		count(b, VBLK_ERRORS, 1);
	*status = st;
	return written + 1;
}

/* The worker's request function: the model's own. */
static uint32_t blk_request_cb(void *ctx, struct virtq_elem *e)
{
	return blk_request(ctx, e);
}

static struct virtio_blk *to_blk(struct virtio_dev *v)
{
	return v->opaque;
}

static int vblk_set_features(struct virtio_dev *v, uint64_t f)
{
	if (!virtio_features_acceptable(v, f))
		return -1;
	return 0;
}

static void vblk_config_read(struct virtio_dev *v, unsigned off, void *data, unsigned len)
{
	struct virtio_blk *b = to_blk(v);

	virtio_config_copy(b->config, sizeof(b->config), off, data, len);
}

static void vblk_config_write(struct virtio_dev *v, unsigned off, const void *data, unsigned len)
{
	/* Nothing is writable without CONFIG_WCE, which is not offered. */
	(void)v, (void)off, (void)data, (void)len;
}

static void vblk_stop(struct virtio_dev *v)
{
	virtq_worker_stop(&to_blk(v)->w);
	virtq_reset(&v->vq[0]);
}

static int vblk_start(struct virtio_dev *v)
{
	return virtq_worker_start(&to_blk(v)->w);
}

int virtio_blk_serve(struct virtio_blk *b)
{
	return virtq_worker_serve(&b->w);
}

static const struct virtio_dev_ops vblk_ops = {
	.set_features = vblk_set_features,
	.config_read = vblk_config_read,
	.config_write = vblk_config_write,
	.start = vblk_start,
	.stop = vblk_stop,
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem, struct blk_backend *be, char *err,
		    size_t errlen)
{
	struct virtio_dev *v = &b->vdev;

	memset(b, 0, sizeof(*b));
	b->w.stop_fd = -1; /* destroy is safe on a failed init */
	if (!be || be->fd < 0 || !be->size) {
		snprintf(err, errlen, "virtio-blk: no open image");
		return -1;
	}
	if (virtq_worker_init(&b->w, v, "virtio-blk", blk_request_cb, b, err, errlen))
		return -1;
	b->w.kicks = &b->counters[VBLK_KICKS];
	b->w.interrupts = &b->counters[VBLK_INTERRUPTS];
	b->w.interrupts_suppressed = &b->counters[VBLK_INTERRUPTS_SUPPRESSED];
	b->mem = mem;
	b->be = be;
	memcpy(b->serial, "exitlab-virtio-blk", 18);
	put_le(b->config + VIRTIO_BLK_CFG_CAPACITY, be->size / VIRTIO_BLK_SECTOR, 8);
	put_le(b->config + VIRTIO_BLK_CFG_SIZE_MAX, VIRTIO_BLK_SIZE_MAX, 4);
	put_le(b->config + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX, 4);
	put_le(b->config + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR, 4);
	put_le(b->config + VIRTIO_BLK_CFG_NUM_QUEUES, 1, 2);

	v->name = "virtio-blk";
	v->device_id = VIRTIO_ID_BLK;
	v->host_features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_SIZE_MAX | 1ULL << VIRTIO_BLK_F_SEG_MAX |
			   1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH |
			   1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (be->read_only)
		v->host_features |= 1ULL << VIRTIO_BLK_F_RO;
	v->nqueues = 1;
	v->queue_max[0] = 256;
	v->config_len = VIRTIO_BLK_CONFIG_LEN;
	v->ops = &vblk_ops;
	v->opaque = b;
	v->mem = mem;
	v->vq[0].mem = mem;

	b->metrics.device = "virtio-blk";
	b->metrics.n = VBLK_NMETRICS;
	b->metrics.names = vblk_metric_names;
	b->metrics.values = b->counters;
	return 0;
}

const struct dev_metrics *virtio_blk_metrics(struct virtio_blk *b)
{
	return &b->metrics;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	virtq_worker_destroy(&b->w);
}
