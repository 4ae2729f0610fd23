#!/usr/bin/env bash
# exitlab's virtio-net (userspace backend) against QEMU's, same payload, same host, side by side.
#
# Runs the net payload's TX test ROUNDS times on each VMM, interleaved so that drift on a shared host
# hits both alike, both under KVM with the same guest driver, both writing every frame to a tap in
# a network namespace made for the run (the kernel drops the frames: ethertype 0x88B5): exitlab
# with `--device virtio-net --netdev tap,...`, QEMU with `-device virtio-net-pci -netdev tap,...`.
# QEMU has no sink that completes TX (a lone hub port stalls), so the tap is the common ground; an
# exitlab run with its own sink is shown beside them. Throughput is frames over the whole timed
# phase, which ends when the device has completed every frame (exitlab: the phase's host wall time,
# phase_s; QEMU: the guest's TSC over the phase, on the serial line). Prints per batch size the
# median over rounds of frames/s and exitlab ÷ QEMU (> 1: exitlab sustains more).
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
ns=exitlab-bench-$$

command -v qemu-system-x86_64 >/dev/null || { echo "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"; exit 3; }
[ -r "$payload" ] || { echo "build first: make all"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace and taps)"; exit 3; }
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
for t in xlbe xlbq; do
	ip netns exec "$ns" ip tuntap add dev $t mode tap
	ip netns exec "$ns" ip link set $t up
done

for r in $(seq 1 "$rounds"); do
	ip netns exec "$ns" ./build/exitlab run net --ring "$ring" --no-baseline --device virtio-net \
		--netdev tap,ifname=xlbe --param frames="$frames" --param batch="$batches" --param dir=tx \
		--param size=$size --json "$out/exitlab-$r.json" >/dev/null 2>&1
	ip netns exec "$ns" timeout 300 qemu-system-x86_64 -accel kvm -machine q35 -m 64 -nodefaults \
		-no-user-config -display none -monitor none -no-reboot -serial "file:$out/qemu-$r.serial" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$payload" \
		-append "nic=virtio frames=$frames batch=$batches dir=tx size=$size ring=$ring$pvm" \
		-netdev tap,id=n0,ifname=xlbq,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
		>/dev/null 2>&1 || true
	./build/exitlab run net --ring "$ring" --no-baseline --device virtio-net --netdev sink \
		--param frames="$frames" --param batch="$batches" --param dir=tx --param size=$size \
		--json "$out/sink-$r.json" >/dev/null 2>&1
done

python3 - "$out" "$rounds" "$ring" <<'PY'
import json, re, statistics, sys
out, rounds, ring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ex, sk, qe, khz = {}, {}, {}, None

def exitlab(path, into):
    global khz
    d = json.load(open(path))
    khz = khz or d["config"].get("guest_tsc_khz")
    for t in d["tests"]:
        if t["name"] == "tx" and t["status"] == "ok" and t["ring"] == ring and t.get("phase_s"):
            into.setdefault(t["params"]["batch"], []).append(t["iterations"] / t["phase_s"])

for r in range(1, rounds + 1):
    exitlab(f"{out}/exitlab-{r}.json", ex)
    exitlab(f"{out}/sink-{r}.json", sk)
    cur = None
    for line in open(f"{out}/qemu-{r}.serial", errors="replace"):
        m = re.search(r"exitlab: test name=tx ring=(\d+) params=(\S*)", line)
        if m:
            b = re.search(r"batch=(\d+)", m.group(2))
            cur = int(b.group(1)) if b and int(m.group(1)) == ring else None
        m = re.search(r"exitlab: end name=tx status=ok iterations=(\d+) .*phase_cycles=(\d+)", line)
        if m and cur is not None and khz:
            qe.setdefault(cur, []).append(int(m.group(1)) * khz * 1e3 / int(m.group(2)))
med = lambda d, b: statistics.median(d[b]) if d.get(b) else float("nan")
print(f"net tx to a tap, CPL{ring}, 1514-byte frames, frames/s over the whole phase, "
      f"median of {rounds} interleaved rounds")
print(f"{'batch':>6} {'exitlab':>10} {'QEMU':>10} {'exitlab/QEMU':>13} {'exitlab+sink':>13}")
for b in sorted(set(ex) | set(qe) | set(sk)):
    e, q = med(ex, b), med(qe, b)
    print(f"{b:>6} {e:>10.0f} {q:>10.0f} {e / q if q == q and q else float('nan'):>12.2f}x {med(sk, b):>13.0f}")
print(f"raw results: {out}")
PY
