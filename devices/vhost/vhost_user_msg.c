// SPDX-License-Identifier: MIT
/*
 * vhost-user messages (vhost_user_msg.h): building requests, laying them
 * out on the wire, and checking every reply field before it is used.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/vhost/vhost_user_msg.h"

static const char *const req_names[] = {
	[VHU_GET_FEATURES] = "GET_FEATURES", [VHU_SET_FEATURES] = "SET_FEATURES",
	[VHU_SET_OWNER] = "SET_OWNER", [VHU_RESET_OWNER] = "RESET_OWNER",
	[VHU_SET_MEM_TABLE] = "SET_MEM_TABLE", [VHU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHU_SET_VRING_ADDR] = "SET_VRING_ADDR", [VHU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHU_GET_VRING_BASE] = "GET_VRING_BASE", [VHU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHU_SET_VRING_CALL] = "SET_VRING_CALL", [VHU_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES", [VHU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHU_SET_VRING_ENABLE] = "SET_VRING_ENABLE", [VHU_GET_CONFIG] = "GET_CONFIG",
	[VHU_RESET_DEVICE] = "RESET_DEVICE", [VHU_SET_STATUS] = "SET_STATUS", [VHU_GET_STATUS] = "GET_STATUS",
};

const char *vhu_request_name(uint32_t request, char *buf, size_t len)
{
	if (request < sizeof(req_names) / sizeof(req_names[0]) && req_names[request])
		return req_names[request];
	snprintf(buf, len, "request %u", request);
	return buf;
}

bool vhu_request_has_reply(uint32_t request)
{
	switch (request) {
	case VHU_GET_FEATURES: case VHU_GET_PROTOCOL_FEATURES: case VHU_GET_QUEUE_NUM:
	case VHU_GET_VRING_BASE: case VHU_GET_CONFIG: case VHU_GET_STATUS:
		return true;
	}
	return false;
}

static void header(struct vhu_msg *m, uint32_t request, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->request = request;
	m->flags = VHU_VERSION;
	m->size = size;
}

void vhu_msg_none(struct vhu_msg *m, uint32_t request)
{
	header(m, request, 0);
}

void vhu_msg_u64(struct vhu_msg *m, uint32_t request, uint64_t v)
{
	header(m, request, 8);
	m->p.u64 = v;
}

void vhu_msg_state(struct vhu_msg *m, uint32_t request, uint32_t index, uint32_t num)
{
	header(m, request, 8);
	m->p.state.index = index;
	m->p.state.num = num;
}

void vhu_msg_addr(struct vhu_msg *m, uint32_t index, uint64_t desc, uint64_t used, uint64_t avail)
{
	header(m, VHU_SET_VRING_ADDR, 40);
	m->p.addr = (struct vhu_vring_addr){ .index = index, .desc = desc, .used = used, .avail = avail };
}

int vhu_msg_mem(struct vhu_msg *m, const struct vhu_region *r, unsigned nregions)
{
	if (!nregions || nregions > VHU_MAX_REGIONS)
		return -EINVAL;
	header(m, VHU_SET_MEM_TABLE, 8 + 32 * nregions);
	m->p.mem.nregions = nregions;
	memcpy(m->p.mem.r, r, nregions * sizeof(*r));
	return 0;
}

int vhu_msg_get_config(struct vhu_msg *m, uint32_t offset, uint32_t size)
{
	if (!size || size > VHU_CONFIG_MAX)
		return -EINVAL;
	header(m, VHU_GET_CONFIG, VHU_CONFIG_HDR + size);
	m->p.cfg.offset = offset;
	m->p.cfg.size = size;
	return 0;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/* The payload size a request built by the helpers above has. */
static bool size_fits(const struct vhu_msg *m)
{
	switch (m->request) {
	case VHU_SET_VRING_ADDR:
		return m->size == 40;
	case VHU_SET_MEM_TABLE:
		return m->p.mem.nregions && m->p.mem.nregions <= VHU_MAX_REGIONS &&
		       m->size == 8 + 32 * m->p.mem.nregions;
	case VHU_GET_CONFIG:
		return m->p.cfg.size && m->p.cfg.size <= VHU_CONFIG_MAX && m->size == VHU_CONFIG_HDR + m->p.cfg.size;
	default:
		return m->size == 0 || m->size == 8;
	}
}

size_t vhu_encode(const struct vhu_msg *m, uint8_t *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!size_fits(m) || cap < VHU_HDR_SIZE + m->size)
		return 0;
	p = put32(p, m->request);
	p = put32(p, m->flags);
	p = put32(p, m->size);
	switch (m->request) {
	case VHU_SET_VRING_ADDR:
		p = put32(p, m->p.addr.index);
		p = put32(p, m->p.addr.flags);
		p = put64(p, m->p.addr.desc);
		p = put64(p, m->p.addr.used);
		p = put64(p, m->p.addr.avail);
		p = put64(p, m->p.addr.log);
		break;
	case VHU_SET_MEM_TABLE:
		p = put32(p, m->p.mem.nregions);
		p = put32(p, 0);
		for (unsigned i = 0; i < m->p.mem.nregions; i++) {
			p = put64(p, m->p.mem.r[i].guest_addr);
			p = put64(p, m->p.mem.r[i].size);
			p = put64(p, m->p.mem.r[i].user_addr);
			p = put64(p, m->p.mem.r[i].mmap_offset);
		}
		break;
	case VHU_GET_CONFIG:
		p = put32(p, m->p.cfg.offset);
		p = put32(p, m->p.cfg.size);
		p = put32(p, m->p.cfg.flags);
		memset(p, 0, m->p.cfg.size);
		p += m->p.cfg.size;
		break;
	case VHU_SET_VRING_NUM: case VHU_SET_VRING_BASE: case VHU_GET_VRING_BASE: case VHU_SET_VRING_ENABLE:
		if (m->size == 8) {
			p = put32(p, m->p.state.index);
			p = put32(p, m->p.state.num);
		}
		break;
	default:
		if (m->size == 8)
			p = put64(p, m->p.u64);
		break;
	}
	return (size_t)(p - buf);
}

/* The size a reply to `sent` must have: a GET's payload, or the u64 of a REPLY_ACK. */
static uint32_t reply_size(const struct vhu_msg *sent)
{
	if (sent->request == VHU_GET_CONFIG)
		return VHU_CONFIG_HDR + sent->p.cfg.size;
	return 8;
}

int vhu_check_reply_header(const uint8_t *hdr, const struct vhu_msg *sent, uint32_t *size, char *err,
			   size_t errlen)
{
	uint32_t req = get32(hdr), flags = get32(hdr + 4), sz = get32(hdr + 8);
	char b1[24], b2[24];

	if (req != sent->request) {
		snprintf(err, errlen, "reply to %s carries %s", vhu_request_name(sent->request, b1, sizeof(b1)),
			 vhu_request_name(req, b2, sizeof(b2)));
		return -EPROTO;
	}
	if ((flags & VHU_VERSION_MASK) != VHU_VERSION) {
		snprintf(err, errlen, "reply to %s has protocol version %u (1 expected)",
			 vhu_request_name(req, b1, sizeof(b1)), flags & VHU_VERSION_MASK);
		return -EPROTO;
	}
	if (!(flags & VHU_FLAG_REPLY)) {
		snprintf(err, errlen, "reply to %s lacks the REPLY flag (flags 0x%x)",
			 vhu_request_name(req, b1, sizeof(b1)), flags);
		return -EPROTO;
	}
	if (sz > VHU_PAYLOAD_MAX) {
		snprintf(err, errlen, "reply to %s announces %u payload bytes (at most %zu)",
			 vhu_request_name(req, b1, sizeof(b1)), sz, VHU_PAYLOAD_MAX);
		return -EPROTO;
	}
	if (sz != reply_size(sent)) {
		snprintf(err, errlen, "reply to %s has %u payload bytes (%u expected)",
			 vhu_request_name(req, b1, sizeof(b1)), sz, reply_size(sent));
		return -EPROTO;
	}
	*size = sz;
	return 0;
}

int vhu_decode_reply(const uint8_t *buf, size_t len, unsigned nfds, const struct vhu_msg *sent,
		     struct vhu_msg *out, char *err, size_t errlen)
{
	const uint8_t *p = buf + VHU_HDR_SIZE;
	uint32_t size;
	char b[24];
	const char *name = vhu_request_name(sent->request, b, sizeof(b));

	if (len < VHU_HDR_SIZE) {
		snprintf(err, errlen, "reply to %s truncated: %zu bytes, not even a header", name, len);
		return -EPROTO;
	}
	if (vhu_check_reply_header(buf, sent, &size, err, errlen))
		return -EPROTO;
	if (len != VHU_HDR_SIZE + size) {
		snprintf(err, errlen, "reply to %s %s: %zu payload bytes, header says %u", name,
			 len < VHU_HDR_SIZE + size ? "truncated" : "too long", len - VHU_HDR_SIZE, size);
		return -EPROTO;
	}
	if (nfds) {
		snprintf(err, errlen, "reply to %s came with %u unexpected file descriptors", name, nfds);
		return -EPROTO;
	}
	memset(out, 0, sizeof(*out));
	out->request = get32(buf);
	out->flags = get32(buf + 4);
	out->size = size;
	switch (sent->request) {
	case VHU_GET_VRING_BASE:
		out->p.state.index = get32(p);
		out->p.state.num = get32(p + 4);
		if (out->p.state.index != sent->p.state.index) {
			snprintf(err, errlen, "GET_VRING_BASE for ring %u answered for ring %u", sent->p.state.index,
				 out->p.state.index);
			return -EPROTO;
		}
		if (out->p.state.num > 0xffff) {
			snprintf(err, errlen, "GET_VRING_BASE: ring %u base %u is not a 16-bit index",
				 out->p.state.index, out->p.state.num);
			return -EPROTO;
		}
		break;
	case VHU_GET_CONFIG:
		out->p.cfg.offset = get32(p);
		out->p.cfg.size = get32(p + 4);
		out->p.cfg.flags = get32(p + 8);
		if (out->p.cfg.offset != sent->p.cfg.offset || out->p.cfg.size != sent->p.cfg.size) {
			snprintf(err, errlen, "GET_CONFIG of %u bytes at %u answered with %u bytes at %u",
				 sent->p.cfg.size, sent->p.cfg.offset, out->p.cfg.size, out->p.cfg.offset);
			return -EPROTO;
		}
		memcpy(out->p.cfg.data, p + VHU_CONFIG_HDR, out->p.cfg.size);
		break;
	default:
		out->p.u64 = get64(p);
		break;
	}
	return 0;
}
