#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The initramfs the Linux boot tests give `exitlab run linux` (scripts/testbed/linux.list,
# scripts/testbed/linux-devices.list, docs/linux.md): Debian's static busybox and an /init that
# mounts /proc, prints the marker line, the processor count and the kernel command line, and
# powers off (or, as the command line's exitlab_end= says: reboot, panic through sysrq, or idle
# forever for the watchdog).  With exitlab_test=pci,blk,net (any of them, comma-separated) it
# first loads the drivers of exitlab's devices (virtio_pci, virtio_blk, virtio_net, e1000, and e1000e for a passed-through 82574: the
# kernel's modules, packed for that kernel only; MODULE.PARAM=VALUE words of the command line
# are given to insmod, as modprobe would) and prints what they did, each line
# "EXITLAB-LINUX-...": pci the PCI functions with their drivers, the kernel's PCI, MMCONFIG and
# driver lines, and the interrupts they took; blk reads sector 0 of /dev/vda and writes
# EXITLAB-BLK-WRITTEN at sector 8; net brings eth0 up as 10.0.2.15/24, pings 10.0.2.2 (the
# other end of a tap, say) and prints the ping's summary and the interface's packet counts.  A newc cpio, gzipped, built as any user (no root, no device
# nodes: the kernel's built-in initramfs brings /dev/console), from the busybox-static and
# linux-image that scripts/testbed/run.sh unpacks.
#
# usage: scripts/linux/test-initramfs.sh OUT [BUSYBOX [MODULES_DIR]]
#   MODULES_DIR  lib/modules/VERSION of the kernel the tests boot (default: the unpacked
#                linux-image's under build/testbed/root/; none there: no modules, and
#                exitlab_test= says so)
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:?usage: scripts/linux/test-initramfs.sh OUT [BUSYBOX [MODULES_DIR]]}
busybox=${2:-$(ls build/testbed/root/busybox-static_*/bin/busybox 2>/dev/null | head -1 || true)}
mdir=${3:-$(ls -d build/testbed/root/linux-image-*/lib/modules/*/ 2>/dev/null | head -1 || true)}
if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
	echo "test-initramfs: no static busybox (scripts/testbed/run.sh unpacks Debian's busybox-static" \
		"into build/testbed/root/; or name one)" >&2
	exit 1
fi
st=$(mktemp -d "${TMPDIR:-/tmp}/exitlab-linux-initramfs-XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st"/{bin,proc,sys,dev,etc,ko}
cp "$busybox" "$st/bin/busybox"
for a in sh mount cat grep echo poweroff reboot sleep insmod dd head tr sync ip ping sed ls readlink basename dmesg; do
	ln -s busybox "$st/bin/$a"
done
# The drivers of exitlab's devices, dependencies first (scripts/debs.sh), with the kernel's version.
: >"$st/etc/modules"
if [ -n "$mdir" ] && [ -d "$mdir/kernel" ]; then
	# shellcheck source=scripts/debs.sh
	. scripts/debs.sh
	builtin_or_absent() { :; }
	mod_closure "$mdir/kernel" builtin_or_absent virtio_pci virtio_blk virtio_net e1000 e1000e
	for m in "${mod_order[@]}"; do
		cp "${kofile[$m]}" "$st/ko/$m.ko"
		echo "$m" >>"$st/etc/modules"
	done
	basename "$mdir" >"$st/etc/modules.kernel"
fi
cat >"$st/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "EXITLAB-LINUX-INIT: up"
echo "EXITLAB-LINUX-CPUS: $(grep -c ^processor /proc/cpuinfo)"
echo "EXITLAB-LINUX-CMDLINE: $(cat /proc/cmdline)"
tests=
for w in $(cat /proc/cmdline); do
	case "$w" in exitlab_test=*) tests=$(echo "${w#exitlab_test=}" | tr ',' ' ') ;; esac
done
if [ -n "$tests" ]; then
	mount -t devtmpfs devtmpfs /dev
	if [ "$(cat /etc/modules.kernel 2>/dev/null)" = "$(sed 's/ .*//' /proc/sys/kernel/osrelease)" ]; then
		while read -r m; do
			# module.param=value words of the command line are the module's, as modprobe has them
			args=
			for w in $(cat /proc/cmdline); do
				case "$w" in "$m".*=*) args="$args ${w#"$m".}" ;; esac
			done
			# shellcheck disable=SC2086
			insmod "/ko/$m.ko" $args || echo "EXITLAB-LINUX-INSMOD-FAILED: $m"
		done </etc/modules
	else
		echo "EXITLAB-LINUX-NO-MODULES: packed for '$(cat /etc/modules.kernel 2>/dev/null)'"
	fi
	sleep 1
fi
for t in $tests; do
	case "$t" in
	pci)
		for d in /sys/bus/pci/devices/*; do
			drv=none
			[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
			echo "EXITLAB-LINUX-PCI: ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") irq $(cat "$d/irq") driver $drv"
		done
		dmesg | grep -E 'PCI|MMCONFIG|pci 0000|virtio|e1000|vda' | sed 's/^/EXITLAB-LINUX-DMESG: /'
		grep -E 'virtio|eth|e1000' /proc/interrupts | tr -s ' ' | sed 's/^/EXITLAB-LINUX-IRQ: /'
		;;
	blk)
		echo "EXITLAB-LINUX-BLK-READ: $(dd if=/dev/vda bs=512 count=1 2>/dev/null | tr -d '\000' | head -c 64)"
		echo EXITLAB-BLK-WRITTEN | dd of=/dev/vda bs=512 seek=8 conv=sync,fsync 2>/dev/null &&
			echo "EXITLAB-LINUX-BLK-WRITE: ok"
		;;
	net)
		ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0
		n=0
		while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $n -lt 20 ]; do
			sleep 1
			n=$((n + 1))
		done
		echo "EXITLAB-LINUX-NET-CARRIER: $(cat /sys/class/net/eth0/carrier 2>/dev/null)"
		echo "EXITLAB-LINUX-PING: $(ping -c 3 -W 2 10.0.2.2 2>&1 | grep 'packets transmitted')"
		s=/sys/class/net/eth0/statistics
		echo "EXITLAB-LINUX-NET: tx_packets $(cat $s/tx_packets) rx_packets $(cat $s/rx_packets)"
		;;
	esac
done
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
