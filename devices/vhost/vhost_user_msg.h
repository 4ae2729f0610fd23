/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user wire format (QEMU docs/interop/vhost-user.rst), front-end
 * side: a 12-byte header (request, flags, size) and a payload of `size`
 * bytes, little-endian, file descriptors alongside as SCM_RIGHTS.  Pure
 * code, no sockets: encode a request into bytes, and check a reply's bytes
 * (and how many fds came with them) before anything believes them: the
 * back-end is as untrusted as a guest.
 */
#ifndef EXITLAB_VHOST_USER_MSG_H
#define EXITLAB_VHOST_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Front-end requests (the ids we use) */
enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_SET_VRING_ERR = 14,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
	VHU_GET_CONFIG = 24,
	VHU_RESET_DEVICE = 34,
	VHU_SET_STATUS = 39,
	VHU_GET_STATUS = 40,
};

#define VHU_VERSION         0x1u
#define VHU_VERSION_MASK    0x3u
#define VHU_FLAG_REPLY      (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)
#define VHU_HDR_SIZE        12u

/* The virtio feature bit saying the back-end speaks protocol features. */
#define VHU_F_PROTOCOL_FEATURES 30

/* Protocol features */
#define VHU_PROTOCOL_F_MQ           0
#define VHU_PROTOCOL_F_REPLY_ACK    3
#define VHU_PROTOCOL_F_CONFIG       9
#define VHU_PROTOCOL_F_RESET_DEVICE 13
#define VHU_PROTOCOL_F_STATUS       16

#define VHU_MAX_REGIONS     8
#define VHU_MAX_FDS         VHU_MAX_REGIONS
#define VHU_CONFIG_MAX      256           /* a config payload's bytes */
#define VHU_VRING_FD_INDEX  0xffu         /* u64 of SET_VRING_KICK/CALL/ERR: the ring */
#define VHU_VRING_NOFD      (1ull << 8)   /* ... and "no fd with this message" */

struct vhu_vring_state {
	uint32_t index, num;
};

struct vhu_vring_addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;   /* the front-end's userspace addresses */
};

struct vhu_region {
	uint64_t guest_addr, size, user_addr, mmap_offset;
};

struct vhu_mem_table {
	uint32_t nregions, padding;
	struct vhu_region r[VHU_MAX_REGIONS];
};

struct vhu_config {
	uint32_t offset, size, flags;
	uint8_t data[VHU_CONFIG_MAX];
};

#define VHU_CONFIG_HDR 12u
#define VHU_PAYLOAD_MAX sizeof(struct vhu_mem_table)

/* A decoded message: host-endian fields, payload by request. */
struct vhu_msg {
	uint32_t request, flags, size;
	union {
		uint64_t u64;
		struct vhu_vring_state state;
		struct vhu_vring_addr addr;
		struct vhu_mem_table mem;
		struct vhu_config cfg;
	} p;
};

/* "GET_FEATURES", … or "request 77" (buf holds the latter). */
const char *vhu_request_name(uint32_t request, char *buf, size_t len);

/* Request builders: header filled, size set to the payload's. */
void vhu_msg_u64(struct vhu_msg *m, uint32_t request, uint64_t v);
void vhu_msg_none(struct vhu_msg *m, uint32_t request);
void vhu_msg_state(struct vhu_msg *m, uint32_t request, uint32_t index, uint32_t num);
void vhu_msg_addr(struct vhu_msg *m, uint32_t index, uint64_t desc, uint64_t used, uint64_t avail);
/* nregions <= VHU_MAX_REGIONS, regions copied: 0 or -EINVAL. */
int vhu_msg_mem(struct vhu_msg *m, const struct vhu_region *r, unsigned nregions);
/* GET_CONFIG of size bytes at offset (size <= VHU_CONFIG_MAX): 0 or -EINVAL. */
int vhu_msg_get_config(struct vhu_msg *m, uint32_t offset, uint32_t size);

/* Wire bytes of m into buf (cap bytes): the length, or 0 if it does not fit or m->size is wrong. */
size_t vhu_encode(const struct vhu_msg *m, uint8_t *buf, size_t cap);

/*
 * A reply header (VHU_HDR_SIZE bytes) to the request `sent`: the right
 * request code, version 1, the REPLY flag, and a size that the reply to
 * `sent` may have.  0 and *size, or -EPROTO with err naming what is wrong.
 */
int vhu_check_reply_header(const uint8_t *hdr, const struct vhu_msg *sent, uint32_t *size, char *err,
			   size_t errlen);
/*
 * A whole reply (header + payload, len bytes, nfds descriptors came with
 * it) to `sent`, decoded into *out: 0, or -EPROTO with err.  Checks
 * everything vhu_check_reply_header does, that len is exactly header +
 * size, that no fds came, and the payload itself (GET_VRING_BASE names
 * the ring asked for, GET_CONFIG echoes offset and size).
 */
int vhu_decode_reply(const uint8_t *buf, size_t len, unsigned nfds, const struct vhu_msg *sent,
		     struct vhu_msg *out, char *err, size_t errlen);

/* Whether the back-end answers `request` with a payload of its own (GET_*). */
bool vhu_request_has_reply(uint32_t request);

#endif
