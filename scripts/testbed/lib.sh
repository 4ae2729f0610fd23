# SPDX-License-Identifier: MIT
# Shell helpers for the lines of a testbed test list (sourced by /init and by
# every test's shell inside the testbed guest: the host's dash as /bin/sh,
# busybox for the rest).  $OUT is the results directory that comes back to the
# host; $NPT the npt the boot used.

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

# The BDF of the first PCI device VENDOR:DEVICE (default the e1000e, 8086:10d3), or fail.
pci_bdf() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat $d/vendor)" = "0x${1:-8086}" ] && [ "$(cat $d/device)" = "0x${2:-10d3}" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	echo "no PCI device ${1:-8086}:${2:-10d3}" >&2
	return 1
}

# Every PCI device VENDOR:DEVICE, one BDF a line (none: empty, fails).
pci_bdfs() {
	n=0
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat $d/vendor)" = "0x$1" ] && [ "$(cat $d/device)" = "0x$2" ]; then
			echo "${d##*/}"
			n=$((n + 1))
		fi
	done
	[ $n -gt 0 ]
}

# The driver BDF is bound to, or "none".
pci_driver() {
	if [ -e /sys/bus/pci/devices/$1/driver ]; then
		basename "$(readlink /sys/bus/pci/devices/$1/driver)"
	else
		echo none
	fi
}

# Hand BDF back to the driver DRV (after vfio_bind): clear the override and bind.
pci_rebind() {
	vfio_unbind "$1"
	echo "$1" >/sys/bus/pci/drivers/$2/bind
	[ "$(pci_driver $1)" = "$2" ] || { echo "$1: not back on $2"; return 1; }
}

# Expect a command to exit 3 with a message holding TEXT: expect_refusal TEXT COMMAND...
expect_refusal() {
	want=$1
	shift
	"$@" >/tmp/refusal.log 2>&1
	rc=$?
	cat /tmp/refusal.log
	[ $rc -eq 3 ] || { echo "exit $rc, want 3"; return 1; }
	grep -q -- "$want" /tmp/refusal.log || { echo "no '$want' in the message"; return 1; }
}

# Bind BDF to vfio-pci (unbinding its driver, if any); print its /dev/vfio group node.
vfio_bind() {
	d=/sys/bus/pci/devices/$1
	[ -e $d/driver ] && echo "$1" >$d/driver/unbind
	echo vfio-pci >$d/driver_override
	echo "$1" >/sys/bus/pci/drivers_probe
	g=/dev/vfio/$(basename "$(readlink $d/iommu_group)")
	[ "$(basename "$(readlink $d/driver)")" = vfio-pci ] && [ -c "$g" ] || { echo "$1: not bound to vfio-pci"; return 1; }
	echo "$g"
}

# Undo vfio_bind: back to no driver (the testbed loads none for the e1000e).
vfio_unbind() {
	d=/sys/bus/pci/devices/$1
	[ -e $d/driver ] && echo "$1" >$d/driver/unbind
	echo >$d/driver_override
}
