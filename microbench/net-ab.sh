#!/usr/bin/env bash
# Two builds of exitlab's virtio-net data path side by side: microbench/dev-ab.sh
# with its two virtio-net cases (tx-sink-check: TX at batch 256 into the
# checking sink; rx-gen: RX at batch 256 from the generator). Same arguments
# and environment (PARAMS_A, PARAMS_B, OUT, MIN_N, MAX_WIDTH), e.g.
#   microbench/net-ab.sh A_DIR B_DIR [ROUNDS] [FRAMES]
#   PARAMS_A=overlap=0 microbench/net-ab.sh build build 5
CASES="tx-sink-check rx-gen" exec "$(dirname "$0")/dev-ab.sh" "$@"
