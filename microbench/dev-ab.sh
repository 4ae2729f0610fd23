#!/usr/bin/env bash
# Two builds of exitlab side by side on the virtio-blk and e1000 data paths:
# A (e.g. built from an older revision) and B (e.g. this tree's build/), each
# a directory with `exitlab`, `payloads/blk.elf` and `payloads/net.elf` (a
# build/ directory is one). In ROUNDS interleaved rounds (who goes first
# alternates) each runs, at CPL3:
#   blk-4k          virtio-blk on a raw image file (FILE_DIR, default /tmp): bs=4096, qd=4,
#                   65536 writes then 65536 reads, every byte read checked (tests write, read)
#   blk-64k         the same with bs=65536, 4096 I/Os each
#   e1000-tx        e1000, 1514-byte frames at batch 32 into the sink, its check on (--netdev sink,check=1)
#   e1000-rx        e1000, 1514-byte frames at batch 32 from the generator, the guest checking
# and prints per case and test each side's median operations/s over the timed
# phase, the range of its rounds, and B / A as the ratio of the medians with
# its 95 % bootstrap interval (build/microbench/ratio-ci, the interval
# `exitlab compare` computes), stated only when each side has >= MIN_N rounds
# (default 5) and the interval is at most MAX_WIDTH (default 0.2) of the ratio wide.
# Usage: microbench/dev-ab.sh A_DIR B_DIR [ROUNDS] [FRAMES]   defaults: 5 rounds, 262144 frames
# CASES="blk-4k e1000-rx" picks cases. Needs python3 and `make all`. Raw results stay in
# $OUT (default a temp dir); the image (256 MiB, sparse) is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
	echo "usage: $0 A_DIR B_DIR [ROUNDS] [FRAMES]" >&2
	exit 2
fi
a=$1 b=$2 rounds=${3:-5} frames=${4:-262144}
cases=${CASES:-blk-4k blk-64k e1000-tx e1000-rx}
out=${OUT:-$(mktemp -d /tmp/exitlab-dev-ab.XXXXXX)}
mkdir -p "$out"
for d in "$a" "$b"; do
	[ -x "$d/exitlab" ] && [ -r "$d/payloads/blk.elf" ] && [ -r "$d/payloads/net.elf" ] ||
		{ echo "$d: needs exitlab, payloads/blk.elf and payloads/net.elf" >&2; exit 2; }
done
[ -x build/microbench/ratio-ci ] || { echo "build first: make all" >&2; exit 2; }
for c in $cases; do
	case $c in blk-4k | blk-64k | e1000-tx | e1000-rx) ;; *) echo "unknown case $c" >&2; exit 2 ;; esac
done
img=$(mktemp "${FILE_DIR:-/tmp}/exitlab-dev-ab.XXXXXX.img")
trap 'rm -f "$img"' EXIT
truncate -s 256M "$img"

args() { # case
	case $1 in
	blk-4k) echo "blk.elf --device virtio-blk,file=$img --param bs=4096 --param ios=65536" ;;
	blk-64k) echo "blk.elf --device virtio-blk,file=$img --param bs=65536 --param ios=4096" ;;
	e1000-tx) echo "net.elf --device e1000 --netdev sink,check=1 --param dir=tx --param batch=32 --param size=1514 --param frames=$frames" ;;
	e1000-rx) echo "net.elf --device e1000 --netdev gen,size=1514 --param dir=rx --param batch=32 --param size=1514 --param frames=$frames" ;;
	esac
}
run() { # side dir case round
	local p rest
	read -r p rest <<<"$(args "$3")"
	# shellcheck disable=SC2086
	"$2/exitlab" run "$2/payloads/$p" --ring 3 --no-baseline $rest --json "$out/$1-$3-$4.json" \
		>"$out/$1-$3-$4.log" 2>&1 || { echo "$1 $3 round $4 failed: $out/$1-$3-$4.log" >&2; exit 1; }
}
for r in $(seq 1 "$rounds"); do
	for c in $cases; do
		if [ $((r % 2)) -eq 1 ]; then run A "$a" "$c" "$r"; run B "$b" "$c" "$r"
		else run B "$b" "$c" "$r"; run A "$a" "$c" "$r"; fi
	done
	echo "round $r of $rounds done" >&2
done

OUT="$out" ROUNDS="$rounds" CASES="$cases" MIN_N="${MIN_N:-5}" MAX_WIDTH="${MAX_WIDTH:-0.2}" python3 - <<'PY'
import glob, json, os, statistics, subprocess, sys
out, rounds = os.environ["OUT"], int(os.environ["ROUNDS"])
tests = {"blk-4k": ("write", "read"), "blk-64k": ("write", "read"), "e1000-tx": ("tx",), "e1000-rx": ("rx",)}
def rate(path, want):
    d = json.load(open(path))
    for t in d["tests"]:
        if t["name"] == want and t["status"] == "ok" and t.get("phase_s"):
            return t["iterations"] / t["phase_s"]
    sys.exit(f"{path}: no ok {want} row")
print(f"CPL3, I/Os or frames per second over the timed phase, {rounds} interleaved rounds;"
      f" B/A = ratio of the medians [95 % bootstrap interval]")
print(f"{'case':<16} {'A median':>10} {'A range':>21} {'B median':>10} {'B range':>21} {'B/A':>7} {'interval':>15}")
unstated = 0
for case in os.environ["CASES"].split():
    for want in tests[case]:
        v = {s: [rate(p, want) for p in sorted(glob.glob(f"{out}/{s}-{case}-*.json"))] for s in "AB"}
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
        name = case if len(tests[case]) == 1 else f"{case} {want}"
        print(f"{name:<16} {statistics.median(v['A']):>10.0f} {rng(v['A']):>21} {statistics.median(v['B']):>10.0f}"
              f" {rng(v['B']):>21} {float(kv['ratio']):>6.2f}x {ival:>15}{note}")
print(f"raw results: {out}")
sys.exit(1 if unstated else 0)
PY
