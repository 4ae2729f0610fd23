#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fuzz smoke of `make test`: every harness (build/fuzz/bin/NAME, from
# fuzz/NAME/harness.c) for FUZZ_SMOKE_RUNS executions from its seeds, with a
# fixed seed so that a failure replays.  Prints one cmocka-style line per
# harness for scripts/run-tests.sh; without clang, one skip line that says why.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${FUZZ_SMOKE_RUNS:-20000}
names=$(ls fuzz/*/harness.c 2>/dev/null | sed 's|fuzz/\(.*\)/harness.c|\1|')
if [ -z "$names" ]; then
	echo "[  SKIPPED ] fuzz_smoke: no harness under fuzz/"
	exit 0
fi
if ! command -v clang-14 >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1; then
	echo "[  SKIPPED ] fuzz_smoke: clang not found (scripts/deps.sh installs clang-14 and libclang-rt-14-dev)"
	exit 0
fi

rc=0
for n in $names; do
	bin=build/fuzz/bin/$n
	if [ ! -x "$bin" ]; then
		echo "[  FAILED  ] fuzz_$n: $bin not built (make fuzz-build)"
		rc=1
		continue
	fi
	work=build/fuzz/smoke/$n
	rm -rf "$work" && mkdir -p "$work/corpus" "$work/findings"
	dict=()
	[ -f "fuzz/$n/dict" ] && dict=(-dict="fuzz/$n/dict")
	# -timeout is a hang detector, generous for a busy machine, not a speed target.
	if "$bin" -runs="$runs" -seed=1 -timeout=120 -rss_limit_mb=4096 "${dict[@]}" \
		-artifact_prefix="$work/findings/" "$work/corpus" "fuzz/$n/seeds" >"$work/log" 2>&1; then
		echo "[       OK ] fuzz_$n: $runs runs, $(ls "$work/corpus" | wc -l) new inputs"
	else
		echo "[  FAILED  ] fuzz_$n: finding in $work/findings (log: $work/log)"
		tail -n 40 "$work/log"
		rc=1
	fi
done
exit $rc
