# SPDX-License-Identifier: MIT
# Shell helpers for the lines of a testbed test list (sourced by /init and by
# every test's shell inside the testbed guest: the host's dash as /bin/sh, busybox for the rest).  $OUT is the
# results directory that comes back to the host; $NPT the npt the boot used.

# Reload kvm_amd with other parameters (no VM may be open): kvm_amd_reload npt=0
kvm_amd_reload() {
	rmmod kvm_amd || return 1
	insmod "$(awk '$1 == "kvm_amd" { print $2 }' /testbed/modules)" "$@" || return 1
	echo "kvm_amd reloaded: npt=$(cat /sys/module/kvm_amd/parameters/npt)"
}

# Run a cmocka test binary; fail unless it exits 0 and every named case is OK:
# cmocka_expect BIN CASE...
cmocka_expect() {
	bin=$1
	shift
	"$bin" >/tmp/cmocka.log 2>&1
	rc=$?
	cat /tmp/cmocka.log
	[ $rc -eq 0 ] || { echo "$bin exited $rc"; return 1; }
	for c in "$@"; do
		grep -q "^\[       OK \] $c\$" /tmp/cmocka.log || { echo "$bin: $c did not pass"; return 1; }
	done
}

# Skip (exit 77) with a reason: testbed_skip "why"
testbed_skip() {
	echo "skipped: $*"
	exit 77
}
