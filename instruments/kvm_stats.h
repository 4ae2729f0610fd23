/* SPDX-License-Identifier: MIT */
/*
 * KVM binary statistics (KVM_GET_STATS_FD) of a VM or a vCPU.  The header and
 * descriptors are read and validated once; a snapshot is then one pread of
 * the data block into a flat array of every value, scalars and histogram
 * buckets alike, cheap enough for every phase boundary.
 *
 * The parser is pure (a buffer in, descriptors out) so that recorded headers
 * and fuzzers can drive it without a VM; it trusts nothing in the buffer.
 */
#ifndef EXITLAB_KVM_STATS_H
#define EXITLAB_KVM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVM_STATS_NAME_MAX  64        /* names and the id string, NUL included */
#define KVM_STATS_DESC_MAX  4096      /* descriptors per fd */
#define KVM_STATS_DATA_MAX  (1u << 20) /* bytes in the data block */
#define KVM_STATS_HDR_MAX   (16u << 20) /* bytes in [0, data_offset) */

struct kvm_stat_desc {
	char name[KVM_STATS_NAME_MAX];
	unsigned type;         /* KVM_STATS_TYPE_* (flags & KVM_STATS_TYPE_MASK) */
	unsigned unit;         /* KVM_STATS_UNIT_* (masked, not shifted) */
	unsigned base;         /* KVM_STATS_BASE_* (masked, not shifted) */
	int exponent;          /* value × base^exponent is in unit */
	uint32_t size;         /* values: 1 for a scalar, buckets for a histogram */
	uint32_t bucket_size;  /* linear histograms only, else 0 */
	uint32_t offset;       /* byte offset of the first value in the data block */
	uint32_t index;        /* first value in the flat values array */
};

struct kvm_stats {
	int fd;                /* -1: parsed from a buffer, or closed */
	char id[KVM_STATS_NAME_MAX]; /* e.g. "kvm-1234/vcpu-0" */
	struct kvm_stat_desc *desc;
	size_t ndesc;
	size_t nvalues;        /* sum of desc[].size */
	uint64_t data_offset;  /* of the data block in the fd */
	uint64_t data_size;    /* bytes, up to the end of the last value */
	uint8_t *buf;          /* scratch for one pread of the data block */
};

/*
 * Parse [0, data_offset) of a stats fd (header, id string, descriptors).
 * len may exceed data_offset; everything is checked against len. On success
 * s owns its allocations (fd -1); on failure s is zeroed (fd -1) and err says
 * what is wrong. 0 or -1.
 */
int kvm_stats_parse(struct kvm_stats *s, const void *buf, size_t len, char *err, size_t errlen);

/*
 * target_fd is a VM or vCPU fd (also a copy of another process's).
 * 0; -1 the kernel has no stats fd (err); -2 the fd is unreadable or its
 * contents malformed (err). s->fd is -1 after any failure.
 */
int kvm_stats_open(struct kvm_stats *s, int target_fd, char *err, size_t errlen);
/* The same from a stats fd already open (e.g. copied from another process); takes ownership. */
int kvm_stats_open_fd(struct kvm_stats *s, int stats_fd, char *err, size_t errlen);
void kvm_stats_close(struct kvm_stats *s);
/* Every value into values[0..s->nvalues), in descriptor order. 0 or -1. */
int kvm_stats_read(struct kvm_stats *s, uint64_t *values);

/* Index of a descriptor by name, or -1. */
int kvm_stats_find(const struct kvm_stats *s, const char *name);
/* Index in the values array of a scalar stat (size 1), or -1. */
int kvm_stats_value_index(const struct kvm_stats *s, const char *name);

/* "cumulative", "instant", "peak", "linear_hist", "log_hist" */
const char *kvm_stats_type_name(unsigned type);
/* "none", "bytes", "seconds", "cycles", "boolean" */
const char *kvm_stats_unit_name(unsigned unit);
/* 10 or 2 */
int kvm_stats_base_value(unsigned base);
/* A histogram (LINEAR_HIST or LOG_HIST). */
bool kvm_stats_is_hist(unsigned type);
/* INSTANT or PEAK: a level, for which a delta means nothing. */
bool kvm_stats_is_level(unsigned type);

#endif
