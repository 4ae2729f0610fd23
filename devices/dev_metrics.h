/* SPDX-License-Identifier: MIT */
/*
 * Per-device counters, read by the VMM at every bench phase boundary so
 * each test carries the deltas (Firecracker style: the unit in the name,
 * `tx_frames`, `tx_bytes`, `kicks`, `interrupts`; every key always present).
 * A device keeps its counters in one uint64_t array, updated with relaxed
 * atomics from whichever thread does the work, and names them once.
 */
#ifndef EXITLAB_DEV_METRICS_H
#define EXITLAB_DEV_METRICS_H

#include <stdint.h>

struct dev_metrics {
	const char *device;           /* "e1000", "virtio-net", … (the results key) */
	unsigned n;
	const char *const *names;     /* n names */
	const uint64_t *values;       /* n counters, monotonic */
};

#define DEV_METRIC_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

#endif
