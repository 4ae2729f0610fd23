#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run each fuzz harness (build/fuzz/bin/NAME) for a fixed budget and report,
# per harness: executions, executions per second, edges (libFuzzer's cov:),
# line and region coverage of its target files (fuzz/NAME/targets, measured
# by replaying the corpus through build/fuzz-cov/bin/NAME) and findings.
#
#   FUZZ_SECONDS=600 microbench/fuzz-bench.sh [NAME...]    a time budget each
#   FUZZ_RUNS=10000000 microbench/fuzz-bench.sh [NAME...]  an execution budget
#
# The corpus grows across runs in build/fuzz/corpus/NAME; findings are saved
# in build/fuzz/findings/NAME; the table is printed and kept in
# build/fuzz/bench-TIME.md, the coverage reports beside it.  `make fuzz` runs it.
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
seed=${FUZZ_SEED:-1}
names=("$@")
[ ${#names[@]} -eq 0 ] && mapfile -t names < <(ls fuzz/*/harness.c | sed 's|fuzz/\(.*\)/harness.c|\1|')

tool() {
	command -v "$1-14" 2>/dev/null || command -v "$1" 2>/dev/null
}
profdata=$(tool llvm-profdata)
llvmcov=$(tool llvm-cov)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=build/fuzz/bench-$stamp
mkdir -p "$out"

if [ -n "$runs" ]; then budget=(-runs="$runs"); what="$runs executions"; else budget=(-max_total_time="$secs"); what="$secs s"; fi
{
	echo "# Fuzzing, $what per harness (seed $seed, $(git rev-parse --short=12 HEAD 2>/dev/null))"
	echo
	echo "| harness | executions | exec/s | edges | lines covered, per target file | target regions | findings |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$out/table.md"
cat "$out/table.md"

rc=0
for n in "${names[@]}"; do
	bin=build/fuzz/bin/$n cov=build/fuzz-cov/bin/$n
	[ -x "$bin" ] || { echo "fuzz-bench: $bin not built (make fuzz-build)" >&2; exit 2; }
	corpus=build/fuzz/corpus/$n findings=build/fuzz/findings/$n
	mkdir -p "$corpus" "$findings"
	dict=()
	[ -f "fuzz/$n/dict" ] && dict=(-dict="fuzz/$n/dict")
	# A finding is an input that failed (crash-, leak-, timeout-, oom-); a
	# slow-unit- file only took over 10 s, which load alone can cause: it is
	# named beside the count, to be replayed alone (build/fuzz/bin/NAME FILE).
	failed() { ls "$findings" | grep -cE '^(crash|leak|timeout|oom)-' || true; }
	slow() { ls "$findings" | grep -c '^slow-unit-' || true; }
	before=$(failed) slow_before=$(slow)
	"$bin" "${budget[@]}" -seed="$seed" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$findings/" "$corpus" "fuzz/$n/seeds" >"$out/$n.log" 2>&1
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$out/$n.log")
	rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$out/$n.log")
	edges=$(grep -o 'cov: [0-9]*' "$out/$n.log" | tail -1 | awk '{print $2}')
	found=$(( $(failed) - before ))
	[ "$found" -gt 0 ] && rc=1
	slow_new=$(( $(slow) - slow_before ))
	[ "$slow_new" -gt 0 ] && found="$found ($slow_new slow units)"

	lines=- regions=-
	if [ -x "$cov" ] && [ -n "$profdata" ] && [ -n "$llvmcov" ] && [ -f "fuzz/$n/targets" ]; then
		LLVM_PROFILE_FILE="$out/$n.profraw" "$cov" -runs=0 "$corpus" "fuzz/$n/seeds" >/dev/null 2>&1
		"$profdata" merge -sparse "$out/$n.profraw" -o "$out/$n.profdata" &&
			"$llvmcov" report "$cov" -instr-profile="$out/$n.profdata" $(cat "fuzz/$n/targets") >"$out/$n.coverage.txt"
		# TOTAL row: regions cover is field 4, lines cover field 10 (one target file has no TOTAL row).
		# llvm-cov names the files without the directories all of them share (one file: by its
		# absolute path): a row is a target's if either name ends with the other.
		is_f='$1 == f || substr(f, length(f) - length($1)) == "/" $1 || substr($1, length($1) - length(f)) == "/" f'
		row=$(awk '$1 == "TOTAL"' "$out/$n.coverage.txt")
		[ -z "$row" ] && row=$(awk -v f="$(head -1 "fuzz/$n/targets")" "$is_f" "$out/$n.coverage.txt")
		regions=$(awk '{print $4}' <<<"$row")
		lines=$(while read -r f; do
			awk -v f="$f" "$is_f"' {printf "%s %s, ", f, $10}' "$out/$n.coverage.txt"
		done <"fuzz/$n/targets" | sed 's/, $//')
		rm -f "$out/$n.profraw"
	fi
	echo "| $n | ${execs:-?} | ${rate:-?} | ${edges:-?} | $lines | $regions | $found |" | tee -a "$out/table.md"
done
echo
echo "table: $out/table.md; per-file coverage: $out/*.coverage.txt; findings: build/fuzz/findings/"
exit $rc
