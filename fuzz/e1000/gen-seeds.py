#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes fuzz/e1000/seeds/: valid TX (legacy, checksum offload, TSO), RX
# (direct and through the backend), EEPROM/PHY/interrupt sequences, and the
# malformed setups of tests/unit/test_e1000*.c, in the operation encoding of
# fuzz/e1000/harness.c.  Run once from the repository root: fuzz/e1000/gen-seeds.py
import os
import struct

REG = {n: i for i, n in enumerate(
    "CTRL STATUS EECD EERD CTRL_EXT MDIC VET ICR ITR ICS IMS IMC RCTL TCTL "
    "RDBAL RDBAH RDLEN RDH RDT RDTR TDBAL TDBAH TDLEN TDH TDT RXCSUM MTA RAL0 RAH0".split())}


def w(reg, val):
    return bytes([0, REG[reg]]) + struct.pack("<I", val & 0xFFFFFFFF)


def r(reg):
    return bytes([1, REG[reg]])


def ram(at, data):
    return bytes([4]) + struct.pack("<HB", at, len(data)) + data


def desc(slot, addr, rest, rx=False, raw=False):
    flags = (1 if rx else 0) | (2 if raw else 0)
    a = struct.pack("<Q", addr) if raw else struct.pack("<H", addr)
    return bytes([5, flags, slot]) + a + rest


def ring(rx, base, nblk=1):
    return bytes([6, (1 if rx else 0) | ((nblk - 1) << 1)]) + struct.pack("<H", base)


def frame(data, queue=False):
    return bytes([8 if queue else 7]) + struct.pack("<H", len(data)) + data


def poll(k):
    return bytes([9, k])


def clock(ns):
    return bytes([10]) + struct.pack("<I", ns)


def pci(off, size_log, write, val):
    return bytes([12, size_log | (4 if write else 0), off]) + struct.pack("<I", val)


EOP, IFCS, IC, RS, DEXT, VLE = 1, 2, 4, 8, 0x20, 0x40
TSE = 4
MAC = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56])
BCAST = b"\xff" * 6


def ipv4_tcp(payload):
    eth = BCAST + MAC + b"\x08\x00"
    ip = bytes([0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])
    tcp = struct.pack(">HHIIBBHHH", 1000, 80, 1, 0, 0x50, 0x18, 65535, 0, 0)
    return eth + ip + tcp + payload


def legacy(length, cmd, cso=0, css=0, special=0):
    return struct.pack("<HBBBBH", length, cso, cmd, 0, css, special)


def ctx(ipcss, ipcso, ipcse, tucss, tucso, tucse, paylen, tucmd, hdrlen, mss):
    lo = struct.pack("<BBHBBH", ipcss, ipcso, ipcse, tucss, tucso, tucse)
    return lo, struct.pack("<IBBH", paylen & 0xFFFFF, tucmd | DEXT, hdrlen, mss)[:0] or \
        struct.pack("<HBBBBH", paylen & 0xFFFF, (paylen >> 16) & 0xF, tucmd | DEXT, 0, hdrlen, mss)


def data_desc(length, dcmd, popts, special=0):
    return struct.pack("<HBBBBH", length & 0xFFFF, 0x10 | ((length >> 16) & 0xF), dcmd | DEXT, 0, popts, special)


def tx_on():
    return w("TCTL", 0x0A) + w("IMS", 0x9F)


seeds = {}
f = ipv4_tcp(b"hello e1000 " * 3)
seeds["tx-legacy"] = b"\0" + ring(False, 0x1000) + ram(0x2000, f) + \
    desc(0, 0x2000, legacy(len(f), EOP | IFCS | RS)) + tx_on() + w("TDT", 1) + r("ICR")
seeds["tx-backend-full"] = b"\4" + ring(False, 0x1000) + ram(0x2000, f) + \
    desc(0, 0x2000, legacy(len(f), EOP | IFCS | RS)) + tx_on() + w("TDT", 1)
seeds["tx-legacy-ic-vlan"] = b"\1" + w("CTRL", 0x40000041) + ring(False, 0x1000) + ram(0x2000, f) + \
    desc(0, 0x2000, legacy(30, IFCS | IC | VLE, cso=24, css=14)) + \
    desc(1, 0x2000 + 30, legacy(len(f) - 30, EOP | RS | VLE, special=5)) + tx_on() + w("TDT", 2)
lo, hi = ctx(14, 24, 33, 34, 50, 0, len(f) - 54, 3, 54, 0)
lo_addr = struct.unpack("<Q", lo)[0]
seeds["tx-csum-offload"] = b"\0" + ring(False, 0x1000) + ram(0x2000, f) + \
    desc(0, lo_addr, hi, raw=True) + desc(1, 0x2000, data_desc(len(f), EOP | RS, 3)) + tx_on() + w("TDT", 2)
big = ipv4_tcp(bytes(range(200)))
lo, hi = ctx(14, 24, 33, 34, 50, 0, len(big) - 54, 3 | TSE, 54, 64)
seeds["tx-tso"] = b"\2" + ring(False, 0x1000) + ram(0x2000, big[:255]) + ram(0x2000 + 255, big[255:]) + \
    desc(0, struct.unpack("<Q", lo)[0], hi, raw=True) + \
    desc(1, 0x2000, data_desc(len(big), EOP | RS | TSE, 3)) + tx_on() + w("TDT", 2) + bytes([11])
lo, hi = ctx(14, 24, 33, 34, 40, 0, 100, 2 | TSE, 42, 1)
seeds["tx-tso-udp-mss1"] = b"\0" + ring(False, 0x1000) + ram(0x2000, big[:200]) + \
    desc(0, struct.unpack("<Q", lo)[0], hi, raw=True) + \
    desc(1, 0x2000, data_desc(142, EOP | RS | TSE, 3)) + tx_on() + w("TDT", 2) + bytes([11, 11])
lo, hi = ctx(14, 24, 33, 34, 50, 0, 0, 3 | TSE, 255, 0)
seeds["tx-tso-bad-context"] = b"\0" + ring(False, 0x1000) + desc(0, struct.unpack("<Q", lo)[0], hi, raw=True) + \
    desc(1, 0x2000, data_desc(60, EOP | RS | TSE, 3)) + tx_on() + w("TDT", 2)
seeds["tx-no-eop-round-ring"] = b"\0" + ring(False, 0x1000) + \
    b"".join(desc(i, 0x2000, legacy(60, RS)) for i in range(8)) + tx_on() + w("TDT", 7) + \
    w("TDT", 0) + w("TDT", 5)
seeds["tx-ring-outside-ram"] = b"\0" + w("TDBAL", 0xFFFFF000) + w("TDBAH", 7) + w("TDLEN", 128) + \
    tx_on() + w("TDT", 1) + w("TDLEN", 100) + w("TDT", 2)
seeds["tx-head-beyond-ring"] = b"\0" + ring(False, 0x1000) + w("TDH", 9) + tx_on() + w("TDT", 20)
seeds["tx-buffer-outside-ram"] = b"\0" + ring(False, 0x1000) + \
    desc(0, 0xFFFFFFFFFFFF0000, legacy(60, EOP | RS), raw=True) + tx_on() + w("TDT", 1)
seeds["tx-bad-dtyp"] = b"\0" + ring(False, 0x1000) + \
    desc(0, 0x2000, struct.pack("<HBBBBH", 60, 0x70, EOP | DEXT, 0, 0, 0)) + tx_on() + w("TDT", 1)

rxdescs = b"".join(desc(i, 0x4000 + 0x800 * i, bytes(8), rx=True) for i in range(8))
rx_on = w("RCTL", 0x0400801A) + w("IMS", 0x9F) + w("RDT", 7)
seeds["rx-direct"] = b"\0" + ring(True, 0x3000) + rxdescs + rx_on + frame(BCAST + MAC + b"\x08\x00" + bytes(50)) + r("ICR")
seeds["rx-backend-poll"] = b"\1" + ring(True, 0x3000) + rxdescs + w("RCTL", 0x0000800A) + w("RDT", 7) + \
    frame(MAC + MAC + b"\x08\x00" + bytes(100), queue=True) + frame(bytes(20000 % 65536), queue=True) + poll(4)
seeds["rx-vlan-strip-filter"] = b"\0" + w("CTRL", 0x40000041) + ring(True, 0x3000) + rxdescs + \
    w("RCTL", 0x0004800A | (1 << 16)) + w("RDT", 7) + \
    frame(MAC + MAC + b"\x81\x00\x00\x05\x08\x00" + bytes(60)) + frame(b"\x01\x00\x5e\x00\x00\x01" + MAC + b"\x08\x00" + bytes(46))
seeds["rx-lpe-multi-desc"] = b"\0" + ring(True, 0x3000) + \
    b"".join(desc(i, 0x4000 + 0x100 * i, bytes(8), rx=True) for i in range(8)) + \
    w("RCTL", 0x0403803A | (3 << 16)) + w("RXCSUM", 14) + w("RDT", 7) + frame(BCAST + MAC + b"\x08\x00" + bytes(1500))
seeds["rx-ring-bad"] = b"\0" + w("RDBAL", 0x10000) + w("RDLEN", 128) + w("RCTL", 0x801A) + w("RDT", 3) + \
    frame(BCAST + bytes(60)) + w("RDLEN", 0x80) + w("RDBAL", 0) + w("RDH", 40) + frame(BCAST + bytes(60))
seeds["rx-buffer-outside-ram"] = b"\0" + ring(True, 0x3000) + desc(0, 0xFFFFFFFF00000000, bytes(8), rx=True, raw=True) + \
    w("RCTL", 0x801A) + w("RDT", 2) + frame(BCAST + bytes(60))

eecd = b""
bits = [1, 1, 0] + [0, 0, 0, 0, 1, 0]   # start, READ, address 2
eecd += w("EECD", 0x40) + w("EECD", 0x42)
for b in bits:
    v = 0x42 | (4 if b else 0)
    eecd += w("EECD", v) + w("EECD", v | 1)
for _ in range(16):
    eecd += w("EECD", 0x42) + w("EECD", 0x43) + r("EECD")
seeds["eeprom-phy-irq"] = b"\0" + eecd + w("EECD", 0) + \
    b"".join(w("EERD", (a << 8) | 1) + r("EERD") for a in (0, 1, 2, 0x3F, 0x40)) + \
    w("MDIC", (2 << 26) | (1 << 21) | (1 << 16)) + r("MDIC") + w("MDIC", (1 << 26) | (1 << 21) | (0 << 16) | 0x8000) + \
    w("MDIC", (2 << 26) | (2 << 21) | (2 << 16)) + w("ITR", 1000) + w("IMS", 4) + w("ICS", 4) + r("ICR") + \
    w("ICS", 4) + clock(100) + r("STATUS") + clock(1000000) + r("ICR") + w("CTRL_EXT", 1 << 13) + \
    w("CTRL", 1 << 31) + w("CTRL", (1 << 26) | 0x5A) + r("CTRL")
seeds["bars-pci"] = b"\0" + bytes([2, 0x09, 0, 0, 0, 0]) + bytes(8) + bytes([2, 0x10]) + struct.pack("<I", 0xC0) + bytes(8) + \
    bytes([3, 0x09, 0]) + struct.pack("<Q", 0x100) + bytes([3, 0x08, 4]) + bytes(8) + \
    bytes([2, 0x05, 2, 0, 0, 0]) + bytes(8) + bytes([2, 0x11, 0xFE, 0xFF, 0x01, 0]) + bytes(8) + \
    pci(0x10, 2, True, 0xFFFFFFFF) + pci(0x10, 2, False, 0) + pci(0x14, 2, True, 0xFFFFFFFF) + \
    pci(0x04, 1, True, 7) + w("IMS", 4) + w("ICS", 4) + pci(0x06, 1, False, 0) + r("ICR")

os.makedirs("fuzz/e1000/seeds", exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join("fuzz/e1000/seeds", name), "wb") as fh:
        fh.write(data)
