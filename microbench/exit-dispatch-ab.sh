#!/usr/bin/env bash
# Two builds of the exit-dispatch microbenchmark side by side: A (e.g. built
# from an older revision) and B (e.g. build/microbench/exit-dispatch).
# 1. Interleaved rounds (A, B, A, B, ...) so drift on a shared host hits both
#    alike; per kind, the median of the per-round medians and the range of the
#    per-round medians, in cycles per exit, and B - A.
# 2. If valgrind is installed, instructions per exit under callgrind (only
#    inside vcpu_handle_exit), which do not depend on load: total, the device
#    handler's share, and the rest (the VMM's bookkeeping).
# Usage: microbench/exit-dispatch-ab.sh A B [ROUNDS] [SAMPLES]
# Needs python3 for the summary. Raw output stays in $OUT (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
	echo "usage: $0 A B [ROUNDS] [SAMPLES]" >&2
	exit 2
fi
a=$1 b=$2 rounds=${3:-7} samples=${4:-3000}
out=${OUT:-$(mktemp -d /tmp/exitlab-dispatch-ab.XXXXXX)}
mkdir -p "$out"
kinds=(pio_out pio_in pio_unhandled mmio_write mmio_read mmio_coalesced rdmsr intr)

for r in $(seq 1 "$rounds"); do
	"$a" --tsv --samples "$samples" >"$out/A-$r.tsv"
	"$b" --tsv --samples "$samples" >"$out/B-$r.tsv"
done

if command -v valgrind >/dev/null; then
	for side in A B; do
		bin=$a
		[ "$side" = B ] && bin=$b
		for k in "${kinds[@]}"; do
			f="$out/cg-$side-$k"
			valgrind --tool=callgrind --callgrind-out-file="$f.out" \
				--toggle-collect=vcpu_handle_exit "$bin" --samples 100 --batch 10 \
				--kind "$k" >"$f.txt" 2>/dev/null
			callgrind_annotate --inclusive=yes --auto=no "$f.out" >"$f.ann" 2>/dev/null
		done
	done
fi

python3 - "$out" "$rounds" "$a" "$b" "${kinds[@]}" <<'PY'
import os, re, statistics, sys
out, rounds, a, b, kinds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]

def load(side):
    med = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{side}-{r}.tsv"):
            f = line.rstrip("\n").split("\t")
            if f[0] in kinds:
                med.setdefault(f[0], {"all": [], "bk": []})
                med[f[0]]["all"].append(float(f[1]))
                med[f[0]]["bk"].append(float(f[6]))
    return med

A, B = load("A"), load("B")
print(f"A = {a}\nB = {b}")
print(f"cycles per exit, median of {rounds} interleaved rounds [min-max of the round medians]")
print(f"{'kind':15} {'A total':>20} {'B total':>20} {'A bookkeeping':>20} {'B bookkeeping':>20} {'B-A':>7}")
def cell(v):
    return f"{statistics.median(v):6.1f} [{min(v):5.1f}-{max(v):5.1f}]"
for k in kinds:
    print(f"{k:15} {cell(A[k]['all']):>20} {cell(B[k]['all']):>20} {cell(A[k]['bk']):>20} "
          f"{cell(B[k]['bk']):>20} {statistics.median(B[k]['all']) - statistics.median(A[k]['all']):7.1f}")

if not os.path.exists(f"{out}/cg-A-{kinds[0]}.ann"):
    print("\n(no valgrind: no instruction counts)")
    sys.exit(0)

def cg(side, k):
    n = int(re.search(r"exits dispatched: (\d+)", open(f"{out}/cg-{side}-{k}.txt").read()).group(1))
    total = handler = 0
    for line in open(f"{out}/cg-{side}-{k}.ann"):
        m = re.match(r"\s*([\d,]+) .*PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
        m = re.match(r"\s*([\d,]+) .*:test_regs_(read|write) ", line)
        if m:
            handler += int(m.group(1).replace(",", ""))
    return total / n, handler / n

print("\ninstructions per exit under callgrind (inside vcpu_handle_exit): total / handler / bookkeeping")
print(f"{'kind':15} {'A':>22} {'B':>22}")
for k in kinds:
    ta, ha = cg("A", k)
    tb, hb = cg("B", k)
    print(f"{k:15} {ta:8.1f} /{ha:5.1f} /{ta - ha:6.1f} {tb:8.1f} /{hb:5.1f} /{tb - hb:6.1f}")
print(f"\nraw output: {out}")
PY
