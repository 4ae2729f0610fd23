#!/usr/bin/env bash
# exitlab's virtio-net (userspace backend) against QEMU's, same payload, same host, side by side.
#
# Runs the net payload's TX test ROUNDS times on each VMM, interleaved so that drift on a shared host
# hits both alike: exitlab with `--device virtio-net --netdev sink` (frames counted and dropped by
# the VMM), QEMU with `-device virtio-net-pci` on a hub port with no other port (frames dropped by
# QEMU's net layer), both under KVM, the guest driver and its timing identical (the payload times
# each batch with the TSC). Prints per batch size the median over rounds of the guest-measured
# cycles per frame, frames/s, and exitlab ÷ QEMU in frames/s (> 1: exitlab sustains more).
#
# Usage: microbench/net-vs-qemu.sh [ROUNDS] [FRAMES] [BATCHES] [RING]
#   defaults: 5 rounds, 4096 frames, batches 1,32,256, ring 3 (CPL3: native on PVM hosts)
# Needs qemu-system-x86_64 and python3. Results stay in $OUT (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-5}
frames=${2:-4096}
batches=${3:-1,32,256}
ring=${4:-3}
size=1514
out=${OUT:-$(mktemp -d /tmp/exitlab-net-vs-qemu.XXXXXX)}
payload=build/payloads/net.elf
pvm=$([ -d /sys/module/kvm_pvm ] && echo " pvm=1" || true)

command -v qemu-system-x86_64 >/dev/null || { echo "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"; exit 3; }
[ -r "$payload" ] || { echo "build first: make all"; exit 2; }

for r in $(seq 1 "$rounds"); do
	./build/exitlab run net --ring "$ring" --no-baseline --device virtio-net --netdev sink \
		--param frames="$frames" --param batch="$batches" --param dir=tx --param size=$size \
		--json "$out/exitlab-$r.json" >/dev/null 2>&1
	timeout 300 qemu-system-x86_64 -accel kvm -machine q35 -m 64 -nodefaults -no-user-config \
		-display none -monitor none -no-reboot -serial "file:$out/qemu-$r.serial" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$payload" \
		-append "nic=virtio frames=$frames batch=$batches dir=tx size=$size ring=$ring$pvm" \
		-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0 >/dev/null 2>&1 || true
done

python3 - "$out" "$rounds" "$ring" <<'PY'
import json, re, statistics, sys
out, rounds, ring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ex, qe, khz = {}, {}, None
for r in range(1, rounds + 1):
    d = json.load(open(f"{out}/exitlab-{r}.json"))
    khz = khz or d["config"].get("guest_tsc_khz")
    for t in d["tests"]:
        if t["name"] == "tx" and t["status"] == "ok" and t["ring"] == ring:
            ex.setdefault(t["params"]["batch"], []).append(t["cycles"]["median"])
    cur = None
    for line in open(f"{out}/qemu-{r}.serial", errors="replace"):
        m = re.search(r"exitlab: test name=tx ring=(\d+) params=(\S*)", line)
        if m:
            b = re.search(r"batch=(\d+)", m.group(2))
            cur = int(b.group(1)) if b and int(m.group(1)) == ring else None
        m = re.search(r"exitlab: end name=tx status=ok .*median_cycles=(\d+)", line)
        if m and cur is not None:
            qe.setdefault(cur, []).append(int(m.group(1)))
print(f"net tx, {ring and 'CPL3' or 'CPL0'}, 1514-byte frames, median of {rounds} interleaved rounds "
      f"(guest TSC {khz} kHz); cycles and frames/s as the guest measured them")
print(f"{'batch':>6} {'exitlab cyc/frame':>18} {'QEMU cyc/frame':>15} {'exitlab frames/s':>17} "
      f"{'QEMU frames/s':>14} {'exitlab/QEMU':>13}")
for b in sorted(set(ex) | set(qe)):
    e = statistics.median(ex[b]) if b in ex else None
    q = statistics.median(qe[b]) if b in qe else None
    fps = lambda c: khz * 1e3 / c if c and khz else float("nan")
    ratio = (q / e) if e and q else float("nan")
    print(f"{b:>6} {e if e is not None else float('nan'):>18.0f} {q if q is not None else float('nan'):>15.0f} "
          f"{fps(e):>17.0f} {fps(q):>14.0f} {ratio:>12.2f}x")
print(f"raw results: {out}")
PY
