#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the valid seeds of fuzz/bench_proto (run once from the repository
# root): guest sessions in the harness's step encoding (harness.c), from
# HELLO to DONE, with the structures of include/exitlab/bench_proto.h.
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import struct
MAGIC, VER = 0x48434e42, 3
HELLO, TB, PB, PE, TE, LOG, EXC, DONE, REQ, OVH = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
SNAP = 4 * 8                       # snapshot slots without KVM stats (run/collect.h)

def msg(cmd, body=b'', flags=0):
    return bytes([0, flags, cmd]) + struct.pack('<H', len(body)) + body

def name(s, n=32):
    return s.encode().ljust(n, b'\0')

def fill(gpa, n, base):           # step 2: n samples at a low-RAM gpa
    return bytes([2, 0]) + struct.pack('<IHH', gpa, n, base)

def snap(v):                      # one instrument snapshot: 4 host slots, the KVM stats' seed
    return b''.join(struct.pack('<Q', v + i) for i in range(5))

def test(tname, ring, flags=0, params='', n=64, ops=1, ovh=True, status=0, reason='', metrics='', skipped=False):
    s = msg(TB, name(tname) + struct.pack('<II', ring, flags) + name(params, 256))
    if skipped:                   # the guest heard SKIP: on to its next test
        return s
    s += msg(PB) + snap(1000)
    s += fill(0x20000, n, 40)
    s += msg(PE, struct.pack('<QQQQ', n * ops, 0x20000, n, ops)) + b'\x01' + snap(5000)
    if ovh:
        s += fill(0x30000, 16, 20)
        s += msg(OVH, struct.pack('<QQQ', 0x30000, 8, 8))
    s += msg(TE, struct.pack('<II', status, 0) + name(reason, 128) + name(metrics, 256))
    return s

hello = msg(HELLO, name('exit-costs'))
done = msg(DONE, struct.pack('<II', 0, 0))
seeds = {
    'session': bytes([0]) + hello + test('empty', 3, flags=1) + test('cpuid', 3) + test('pio_vmm', 0) + done,
    'params-metrics': bytes([8]) + hello + test('tx', 3, params='batch=32 frames=256', metrics='frames=256 bytes=1024', ops=4) + done,
    'skip-select': bytes([3]) + hello + test('rx', 3, skipped=True) + test('cpuid', 3, status=1, reason='no x2APIC') + test('other', 0, skipped=True) + done,
    'kvm-stats': bytes([32 | 8]) + hello + test('empty', 3, flags=1) + test('cpuid', 3) + done,
    'repeat': bytes([16 | 8]) + hello + test('cpuid', 3) + test('cpuid', 3) + done,
    'log-request': bytes([0]) + hello + msg(LOG, b'hello\x01world\0') + msg(REQ, struct.pack('<IIQQQ', 3, 0, 0x20000, 4096, 0)) + test('empty', 3, flags=1, ovh=False) + done,
    'exception': bytes([0]) + hello + msg(TB, name('cpuid') + struct.pack('<II', 3, 0) + name('', 256)) + msg(PB) + snap(7) + msg(EXC, struct.pack('<7Q', 14, 2, 0x1000, 8, 2, 0x8000, 0xdead)),
    'version2': bytes([0]) + bytes([0, 4, HELLO]) + struct.pack('<H', 32) + name('net') + test('empty', 3, flags=1, ovh=False) + done,
    'bad-phase-end': bytes([0]) + hello + msg(TB, name('cpuid') + struct.pack('<II', 3, 0) + name('', 256)) + msg(PB) + snap(1) + msg(PE, struct.pack('<QQQQ', 99, 0x20000, 100, 1)),
    'huge-iterations': bytes([0]) + hello + msg(TB, name('cpuid') + struct.pack('<II', 3, 0) + name('', 256)) + msg(PB) + snap(1) + msg(PE, struct.pack('<QQQQ', 1 << 63, 0x20000, 1, 1 << 63)) + b'\0' + snap(2) + done,
    'bad-magic': bytes([0]) + bytes([0, 1]) + struct.pack('<I', 0xdeadbeef) + bytes([HELLO]) + struct.pack('<H', 32) + name('x'),
    'unknown-cmd': bytes([0]) + msg(77, name('x')),
    'log-no-nul': bytes([0]) + msg(LOG, b'abc'),
    # the malformed messages of tests/unit/test_bench_proto.c
    'version99': bytes([0]) + bytes([0, 2]) + struct.pack('<H', 99) + bytes([HELLO]) + struct.pack('<H', 32) + name('x'),
    'doorbell-disagrees': bytes([0]) + bytes([0, 16, TB]) + struct.pack('<H', 296) + name('cpuid') + struct.pack('<II', 3, 0) + name('', 256) + struct.pack('<I', DONE),
    'short-body': bytes([0]) + msg(TB, name('cpuid') + struct.pack('<II', 3, 0) + name('', 255)),
    'len-beyond': bytes([0]) + bytes([0, 8, LOG]) + struct.pack('<H', 1) + struct.pack('<I', 0xffffffff) + b'x',
    'name-no-nul': bytes([0]) + msg(TB, b'A' * 32 + struct.pack('<II', 3, 0) + name('', 256)),
    'name-dotdot': bytes([0]) + msg(TB, name('../etc') + struct.pack('<II', 3, 0) + name('', 256)),
    'ring2': bytes([0]) + msg(TB, name('ok') + struct.pack('<II', 2, 0) + name('', 256)),
    'ops-zero': bytes([0]) + hello + msg(TB, name('cpuid') + struct.pack('<II', 3, 0) + name('', 256)) + msg(PB) + snap(1) + msg(PE, struct.pack('<QQQQ', 100, 0x20000, 100, 0)),
    'status9': bytes([0]) + hello + msg(TE, struct.pack('<II', 9, 0) + name('', 128) + name('', 256)),
}
for k, v in seeds.items():
    open('seeds/' + k, 'wb').write(v)
PY
