/* SPDX-License-Identifier: MIT */
/* KVM binary stats between two snapshots, as JSON. */
#ifndef EXITLAB_KVM_STATS_JSON_H
#define EXITLAB_KVM_STATS_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "instruments/kvm_stats.h"

/*
 * {"cumulative": {name: delta}, "levels": {name: value at the end},
 *  "histograms": {name: [bucket deltas]}}: cumulative counters and
 * histograms only where they moved; levels (instant/peak, for which a delta
 * means nothing) always, with their end value.
 */
json_t *kvm_stats_delta_json(const struct kvm_stats *s, const uint64_t *before,
			     const uint64_t *after);

#endif
