#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nested testbed: boot Debian's own kernel in QEMU (TCG, -cpu max: AMD SVM
# with NPT, an AMD IOMMU, an e1000e) with an initramfs of busybox, the KVM,
# vhost-net, tun and VFIO modules and exitlab; run a test list inside under
# the real kvm_amd; bring the results back over the serial console.
# Debian's packages (the kernel, busybox-static, and linux-perf of the kernel's
# version when the list runs perf) are fetched with apt-get download into
# build/testbed/ and unpacked there (nothing is installed on this machine).
# docs/testbed.md.
#
# usage: scripts/testbed/run.sh [--npt 0|1] [--iommu 0|1] [--list FILE]... [--out DIR] [--keep]
#                               [--timeout S] [--test-timeout S] [--smp N] [--tcg-thread multi|single]
#                               [--kernel PKG|X.Y] [--ssh PORT] [--no-build]
# exit: 0 every inner test passed (or skipped), 1 a test failed or the guest did
#       not finish, 2 bad usage, 77 cannot run here (no QEMU, no Debian packages).
# env:  TESTBED_CACHE (default build/testbed), TESTBED_QEMU (default qemu-system-x86_64)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$TOP/scripts/testbed
CACHE=${TESTBED_CACHE:-$TOP/build/testbed}
M='@@exitlab-testbed'

lists=() kernel= ssh_port= timeout_set=0 npt=1 iommu=1 list=$HERE/tests.list out=$CACHE/out keep=0 timeout=1200 test_timeout=600 smp=1 tcg_thread=multi build=1 mem=4G
usage() {
	[ "${1:-2}" = 0 ] || exec >&2
	cat <<EOF
usage: scripts/testbed/run.sh [--npt 0|1] [--iommu 0|1] [--list FILE]... [--out DIR] [--keep]
                              [--timeout S] [--test-timeout S] [--smp N] [--tcg-thread multi|single]
                              [--kernel PKG|X.Y] [--ssh PORT] [--no-build]
Boots Debian's kernel (linux-image-amd64's, or --kernel: a package such as
linux-image-6.12.118+deb12-amd64-unsigned, or X.Y for the newest linux-image-X.Y*-amd64-unsigned
the mirror offers) in QEMU TCG (SVM+NPT, amd-iommu unless --iommu 0, e1000e), runs the test
list (default scripts/testbed/tests.list; several --list run one after the other in one boot) under kvm_amd, results into --out
(default build/testbed/out). Debian's kernel, busybox-static and (when the list runs perf)
linux-perf of the kernel's version are fetched with apt-get download into \$TESTBED_CACHE
(default build/testbed/), and what is cached there is used when no mirror answers.
--ssh PORT: after the list (none by default) the guest stays up as a host reachable with
  ssh -i OUT/ssh/id_ed25519 -p PORT root@127.0.0.1 (a key made for this run; QEMU's user
  network forwards 127.0.0.1:PORT), with Python 3 for Ansible, until it is powered off
  (ssh ... poweroff); no --timeout unless given. scripts/testbed/host.sh runs one in the background.
docs/testbed.md.
EOF
	exit "${1:-2}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--npt) npt=${2:?}; shift 2 ;;
	--iommu) iommu=${2:?}; shift 2 ;;
	--list) lists+=("$(realpath -m "${2:?}")"); shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	--timeout) timeout=${2:?} timeout_set=1; shift 2 ;;
	--test-timeout) test_timeout=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--tcg-thread) tcg_thread=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--ssh) ssh_port=${2:?}; shift 2 ;;
	--no-build) build=0; shift ;;
	-h | --help) usage 0 ;;
	*) echo "testbed: unknown option $1" >&2; usage ;;
	esac
done
case "$npt" in 0 | 1) ;; *) echo "testbed: --npt takes 0 or 1" >&2; exit 2 ;; esac
case "$iommu" in 0 | 1) ;; *) echo "testbed: --iommu takes 0 or 1" >&2; exit 2 ;; esac
case "$tcg_thread" in multi | single) ;; *) echo "testbed: --tcg-thread takes multi or single" >&2; exit 2 ;; esac
case "$kernel" in
'' | linux-image-*) ;;
*) [[ "$kernel" =~ ^[0-9]+\.[0-9]+$ ]] ||
	{ echo "testbed: --kernel takes a package name (linux-image-...) or X.Y (e.g. 6.12)" >&2; exit 2; } ;;
esac
if [ -n "$ssh_port" ]; then
	[[ "$ssh_port" =~ ^[0-9]+$ ]] && [ "$ssh_port" -ge 1 ] && [ "$ssh_port" -le 65535 ] ||
		{ echo "testbed: --ssh takes a TCP port, 1..65535" >&2; exit 2; }
	# a host stays up until it is told to power off; a list is optional
	[ "$timeout_set" = 1 ] || timeout=0
	[ "${#lists[@]}" -gt 0 ] || lists=(/dev/null)
fi
lists=("${lists[@]:-$list}")
for l in "${lists[@]}"; do
	[ -r "$l" ] || { echo "testbed: cannot read the test list $l" >&2; exit 2; }
done
# Several lists: one boot runs them in order, as one list.
if [ "${#lists[@]}" -gt 1 ]; then
	list=$(mktemp "${TMPDIR:-/tmp}/exitlab-testbed-list-XXXXXX") list_tmp=$list
	trap 'rm -f "$list_tmp"' EXIT
	cat "${lists[@]}" >"$list"
else
	list=${lists[0]}
fi

skip() { echo "testbed: SKIP: $*"; exit 77; }
die() { echo "testbed: FAIL: $*" >&2; exit 1; }
log() { echo "testbed: $*" >&2; }
t0=$(date +%s)

qemu=${TESTBED_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || skip "no $qemu (apt-get install qemu-system-x86)"

# ---- Debian packages: the kernel linux-image-amd64 points at, and busybox-static ----
mkdir -p "$CACHE/debs"
# Download pkg=ver into the cache unless it is there; print the .deb's path.
fetch_deb() {
	local pkg=$1 ver=$2 f
	f=$(ls "$CACHE/debs/${pkg}_"*"${ver#*:}_amd64.deb" 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		(cd "$CACHE/debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$CACHE/debs/apt.err") || return 1
		f=$(ls "$CACHE/debs/${pkg}_"*"${ver#*:}_amd64.deb" 2>/dev/null | head -1 || true)
	fi
	[ -n "$f" ] && echo "$f"
}
# candidate, unpack, mod_closure
. "$TOP/scripts/debs.sh"

# The kernel: the package linux-image-amd64 depends on (Debian 12: 6.1), or --kernel's: a package
# name, or X.Y for the newest linux-image-X.Y*-amd64-unsigned (not cloud, not rt) the mirror has.
# kglob: the cached .debs that will do when no mirror answers.
kdeb= bdeb= kpkg= kver=
case "$kernel" in
'')
	kglob='linux-image-6.1.*-amd64_*.deb' kwhat='linux-image-6.1.*-amd64'
	kver=$(candidate linux-image-amd64 || true)
	[ -n "$kver" ] && kpkg=$(apt-cache show "linux-image-amd64=$kver" 2>/dev/null |
		sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -1)
	;;
[0-9]*)
	kglob="linux-image-$kernel[.-]*-amd64-unsigned_*.deb" kwhat="linux-image-$kernel*-amd64-unsigned"
	kpkg=$(apt-cache search --names-only "^linux-image-${kernel//./\\.}[.-].*-amd64-unsigned\$" 2>/dev/null |
		awk '{ print $1 }' | grep -Ev -- '-(cloud|rt)-amd64-unsigned$' | sort -V | tail -1 || true)
	[ -n "$kpkg" ] && kver=$(candidate "$kpkg" || true)
	;;
linux-image-*)
	kglob="${kernel}_*.deb" kwhat=$kernel kpkg=$kernel
	kver=$(candidate "$kpkg" || true)
	;;
esac
[ -n "$kver" ] && [ -n "$kpkg" ] && kdeb=$(fetch_deb "$kpkg" "$kver" || true)
bver=$(candidate busybox-static || true)
[ -n "$bver" ] && bdeb=$(fetch_deb busybox-static "$bver" || true)
# No mirror: what an earlier run fetched will do.
[ -n "$kdeb" ] || kdeb=$(ls -t "$CACHE"/debs/$kglob 2>/dev/null | grep -Ev -- '-(cloud|rt)-amd64' | head -1 || true)
[ -n "$bdeb" ] || bdeb=$(ls -t "$CACHE"/debs/busybox-static_*.deb 2>/dev/null | head -1 || true)
if [ -z "$kdeb" ]; then
	# apt knows Debian's kernels but not this one: a wrong --kernel, not a missing mirror.
	if [ -n "$kernel" ] && [ -z "$kver" ] && [ -n "$(candidate linux-image-amd64 || true)" ]; then
		echo "testbed: no Debian package $kwhat (apt-cache search linux-image- lists them)" >&2
		exit 2
	fi
	why=$(tail -1 "$CACHE/debs/apt.err" 2>/dev/null || true)
	[ -n "$kernel" ] || kpkg=linux-image-amd64 # what apt was asked
	skip "cannot fetch Debian's $kwhat (apt-get download: ${why:-no candidate for ${kpkg:-$kwhat}})"
fi
[ -n "$bdeb" ] || skip "cannot fetch Debian's busybox-static (apt-get download failed)"
# linux-perf of the kernel's own version, when the list runs perf (perf kvm stat beside observe).
# Without it those tests skip.
pdeb= perf_wanted=0
# (awk reads the whole list: under pipefail, grep -q's early exit would fail its writer)
awk '!/^[[:space:]]*#/ && /(^|[^a-z_-])perf(_cross)?[[:space:]]/ { f = 1 } END { exit !f }' "$list" && perf_wanted=1
if [ "$perf_wanted" = 1 ]; then
	pver=$(dpkg-deb -f "$kdeb" Version)
	pdeb=$(fetch_deb linux-perf "$pver" || true)
	[ -n "$pdeb" ] || log "no linux-perf $pver (apt-get download failed): the tests that run perf will skip"
fi

# Only the packages in use stay in the cache (a kernel unpacks to ~400 MB): of the kernels, one
# per upstream series (6.1, 6.12: their package version's X.Y) and signing (the default is
# Debian's signed image, --kernel X.Y the unsigned one), so that runs alternating between two
# kernels do not fetch each other's again.
kseries() {
	local b name ver
	b=$(basename "$1") && name=${b%%_*} && ver=${b#*_}
	echo "$(echo "${ver%%_*}" | cut -d. -f1,2)${name##*-amd64}"
}
for f in "$CACHE"/debs/linux-image-*.deb "$CACHE"/debs/busybox-static_*.deb; do
	[ -e "$f" ] && [ "$f" != "$kdeb" ] && [ "$f" != "$bdeb" ] || continue
	case "$f" in */linux-image-*) [ "$(kseries "$f")" = "$(kseries "$kdeb")" ] || continue ;; esac
	rm -rf "$f" "$CACHE/root/$(basename "$f" .deb)"
done
if [ -n "$pdeb" ]; then
	for f in "$CACHE"/debs/linux-perf_*.deb; do
		[ -e "$f" ] && [ "$f" != "$pdeb" ] && rm -rf "$f" "$CACHE/root/$(basename "$f" .deb)"
	done
fi
kroot=$(unpack "$kdeb")
broot=$(unpack "$bdeb")
kabi=$(basename "$(ls -d "$kroot"/lib/modules/*/ | head -1)")
vmlinuz=$kroot/boot/vmlinuz-$kabi
busybox=$broot/bin/busybox
[ -r "$vmlinuz" ] && [ -x "$busybox" ] || die "unpacked packages lack $vmlinuz or $busybox"
proot=
[ -n "$pdeb" ] && proot=$(unpack "$pdeb")
if [ -n "$ssh_port" ]; then
	. "$HERE/ssh.sh"
	ssh_fetch
	command -v ssh-keygen >/dev/null || skip "no ssh-keygen for --ssh (apt-get install openssh-client)"
fi
log "kernel $(basename "$kdeb") ($kabi), busybox $(basename "$bdeb")${pdeb:+, perf $(basename "$pdeb")}"

# ---- exitlab, built if needed ----
tests_bins=$(grep -v '^[[:space:]]*#' "$list" | grep -o 'build/tests/test_[a-z0-9_]*' | sort -u || true)
# Any other build/tests/ file the list names (e.g. a payload built with the payload kit, for
# want of a compiler inside): a make target too, packed at the same path.
tests_files=$(grep -v '^[[:space:]]*#' "$list" | grep -o 'build/tests/[A-Za-z0-9_./-]*' |
	grep -v '^build/tests/test_[a-z0-9_]*$' | sort -u || true)
if [ "$build" = 1 ]; then
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory -s all $tests_bins $tests_files >&2 ||
		die "make failed"
fi
# The other build/tests/ files are data made from what this script fetched (the Linux list's
# kernel and initramfs): made here even with --no-build, as a fresh clone's make test has none.
if [ "$build" = 0 ] && [ -n "$tests_files" ]; then
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory -s $tests_files >&2 ||
		die "make $tests_files failed"
fi
for f in build/exitlab build/exitlab-san $tests_bins; do
	[ -x "$TOP/$f" ] || die "$f is missing (make all $tests_bins)"
done
for f in $tests_files; do
	[ -f "$TOP/$f" ] || die "$f is missing (make $f)"
done

# ---- the initramfs ----
work=$(mktemp -d "${TMPDIR:-/tmp}/exitlab-testbed-XXXXXX")
cleanup() { rm -f "${list_tmp:-}"; [ "$keep" = 1 ] && log "kept $work" || rm -rf "$work"; }
trap cleanup EXIT
st=$work/initramfs
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var,root,results,testbed/ko,exitlab/build}
cp "$busybox" "$st/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$st/bin/$a"
done

# Modules: the closure of what we need under depends=, dependencies first.
mdir=$kroot/lib/modules/$kabi
# vfio_virqfd is a module of its own only in some kernels, as virtio's PCI transport (6.12: built in)
no_module() { [[ "$1" == vfio_virqfd || "$1" == virtio* ]] || die "no module $1 in $kabi"; }
# --ssh: the NIC on QEMU's user network is a virtio-net (an e1000 would take the 82540EMs' place)
ssh_mods=()
[ -n "$ssh_port" ] && ssh_mods=(virtio_pci virtio_net)
mod_closure "$mdir/kernel" no_module irqbypass ccp kvm kvm_amd vhost_iotlb vhost tun tap vhost_net \
	vfio vfio_iommu_type1 vfio_pci_core vfio_pci vfio_virqfd e1000 "${ssh_mods[@]}"
: >"$st/testbed/modules"
for m in "${mod_order[@]}"; do
	mod_copy "$m" "$st/testbed/ko/$m.ko"
	echo "$m /testbed/ko/$m.ko" >>"$st/testbed/modules"
done

# Programs and the shared libraries ldd names for them, at the same paths.
copy_with_libs() {
	local src=$1 dst=$2 lib
	mkdir -p "$(dirname "$st$dst")"
	cp -L "$src" "$st$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$st$lib" ] && continue
		mkdir -p "$(dirname "$st$lib")"
		cp -L "$lib" "$st$lib"
	done
}
copy_with_libs "$TOP/build/exitlab" /exitlab/build/exitlab
copy_with_libs "$TOP/build/exitlab-san" /exitlab/build/exitlab-san
for t in $tests_bins; do
	copy_with_libs "$TOP/$t" "/exitlab/$t"
done
for f in $tests_files; do
	mkdir -p "$(dirname "$st/exitlab/$f")"
	cp "$TOP/$f" "$st/exitlab/$f"
done
# iproute2 for what busybox ip lacks (netns, tuntap): the host's own. And the
# host's dash as /bin/sh: Debian's static busybox sh runs its own applets before
# anything on PATH, so `ip` in a shell (system() too) would never reach iproute2.
ipbin=$(command -v ip || true)
if [ -n "$ipbin" ] && [[ "$("$ipbin" -V 2>&1)" == *iproute2* ]]; then
	rm -f "$st/bin/ip"
	copy_with_libs "$ipbin" /bin/ip
fi
if [ -x /bin/dash ]; then
	rm -f "$st/bin/sh"
	copy_with_libs /bin/dash /bin/sh
fi
# dpdk-testpmd for the vhost-user rung, when the list uses it and the host has it: the binary,
# and of its PMD plugins only the vhost port and the ring mempool (DPDK loads every plugin there).
tpmd=$(command -v dpdk-testpmd || true)
if [ -n "$tpmd" ] && grep -v '^[[:space:]]*#' "$list" | grep -q dpdk-testpmd; then
	copy_with_libs "$tpmd" /usr/bin/dpdk-testpmd
	for p in /usr/lib/x86_64-linux-gnu/dpdk/pmds-*/librte_{net_vhost,mempool_ring}.so.[0-9]*.*; do
		[ -e "$p" ] && copy_with_libs "$p" "$p"
	done
fi
# QEMU for the peer-VMM entries (`--vmm qemu`, docs/peer-vmm.md), when the list uses it: the host's
# qemu-system-x86_64 and its libraries, and of its firmware only what a -kernel boot on q35 reads
# (SeaBIOS, the linuxboot and PVH option ROMs, kvmvapic), at the paths QEMU looks in.
qbin=$(command -v qemu-system-x86_64 || true)
if grep -v '^[[:space:]]*#' "$list" | grep -Eq -- '--vmm[ =]qemu|qemu-system-x86_64'; then
	[ -n "$qbin" ] || die "$list runs QEMU: install qemu-system-x86 (scripts/deps.sh)"
	copy_with_libs "$qbin" /usr/bin/qemu-system-x86_64
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/{linuxboot_dma,pvh,multiboot_dma,kvmvapic}.bin; do
		[ -e "$f" ] || die "$f (QEMU's firmware) is missing"
		mkdir -p "$(dirname "$st$f")" && cp -L "$f" "$st$f"
	done
fi
# Debian's perf of the same kernel version (its libraries are the host's, as for the rest).
if [ -n "$proot" ]; then
	[ -x "$proot/usr/bin/perf" ] || die "$(basename "$pdeb") has no usr/bin/perf"
	copy_with_libs "$proot/usr/bin/perf" /usr/bin/perf
	ldd "$proot/usr/bin/perf" | grep -q 'not found' &&
		log "perf needs libraries this host lacks: $(ldd "$proot/usr/bin/perf" | grep 'not found' | tr -s ' \t' ' ')"
fi
cp -r "$TOP/build/payloads" "$st/exitlab/build/payloads"
# The course labs (labs/README.md): specs and handouts, and the script that takes a handout's commands.
cp -r "$TOP/labs" "$st/exitlab/labs"
mkdir -p "$st/exitlab/scripts" && cp "$TOP/scripts/lab-commands.sh" "$st/exitlab/scripts/"
# A file under scripts/ that the list names (a campaign file, a helper script) goes in at its path.
for f in $(grep -v '^[[:space:]]*#' "$list" | grep -o 'scripts/[A-Za-z0-9_./-]*[A-Za-z0-9_]' | sort -u); do
	[ -f "$TOP/$f" ] || die "$f, named in $list, is missing"
	mkdir -p "$st/exitlab/$(dirname "$f")" && cp "$TOP/$f" "$st/exitlab/$f"
done
# --ssh: a key pair made for this run (never a fixed one), its public half root's authorized key
if [ -n "$ssh_port" ]; then
	mkdir -p "$work/ssh"
	ssh-keygen -q -t ed25519 -N '' -C "exitlab-testbed-$(date +%Y%m%d%H%M%S)" -f "$work/ssh/id_ed25519" ||
		die "ssh-keygen failed"
	ssh_pack "$work/ssh/id_ed25519.pub"
fi
cp "$HERE/init" "$st/init"
cp "$HERE/lib.sh" "$st/testbed/lib.sh"
cp "$list" "$st/testbed/tests.list"
chmod 755 "$st/init"
cat >"$st/testbed/config" <<EOF
NPT=$npt
TEST_TIMEOUT=$test_timeout
SSH=${ssh_port:+1}
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
EOF
if command -v cpio >/dev/null; then
	(cd "$st" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initrd.gz"
else
	(cd "$st" && find . | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$work/initrd.gz"
fi
t1=$(date +%s)
log "initramfs $(du -h "$work/initrd.gz" | cut -f1) ready in $((t1 - t0)) s; booting (npt=$npt, iommu=$iommu, smp=$smp)"

# ---- boot, watch the console, bring the results back ----
# Emptied first, but only if it is an earlier run's output (or empty): never someone's directory.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/serial.log" ]; then
	die "--out $out is not empty and holds no earlier testbed run (no serial.log): refusing to empty it"
fi
rm -rf "$out"
mkdir -p "$out"
serial=$out/serial.log
user_net=()
if [ -n "$ssh_port" ]; then
	mkdir -p "$out/ssh"
	cp "$work/ssh/id_ed25519" "$work/ssh/id_ed25519.pub" "$out/ssh/"
	chmod 600 "$out/ssh/id_ed25519"
	echo "$ssh_port" >"$out/ssh/port"
	user_net=(-netdev "user,id=ssh0,hostfwd=tcp:127.0.0.1:$ssh_port-:22" -device virtio-net-pci,netdev=ssh0)
fi
set +e
# The e1000e (passed through by the VFIO tests) gets a UDP socket that sends every frame back to
# itself: a loopback, so that passthrough RX is tested too.  Two 82540EMs behind a conventional
# PCI bridge share one IOMMU group (the bridge aliases their requester IDs), one bound to the
# e1000 driver: the refusals "still bound to a driver" and "group not viable".
# --iommu 0: no IOMMU at all (no groups, nothing binds to vfio-pci): the "no IOMMU" refusal.
port=$((20000 + $$ % 20000))
iommu_dev=()
[ "$iommu" = 1 ] && iommu_dev=(-device amd-iommu) # the kernel enables it by default (it has no amd_iommu=on)
timeout -k 10 "$timeout" "$qemu" -accel tcg,thread="$tcg_thread" -machine q35,kernel-irqchip=split -cpu max \
	-m "$mem" -smp "$smp" -display none -no-reboot -nic none "${iommu_dev[@]}" \
	-netdev "socket,id=lb0,udp=127.0.0.1:$port,localaddr=127.0.0.1:$port" -device e1000e,netdev=lb0 \
	-device pci-bridge,id=br0,chassis_nr=1 -device e1000,bus=br0,addr=1 -device e1000,bus=br0,addr=2 \
	"${user_net[@]}" -monitor none -chardev stdio,id=con,signal=off -serial chardev:con \
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet no_timer_check panic=-1 oops=panic" </dev/null |
	sed -u 's/\r//g' | tee "$serial" | sed -un "s/^$M \(start\|boot\|serving\) /testbed:   \1 /p" >&2
qrc=${PIPESTATUS[0]}
set -e
t2=$(date +%s)
# Which kernel this was: the package, its version, and what it said uname -r was (the results'
# context.kernel.release says it too).
{
	echo "package $(dpkg-deb -f "$kdeb" Package)"
	echo "version $(dpkg-deb -f "$kdeb" Version)"
	echo "release $(sed -n "s/^$M boot kernel \([^ ]*\) .*/\1/p" "$serial" | head -1)"
} >"$out/kernel.txt"

sed -n "/^$M results-begin\$/,/^$M results-end\$/p" "$serial" | sed '1d;$d' | base64 -d 2>/dev/null |
	tar -xzf - -C "$out" 2>/dev/null || true
# One line per inner test; a module that would not load is a failure of its own.
while read -r _ kind name status rest; do
	case "$kind:$status" in
	result:PASS) echo "PASS $name $rest" ;;
	result:SKIP) echo "SKIP $name: $rest" ;;
	result:*) echo "FAIL $name: $rest (log: $out/$name.log)" ;;
	module:*) echo "FAIL module $name: $rest" ;;
	esac
done < <(grep -E "^$M (result|module) " "$serial") | tee "$out/summary.txt"
fails=$(grep -c '^FAIL' "$out/summary.txt" || true)
done_line=$(grep "^$M done " "$serial" || true)
log "guest ran $((t2 - t1)) s (QEMU exit $qrc), $((t2 - t0)) s in all; serial log $serial"
if [ -z "$done_line" ]; then
	why="did not finish"
	[ "$qrc" = 124 ] || [ "$qrc" = 137 ] && why="timed out after ${timeout}s"
	grep -q 'Kernel panic' "$serial" && why="kernel panic: $(grep -m1 'Kernel panic' "$serial")"
	echo "FAIL testbed: the guest $why (serial log kept: $serial)"
	exit 1
fi
# The device hierarchy on one figure, drawn here (no gnuplot inside) from the ladder-* results.
ladder=("$out"/ladder-*.json)
if [ -e "${ladder[0]}" ] && command -v gnuplot >/dev/null; then
	"$TOP/build/exitlab" plot "${ladder[@]}" -o "$out/net-ladder.png" >/dev/null 2>"$out/net-ladder.err" &&
		log "device hierarchy (exits per frame; rates mean nothing under TCG): $out/net-ladder.png" ||
		log "could not draw $out/net-ladder.png: $(tail -1 "$out/net-ladder.err")"
fi
[ "$fails" -eq 0 ] || { echo "testbed: $fails inner test(s) failed"; exit 1; }
echo "testbed: ${done_line#"$M done "}"
