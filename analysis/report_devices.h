/* SPDX-License-Identifier: MIT */
/*
 * The device view of a run (net, blk payloads): per test, operations per
 * second and, per operation (frame or I/O), the exits, userspace exits,
 * notifications (kicks) and interrupts, from the KVM stats and the device
 * counters of the timed phase; and where the time goes per operation: the
 * wall time, the device side's CPU time and the guest's busy time.
 */
#ifndef EXITLAB_REPORT_DEVICES_H
#define EXITLAB_REPORT_DEVICES_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/results.h"

struct device_row {
	char device[24];          /* the model whose counters moved ("e1000", "virtio-net", …) */
	double ops_per_s;         /* 0 if untimed */
	double exits, user_exits; /* per operation */
	double kicks, interrupts; /* per operation, from the device's counters */
	char by_kind[96];         /* KVM's exit stats that moved, per operation: "mmio 0.50 io 0.01 …" */
	bool guest_counted;       /* kicks and irqs from the guest's metrics (vhost: not the VMM's counters) */
	/* Where the time goes, ns per operation (results_cpu.h); NAN where unknown */
	double wall_ns, device_ns, guest_ns;
};

/* The row for one test: false if the test has no device counters. */
bool report_device_row(const struct test_result *t, struct device_row *row);
/* Prints nothing unless some test carries device counters. */
void report_devices_print(FILE *f, const struct run_result *r);

#endif
