/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_stats.h"

int kvm_stats_open(struct kvm_stats *s, int target_fd, char *err, size_t errlen)
{
	struct kvm_stats_header h;
	uint8_t *descs = NULL;
	size_t dsz;

	memset(s, 0, sizeof(*s));
	s->fd = ioctl(target_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0) {
		snprintf(err, errlen, "KVM_GET_STATS_FD: %s", strerror(errno));
		return -1;
	}
	if (pread(s->fd, &h, sizeof(h), 0) != sizeof(h))
		goto bad;
	if (h.name_size == 0 || h.name_size > 4096 || h.num_desc > 4096)
		goto bad;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	s->names = calloc(h.num_desc ? h.num_desc : 1, sizeof(*s->names));
	s->offsets = calloc(h.num_desc ? h.num_desc : 1, sizeof(*s->offsets));
	s->kinds = calloc(h.num_desc ? h.num_desc : 1, sizeof(*s->kinds));
	if (!descs || !s->names || !s->offsets || !s->kinds)
		goto bad;
	if (pread(s->fd, descs, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc))
		goto bad;

	uint64_t end = 0;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		uint64_t last = (uint64_t)d->offset + (uint64_t)d->size * 8;

		if (last > end)
			end = last;
		if (d->size != 1)
			continue; /* histogram */
		snprintf(s->names[s->n], sizeof(s->names[0]), "%.*s", (int)h.name_size, d->name);
		s->offsets[s->n] = d->offset;
		s->kinds[s->n] = d->flags & KVM_STATS_TYPE_MASK;
		s->n++;
	}
	s->data_offset = h.data_offset;
	s->data_size = end;
	s->buf = malloc(end ? end : 8);
	if (!s->buf)
		goto bad;
	free(descs);
	return 0;
bad:
	snprintf(err, errlen, "KVM stats fd: unreadable or malformed header/descriptors");
	free(descs);
	kvm_stats_close(s);
	return -1;
}

void kvm_stats_close(struct kvm_stats *s)
{
	if (s->fd > 0)
		close(s->fd);
	free(s->names);
	free(s->offsets);
	free(s->kinds);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int kvm_stats_read(struct kvm_stats *s, uint64_t *values)
{
	if (s->fd < 0 || !s->buf)
		return -1;
	if (pread(s->fd, s->buf, s->data_size, s->data_offset) != (ssize_t)s->data_size)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		memcpy(&values[i], s->buf + s->offsets[i], 8);
	return 0;
}

int kvm_stats_find(const struct kvm_stats *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return (int)i;
	return -1;
}
