#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""KVM's vCPU stats per operation, test by test, from an exitlab results file.

Usage: scripts/per-op-stats.py RESULTS.json [TEST...]

exitlab run prints exits and userspace exits per operation; this prints every
KVM stat that moved in a test's timed phase (kvm_stats, vCPU 0's:
docs/results-schema.md), divided by its iterations, so that the kind of each
exit shows: pf_fixed, pf_fast, invlpg, tlb_flush, halt_exits, irq_injections...
"""
import json
import sys

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    sys.exit(__doc__.strip().splitlines()[2])
with open(sys.argv[1]) as f:
    results = json.load(f)
wanted = set(sys.argv[2:])
for t in results.get("tests", []):
    n, stats = t.get("iterations") or 0, t.get("kvm_stats") or {}
    # host-side baselines (ring -1 or none) have no KVM stats
    if not n or t.get("ring") is None or t["ring"] < 0 or (wanted and t["name"] not in wanted):
        continue
    params = ",".join(f"{k}={v}" for k, v in (t.get("params") or {}).items())
    per_op = "  ".join(f"{k} {v / n:.3g}" for k, v in sorted(stats.items())
                       if isinstance(v, (int, float)) and v and not k.endswith("_ns"))
    print(f"{t['name']:<20} cpl{t.get('ring')} {params}\n    {per_op or '(no stat moved)'}")
