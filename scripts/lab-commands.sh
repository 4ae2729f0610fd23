#!/bin/sh
# SPDX-License-Identifier: MIT
# usage: scripts/lab-commands.sh N
# Prints lab N's commands: the lines of the ```sh blocks under "## Steps" in
# its handout (labs/NN-*.md), in order, as `exitlab lab show N` lists them,
# so that `sh -e` runs the lab as a student would (the testbed's labs.list).
# Labs from $EXITLAB_LABS, else the repository's labs/.
# exit: 0, 2 bad usage or no such lab.
set -eu
[ $# -eq 1 ] && [ "$1" -ge 1 ] 2>/dev/null && [ "$1" -le 99 ] ||
	{ echo "usage: scripts/lab-commands.sh N (a lab number)" >&2; exit 2; }
dir=${EXITLAB_LABS:-$(dirname "$0")/../labs}
n=$(printf %02d "$1")
set -- "$dir/$n"-*.md
[ -r "$1" ] && [ $# -eq 1 ] || { echo "lab-commands: no single handout $dir/$n-*.md" >&2; exit 2; }
# A block may be indented under a numbered step: its lines lose that indentation.
awk '
	!inblock && /^## / { steps = ($0 == "## Steps") }
	!inblock && /^ *```sh$/ { inblock = steps; match($0, /^ */); indent = RLENGTH; next }
	inblock && /^ *```/ { inblock = 0; next }
	inblock { match($0, /^ */); print substr($0, 1 + (RLENGTH < indent ? RLENGTH : indent)) }
' "$1"
