#!/usr/bin/env bash
# Two builds of exitlab side by side on the device data paths: A (e.g. built
# from an older revision) and B (e.g. this tree's build/), each a directory
# with `exitlab`, `payloads/net.elf` and `payloads/blk.elf` (a build/ directory
# is one). In ROUNDS interleaved rounds (who goes first alternates) each runs,
# at CPL3, every case of CASES (default all):
#   tx-sink-check   virtio-net, 1514-byte frames at batch 256 into the sink, its check on (--netdev sink,check=1)
#   rx-gen          virtio-net, 1514-byte frames at batch 256 from the generator, the guest checking
#   blk-4k          virtio-blk on a raw image file (FILE_DIR, default /tmp): bs=4096, qd=4,
#                   65536 writes then 65536 reads, every byte read checked (tests write, read)
#   blk-64k         the same with bs=65536, 4096 I/Os each
#   e1000-tx        e1000, 1514-byte frames at batch 32 into the sink, its check on
#   e1000-rx        e1000, 1514-byte frames at batch 32 from the generator, the guest checking
# and prints per case and test each side's median operations/s over the timed
# phase, the range of its rounds, and B / A as the ratio of the medians with
# its 95 % bootstrap interval (build/microbench/ratio-ci, the interval
# `exitlab compare` computes), stated only when each side has >= MIN_N rounds
# (default 5) and the interval is at most MAX_WIDTH (default 0.2) of the ratio
# wide; then per operation each side's median exits (KVM's stats), kicks (the
# driver's notifications) and device CPU (the results' cpu member).
# Usage: microbench/dev-ab.sh A_DIR B_DIR [ROUNDS] [FRAMES]   defaults: 5 rounds, 262144 frames
# CASES="blk-4k e1000-rx" picks cases. PARAMS_A / PARAMS_B: extra payload
# parameters for one side, space-separated (each becomes a --param), e.g. the
# same build twice with and without overlap:
#   CASES="tx-sink-check rx-gen" PARAMS_A=overlap=0 microbench/dev-ab.sh build build 5
# Needs python3 and `make all`. Raw results stay in $OUT (default a temp dir);
# the image (256 MiB, sparse) is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
	echo "usage: $0 A_DIR B_DIR [ROUNDS] [FRAMES]" >&2
	exit 2
fi
a=$1 b=$2 rounds=${3:-5} frames=${4:-262144}
[ "$rounds" -ge 2 ] 2>/dev/null || { echo "ROUNDS must be a number, at least 2 (an interval needs two a side)" >&2; exit 2; }
cases=${CASES:-tx-sink-check rx-gen blk-4k blk-64k e1000-tx e1000-rx}
out=${OUT:-$(mktemp -d /tmp/exitlab-dev-ab.XXXXXX)}
mkdir -p "$out"
for c in $cases; do
	case $c in tx-sink-check | rx-gen | blk-4k | blk-64k | e1000-tx | e1000-rx) ;;
	*) echo "unknown case $c" >&2; exit 2 ;; esac
done
for d in "$a" "$b"; do
	for c in $cases; do
		p=net.elf
		case $c in blk-*) p=blk.elf ;; esac
		[ -x "$d/exitlab" ] && [ -r "$d/payloads/$p" ] || { echo "$d: needs exitlab and payloads/$p" >&2; exit 2; }
	done
done
[ -x build/microbench/ratio-ci ] || { echo "build first: make all" >&2; exit 2; }
img=$(mktemp "${FILE_DIR:-/tmp}/exitlab-dev-ab.XXXXXX.img")
trap 'rm -f "$img"' EXIT
truncate -s 256M "$img"

args() { # case
	local nf="--param size=1514 --param frames=$frames"
	case $1 in
	tx-sink-check) echo "net.elf --device virtio-net --netdev sink,check=1 --param dir=tx --param batch=256 $nf" ;;
	rx-gen) echo "net.elf --device virtio-net --netdev gen,size=1514 --param dir=rx --param batch=256 $nf" ;;
	blk-4k) echo "blk.elf --device virtio-blk,file=$img --param bs=4096 --param ios=65536" ;;
	blk-64k) echo "blk.elf --device virtio-blk,file=$img --param bs=65536 --param ios=4096" ;;
	e1000-tx) echo "net.elf --device e1000 --netdev sink,check=1 --param dir=tx --param batch=32 $nf" ;;
	e1000-rx) echo "net.elf --device e1000 --netdev gen,size=1514 --param dir=rx --param batch=32 $nf" ;;
	esac
}
declare -A extra=([A]="${PARAMS_A:-}" [B]="${PARAMS_B:-}")
run() { # side dir case round
	local p rest
	local -a xp=()
	read -r p rest <<<"$(args "$3")"
	for kv in ${extra[$1]}; do xp+=(--param "$kv"); done
	# shellcheck disable=SC2086
	"$2/exitlab" run "$2/payloads/$p" --ring 3 --no-baseline $rest "${xp[@]}" --json "$out/$1-$3-$4.json" \
		>"$out/$1-$3-$4.log" 2>&1 || { echo "$1 $3 round $4 failed: $out/$1-$3-$4.log" >&2; exit 1; }
}
for r in $(seq 1 "$rounds"); do
	for c in $cases; do
		if [ $((r % 2)) -eq 1 ]; then run A "$a" "$c" "$r"; run B "$b" "$c" "$r"
		else run B "$b" "$c" "$r"; run A "$a" "$c" "$r"; fi
	done
	echo "round $r of $rounds done" >&2
done

PARAMS_A="${PARAMS_A:-}" PARAMS_B="${PARAMS_B:-}" OUT="$out" ROUNDS="$rounds" CASES="$cases" \
	MIN_N="${MIN_N:-5}" MAX_WIDTH="${MAX_WIDTH:-0.2}" python3 - <<'PY'
import glob, json, os, statistics, subprocess, sys
out, rounds = os.environ["OUT"], int(os.environ["ROUNDS"])
tests = {"tx-sink-check": ("tx",), "rx-gen": ("rx",), "blk-4k": ("write", "read"), "blk-64k": ("write", "read"),
         "e1000-tx": ("tx",), "e1000-rx": ("rx",)}
def row(path, want):
    d = json.load(open(path))
    for t in d["tests"]:
        if t["name"] == want and t["status"] == "ok" and t.get("phase_s"):
            return t
    sys.exit(f"{path}: no ok {want} row")
def rate(path, want):
    t = row(path, want)
    return t["iterations"] / t["phase_s"]
def per_op(path, want):
    # exits from KVM's stats, the driver's kicks from its metrics, the device side's CPU (null: unknown)
    t = row(path, want)
    dev = ((t.get("cpu") or {}).get("per_op") or {}).get("device_ns")
    return t["exits_per_iteration"], t["metrics"]["kicks"] / t["iterations"], dev
def files(side, case):
    return sorted(glob.glob(f"{out}/{side}-{case}-*.json"))
print(f"CPL3, operations (frames or I/Os) per second over the timed phase, {rounds} interleaved rounds;"
      f" B/A = ratio of the medians [95 % bootstrap interval]")
for side in "AB":
    if os.environ.get("PARAMS_" + side):
        print(f"{side} with --param {os.environ['PARAMS_' + side]}")
print(f"{'case':<20} {'A median':>10} {'A range':>21} {'B median':>10} {'B range':>21} {'B/A':>7} {'interval':>15}")
unstated = 0
names = [(c, w) for c in os.environ["CASES"].split() for w in tests[c]]
name = lambda c, w: c if len(tests[c]) == 1 else f"{c} {w}"
for case, want in names:
    v = {s: [rate(p, want) for p in files(s, case)] for s in "AB"}
    p = subprocess.run(["build/microbench/ratio-ci", "--min-n", os.environ["MIN_N"], "--max-width",
                        os.environ["MAX_WIDTH"], ",".join(f"{x:.6g}" for x in v["B"]),
                        ",".join(f"{x:.6g}" for x in v["A"])], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"ratio-ci: {p.stderr.strip()}")
    kv = dict(w.split("=", 1) for w in p.stdout.split() if "=" in w)
    ival = f"[{float(kv['lo']):.2f}, {float(kv['hi']):.2f}]" if kv["lo"] != "nan" else "-"
    note = "" if p.returncode == 0 else "  not stated: " + p.stdout.split("not_stated: ", 1)[1].strip()
    unstated += p.returncode != 0
    rng = lambda xs: f"{min(xs):.0f}..{max(xs):.0f}"
    print(f"{name(case, want):<20} {statistics.median(v['A']):>10.0f} {rng(v['A']):>21}"
          f" {statistics.median(v['B']):>10.0f} {rng(v['B']):>21} {float(kv['ratio']):>6.2f}x {ival:>15}{note}")
print("per operation, median over the rounds (exits: KVM's stats; kicks: the driver's; device CPU: ns, '-' unknown):")
for case, want in names:
    for side in "AB":
        po = [per_op(p, want) for p in files(side, case)]
        devs = [d for _, _, d in po if d is not None]
        dev = f"{statistics.median(devs):.0f}" if len(devs) == len(po) else "-"
        print(f"{name(case, want):<20} {side}  exits {statistics.median(e for e, _, _ in po):.5f}"
              f"  kicks {statistics.median(k for _, k, _ in po):.5f}  device cpu {dev}")
print(f"raw results: {out}")
sys.exit(1 if unstated else 0)
PY
