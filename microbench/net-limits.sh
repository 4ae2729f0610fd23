#!/usr/bin/env bash
# The host's own limits for a frame data path, the figures that virtio-net's
# and e1000's packet rates are read against (docs/devices.md, "Limits of this
# host"). build/microbench/net-limits runs three cases, interleaved in each of
# ROUNDS rounds, FRAMES frames of 1514 bytes each:
#   copy    a producer thread on CPU 0 writes frames into a 256-slot ring, a
#           consumer on CPU 1 copies each out and frees its slot (wall time)
#   memcmp  the sink's pattern check of one frame (devices/net/net_pattern.c)
#   device  virtio-net's TX worker (devices/virtio/virtio_net.c) alone, draining a
#           256-descriptor ring prefilled by a fake driver into the sink with
#           check=1, no VM (the worker's CPU time; every frame checked good)
# and prints per case the median and range over the rounds of ns per frame and
# frames/s. Run it with nothing else on the machine, or under the shared lock:
#   flock /tmp/exitlab-bench.lock microbench/net-limits.sh
# Usage: microbench/net-limits.sh [ROUNDS] [FRAMES] [net-limits options...]
#   defaults: 11 rounds, 262144 frames; options e.g. --cpu 2 --peer-cpu 3, --size 64
#   (build/microbench/net-limits --help). Needs `make all`.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/microbench/net-limits
rounds=${1:-11} frames=${2:-262144}
[ $# -gt 2 ] && shift 2 || set --
[ -x "$bin" ] || { echo "build first: make all" >&2; exit 2; }
case "$rounds$frames" in
*[!0-9]*) echo "usage: $0 [ROUNDS] [FRAMES] [net-limits options...]" >&2; exit 2 ;;
esac

echo "# host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs, Linux $(uname -r)"
exec "$bin" --rounds "$rounds" --frames "$frames" "$@"
