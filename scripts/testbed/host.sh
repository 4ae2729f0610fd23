#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A testbed guest as a background host reachable over SSH, for fleets (docs/testbed.md,
# "A host over SSH"): start boots scripts/testbed/run.sh --ssh PORT in the background and waits
# until ssh answers; status says whether one runs; stop powers it off; ssh runs a command there.
#
# usage: scripts/testbed/host.sh start [--port PORT] [--wait S] [-- RUN.SH-OPTION...]
#        scripts/testbed/host.sh status | stop | ssh [COMMAND...]
# State in $TESTBED_HOST_DIR (default $TESTBED_CACHE/host, i.e. build/testbed/host): pid, port,
# key (the path of the run's private key), inventory (Ansible), ssh_config, known_hosts,
# run.log (run.sh's output) and out/ (its --out: serial.log, ssh/, results of a --list).
# env:  TESTBED_LOCK  a lock file taken (flock) around the boot, as around any testbed run
#                     (e.g. /work/testbed.lock where several share the machine's cores)
# exit: 0 done (status: one is running), 1 failed, 2 bad usage, 3 status: none running
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${TESTBED_CACHE:-$TOP/build/testbed}
dir=${TESTBED_HOST_DIR:-$CACHE/host}

usage() {
	[ "${1:-2}" = 0 ] || exec >&2
	sed -n '3,14s/^# \{0,1\}//p' "$0"
	exit "${1:-2}"
}

# The pid of the running host's process group leader, if it still runs; else nothing.
host_pid() {
	local pid
	pid=$(cat "$dir/pid" 2>/dev/null || true)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa 'run.sh' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	return 0
}

ssh_opts() {
	echo -i "$dir/out/ssh/id_ed25519" -p "$(cat "$dir/port")" -o BatchMode=yes -o ConnectTimeout=10 \
		-o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$dir/known_hosts" -o LogLevel=ERROR
}

host_ssh() {
	# shellcheck disable=SC2046
	ssh $(ssh_opts) root@127.0.0.1 "$@"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
	local port= wait=1800 pid t0 lock=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--port) port=${2:?}; shift 2 ;;
		--wait) wait=${2:?}; shift 2 ;;
		--) shift; break ;;
		*) echo "host.sh: unknown option $1" >&2; usage ;;
		esac
	done
	if pid=$(host_pid) && [ -n "$pid" ]; then
		echo "host.sh: a testbed host already runs (pid $pid, port $(cat "$dir/port")): host.sh stop first" >&2
		exit 1
	fi
	[ -n "$port" ] || port=$(free_port)
	mkdir -p "$dir"
	rm -f "$dir/known_hosts" "$dir/inventory" "$dir/ssh_config" "$dir/key"
	echo "$port" >"$dir/port"
	[ -n "${TESTBED_LOCK:-}" ] && lock=(flock "$TESTBED_LOCK")
	# its own process group, so that stop ends QEMU and all with it
	setsid "${lock[@]}" "$TOP/scripts/testbed/run.sh" --ssh "$port" --out "$dir/out" "$@" \
		</dev/null >"$dir/run.log" 2>&1 &
	echo $! >"$dir/pid"
	pid=$!
	echo "host.sh: booting a testbed host (pid $pid, port $port${TESTBED_LOCK:+, once $TESTBED_LOCK is free}); log $dir/run.log"
	t0=$SECONDS
	until [ -e "$dir/out/ssh/id_ed25519" ] && host_ssh true 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "host.sh: the testbed ended before ssh answered:" >&2
			tail -5 "$dir/run.log" >&2
			exit 1
		fi
		if [ $((SECONDS - t0)) -ge "$wait" ]; then
			echo "host.sh: ssh did not answer in ${wait}s (still booting, or waiting for the lock?): host.sh stop" >&2
			exit 1
		fi
		sleep 3
	done
	ln -sf out/ssh/id_ed25519 "$dir/key"
	cat >"$dir/ssh_config" <<EOC
Host testbed
	HostName 127.0.0.1
	Port $port
	User root
	IdentityFile $dir/out/ssh/id_ed25519
	StrictHostKeyChecking accept-new
	UserKnownHostsFile $dir/known_hosts
	BatchMode yes
EOC
	# An Ansible inventory of this one host: a prebuilt exitlab at /exitlab (no build there),
	# Python at /usr/bin/python3, module files piped (dropbear has no sftp or scp).
	cat >"$dir/inventory" <<EOC
[testbed_hosts]
testbed ansible_host=127.0.0.1 ansible_port=$port ansible_user=root ansible_ssh_private_key_file=$dir/out/ssh/id_ed25519 ansible_ssh_common_args='-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$dir/known_hosts' ansible_python_interpreter=/usr/bin/python3 ansible_pipelining=true ansible_ssh_transfer_method=piped exitlab_prebuilt=/exitlab
EOC
	echo "host.sh: up after $((SECONDS - t0)) s: ssh -F $dir/ssh_config testbed; Ansible inventory $dir/inventory"
}

status() {
	local pid
	pid=$(host_pid)
	if [ -z "$pid" ]; then
		echo "host.sh: no testbed host is running${TESTBED_HOST_DIR:+ (state $dir)}"
		exit 3
	fi
	if [ -e "$dir/out/ssh/id_ed25519" ] && host_ssh true 2>/dev/null; then
		echo "host.sh: running: pid $pid, ssh on 127.0.0.1:$(cat "$dir/port"), key $dir/out/ssh/id_ed25519, inventory $dir/inventory"
	else
		echo "host.sh: running: pid $pid, port $(cat "$dir/port"), ssh not answering yet (booting, or waiting for the lock); log $dir/run.log"
	fi
}

stop() {
	local pid i
	pid=$(host_pid)
	if [ -z "$pid" ]; then
		echo "host.sh: no testbed host is running"
		rm -f "$dir/pid"
		return 0
	fi
	# poweroff signals the guest's /init, which powers off; QEMU then exits and run.sh reports
	# shellcheck disable=SC2046
	[ -e "$dir/out/ssh/id_ed25519" ] && timeout 30 ssh $(ssh_opts) root@127.0.0.1 poweroff 2>/dev/null || true
	for i in $(seq 60); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "host.sh: the guest did not power off: stopping its process group $pid"
		kill -TERM -- "-$pid" 2>/dev/null || true
		sleep 5
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$dir/pid"
	echo "host.sh: stopped; run.sh said:"
	tail -3 "$dir/run.log" | sed 's/^/  /'
}

case "${1:-}" in
start) shift; start "$@" ;;
status) status ;;
stop) stop ;;
ssh) shift; [ -n "$(host_pid)" ] || { echo "host.sh: no testbed host is running" >&2; exit 3; }; host_ssh "$@" ;;
-h | --help) usage 0 ;;
*) usage ;;
esac
