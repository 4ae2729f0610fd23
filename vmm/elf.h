/* SPDX-License-Identifier: MIT */
/*
 * ELF64 payload loader. Pure: it works on a buffer, so it can be tested and
 * fuzzed without a VM. Payload files are untrusted input like the guest.
 */
#ifndef EXITLAB_ELF_H
#define EXITLAB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t gpa, offset, filesz, memsz;
	uint32_t flags;                 /* PF_X | PF_W | PF_R */
};

struct elf_image {
	uint64_t entry;
	size_t nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest;       /* [lowest, highest) covers all PT_LOAD */
};

/*
 * Validate field by field. PT_LOAD segments must lie in [mem_lo, mem_hi)
 * (by physical address). Returns 0, or -1 with err naming the problem.
 */
int elf_parse(const void *buf, size_t len, uint64_t mem_lo, uint64_t mem_hi,
	      struct elf_image *img, char *err, size_t errlen);

/*
 * Copy segments into guest RAM mapped at ram (ram_size bytes, GPA 0 at
 * ram[0]) and zero the bss part. Re-checks bounds against buf and ram.
 */
int elf_load(const void *buf, size_t len, const struct elf_image *img, void *ram,
	     uint64_t ram_size, char *err, size_t errlen);

/*
 * Find the section called name through the section headers (validated like
 * the rest): its file offset and size.  0 found, 1 absent, -1 malformed
 * headers with err naming the problem.
 */
int elf_find_section(const void *buf, size_t len, const char *name, uint64_t *off, uint64_t *size,
		     char *err, size_t errlen);

#endif
