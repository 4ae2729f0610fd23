#!/usr/bin/env bash
# exitlab's VMM and QEMU against the minimal KVM program, the exit path's limit on this host.
#
# The same exit-costs tests (pio to the VMM, pio to an ioeventfd, MMIO to the VMM, cpuid; CPL3)
# under three VMMs: build/microbench/minimal-kvm (microbench/minimal: one vCPU, one slot, no
# bookkeeping), `exitlab run exit-costs` and `exitlab run exit-costs --vmm qemu`. ROUNDS rounds,
# each running every VMM once in an order rotated by one per round, so that drift on a shared host
# hits all alike. Every VMM times in the guest the same way (fenced rdtsc, loop overhead
# subtracted) and reports a median per test per round. `exitlab ratios` then prints per test each
# VMM's median of medians and its ratio to the minimal program: the median over rounds of the
# same-round ratio, with a distribution-free interval from order statistics (11 rounds give
# [2nd, 10th] of the sorted ratios at 98.8 % coverage; fewer than 6 rounds give no 95 % interval).
# docs/peer-vmm.md explains the comparison.
#
# Usage: microbench/vmm-vs-minimal.sh [ROUNDS] [RING]       defaults: 11 rounds, ring 3 (the only one
#   the minimal program has). Environment: TESTS (default "pio_vmm pio_ioeventfd mmio_vmm cpuid"),
#   SAMPLES (the minimal program's per test, default 2000), QUICK=1 (exitlab and QEMU with --quick),
#   OUT (where results and the per-round medians go; default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-11}
ring=${2:-3}
tests=${TESTS:-pio_vmm pio_ioeventfd mmio_vmm cpuid}
samples=${SAMPLES:-2000}
out=${OUT:-$(mktemp -d /tmp/exitlab-vmm-vs-minimal.XXXXXX)}
exitlab=build/exitlab
minimal=build/microbench/minimal-kvm

if [ ! -x "$exitlab" ] || [ ! -x "$minimal" ]; then
	echo "build first: make all" >&2
	exit 2
fi
[ "$ring" = 3 ] || { echo "RING must be 3: the minimal program's loops run at CPL3" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive number" >&2; exit 2; }
vmms=(minimal exitlab)
if command -v qemu-system-x86_64 >/dev/null; then
	vmms+=(qemu)
else
	echo "no qemu-system-x86_64 (package qemu-system-x86): minimal and exitlab only" >&2
fi
targs=()
for t in $tests; do targs+=(--test "$t"); done
mkdir -p "$out"
rows=$out/rounds.txt
: >"$rows"

# One VMM's medians for one round, as "ROUND VMM TEST MEDIAN" lines.
run_one() {
	local r=$1 v=$2 vm=()
	case $v in
	minimal)
		# shellcheck disable=SC2086 # the test names are words
		"$minimal" -n "$samples" $tests | grep -v '^#' | while read -r t m; do echo "$r minimal $t $m"; done
		;;
	exitlab | qemu)
		[ "$v" = qemu ] && vm=(--vmm qemu)
		if ! "$exitlab" run exit-costs --ring 3 --no-baseline "${vm[@]}" "${targs[@]}" ${QUICK:+--quick} \
			--json "$out/$v-$r.json" >"$out/$v-$r.log" 2>&1; then
			echo "round $r: $v failed (see $out/$v-$r.log)" >&2
			return 0
		fi
		# CSV columns: campaign,entry,payload,test,ring,params,status,iterations,median_cycles,...
		"$exitlab" results csv "$out/$v-$r.json" |
			awk -F, -v r="$r" -v v="$v" 'NR > 1 && $5 == 3 && $7 == "ok" && $4 != "empty" { print r, v, $4, $9 }'
		;;
	esac
}

n=${#vmms[@]}
for r in $(seq 1 "$rounds"); do
	for i in $(seq 0 $((n - 1))); do
		run_one "$r" "${vmms[$(((i + r - 1) % n))]}" >>"$rows"
	done
	echo "round $r/$rounds done" >&2
done
"$exitlab" ratios --reference minimal <"$rows"
echo
echo "per-round medians: $rows; results and logs: $out"
