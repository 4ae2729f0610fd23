#!/usr/bin/env bash
# Run each test binary given, print its output, and close with one summary
# line: "N passed, N failed, N skipped" counted over cmocka's test cases.
set -uo pipefail

passed=0 failed=0 skipped=0 bad_bins=()
for bin in "$@"; do
	echo "=== $bin"
	log=$(mktemp)
	# cmocka prints its [  PASSED  ] lines on stderr.
	"$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^\[       OK \]' "$log" || true)
	# cmocka lists failed and skipped tests twice (as they run, and in its summary)
	f=$(grep '^\[  FAILED  \] [a-z_]' "$log" | sort -u | wc -l)
	s=$(grep '^\[  SKIPPED \] [a-z_]' "$log" | sort -u | wc -l)
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or a sanitizer aborted: count the binary itself as a failure
		failed=$((failed + 1))
		bad_bins+=("$bin (exit $rc)")
	elif [ "$rc" -ne 0 ]; then
		bad_bins+=("$bin")
	fi
	rm -f "$log"
done
echo
[ ${#bad_bins[@]} -gt 0 ] && printf 'failing: %s\n' "${bad_bins[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
