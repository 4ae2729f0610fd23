#!/bin/sh
# Lab 8's planted change (labs/08-regression-hunt.md): writes the "after" campaign, which is
# scripts/campaigns/lab8.yaml with a knob changed that adds exits per frame, chosen by SEED:
# even, the driver does without EVENT_IDX (event_idx=0: a kick per frame, each an exit to KVM's
# ioeventfd); odd, the same and every kick a userspace exit to the VMM (notify=exit).
# Usage: scripts/lab8-plant.sh SEED [OUT]   (OUT defaults to lab8-after.yaml)
seed=${1:?usage: scripts/lab8-plant.sh SEED [OUT]}; out=${2:-lab8-after.yaml}
case $seed in '' | *[!0-9]*) echo "lab8-plant: SEED must be a number, not '$seed'" >&2; exit 2 ;; esac
knob='s/^      event_idx: 1$/      event_idx: 0/'
[ $((seed % 2)) -eq 1 ] && knob="$knob;"'s/^        device: virtio-net$/        device: "virtio-net,notify=exit"/'
sed -e "$knob" "$(dirname "$0")/campaigns/lab8.yaml" >"$out" && echo "wrote $out"
