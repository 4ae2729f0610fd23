#!/usr/bin/env bash
# exitlab's virtio-net (userspace backend) against QEMU's, same payload, same host, side by side.
#
# Runs the net payload's TX test ROUNDS times on each VMM, interleaved (the order within a round
# alternates) so that drift on a shared host hits both alike, both under KVM with the same guest
# driver, both writing every frame to a tap in a network namespace made for the run (the kernel
# drops the frames: ethertype 0x88B5): exitlab with `--device virtio-net --netdev tap,...`, QEMU
# with `-device virtio-net-pci -netdev tap,...`. QEMU has no sink that completes TX (a lone hub
# port stalls), so the tap is the common ground; an exitlab run with its own sink is shown beside
# them. Throughput is frames over the whole timed phase, which ends when the device has completed
# every frame (exitlab: the phase's host wall time, phase_s; QEMU: the guest's TSC over the phase,
# on the serial line).
#
# Prints per batch size the median over rounds of frames/s on each, and exitlab ÷ QEMU as the
# ratio of the medians with its bootstrap interval at CONF (build/microbench/ratio-ci: the interval
# `exitlab compare` computes), and the rounds each side had. A ratio is stated only when each side
# has at least MIN_N rounds and the interval's width, (hi - lo) / ratio, is at most MAX_WIDTH;
# otherwise the row says why not, and the script exits 1: that ratio is no claim.
#
# Usage: microbench/net-vs-qemu.sh [ROUNDS] [FRAMES] [BATCHES] [RING]
#   defaults: 40 rounds (12 gave intervals too wide to state on our machine), 4096 frames,
#   batches 1,32,256, ring 3 (CPL3: native on PVM hosts);
#   environment: CONF (0.95), MAX_WIDTH (0.2), MIN_N (10), OUT (a temp dir: the raw results).
# Needs qemu-system-x86_64, python3 and `make all` (build/microbench/ratio-ci). Exit 0 every
# ratio stated, 1 one was not, 2 bad usage, 3 the host lacks something.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-40}
frames=${2:-4096}
batches=${3:-1,32,256}
ring=${4:-3}
size=1514
out=${OUT:-$(mktemp -d /tmp/exitlab-net-vs-qemu.XXXXXX)}
mkdir -p "$out"
payload=build/payloads/net.elf
pvm=$([ -d /sys/module/kvm_pvm ] && echo " pvm=1" || true)
ns=exitlab-bench-$$

command -v qemu-system-x86_64 >/dev/null || { echo "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"; exit 3; }
[ -r "$payload" ] && [ -x build/microbench/ratio-ci ] || { echo "build first: make all"; exit 2; }
case $rounds in ''|*[!0-9]*) echo "ROUNDS must be a number"; exit 2;; esac
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace and taps)"; exit 3; }
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
for t in xlbe xlbq; do
	ip netns exec "$ns" ip tuntap add dev $t mode tap
	ip netns exec "$ns" ip link set $t up
done

run_exitlab() {
	ip netns exec "$ns" ./build/exitlab run net --ring "$ring" --no-baseline --device virtio-net \
		--netdev tap,ifname=xlbe --param frames="$frames" --param batch="$batches" --param dir=tx \
		--param size=$size --json "$out/exitlab-$1.json" >/dev/null 2>&1 || true
}
run_qemu() {
	ip netns exec "$ns" timeout 300 qemu-system-x86_64 -accel kvm -machine q35 -m 64 -nodefaults \
		-no-user-config -display none -monitor none -no-reboot -serial "file:$out/qemu-$1.serial" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$payload" \
		-append "nic=virtio frames=$frames batch=$batches dir=tx size=$size ring=$ring$pvm" \
		-netdev tap,id=n0,ifname=xlbq,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
		>/dev/null 2>&1 || true
}
for r in $(seq 1 "$rounds"); do
	# alternate who goes first, so that neither always runs right after the sink run
	if [ $((r % 2)) = 1 ]; then run_exitlab "$r"; run_qemu "$r"; else run_qemu "$r"; run_exitlab "$r"; fi
	./build/exitlab run net --ring "$ring" --no-baseline --device virtio-net --netdev sink \
		--param frames="$frames" --param batch="$batches" --param dir=tx --param size=$size \
		--json "$out/sink-$r.json" >/dev/null 2>&1 || true
	echo "round $r of $rounds done" >&2
done

python3 - "$out" "$rounds" "$ring" "${CONF:-0.95}" "${MAX_WIDTH:-0.2}" "${MIN_N:-10}" <<'PY'
import json, os, re, statistics, subprocess, sys
out, rounds, ring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conf, max_width, min_n = sys.argv[4], sys.argv[5], sys.argv[6]
ex, sk, qe, khz = {}, {}, {}, None

def exitlab(path, into):
    global khz
    if not os.path.exists(path):
        return
    d = json.load(open(path))
    khz = khz or d["config"].get("guest_tsc_khz")
    for t in d["tests"]:
        if t["name"] == "tx" and t["status"] == "ok" and t["ring"] == ring and t.get("phase_s"):
            into.setdefault(t["params"]["batch"], []).append(t["iterations"] / t["phase_s"])

for r in range(1, rounds + 1):
    exitlab(f"{out}/exitlab-{r}.json", ex)
    exitlab(f"{out}/sink-{r}.json", sk)
for r in range(1, rounds + 1):
    cur, path = None, f"{out}/qemu-{r}.serial"
    if not os.path.exists(path):
        continue
    for line in open(path, errors="replace"):
        m = re.search(r"exitlab: test name=tx ring=(\d+) params=(\S*)", line)
        if m:
            b = re.search(r"batch=(\d+)", m.group(2))
            cur = int(b.group(1)) if b and int(m.group(1)) == ring else None
        m = re.search(r"exitlab: end name=tx status=ok iterations=(\d+) .*phase_cycles=(\d+)", line)
        if m and cur is not None and khz:
            qe.setdefault(cur, []).append(int(m.group(1)) * khz * 1e3 / int(m.group(2)))
med = lambda d, b: statistics.median(d[b]) if d.get(b) else float("nan")
print(f"net tx to a tap, CPL{ring}, 1514-byte frames, frames/s over the whole phase, "
      f"medians of {rounds} interleaved rounds; exitlab/QEMU = ratio of the medians, "
      f"[{conf} bootstrap interval], stated when each side has >= {min_n} rounds "
      f"and (hi - lo) / ratio <= {max_width}")
print(f"{'batch':>6} {'exitlab':>10} {'QEMU':>10} {'exitlab/QEMU':>13} {'interval':>17} {'rounds':>7}"
      f" {'exitlab+sink':>13}")
unstated = 0
for b in sorted(set(ex) | set(qe) | set(sk)):
    e, q = ex.get(b, []), qe.get(b, [])
    if not e or not q:
        print(f"{b:>6} {med(ex, b):>10.0f} {med(qe, b):>10.0f} {'-':>13} {'-':>17} "
              f"{len(e):>3}/{len(q):<3} {med(sk, b):>13.0f}  not stated: a side has no rounds")
        unstated += 1
        continue
    p = subprocess.run(["build/microbench/ratio-ci", "--conf", conf, "--max-width", max_width, "--min-n", min_n,
                        ",".join(f"{v:.6g}" for v in e), ",".join(f"{v:.6g}" for v in q)],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"ratio-ci: {p.stderr.strip()}")
    kv = dict(w.split("=", 1) for w in p.stdout.split() if "=" in w)
    ival = f"[{float(kv['lo']):.2f}, {float(kv['hi']):.2f}]" if kv["lo"] != "nan" else "-"
    note = "" if p.returncode == 0 else "  not stated: " + p.stdout.split("not_stated: ", 1)[1].strip()
    unstated += p.returncode != 0
    print(f"{b:>6} {float(kv['median_a']):>10.0f} {float(kv['median_b']):>10.0f} "
          f"{float(kv['ratio']):>12.2f}x {ival:>17} {len(e):>3}/{len(q):<3} {med(sk, b):>13.0f}{note}")
print(f"raw results: {out}")
sys.exit(1 if unstated else 0)
PY
