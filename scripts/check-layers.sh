#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layering of the host code (docs/architecture.md): every #include "..."
# in a layer's files names a file by its path from the top of the tree
# ("vmm/vm.h"; the ABI shared with the guest as "exitlab/NAME.h") and points
# into its own layer or one below it:
#
#   cli          7   the subcommands: parse options, call the layers
#   microbench   6   host-native benchmarks
#   run campaign 5   one run of a payload; a campaign of runs
#   analysis     4   results model and store, statistics, compare, claims, charts, report
#   devices instruments 3   device models; KVM stats views, tracepoints, PMU, host info
#   vmm          2   the VMM core: VM, vCPUs, memory, buses, irqs, boot, payload loading
#   util         1   files, text, statistics helpers
#   include      0   the ABI shared with guest payloads
#
# Layers of one rank do not include each other.  Guest payloads include only
# exitlab/ and their own files.  tests/ and fuzz/ may include anything.
# Usage: scripts/check-layers.sh [ROOT]   (default: this tree).  Exit 0 when
# the layering holds, 1 with one line per offending #include, 2 bad usage.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
[ -d "$root" ] || { echo "check-layers: $root is not a directory" >&2; exit 2; }
cd "$root"

layers="util vmm devices instruments analysis run campaign microbench cli"
present=()
for d in $layers guest-payloads; do [ -d "$d" ] && present+=("$d"); done
[ ${#present[@]} -gt 0 ] || { echo "check-layers: no layer folders under $root" >&2; exit 2; }

# One awk pass: the first input is every file of the tree (to tell a path
# include from a bare name), then each source file is read for its includes.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "${present[@]}" include -type f 2>/dev/null >"$list" || true
bad=0
find "${present[@]}" \( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print0 |
	xargs -0 -r awk -v listfile="$list" '
	BEGIN {
		while ((getline f < listfile) > 0) have[f] = 1
		split("include 0 util 1 vmm 2 devices 3 instruments 3 analysis 4 run 5 campaign 5 microbench 6 cli 7", a, " ")
		for (i = 1; i in a; i += 2) rank[a[i]] = a[i + 1]
	}
	!match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/) { next }
	{
		inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
		n = split(FILENAME, p, "/"); layer = p[1]
		if (("include/" inc) in have && inc ~ /^exitlab\//) next
		if (layer == "guest-payloads") {
			dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
			if ((dir "/" inc) in have || ("guest-payloads/lib/" inc) in have) next
			printf "%s:%d: guest code may include only exitlab/ and guest-payloads/ files, not \"%s\"\n", FILENAME, FNR, inc
			bad = 1; next
		}
		if (!(inc in have)) {
			printf "%s:%d: #include \"%s\" is not a path from the top of the tree\n", FILENAME, FNR, inc
			bad = 1; next
		}
		split(inc, q, "/"); to = q[1]
		if (to == layer) next
		if (!(to in rank)) {
			printf "%s:%d: %s may not include %s (%s/ is not a layer)\n", FILENAME, FNR, layer, inc, to
			bad = 1
		} else if (rank[to] >= rank[layer]) {
			printf "%s:%d: %s (rank %d) may not include %s: %s (rank %d) is not below it\n", FILENAME, FNR, layer, rank[layer], inc, to, rank[to]
			bad = 1
		}
	}
	END { exit bad }' | sed 's/^/check-layers: /' >&2 || bad=1
# (a failing awk in the pipe shows through pipefail)

if [ $bad = 0 ]; then
	echo "check-layers: every #include points down the layers"
	exit 0
fi
exit 1
