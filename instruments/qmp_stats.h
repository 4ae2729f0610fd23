/* SPDX-License-Identifier: MIT */
/*
 * QEMU's KVM statistics over QMP (query-stats-schemas, query-stats) turned
 * into what exitlab reads from a binary stats fd (instruments/kvm_stats.h):
 * descriptors, then flat value arrays in descriptor order.  The way to read
 * a peer QEMU's stats, since KVM refuses KVM_GET_STATS_FD from another
 * process and QEMU closes its own stats fds after each query.  Pure: JSON
 * in, descriptors and values out (recorded replies drive the unit tests).
 */
#ifndef EXITLAB_QMP_STATS_H
#define EXITLAB_QMP_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "instruments/kvm_stats.h"

/*
 * The "stats" array of provider "kvm" for `target` ("vm" or "vcpu") in a
 * query-stats-schemas return (an array of {provider, target, stats}), or a
 * query-stats return (an array of {provider, [qom-path,] stats}: the first
 * kvm entry, i.e. vCPU 0).  Borrowed reference, or NULL.
 */
json_t *qmp_stats_schema_of(json_t *schemas, const char *target);
json_t *qmp_stats_values_of(json_t *values);

/*
 * Descriptors from a schema's stats array; a histogram's bucket count from
 * the same stat in `values` (one query-stats reply).  s owns them (fd -1).
 * 0, or -1 with err.
 */
int qmp_stats_describe(struct kvm_stats *s, json_t *schema, json_t *values, char *err, size_t errlen);
/* values[0..s->nvalues) from one reply's stats array; a stat absent from it reads 0. */
void qmp_stats_values(const struct kvm_stats *s, json_t *values, uint64_t *out);

#endif
