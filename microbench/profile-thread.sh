#!/usr/bin/env bash
# Where one thread of an exitlab run spends its CPU, sampled while it is busy.
# Starts the command (an `exitlab run ...`), waits for a thread of that name
# (`virtio-net-tx`, `virtio-net-rx`, `virtio-blk`, `vcpu0`, ...) to appear
# and then to use more than BUSY_PCT (default 15) % of a CPU over 0.1 s, so
# the profile covers the timed phase, not the boot or the calibration; then
# samples the whole process with `perf record -e cpu-clock -g` for SECONDS
# and prints that thread's symbols by share of all samples, and each thread's
# share. The command must run long enough: give it frames or I/Os for several
# seconds at its rate. A guest at CPL3 shows as the host function that enters
# it (pvm_do_event_irqoff on PVM): its own code is not visible from here.
# Usage: microbench/profile-thread.sh THREAD SECONDS OUT_PREFIX -- COMMAND...
#   e.g. microbench/profile-thread.sh virtio-net-tx 2 /tmp/tx -- build/exitlab run net \
#          --device virtio-net --netdev sink,check=1 --param batch=256 --param frames=8000000 --param dir=tx
# Writes OUT_PREFIX.data (perf), OUT_PREFIX.log (the command's output). Needs perf (linux-perf).
set -euo pipefail

if [ $# -lt 5 ] || [ "$4" != "--" ]; then
	echo "usage: $0 THREAD SECONDS OUT_PREFIX -- COMMAND..." >&2
	exit 2
fi
name=$1 secs=$2 out=$3
shift 4
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
busy_ns=$(( ${BUSY_PCT:-15} * 1000000 ))

"$@" >"$out.log" 2>&1 &
pid=$!
tid=
for _ in $(seq 1 600); do
	tid=$(grep -lx "$name" /proc/$pid/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5) || true
	[ -n "$tid" ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if [ -z "$tid" ]; then
	echo "no thread named $name in the run (log: $out.log)" >&2
	wait $pid || true
	exit 1
fi
prev=$(cut -d' ' -f1 /proc/$pid/task/$tid/schedstat)
busy=0
for _ in $(seq 1 3000); do
	sleep 0.1
	cur=$(cut -d' ' -f1 /proc/$pid/task/$tid/schedstat 2>/dev/null) || break
	if [ $((cur - prev)) -gt $busy_ns ]; then
		busy=1
		break
	fi
	prev=$cur
done
if [ $busy = 0 ]; then
	echo "$name never got busy (log: $out.log)" >&2
	wait $pid || true
	exit 1
fi
perf record -q -e cpu-clock -F 4999 -g -p $pid -o "$out.data" -- sleep "$secs" 2>/dev/null || true
rc=0
wait $pid || rc=$?
[ $rc = 0 ] || echo "the command exited $rc (log: $out.log)" >&2
echo "share of all samples by thread:"
perf report -i "$out.data" --stdio --sort comm -g none 2>/dev/null | grep -E '^ +[0-9]'
echo "$name by symbol (share of all samples):"
perf report -i "$out.data" --stdio --no-children --comm "$name" --sort dso,symbol -g none 2>/dev/null |
	grep -E '^ +[0-9]' | head -${TOP:-25}
exit $rc
