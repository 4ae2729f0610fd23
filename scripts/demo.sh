#!/usr/bin/env bash
# The main job: a quick exit-cost run on this host. Prints the table, writes
# results/<date>-<host>/exit-costs.json and exit-costs.png.
set -euo pipefail
cd "$(dirname "$0")/.."

out="results/$(date -u +%Y-%m-%d)-$(hostname -s)"
mkdir -p "$out"
./build/exitlab info
echo
rc=0
./build/exitlab run exit-costs --quick --json "$out/exit-costs.json" || rc=$?
if [ -f "$out/exit-costs.json" ]; then
	./build/exitlab plot "$out/exit-costs.json" -o "$out/exit-costs.png"
	echo "plot:    $out/exit-costs.png"
fi
exit "$rc"
