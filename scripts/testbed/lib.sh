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

# Expect a command to exit 2 (bad input) with a message holding TEXT: expect_bad_input TEXT COMMAND...
expect_bad_input() {
	want=$1
	shift
	"$@" >/tmp/bad-input.log 2>&1
	rc=$?
	cat /tmp/bad-input.log
	[ $rc -eq 2 ] || { echo "exit $rc, want 2"; return 1; }
	grep -q -- "$want" /tmp/bad-input.log || { echo "no '$want' in the message"; return 1; }
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

# perf kvm stat and exitlab observe on one guest at once: perf_cross NAME COMMAND...
# COMMAND (an exitlab run) is stopped (SIGSTOP) as soon as it has a vCPU; `perf kvm stat
# record` (events enabled through its control fifo, which acknowledges) and `exitlab-san
# observe` attach; it is let go (SIGCONT) and runs to its end, which ends both.  So both
# see the same events: from the vCPU's first entry after SIGCONT to its last exit.
# Leaves $OUT/NAME.json (observe) and $OUT/NAME-perf-{vmexit,ioport,mmio}.txt
# (perf kvm stat report of each event kind), with the logs beside them.
perf_cross() {
	pc_name=$1
	shift
	command -v perf >/dev/null || testbed_skip "no perf in the initramfs (run.sh packs linux-perf when it can fetch it)"
	pc_tmp=/tmp/perf-cross-$pc_name
	rm -rf $pc_tmp && mkdir -p $pc_tmp && mkfifo $pc_tmp/ctl $pc_tmp/ack || return 1
	"$@" >$OUT/$pc_name-target.log 2>&1 &
	pc_pid=$!
	pc_i=0
	# the vCPU's thread, not only its fd: the fd is made first, the thread that runs
	# it after, and observe attaches to the threads there are when it starts
	until grep -qx 'vcpu[0-9]*' /proc/$pc_pid/task/*/comm 2>/dev/null; do
		pc_i=$((pc_i + 1))
		[ $pc_i -le 600 ] && kill -0 $pc_pid 2>/dev/null || { echo "no vCPU in $*"; kill $pc_pid; return 1; }
		sleep 0.1
	done
	kill -STOP $pc_pid
	perf kvm stat record -o $pc_tmp/perf.data -p $pc_pid -D -1 --control fifo:$pc_tmp/ctl,$pc_tmp/ack \
		>$OUT/$pc_name-perf-record.log 2>&1 &
	pc_perf=$!
	exitlab-san observe --pid $pc_pid --no-pmu --json $OUT/$pc_name.json >$OUT/$pc_name-observe.txt \
		2>$OUT/$pc_name-observe.err &
	pc_obs=$!
	pc_rc=0
	timeout 120 sh -c "echo enable >$pc_tmp/ctl" && pc_ack=$(timeout 120 head -n1 $pc_tmp/ack) &&
		[ "$pc_ack" = ack ] || { echo "perf did not enable its events (ack '$pc_ack')"; pc_rc=1; }
	pc_i=0
	until grep -q '^observing' $OUT/$pc_name-observe.err; do
		pc_i=$((pc_i + 1))
		[ $pc_i -le 1200 ] && kill -0 $pc_obs 2>/dev/null || { echo "observe did not attach"; pc_rc=1; break; }
		sleep 0.1
	done
	[ $pc_rc = 0 ] || { kill -9 $pc_pid; kill -CONT $pc_pid; kill $pc_perf $pc_obs; wait; return 1; }
	kill -CONT $pc_pid
	wait $pc_pid || { echo "target exited $?"; pc_rc=1; }
	wait $pc_obs || { echo "observe exited $?"; pc_rc=1; }
	# perf ends when its target does; SIGINT if it has not yet (it still writes what it has)
	kill -INT $pc_perf 2>/dev/null
	wait $pc_perf
	cat $OUT/$pc_name-perf-record.log
	for pc_ev in vmexit ioport mmio; do
		perf kvm -i $pc_tmp/perf.data stat report --event=$pc_ev >$OUT/$pc_name-perf-$pc_ev.txt 2>&1 ||
			{ echo "perf kvm stat report --event=$pc_ev failed"; pc_rc=1; }
	done
	rm -rf $pc_tmp
	return $pc_rc
}
