#!/usr/bin/env bash
# Per folder of host C code: files, lines, the largest file and the longest
# function (universal-ctags gives each function's first and last line).
# Usage: scripts/tree-stats.sh [DIR...]   (default: every folder holding *.c
# outside build/, tests/ and guest-payloads/)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ctags >/dev/null && ctags --version 2>/dev/null | grep -q Universal ||
	{ echo "tree-stats: needs universal-ctags (package universal-ctags)" >&2; exit 2; }

if [ $# -gt 0 ]; then dirs=("$@"); else
	mapfile -t dirs < <(git ls-files '*.c' '*.h' | grep -vE '^(tests|guest-payloads|fuzz)/' |
		xargs -n1 dirname | sort -u)
fi

printf '%-26s %5s %6s  %-40s %s\n' folder files lines "largest file (lines)" "longest function (lines)"
for d in "${dirs[@]}"; do
	mapfile -t files < <(git ls-files "$d/*.c" "$d/*.h" | awk -F/ -v d="$d" 'NF == split(d, _, "/") + 1')
	[ ${#files[@]} -gt 0 ] || continue
	lines=$(cat "${files[@]}" | wc -l)
	big=$(wc -l "${files[@]}" | grep -v ' total$' | sort -rn | awk 'NR == 1' | awk '{printf "%s (%d)", $2, $1}')
	cs=()
	for f in "${files[@]}"; do case $f in *.c) cs+=("$f") ;; esac; done
	long=-
	if [ ${#cs[@]} -gt 0 ]; then
		long=$(ctags -x --kinds-c=f --_xformat='%{input} %{name} %{line} %{end}' "${cs[@]}" |
			awk '$4 != "" {print $4 - $3 + 1, $1 ":" $2}' | sort -rn | awk 'NR == 1' |
			awk '{printf "%s (%d)", $2, $1}')
	fi
	printf '%-26s %5d %6d  %-40s %s\n' "$d" "${#files[@]}" "$lines" "$big" "${long:--}"
done
