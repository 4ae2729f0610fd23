#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what building and testing exitlab needs (Debian/Ubuntu).
# Idempotent and non-interactive: silent when everything is present; as root it
# installs what is missing; otherwise it names the packages and the command.
#   scripts/deps.sh            everything: build, tests, fuzzing, the testbed, ansible
#   scripts/deps.sh --runtime  what building exitlab and running its campaigns needs:
#                              a measured host of a fleet (docs/fleet.md)
set -euo pipefail

RUNTIME_PACKAGES=(
	gcc make libc6-dev linux-libc-dev binutils
	libjansson-dev libpfm4-dev libyaml-dev
)
PACKAGES=(
	gcc make libc6-dev linux-libc-dev pkg-config git
	libjansson-dev libcmocka-dev libpfm4-dev gnuplot-nox
	binutils linux-perf qemu-system-x86 cpio iproute2
	dpdk-dev qemu-system-common libyaml-dev
	clang-14 libclang-rt-14-dev llvm-14 stress-ng
	ansible-core ansible-lint openssh-client
)

case "${1:-}" in
"") ;;
--runtime) PACKAGES=("${RUNTIME_PACKAGES[@]}") ;;
*) echo "usage: scripts/deps.sh [--runtime]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: dpkg-query not found; this script knows Debian packages only." >&2
	echo "deps.sh: install the equivalents of: ${PACKAGES[*]}" >&2
	exit 1
fi

installed() {
	# Multi-arch packages print one status per architecture; any installed one will do.
	dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: as root run: apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
	exit 1
fi

echo "deps.sh: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null

still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "deps.sh: still missing after apt-get install: ${still[*]}" >&2
	exit 1
fi
