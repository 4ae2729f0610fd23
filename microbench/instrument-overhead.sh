#!/usr/bin/env bash
# What each host-side instrument does to the guest-measured exit cost.
# Runs exit-costs at CPL3 with instruments off, then each instrument alone,
# interleaved ROUNDS times so that drift on a shared host hits all alike, and
# prints, per test, the median of the per-round medians and its ratio to
# "none". Usage: microbench/instrument-overhead.sh [ROUNDS] [ITERATIONS]
# Needs python3 for the summary. Results stay in $OUT (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-5}
iters=${2:-2000}
out=${OUT:-$(mktemp -d /tmp/exitlab-overhead.XXXXXX)}
mkdir -p "$out"
configs=(none tracepoints trace pmu)
tests=(--test cpuid --test pio_vmm --test pio_ioeventfd --test mmio_vmm --test mmio_ioeventfd)

for r in $(seq 1 "$rounds"); do
	for c in "${configs[@]}"; do
		./build/exitlab run exit-costs --ring 3 --iterations "$iters" "${tests[@]}" \
			--no-baseline --instruments "$c" --json "$out/$c-$r.json" >/dev/null 2>&1
	done
done

python3 - "$out" "$rounds" "${configs[@]}" <<'PY'
import json, statistics, sys
out, rounds, configs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
med = {}
for c in configs:
    for r in range(1, rounds + 1):
        d = json.load(open(f"{out}/{c}-{r}.json"))
        for t in d["tests"]:
            if t["status"] == "ok" and t["cycles"] and t["name"] != "empty":
                med.setdefault((t["name"], c), []).append(t["cycles"]["median"])
names = sorted({n for n, _ in med})
print(f"median cycles per operation at CPL3 (median of {rounds} interleaved rounds), ratio to none")
print(f"{'test':16}" + "".join(f"{c:>22}" for c in configs))
for n in names:
    base = statistics.median(med[(n, "none")])
    cells = []
    for c in configs:
        m = statistics.median(med[(n, c)])
        cells.append(f"{m:12.0f} ({m / base:5.3f}x)")
    print(f"{n:16}" + "".join(f"{x:>22}" for x in cells))
print(f"\nraw results: {out}")
PY
