#!/usr/bin/env bash
# SIGKILL a small campaign (4 quick exit-costs runs at ring 3) at random points
# over many trials, resuming each trial to its end, and check after every kill
# and at the end that no finished entry was lost, rerun or rewritten and that no
# half-written results file is left where a reader would take it: the random
# trials of tests/integration/test_campaign_kill.c, as many as asked.
#
#   microbench/kill-resume.sh [TRIALS [SEED [MAX_MS]]]
#
# Defaults: 200 trials, a new seed, kills up to 1000 ms after each start (the
# release binary runs the whole campaign in about that).
#
# The seed is printed: the same seed replays the same kill points (as offsets in
# time, so where they land still depends on the machine's speed). EXITLAB_BIN
# picks the binary (default the release build/exitlab, which is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-200}
seed=${2:-$(date +%s)}
max_ms=${3:-1000}
make --no-print-directory build/exitlab build/exitlab-san build/payloads/exit-costs.elf \
	build/tests/test_campaign_kill >/dev/null
export EXITLAB_BIN=${EXITLAB_BIN:-build/exitlab}
export EXITLAB_KILL_SEED=$seed EXITLAB_KILL_TRIALS=$trials EXITLAB_KILL_MAX_MS=$max_ms
export EXITLAB_TEST_FILTER=test_kill_random
start=$(date +%s)
set +e
build/tests/test_campaign_kill >/tmp/kill-resume.$$.log 2>&1
rc=$?
set -e
grep -E '^kill/resume|^\[  (FAILED|ERROR|PASSED)|ERROR' /tmp/kill-resume.$$.log || true
echo "binary $EXITLAB_BIN, $(( $(date +%s) - start )) s, exit $rc (log /tmp/kill-resume.$$.log)"
exit $rc
