#!/usr/bin/env bash
# Two builds of exitlab's network data path side by side: A (e.g. built from
# an older revision) and B (e.g. this tree's build/), each a directory with
# `exitlab` and `payloads/net.elf` (a build/ directory is one). In ROUNDS
# interleaved rounds (who goes first alternates) each runs, at CPL3, 1514-byte
# frames at batch 256 through virtio-net:
#   tx-sink-check   TX into the sink with its pattern check on (--netdev sink,check=1)
#   rx-gen          RX from the generator (--netdev gen,size=1514), the guest checking
# and prints per case each side's median frames/s over the timed phase, the
# range of its rounds, and B / A as the ratio of the medians with its 95 %
# bootstrap interval (build/microbench/ratio-ci, the interval `exitlab compare`
# computes), stated only when each side has >= MIN_N rounds (default 5) and
# the interval is at most MAX_WIDTH (default 0.2) of the ratio wide.
# Usage: microbench/net-ab.sh A_DIR B_DIR [ROUNDS] [FRAMES]   defaults: 5 rounds, 262144 frames
# PARAMS_A / PARAMS_B: extra payload parameters for one side, space-separated
# (each becomes a --param), e.g. the same build twice with and without overlap:
#   PARAMS_A=overlap=0 microbench/net-ab.sh build build 5
# Needs python3 and `make all`. Raw results stay in $OUT (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
	echo "usage: $0 A_DIR B_DIR [ROUNDS] [FRAMES]" >&2
	exit 2
fi
a=$1 b=$2 rounds=${3:-5} frames=${4:-262144}
out=${OUT:-$(mktemp -d /tmp/exitlab-net-ab.XXXXXX)}
mkdir -p "$out"
for d in "$a" "$b"; do
	[ -x "$d/exitlab" ] && [ -r "$d/payloads/net.elf" ] || { echo "$d: needs exitlab and payloads/net.elf" >&2; exit 2; }
done
[ -x build/microbench/ratio-ci ] || { echo "build first: make all" >&2; exit 2; }

declare -A netdev=([tx-sink-check]=sink,check=1 [rx-gen]=gen,size=1514)
declare -A dir=([tx-sink-check]=tx [rx-gen]=rx)
declare -A extra=([A]="${PARAMS_A:-}" [B]="${PARAMS_B:-}")
run() { # side dir case round
	local -a xp=()
	for kv in ${extra[$1]}; do xp+=(--param "$kv"); done
	"$2/exitlab" run "$2/payloads/net.elf" --ring 3 --device virtio-net --netdev "${netdev[$3]}" \
		--param batch=256 --param size=1514 --param frames="$frames" --param dir="${dir[$3]}" "${xp[@]}" \
		--json "$out/$1-$3-$4.json" >"$out/$1-$3-$4.log" 2>&1 ||
		{ echo "$1 $3 round $4 failed: $out/$1-$3-$4.log" >&2; exit 1; }
}
for r in $(seq 1 "$rounds"); do
	for c in tx-sink-check rx-gen; do
		if [ $((r % 2)) -eq 1 ]; then run A "$a" "$c" "$r"; run B "$b" "$c" "$r"
		else run B "$b" "$c" "$r"; run A "$a" "$c" "$r"; fi
	done
	echo "round $r of $rounds done" >&2
done

PARAMS_A="${PARAMS_A:-}" PARAMS_B="${PARAMS_B:-}" OUT="$out" ROUNDS="$rounds" MIN_N="${MIN_N:-5}" MAX_WIDTH="${MAX_WIDTH:-0.2}" python3 - <<'PY'
import glob, json, os, statistics, subprocess, sys
out, rounds = os.environ["OUT"], int(os.environ["ROUNDS"])
def row(path, case):
    d = json.load(open(path))
    want = "tx" if case.startswith("tx") else "rx"
    for t in d["tests"]:
        if t["name"] == want and t["status"] == "ok" and t.get("phase_s"):
            return t
    sys.exit(f"{path}: no ok {want} row")
def fps(path, case):
    t = row(path, case)
    return t["iterations"] / t["phase_s"]
def per_frame(path, case):
    # exits (KVM's stats) and the device's own kick count, per frame of the phase
    t = row(path, case)
    kicks = t["host"]["devices"]["virtio-net"]["tx_kicks" if case.startswith("tx") else "rx_kicks"]
    return t["exits_per_iteration"], kicks / t["iterations"]
print(f"virtio-net, CPL3, 1514-byte frames, batch 256: frames/s over the timed phase, {rounds} interleaved rounds;"
      f" B/A = ratio of the medians [95 % bootstrap interval]")
for side in "AB":
    if os.environ.get("PARAMS_" + side):
        print(f"{side} with --param {os.environ['PARAMS_' + side]}")
print(f"{'case':<15} {'A median':>10} {'A range':>21} {'B median':>10} {'B range':>21} {'B/A':>7} {'interval':>15}")
unstated = 0
for case in ("tx-sink-check", "rx-gen"):
    v = {s: [fps(p, case) for p in sorted(glob.glob(f"{out}/{s}-{case}-*.json"))] for s in "AB"}
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
    print(f"{case:<15} {statistics.median(v['A']):>10.0f} {rng(v['A']):>21} {statistics.median(v['B']):>10.0f}"
          f" {rng(v['B']):>21} {float(kv['ratio']):>6.2f}x {ival:>15}{note}")
print("per frame, median over the rounds (exits from KVM's stats, kicks from the device's counters):")
for case in ("tx-sink-check", "rx-gen"):
    for side in "AB":
        pf = [per_frame(p, case) for p in sorted(glob.glob(f"{out}/{side}-{case}-*.json"))]
        print(f"{case:<15} {side}  exits {statistics.median(e for e, _ in pf):.5f}"
              f"  kicks {statistics.median(k for _, k in pf):.5f}")
print(f"raw results: {out}")
sys.exit(1 if unstated else 0)
PY
