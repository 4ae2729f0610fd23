#!/usr/bin/env bash
# The device half of the story on one figure: the same net payload (TX and RX, batch sizes
# 1..256, every frame looped back and checked) through an emulated e1000, virtio-net in the VMM,
# virtio-net with notify=exit, vhost-net (the kernel; where /dev/vhost-net exists) and vhost-user
# (dpdk-testpmd in macswap mode; where it is installed) and, with EXITLAB_VFIO_BDF set, a NIC
# passed through with VFIO (TX only: nothing loops a real NIC's frames back). Writes one results
# file per device and OUT/net-ladder.png with exits per frame and frames/s for all (exitlab plot).
#
# Usage: [EXITLAB_VFIO_BDF=0000:00:03.0] scripts/net-ladder.sh [OUT] [FRAMES]
#        (defaults: results/<date>-<host>/net-ladder, 4096)
# Needs root for vhost-net's tap namespace; the other rungs run as any user allowed /dev/kvm.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-results/$(date +%F)-$(hostname -s)/net-ladder}
frames=${2:-4096}
mkdir -p "$out"
common=(--ring 3 --no-baseline --param loopback=1 --param frames="$frames" --param batch=1,8,32,256
	--param dir=tx,rx --param irq=1)
files=()

rung() { # name, then exitlab run arguments
	local name=$1; shift
	echo "== $name"
	if "$@" "${common[@]}" --json "$out/$name.json" | sed -n '/^per operation/,/^exits and/p'; then
		files+=("$out/$name.json")
	else
		echo "   $name: failed (see above); left out of the figure"
	fi
}

rung e1000 ./build/exitlab run net --device e1000 --netdev loop
rung virtio-net ./build/exitlab run net --device virtio-net --netdev loop
rung virtio-net-exit ./build/exitlab run net --device virtio-net,notify=exit --netdev loop

if [ -c /dev/vhost-net ] && [ "$(id -u)" = 0 ]; then
	# vhost-net writes to a real tap; a second tap's frames are not looped back, so TX only there.
	echo "   (vhost-net: TX only — the kernel hands the frames to the tap, nothing sends them back)"
	ns=exitlab-ladder-$$
	ip netns add "$ns" && trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
	ip netns exec "$ns" ip tuntap add dev xlv0 mode tap vnet_hdr
	ip netns exec "$ns" ip link set xlv0 up
	common_tx=("${common[@]/dir=tx,rx/dir=tx}")
	echo "== vhost-net"
	ip netns exec "$ns" ./build/exitlab run net --device virtio-net,vhost=net \
		--netdev tap,ifname=xlv0,vnet_hdr=1 "${common_tx[@]}" --json "$out/vhost-net.json" \
		| sed -n '/^per operation/,/^exits and/p' && files+=("$out/vhost-net.json")
else
	echo "== vhost-net: skipped (no /dev/vhost-net here, or not root: modprobe vhost_net)"
fi

if command -v dpdk-testpmd >/dev/null; then
	run=$(mktemp -d /tmp/exitlab-ladder.XXXXXX)
	sock=$run/vhost.sock
	RUNTIME_DIRECTORY=$run dpdk-testpmd --no-huge -m 64 --no-pci --no-shconf --no-telemetry \
		--file-prefix "exitlab-ladder-$$" --lcores '0@1,1@1' --vdev "net_vhost0,iface=$sock,queues=1" \
		-- --forward-mode=macswap --auto-start --stats-period 5 --total-num-mbufs=2048 \
		>"$run/testpmd.log" 2>&1 &
	tp=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	rung vhost-user ./build/exitlab run net --device "virtio-net,vhost-user=$sock"
	kill "$tp" 2>/dev/null || true
	wait "$tp" 2>/dev/null || true
	rm -rf "$run"
else
	echo "== vhost-user: skipped (no dpdk-testpmd: apt-get install dpdk-dev)"
fi

if [ -n "${EXITLAB_VFIO_BDF:-}" ]; then
	# an e1000-family NIC bound to vfio-pci (docs/devices.md, VFIO passthrough)
	common=("${common[@]/dir=tx,rx/dir=tx}")
	common=("${common[@]/loopback=1/loopback=0}")
	rung vfio ./build/exitlab run net --device "vfio,host=$EXITLAB_VFIO_BDF"
else
	echo "== vfio: skipped (set EXITLAB_VFIO_BDF to a NIC bound to vfio-pci)"
fi

./build/exitlab plot "${files[@]}" -o "$out/net-ladder.png"
