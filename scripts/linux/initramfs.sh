#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The initramfs of a Linux guest that exitlab boots (`exitlab run linux`,
# docs/linux.md; the tool inside: docs/linux-guest.md): busybox, exitlab-guest,
# the kernel's virtio/e1000 modules, and iperf3 and fio with their shared
# libraries where the package mirror has them.  Debian's packages are fetched
# with apt-get download into build/linux-guest/ and unpacked there, as
# scripts/testbed/run.sh does: nothing is installed on this machine, no root.
#
# usage: scripts/linux/initramfs.sh [--kernel-deb FILE] [--no-extras] OUT.cpio.gz
#   --kernel-deb  the linux-image package whose modules go in (default: the one
#                 linux-image-amd64 points at, or the newest one cached)
#   --no-extras   without iperf3 and fio
# exit: 0 written, 1 failure, 2 bad usage, 77 cannot run here (no Debian packages).
# env:  LINUX_GUEST_CACHE (default build/linux-guest), EXITLAB_GUEST (default
#       build/linux-guest/exitlab-guest)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${LINUX_GUEST_CACHE:-$TOP/build/linux-guest}
GUEST=${EXITLAB_GUEST:-$TOP/build/linux-guest/exitlab-guest}
# Modules the guest's devices need (exitlab's virtio-blk and virtio-net, QEMU's
# e1000/e1000e); their dependencies come along.  Built-in ones are simply absent.
MODULES="virtio_pci virtio_blk virtio_net e1000 e1000e"

usage() {
	[ "${1:-2}" = 0 ] || exec >&2
	sed -n '8,12p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}
kdeb_given= extras=1 out=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-deb) kdeb_given=${2:?}; shift 2 ;;
	--no-extras) extras=0; shift ;;
	-h | --help) usage 0 ;;
	-*) echo "initramfs: unknown option $1" >&2; usage ;;
	*) [ -z "$out" ] || { echo "initramfs: one output file only" >&2; usage; }; out=$1; shift ;;
	esac
done
[ -n "$out" ] || usage
[ -x "$GUEST" ] || { echo "initramfs: $GUEST is missing (make build/linux-guest/exitlab-guest)" >&2; exit 1; }
for t in dpkg-deb readelf gzip; do
	command -v "$t" >/dev/null || { echo "initramfs: SKIP: no $t here"; exit 77; }
done

skip() { echo "initramfs: SKIP: $*"; exit 77; }
die() { echo "initramfs: FAIL: $*" >&2; exit 1; }
note() { echo "initramfs: $*" >&2; }

mkdir -p "$CACHE/debs" "$CACHE/root"
# candidate, unpack, mod_closure
. "$TOP/scripts/debs.sh"
# The .deb of pkg (its candidate version) in the cache, downloaded if missing, or the newest
# cached one when no mirror answers; its path, or nothing.
fetch_deb() {
	local pkg=$1 ver f
	ver=$(candidate "$pkg" || true)
	if [ -n "$ver" ]; then
		f=$(ls "$CACHE/debs/${pkg}_"*"${ver#*:}_amd64.deb" "$CACHE/debs/${pkg}_"*"${ver#*:}_all.deb" 2>/dev/null | head -1 || true)
		if [ -z "$f" ]; then
			(cd "$CACHE/debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$CACHE/debs/apt.err") || true
			f=$(ls "$CACHE/debs/${pkg}_"*"${ver#*:}_"*.deb 2>/dev/null | head -1 || true)
		fi
	fi
	[ -n "${f:-}" ] || f=$(ls -t "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
	[ -n "$f" ] && echo "$f"
}

st=$(mktemp -d "${TMPDIR:-/tmp}/exitlab-initramfs-XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,lib64,proc,sys,dev,tmp,run,etc,root,usr/share/udhcpc}

# ---- busybox ----
bdeb=$(fetch_deb busybox-static || true)
[ -n "$bdeb" ] || skip "cannot fetch Debian's busybox-static (apt-get download: $(tail -1 "$CACHE/debs/apt.err" 2>/dev/null || echo 'no candidate'))"
busybox=$(unpack "$bdeb")/bin/busybox
[ -x "$busybox" ] || die "$(basename "$bdeb") has no bin/busybox"
cp "$busybox" "$st/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || [ -e "$st/bin/$a" ] || ln -s busybox "$st/bin/$a"
done

# ---- exitlab-guest and /init ----
cp "$GUEST" "$st/bin/exitlab-guest"
cp "$TOP/scripts/linux/init" "$st/init"
cp "$TOP/scripts/linux/udhcpc.script" "$st/usr/share/udhcpc/default.script"
chmod 755 "$st/init" "$st/usr/share/udhcpc/default.script"

# ---- the kernel's modules ----
kdeb=$kdeb_given
if [ -z "$kdeb" ]; then
	kver=$(candidate linux-image-amd64 || true)
	kpkg=
	[ -n "$kver" ] && kpkg=$(apt-cache show "linux-image-amd64=$kver" 2>/dev/null |
		sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -1)
	# The testbed's cache may hold it already (scripts/testbed/run.sh).
	[ -n "$kpkg" ] && kdeb=$(ls "$TOP"/build/testbed/debs/"${kpkg}"_*.deb 2>/dev/null | head -1 || true)
	[ -z "$kdeb" ] && [ -n "$kpkg" ] && kdeb=$(fetch_deb "$kpkg" || true)
	[ -n "$kdeb" ] || kdeb=$(ls -t "$CACHE"/debs/linux-image-*-amd64_*.deb "$TOP"/build/testbed/debs/linux-image-*-amd64_*.deb 2>/dev/null | head -1 || true)
fi
if [ -z "$kdeb" ] || [ ! -r "$kdeb" ]; then
	note "no linux-image package: no modules (a kernel with virtio built in still works)"
else
	kd=$CACHE/root/modules-$(basename "$kdeb" .deb)
	if [ ! -e "$kd/.unpacked" ]; then
		rm -rf "$kd"
		mkdir -p "$kd"
		# Only the drivers' folders: the whole package unpacks to ~400 MB.
		dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$kd" --wildcards \
			'./lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/*' \
			'./lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/net/core/*' ||
			die "cannot unpack the modules of $kdeb"
		touch "$kd/.unpacked"
	fi
	kabi=$(basename "$(ls -d "$kd"/lib/modules/*/ | head -1)")
	no_module() { note "no module $1 in $kabi (built in?)"; }
	# shellcheck disable=SC2086
	mod_closure "$kd/lib/modules/$kabi" no_module $MODULES
	mkdir -p "$st/lib/modules/$kabi"
	: >"$st/etc/modules"
	for m in "${mod_order[@]}"; do
		mod_copy "$m" "$st/lib/modules/$kabi/$m.ko"
		echo "$m" >>"$st/etc/modules"
	done
	echo "$kabi" >"$st/etc/modules.kernel"
	note "modules of $kabi: ${mod_order[*]}"
fi

# ---- iperf3 and fio, with the libraries they need ----
# A library is taken from this host when it has it (Debian like the mirror), else from the
# packages the program depends on that this host lacks, fetched and unpacked here.
host_has() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
deps_of() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "$1" 2>/dev/null | awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ { print $2 }'
}
# Where a library (soname) is: the unpacked packages first, then the host; nothing if nowhere.
find_lib() {
	local so=$1 r p
	for r in "${libroots[@]}"; do
		# (one folder deeper too: a library's RUNPATH, as ceph's; /init's LD_LIBRARY_PATH stands in for it)
		for p in "$r/usr/lib/x86_64-linux-gnu" "$r/lib/x86_64-linux-gnu" "$r/usr/lib" "$r"/usr/lib/x86_64-linux-gnu/*; do
			[ -e "$p/$so" ] && { echo "$p/$so"; return; }
		done
	done
	for p in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
		[ -e "$p/$so" ] && { echo "$p/$so"; return; }
	done
}
# Copy an ELF's library closure into the staging tree; 1 (and the first soname missing) if incomplete.
missing=
pack_libs() {
	local elf=$1 so f
	for so in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$stx/usr/lib/x86_64-linux-gnu/$so" ] && continue
		f=$(find_lib "$so")
		[ -n "$f" ] || { missing=$so; return 1; }
		cp -L "$f" "$stx/usr/lib/x86_64-linux-gnu/$so"
		pack_libs "$f" || return 1
	done
}
pack_program() {
	local pkg=$1 bin=$2 deb root q d
	deb=$(fetch_deb "$pkg" || true)
	[ -n "$deb" ] || { note "no $pkg from the package mirror: not packed"; return 0; }
	root=$(unpack "$deb")
	[ -x "$root$bin" ] || { note "$(basename "$deb") has no $bin: not packed"; return 0; }
	# The packages it depends on, transitively, that this host lacks: fetched for their libraries.
	libroots=("$root")
	declare -A visited=([$pkg]=1)
	q=($(deps_of "$pkg"))
	while [ ${#q[@]} -gt 0 ]; do
		d=${q[0]}
		q=("${q[@]:1}")
		[ -n "${visited[$d]:-}" ] && continue
		visited[$d]=1
		host_has "$d" && continue
		case "$d" in lib*) ;; *) continue ;; esac # libraries only: no python, debconf, adduser
		deb=$(fetch_deb "$d" || true)
		[ -n "$deb" ] || continue
		libroots+=("$(unpack "$deb")")
		q+=($(deps_of "$d"))
	done
	stx=$(mktemp -d "$st/.x-XXXXXX")
	mkdir -p "$stx/usr/lib/x86_64-linux-gnu" "$stx/usr/bin"
	if ! pack_libs "$root$bin"; then
		note "$pkg: no $missing among its packages or on this host: not packed"
		rm -rf "$stx"
		return 0
	fi
	cp -L "$root$bin" "$stx/usr/bin/"
	cp -a "$stx/." "$st/"
	rm -rf "$stx"
	note "$pkg packed ($(du -sh "$root$bin" | cut -f1) binary, ${#libroots[@]} package(s) searched for libraries)"
}
if [ "$extras" = 1 ]; then
	pack_program iperf3 /usr/bin/iperf3
	pack_program fio /usr/bin/fio
fi
# The dynamic loader of whatever was packed: the host's (same Debian release as the libraries).
if ls "$st/usr/lib/x86_64-linux-gnu/"*.so* >/dev/null 2>&1; then
	cp -L /lib64/ld-linux-x86-64.so.2 "$st/lib64/"
fi

mkdir -p "$(dirname "$out")"
tmp_out="$out.tmp.$$"
if command -v cpio >/dev/null; then
	(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$tmp_out"
else
	(cd "$st" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -6 >"$tmp_out"
fi
mv "$tmp_out" "$out"
note "wrote $out ($(du -h "$out" | cut -f1))"
