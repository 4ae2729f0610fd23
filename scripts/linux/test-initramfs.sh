#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The initramfs the Linux boot tests give `exitlab run linux` (scripts/testbed/linux.list,
# docs/linux.md): Debian's static busybox and an /init that mounts /proc, prints the marker
# line, the processor count and the kernel command line, and powers off (or, as the command
# line's exitlab_end= says: reboot, panic through sysrq, or idle forever for the watchdog).  A newc cpio,
# gzipped, built as any user (no root, no device nodes: the kernel's built-in initramfs
# brings /dev/console), from the busybox-static that scripts/testbed/run.sh unpacks.
#
# usage: scripts/linux/test-initramfs.sh OUT [BUSYBOX]
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:?usage: scripts/linux/test-initramfs.sh OUT [BUSYBOX]}
busybox=${2:-$(ls build/testbed/root/busybox-static_*/bin/busybox 2>/dev/null | head -1 || true)}
if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
	echo "test-initramfs: no static busybox (scripts/testbed/run.sh unpacks Debian's busybox-static" \
		"into build/testbed/root/; or name one)" >&2
	exit 1
fi
st=$(mktemp -d "${TMPDIR:-/tmp}/exitlab-linux-initramfs-XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st"/{bin,proc,sys,dev}
cp "$busybox" "$st/bin/busybox"
for a in sh mount cat grep echo poweroff reboot sleep; do
	ln -s busybox "$st/bin/$a"
done
cat >"$st/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "EXITLAB-LINUX-INIT: up"
echo "EXITLAB-LINUX-CPUS: $(grep -c ^processor /proc/cpuinfo)"
echo "EXITLAB-LINUX-CMDLINE: $(cat /proc/cmdline)"
case " $(cat /proc/cmdline) " in
*" exitlab_end=reboot "*) reboot -f ;;
*" exitlab_end=panic "*) echo c >/proc/sysrq-trigger ;;
*" exitlab_end=idle "*) while :; do sleep 1000; done ;;
esac
poweroff -f
INIT
chmod 755 "$st/init"
mkdir -p "$(dirname "$out")"
# Owner root:root inside whoever builds it (cpio's -R), so the image is the same for anyone.
if command -v cpio >/dev/null; then
	(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$out.tmp"
else
	(cd "$st" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc) | gzip -9n >"$out.tmp"
fi
mv "$out.tmp" "$out"
