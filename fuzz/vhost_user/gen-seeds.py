#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes fuzz/vhost_user/seeds/ in the encoding of fuzz/vhost_user/harness.c:
# whole conversations of a well-behaved back-end (net and blk, with and
# without protocol features, start and stop), the same with file descriptors
# attached to replies, and the hostile replies of tests/unit/test_vhost_user_msg.c.
# Run once from the repository root: fuzz/vhost_user/gen-seeds.py
import os
import struct

REQS = [1, 15, 17, 11, 24, 40, 3, 2, 5, 9, 8, 12, 18, 34, 39]   # the harness's table
V1, REPLY = 1, 4


def hdr(req, size, flags=V1 | REPLY):
    return struct.pack("<III", req, flags, size)


def r64(req, v, flags=V1 | REPLY):
    return hdr(req, 8, flags) + struct.pack("<Q", v)


def ack(req):
    return r64(req, 0)


def chunk(b, nfds=0):
    assert len(b) < 512
    return bytes([(nfds << 4) | (len(b) >> 8), len(b) & 0xFF]) + b


def device(flags, backend, features, status=0x0F, rings=((8, 0, 0x1000, 0x2000), (8, 0x3000, 0x4000, 0x5000)), conn=0):
    out = bytes([1, flags]) + struct.pack("<QBB", features, status, conn)
    for num_log, d, a, u in rings:
        out += struct.pack("<BHHH", num_log, d, a, u)
        if flags & 0x80:
            out += struct.pack("<Q", 0xFFFFFFFFFFFFF000)   # the used ring anywhere
    return out + b"".join(chunk(c, n) for c, n in backend)


BE_FEATURES = 1 << 32 | 1 << 30 | 1 << 29 | 1 << 28 | 1 << 15
PF = 1 << 0 | 1 << 3 | 1 << 9 | 1 << 13 | 1 << 16


def handshake(pf=PF, feats=BE_FEATURES):
    h = [(r64(1, feats), 0)]
    if feats >> 30 & 1:
        h += [(r64(15, pf), 0)]
        if pf >> 3 & 1:
            h += [(ack(3), 0)]
        if pf & 1:
            h += [(r64(17, 2), 0)]
    return h


def start(nq, acks=True):
    if not acks:
        return []
    s = [(ack(2), 0), (ack(5), 0)]
    for _ in range(nq):
        s += [(ack(x), 0) for x in (8, 10, 9, 12, 13, 14)]
    s += [(ack(18), 0)] * nq + [(ack(39), 0)]
    return s


def stop(nq):
    return [(hdr(11, 8) + struct.pack("<II", q, 17), 0) for q in range(nq)] + [(ack(34), 0), (ack(3), 0)]


def blk_config():
    cfg = struct.pack("<QII", 2048, 0, 128) + bytes(60 - 16)
    return [(hdr(24, 12 + 60) + struct.pack("<III", 0, 60, 0) + cfg, 0)]


seeds = {}
NET = 0x3C          # net, irqfds, both queues ready, start then stop
seeds["net-start-stop"] = device(NET, handshake() + start(2) + stop(2), 1 << 32 | 1 << 29)
seeds["net-server-mode"] = device(NET, handshake() + start(2) + stop(2), 1 << 32, conn=1)
seeds["net-backend-hangs-up"] = device(NET, handshake() + start(2)[:3], 1 << 32, conn=2)
seeds["net-restart"] = device(NET | 0x40, handshake() + start(2) + stop(2) + start(2) + stop(2), 1 << 32)
seeds["net-relay"] = device(NET | 2, handshake() + start(2) + stop(2), 1 << 32)
seeds["net-no-protocol"] = device(NET, [(r64(1, 1 << 32), 0)], 1 << 32)
seeds["net-fds-on-reply"] = device(NET, [(r64(1, BE_FEATURES), 2), (r64(15, PF), 9)], 1 << 32)
seeds["net-split-reply"] = device(NET, [(hdr(1, 8)[:5], 0), (hdr(1, 8)[5:] + struct.pack("<Q", BE_FEATURES)[:3], 0),
                                        (struct.pack("<Q", BE_FEATURES)[3:], 0)] + handshake()[1:] + start(2), 1 << 32)
seeds["net-ring-outside-ram"] = device(NET | 0x80, handshake() + start(2), 1 << 32)
seeds["blk-start-stop"] = device(0x15 | 0x20, handshake() + blk_config() + start(1) + stop(1), 1 << 32 | 1 << 9)
seeds["blk-no-config"] = device(0x15, handshake(pf=1 << 3), 1 << 32)
seeds["blk-config-wrong-window"] = device(0x15, handshake() + [(hdr(24, 12 + 60) + struct.pack("<III", 4, 60, 0) + bytes(60), 0)], 0)
seeds["net-queue-num-zero"] = device(NET, handshake()[:3] + [(r64(17, 0), 0)], 0)
seeds["net-refused-ack"] = device(NET, handshake() + [(r64(2, 1), 0)], 1 << 32)
seeds["net-vring-base-wrong-ring"] = device(NET, handshake() + start(2) + [(hdr(11, 8) + struct.pack("<II", 1, 0), 0)], 1 << 32)
seeds["net-vring-base-not-16bit"] = device(NET, handshake() + start(2) + [(hdr(11, 8) + struct.pack("<II", 0, 0x10000), 0)], 1 << 32)


def rec(sel, a, b, reply, nfds=0, raw=None, extra=b""):
    out = bytes([sel]) + struct.pack("<II", a, b)
    if raw is not None:
        out += struct.pack("<I", raw)
    out += extra
    return out + struct.pack("<HB", len(reply), 3 if nfds else 0) + reply


I = {r: i for i, r in enumerate(REQS)}
good = [
    rec(I[1], 0, 0, r64(1, BE_FEATURES)),
    rec(I[11], 1, 0, hdr(11, 8) + struct.pack("<II", 1, 5)),
    rec(I[24], 0, 8, hdr(24, 20) + struct.pack("<III", 0, 8, 0) + bytes(range(8))),
    rec(I[2], 1, 0, ack(2)),
    rec(I[9], 1, 0, b"", extra=struct.pack("<QQQ", 0x1000, 0x3000, 0x2000)),
    rec(I[5], 0, 2, b"", extra=bytes(32 * 9)),
]
seeds["codec-good"] = b"\0" + b"".join(good)
hostile = [
    rec(I[1], 0, 0, r64(15, 0)),                       # reply to another request
    rec(I[1], 0, 0, r64(9999, 0)),
    rec(I[1], 0, 0, r64(1, 0, flags=1)),               # no REPLY flag
    rec(I[1], 0, 0, r64(1, 0, flags=2 | REPLY)),       # version 2
    rec(I[1], 0, 0, hdr(1, 4) + bytes(4)),             # size mismatch
    rec(I[1], 0, 0, hdr(1, 0xFFFFFFFF)),               # oversized
    rec(I[1], 0, 0, r64(1, 0), nfds=1),                # fds came along
    rec(I[1], 0, 0, r64(1, 0)[:15]),                   # truncated
    rec(I[1], 0, 0, r64(1, 0) + b"xx"),                # too long
    rec(I[11], 0, 0, hdr(11, 8) + struct.pack("<II", 1, 0)),        # wrong ring
    rec(I[11], 0, 0, hdr(11, 8) + struct.pack("<II", 0, 0x10000)),  # base not 16-bit
    rec(I[24], 0, 36, hdr(24, 48) + struct.pack("<III", 4, 36, 0) + bytes(36)),  # another window
    rec(I[24], 0, 36, hdr(24, 12 + 256) + struct.pack("<III", 0, 256, 0) + bytes(256)),
    rec(0x80, 0, 0, r64(77, 0), raw=77),
    rec(0x80, 1, 9, r64(0xFFFFFFFF, 0), raw=0xFFFFFFFF),
]
seeds["codec-hostile"] = b"\0" + b"".join(hostile)

os.makedirs("fuzz/vhost_user/seeds", exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join("fuzz/vhost_user/seeds", name), "wb") as fh:
        fh.write(data)
