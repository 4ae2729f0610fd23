// SPDX-License-Identifier: MIT
/*
 * KVM's binary statistics (instruments/kvm_stats.c): the header, id string and
 * descriptors of a stats fd, then snapshots of its data block turned into
 * the per-phase deltas of the results (instruments/kvm_stats_json.c).  The input is
 * the stats fd's content as the kernel would give it: [0, data_offset) and
 * the data block at data_offset; bytes past the data block are what the
 * block holds at the second snapshot.  It is read through a memfd, the
 * seam of kvm_stats_open_fd, so every pread is the real one; the buffer
 * parser (kvm_stats_parse) sees the whole input as well.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "instruments/kvm_stats.h"
#include "instruments/kvm_stats_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int memfd = -1;
	struct kvm_stats s;
	uint64_t *before, *after;
	char err[256];
	json_t *j;
	int fd;

	if (kvm_stats_parse(&s, data, size, err, sizeof(err)) == 0) {
		kvm_stats_find(&s, "exits");
		kvm_stats_value_index(&s, "halt_wait_hist");
		kvm_stats_close(&s);
	}

	if (memfd < 0 && (memfd = memfd_create("kvm-stats", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	fd = dup(memfd);	/* kvm_stats_open_fd owns what it is given */
	if (fd < 0)
		abort();
	if (kvm_stats_open_fd(&s, fd, err, sizeof(err)))
		return 0;
	before = calloc(s.nvalues + 1, sizeof(*before));
	after = calloc(s.nvalues + 1, sizeof(*after));
	if (!before || !after)
		abort();
	if (kvm_stats_read(&s, before) == 0) {
		/* the second snapshot: what follows the data block, if anything */
		uint64_t end = s.data_offset + s.data_size;

		if (size > end) {
			size_t n = size - end < s.data_size ? size - end : s.data_size;

			if (pwrite(memfd, data + end, n, (off_t)s.data_offset) != (ssize_t)n)
				abort();
		}
		if (kvm_stats_read(&s, after) == 0) {
			char *text;

			j = kvm_stats_delta_json(&s, before, after);
			text = j ? json_dumps(j, JSON_COMPACT) : NULL;
			free(text);
			json_decref(j);
		}
	}
	for (size_t i = 0; i < s.ndesc; i++) {
		kvm_stats_type_name(s.desc[i].type);
		kvm_stats_unit_name(s.desc[i].unit);
		kvm_stats_base_value(s.desc[i].base);
	}
	free(before);
	free(after);
	kvm_stats_close(&s);
	return 0;
}
