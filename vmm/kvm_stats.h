/* SPDX-License-Identifier: MIT */
/*
 * KVM binary statistics (KVM_GET_STATS_FD): descriptors are read once, and a
 * snapshot is one pread of the data block, cheap enough for every phase
 * boundary.  Only scalar stats are kept here (histograms: later).
 */
#ifndef EXITLAB_KVM_STATS_H
#define EXITLAB_KVM_STATS_H

#include <stddef.h>
#include <stdint.h>

#define KVM_STATS_MAX 256

struct kvm_stats {
	int fd;
	size_t n;                     /* scalar stats kept */
	char (*names)[64];
	uint32_t *offsets;            /* byte offset of each value in the data block */
	unsigned *kinds;              /* KVM_STATS_TYPE_* */
	uint64_t data_offset, data_size;
	uint8_t *buf;                 /* scratch for one pread */
};

/* target_fd is a VM or vCPU fd. -1 with err if the kernel lacks the stats fd. */
int kvm_stats_open(struct kvm_stats *s, int target_fd, char *err, size_t errlen);
void kvm_stats_close(struct kvm_stats *s);
/* Read every kept stat into values[0..s->n). 0 or -1. */
int kvm_stats_read(struct kvm_stats *s, uint64_t *values);
/* Index of a stat by name, or -1. */
int kvm_stats_find(const struct kvm_stats *s, const char *name);

#endif
