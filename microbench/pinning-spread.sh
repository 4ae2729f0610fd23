#!/usr/bin/env bash
# Run-to-run spread of each test's median, with and without pinning the vCPU.
# Runs exit-costs back to back ROUNDS times in each setting, interleaved (one
# unpinned run, one pinned run, the first of the pair alternating) so that
# drift on a shared host hits both alike, and prints per test and setting the
# median of the run medians, max/min of them, and their spread relative to
# that median (min..max, which for ROUNDS >= 6 covers the median of runs with
# >= 96.9 %; for 5 it is 93.8 %).
# Usage: microbench/pinning-spread.sh [ROUNDS] [CPU]
#   ROUNDS (default 5), CPU the host CPU to pin to (default the last one).
#   RING (default 3), TESTS (default "cpuid pio_vmm pio_ioeventfd mmio_vmm"),
#   ARGS (more `exitlab run` options, e.g. --quick). Results stay in $OUT.
# Needs python3 for the summary.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-5}
cpu=${2:-$(($(nproc) - 1))}
ring=${RING:-3}
read -r -a names <<<"${TESTS:-cpuid pio_vmm pio_ioeventfd mmio_vmm}"
read -r -a extra <<<"${ARGS:-}"
out=${OUT:-$(mktemp -d /tmp/exitlab-pinning.XXXXXX)}
mkdir -p "$out"
tests=()
for t in "${names[@]}"; do tests+=(--test "$t"); done

run() { # setting round
	local pin=()
	[ "$1" = pinned ] && pin=(--cpu "$cpu")
	./build/exitlab run exit-costs --ring "$ring" "${tests[@]}" "${pin[@]}" "${extra[@]}" \
		--no-baseline --json "$out/$1-$2.json" >/dev/null 2>"$out/$1-$2.log" ||
		{ echo "exitlab run failed ($1, round $2): see $out/$1-$2.log" >&2; exit 1; }
}

for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then run unpinned "$r"; run pinned "$r"
	else run pinned "$r"; run unpinned "$r"; fi
done

python3 - "$out" "$rounds" "$cpu" "$ring" <<'PY'
import json, statistics, sys
out, rounds, cpu, ring = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
med, below = {}, set()
for s in ("unpinned", "pinned"):
    for r in range(1, rounds + 1):
        d = json.load(open(f"{out}/{s}-{r}.json"))
        for t in d["tests"]:
            if t["status"] != "ok" or not t["cycles"] or t["name"] == "empty":
                continue
            if t.get("below_resolution"):
                below.add(t["name"])
            med.setdefault((t["name"], s), []).append(t["cycles"]["median"])
names = sorted({n for n, _ in med})
print(f"exit-costs at CPL{ring}: the median cycles per operation of {rounds} back-to-back runs "
      f"per setting (interleaved), pinned = --cpu {cpu}")
print(f"{'test':18}{'setting':>10}{'median':>12}{'max/min':>10}{'min..max vs median':>24}")
for n in names:
    for s in ("unpinned", "pinned"):
        m = med.get((n, s), [])
        if len(m) < 2 or min(m) <= 0:
            print(f"{n:18}{s:>10}{'-':>12}{'-':>10}{'(too few or below resolution)':>24}")
            continue
        c = statistics.median(m)
        rel = f"{(min(m) / c - 1) * 100:+.1f}%..{(max(m) / c - 1) * 100:+.1f}%"
        print(f"{n:18}{s:>10}{c:12.0f}{max(m) / min(m):10.3f}{rel:>24}")
if below:
    print("below resolution in some run: " + ", ".join(sorted(below)))
print(f"\nraw results: {out}")
PY
