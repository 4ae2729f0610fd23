/* SPDX-License-Identifier: MIT */
/*
 * What the virtqueue and virtio_pci harnesses share: small guest RAM (low
 * RAM and a little high RAM above 4 GiB, so chains can cross either end), a
 * net backend whose frames come from the input and whose sends are
 * dropped, and a virtio-blk image in a memfd.  Header-only, one copy per
 * harness.
 */
#ifndef EXITLAB_FUZZ_VIRTIO_RIG_H
#define EXITLAB_FUZZ_VIRTIO_RIG_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/blk/blk_backend.h"
#include "fuzz/fuzz_input.h"
#include "vmm/guest_mem.h"
#include "devices/net/net_backend.h"
#include "devices/virtio/virtqueue.h"

#define RIG_LOW   (128u << 10)          /* low RAM: GPA [0, 128 KiB) */
#define RIG_HIGH  (16u << 10)           /* high RAM: [4 GiB, 4 GiB + 16 KiB) */
#define RIG_HI    BOOT_HIGH_MEM_GPA
#define RIG_IND   0x4000ULL             /* four 4 KiB areas for indirect tables */
#define RIG_BUF   0x8000ULL             /* buffers from here to the end of low RAM */
#define RIG_IMG   (64u << 10)           /* the virtio-blk image */

/*
 * The device models say "needs reset" and the like on stderr and have no log
 * hook: send the stdio stream nowhere.  libFuzzer keeps its own copy of the
 * original stream and the sanitizers write to fd 2, so both still report.
 */
static inline void rig_quiet(void)
{
	stderr = fopen("/dev/null", "w");
	if (!stderr)
		abort();
}

static inline void rig_mem_create(struct guest_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	m->host = aligned_alloc(4096, RIG_LOW + RIG_HIGH);
	if (!m->host)
		abort();
	memset(m->host, 0, RIG_LOW + RIG_HIGH);
	m->size = RIG_LOW;
	m->high_size = RIG_HIGH;
	m->page_size = 4096;
}

/*
 * A guest-physical address from the input: mostly inside RAM (the buffer
 * area, an indirect-table area, high RAM), often just before an end of RAM
 * so a buffer may run past it, sometimes anything at all.
 */
static inline uint64_t rig_gpa(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in);
	uint32_t v = kind & 0x80 ? fuzz_u32(in) : fuzz_u16(in);

	switch (kind & 7) {
	case 0:
		return RIG_BUF + v % (RIG_LOW - RIG_BUF);
	case 1:
		return RIG_LOW - 1 - (v & 0xfff);
	case 2:
		return RIG_HI + v % RIG_HIGH;
	case 3:
		return RIG_HI + RIG_HIGH - 1 - (v & 0xfff);
	case 4:
		return RIG_IND + (v & 3) * 0x1000ULL + (v >> 2 & 0xff) * 16ULL;
	case 5:
		return 0x1000 + v % 0x3000;   /* the default ring area */
	case 6:
		return v;
	default:
		return (uint64_t)v << 32 | fuzz_u32(in);
	}
}

/* Host pointer of [gpa, gpa + len) if it is all RAM (the harness's own writes go through it too). */
static inline uint8_t *rig_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	return guest_mem_ptr(m, gpa, len ? len : 1);
}

static inline void rig_put(const struct guest_mem *m, uint64_t gpa, const void *p, size_t len)
{
	uint8_t *h = rig_ptr(m, gpa, len);

	if (h)
		memcpy(h, p, len);
}

/* ---- the net backend: frames from the input, sends dropped ---- */

#define RIG_FRAMES 8

/* Raw bytes from the input (up to 63) anywhere rig_gpa() points: rings, tables, buffers. */
static inline void rig_poke(const struct guest_mem *m, struct fuzz_input *in)
{
	uint64_t at = rig_gpa(in);
	size_t len = fuzz_u8(in) % 64, got;
	const uint8_t *p = fuzz_take(in, len, &got);

	rig_put(m, at, p, got);
}

/* A split-ring descriptor (address, length, flags, next) written at gpa. */
static inline void rig_put_desc(const struct guest_mem *m, uint64_t gpa, uint64_t addr, uint32_t len,
				uint16_t flags, uint16_t next)
{
	uint8_t b[16];

	memcpy(b, &addr, 8);
	memcpy(b + 8, &len, 4);
	memcpy(b + 12, &flags, 2);
	memcpy(b + 14, &next, 2);
	rig_put(m, gpa, b, sizeof(b));
}

struct rig_net {
	struct net_backend be;
	unsigned nframes, head;
	uint32_t len[RIG_FRAMES];          /* frame bytes after the backend's header */
	uint8_t hdr[RIG_FRAMES][12];
	int send_result;
	uint64_t touched;
	uint8_t *frame;                    /* NET_FRAME_MAX + 16 bytes of pattern */
};

static inline size_t rig_iov_total(const struct iovec *iov, unsigned n)
{
	size_t t = 0;

	for (unsigned i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

/* Touch both ends of every segment: ASan catches a segment that is not all guest RAM. */
static inline void rig_touch(struct rig_net *r, const struct iovec *iov, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (iov[i].iov_len) {
			const volatile uint8_t *p = iov[i].iov_base;

			r->touched += p[0] + p[iov[i].iov_len - 1];
		}
}

static inline int rig_net_send(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct rig_net *r = (struct rig_net *)b;

	rig_touch(r, iov, n);
	return r->send_result;
}

static inline ssize_t rig_net_recv(struct net_backend *b, const struct iovec *iov, unsigned n)
{
	struct rig_net *r = (struct rig_net *)b;
	size_t h = b->vnet_hdr_len, len, done;

	if (r->head == r->nframes)
		return -EAGAIN;
	len = h + r->len[r->head];
	if (len > rig_iov_total(iov, n)) {
		r->head++;
		return -EMSGSIZE;
	}
	done = iov_from_buf(iov, n, 0, r->hdr[r->head], h);
	done += iov_from_buf(iov, n, h, r->frame, r->len[r->head]);
	r->head++;
	return (ssize_t)done;
}

static const struct net_backend_ops rig_net_ops = { .kind = "fuzz", .send = rig_net_send, .recv = rig_net_recv };

static inline void rig_net_create(struct rig_net *r, unsigned vnet_hdr_len)
{
	memset(r, 0, sizeof(*r));
	r->be.ops = &rig_net_ops;
	r->be.fd = -1;
	r->be.vnet_hdr_len = vnet_hdr_len;
	r->frame = malloc(NET_FRAME_MAX + 16);   /* a frame may be a little too big */
	if (!r->frame)
		abort();
	for (size_t i = 0; i < NET_FRAME_MAX + 16; i++)
		r->frame[i] = net_pattern_byte(7, i);
}

static inline void rig_net_reset(struct rig_net *r)
{
	r->nframes = r->head = 0;
	r->send_result = 0;
}

/* A frame for the guest: its length and the backend's vnet header, from the input. */
static inline void rig_net_frame(struct rig_net *r, struct fuzz_input *in)
{
	uint16_t l = fuzz_u16(in);
	uint8_t h[10];

	fuzz_bytes(in, h, sizeof(h));
	if (r->nframes == RIG_FRAMES)
		return;
	memcpy(r->hdr[r->nframes], h, sizeof(h));
	memset(r->hdr[r->nframes] + 10, 0, 2);
	/*
	 * Mostly short frames; the top four bits set ask for one near the 64 KiB
	 * maximum (rarely: checksumming one costs as much as a thousand inputs).
	 */
	r->len[r->nframes++] = (l & 0xf000) == 0xf000 ? NET_FRAME_MAX + 8 - (l & 0xfff) : l & 0x7ff;
}

/* A send result from the input: sent, or an error the device must count as a drop. */
static inline void rig_net_send_mode(struct rig_net *r, uint8_t v)
{
	static const int res[4] = { 0, -EIO, -ENOBUFS, 0 };

	r->send_result = res[v & 3];
}

/* ---- the block image ---- */

static inline void rig_blk_create(struct blk_backend *be, bool read_only)
{
	static int fd = -1;
	char path[64], err[256];

	/* One memfd image, opened through its path as `exitlab run` opens an image file. */
	if (fd < 0 && ((fd = memfd_create("fuzz-blk", MFD_CLOEXEC)) < 0 || ftruncate(fd, RIG_IMG)))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (blk_backend_open(be, path, read_only, err, sizeof(err)) != OUTCOME_OK)
		abort();
}

#endif
