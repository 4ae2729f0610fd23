#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes fuzz/vfio/seeds/ in the encoding of fuzz/vfio/harness.c: the fake
# host's e1000e-like function (tests/unit/vfio_fake.h) driven through MSI-X,
# MSI, INTx, BAR moves and trapped accesses, and the hostile devices of
# tests/unit/test_vfio_config.c (capability loops, pointers into the header or
# at themselves, MSI with and without room) plus a few more (a bridge header,
# a vanished device, MSI-X in an absent BAR, sparse areas outside the BAR).
# Run once from the repository root: fuzz/vfio/gen-seeds.py
import os
import struct


def put(c, off, n, v):
    c[off:off + n] = v.to_bytes(n, "little")


def e1000e_cfg():
    c = bytearray(256)
    put(c, 0x00, 2, 0x8086); put(c, 0x02, 2, 0x10d3); put(c, 0x06, 2, 0x0010)
    put(c, 0x09, 3, 0x020000); c[0x0e] = 0x80
    put(c, 0x10, 4, 0xfebc0000); put(c, 0x14, 4, 0xfeba0000); put(c, 0x18, 4, 0x0000c001); put(c, 0x1c, 4, 0xfebe0008)
    put(c, 0x2c, 2, 0x8086); put(c, 0x30, 4, 0xfeb80000); c[0x34] = 0xc8; c[0x3d] = 1
    c[0xc8] = 0x01; c[0xc9] = 0xd0; put(c, 0xca, 2, 0x0023)
    c[0xd0] = 0x05; c[0xd1] = 0xe0; put(c, 0xd2, 2, 0x0080)
    c[0xe0] = 0x10; c[0xe1] = 0xa0; put(c, 0xe2, 2, 0x0001); put(c, 0xe8, 2, 0x2810)
    c[0xa0] = 0x11; c[0xa1] = 0x00; put(c, 0xa2, 2, 4); put(c, 0xa4, 4, 3); put(c, 0xa8, 4, 0x2003)
    return c


# BAR sizes as the harness encodes them: 1 << (k % 13 + 5); 0 = absent
K128, K16, B32 = 12, 9, 13
RW_MMAP, RW, RO = 2, 0, 1


def host(cfg, flags=0, cfgsel=0, bars=((K128, RW_MMAP), (K128, RW_MMAP), (B32, RW), (K16, RW_MMAP), (0, 0), (0, 0)),
         sparse=None):
    out = bytes([flags, cfgsel])
    for i, (k, rf) in enumerate(bars):
        areas = (sparse or {}).get(i, [])
        if areas:
            rf |= 4 | (len(areas) << 3)
        out += bytes([k, rf]) + b"".join(struct.pack("<II", o, s) for o, s in areas)
    return out + bytes(cfg)


SIZES = {4: 0, 2: 2, 1: 3, 8: 4, 3: 5, 16: 7}


def cw(off, size, val):
    return bytes([0]) + struct.pack("<HB", off, SIZES[size]) + struct.pack("<I", val)


def cr(off, size):
    return bytes([1]) + struct.pack("<HB", off, SIZES[size])


def bw(bar, off, size, val):
    return bytes([2, bar]) + struct.pack("<IB", off, SIZES[size]) + struct.pack("<Q", val)


def br(bar, off, size):
    return bytes([3, bar]) + struct.pack("<IB", off, SIZES[size]) + bytes(8)


def msix(vec, field, val):
    return bytes([4, vec, field]) + struct.pack("<I", val)


def place(bar, cmd, off):
    return bytes([5, bar | (cmd << 3)]) + struct.pack("<I", off)


def pending(fd):
    return bytes([6, fd])


START, WALK = bytes([7]), bytes([9])


def region(buf, holes=b""):
    return bytes([8]) + struct.pack("<H", len(buf)) + buf + holes.ljust(32, b"\0")


seeds = {}
base = e1000e_cfg()
placed = place(0, 2, 0x00000) + place(1, 2, 0x20000) + place(3, 2, 0x40000) + place(2, 3, 0)
seeds["msix"] = host(base) + placed + cw(0xa2, 2, 0x8000) + msix(0, 0, 0xfee00000) + msix(0, 2, 0x4041) + \
    msix(0, 3, 0) + msix(1, 0, 0xfee01000) + msix(1, 3, 1) + pending(20) + br(3, 0x2000, 8) + br(3, 0, 4) + \
    bw(3, 0x2000, 4, 1) + cw(0xa2, 2, 0xc000) + msix(1, 3, 0) + cw(0xa2, 2, 0) + WALK
seeds["msi-intx"] = host(base, cfgsel=0) + START + cw(4, 2, 0x0406) + cw(4, 2, 0x0006) + \
    cw(0xca, 2, 0x8000) + cw(0xe8, 4, 0x2810) + cr(0xe8, 1) + cw(6, 2, 0x4000) + cr(0, 4) + cr(0x100, 4) + \
    cr(0xfff, 4) + cr(0x1000, 4) + cw(0x3c, 1, 5) + WALK
msi = e1000e_cfg()
msi[0x40:] = bytes(0xc0)
msi[0x34] = 0x50; msi[0x50] = 0x05; msi[0x51] = 0x70; put(msi, 0x52, 2, 0x0084); msi[0x70] = 0x10
seeds["msi-with-room"] = host(msi) + START + cw(0x54, 4, 0xfee00000) + cw(0x58, 4, 0) + cw(0x5c, 2, 0x4042) + \
    cw(0x52, 2, 0x0001 | (2 << 4)) + cw(0x60, 4, 1) + cw(0x52, 2, 0) + WALK
seeds["bars-trapped"] = host(base, bars=((K128, RW), (K128, RO), (B32, RW), (K16, RW_MMAP), (5, RW), (0, 0))) + placed + \
    bw(0, 8, 4, 0x1234) + br(0, 8, 4) + br(0, 0x1fffe, 4) + bw(2, 0, 1, 7) + br(2, 30, 2) + bw(4, 0, 8, 1) + \
    place(0, 2, 0x0ffff000) + bytes([5, 0x80 | 0x10]) + struct.pack("<I", 0x1000) + \
    place(3, 0, 0x40000) + place(3, 2, 0x80000)
seeds["sparse"] = host(base, bars=((K128, RW_MMAP), (K128, RW_MMAP), (B32, RW), (K16, RW_MMAP), (0, 0), (0, 0)),
                       sparse={0: [(0, 0x1000), (0x3000, 0x2000), (0x1f000, 0x2000)], 3: [(0x1000, 0x3000)]}) + placed
seeds["fail-set-irqs"] = host(base, flags=8 | (0 << 4)) + placed + cw(0xa2, 2, 0x8000) + msix(0, 0, 0xfee00000) + START
seeds["fail-mmap-slot"] = host(base, flags=2 | 4) + placed + br(0, 8, 4)
seeds["fail-region-info"] = host(base, flags=8 | (1 << 4))
seeds["fail-dma"] = host(base, flags=8 | (4 << 4))
seeds["no-intx"] = host(base, flags=1) + START + cw(4, 2, 0x0400)
loop = e1000e_cfg(); loop[0x40:] = bytes(0xc0); loop[0x34] = 0x40
loop[0x40] = 0x01; loop[0x41] = 0x48; loop[0x48] = 0x10; loop[0x49] = 0x40
seeds["cap-loop"] = host(loop) + WALK
low = e1000e_cfg(); low[0x34] = 0x10
seeds["cap-into-header"] = host(low) + WALK
high = e1000e_cfg(); high[0x40:] = bytes(0xc0); high[0x34] = 0xfe; high[0xfc] = 0x09; high[0xfd] = 0xfe
seeds["cap-self"] = host(high) + WALK + cr(0xfc, 4)
bridge = e1000e_cfg(); bridge[0x0e] = 0x01
seeds["bridge"] = host(bridge)
gone = bytearray(b"\xff" * 256)
seeds["gone"] = host(gone)
mx = e1000e_cfg(); put(mx, 0xa4, 4, 5); put(mx, 0xa8, 4, 0x2005)
seeds["msix-absent-bar"] = host(mx) + WALK
mx2 = e1000e_cfg(); put(mx2, 0xa2, 2, 0x7ff); put(mx2, 0xa8, 4, 0x2000)
seeds["msix-2048-pba-other-bar"] = host(mx2) + WALK
seeds["small-config"] = host(base, cfgsel=4)
seeds["ext-config"] = host(base, cfgsel=3) + cr(0x100, 4) + cw(0x100, 4, 1)
info = struct.pack("<IIIIQQ", 64, 8, 0, 32, 0x4000, 0)   # argsz flags(CAPS) index cap_offset size offset
sp = struct.pack("<HHIII", 1, 1, 0, 2, 0) + struct.pack("<QQ", 0, 0x1000) + struct.pack("<QQ", 0x2000, 0x2000)
seeds["region-sparse"] = host(base) + region(info + sp)
loopcap = struct.pack("<IIIIQQ", 64, 8, 0, 32, 0x4000, 0) + struct.pack("<HHI", 3, 1, 32)
seeds["region-cap-loop"] = host(base) + region(loopcap)

os.makedirs("fuzz/vfio/seeds", exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join("fuzz/vfio/seeds", name), "wb") as fh:
        fh.write(data)
