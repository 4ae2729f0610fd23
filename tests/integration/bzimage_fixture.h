/* SPDX-License-Identifier: MIT */
/*
 * Hand-made bzImages for the tests of `exitlab run linux`: a boot-protocol
 * header (64-bit entry, relocatable) and a protected-mode "kernel" of
 * BZF_KERNEL_LEN bytes whose startup_64 (BZ_ENTRY64_OFFSET into it) holds the
 * given machine code, the rest zero. No real kernel needed, so the refusals
 * run anywhere and the hostile kernels run wherever KVM does.
 */
#ifndef EXITLAB_TEST_BZIMAGE_FIXTURE_H
#define EXITLAB_TEST_BZIMAGE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#define BZF_SETUP_SECTS 4
#define BZF_KERNEL_LEN  0x10000
#define BZF_FILE_LEN    ((BZF_SETUP_SECTS + 1) * 512 + BZF_KERNEL_LEN)

/*
 * Write the first len bytes (at most BZF_FILE_LEN: less makes a truncated
 * file) of a bzImage of boot protocol version with init_size, code at its
 * 64-bit entry. 0, or -1 with errno.
 */
int bzimage_write(const char *path, size_t len, uint16_t version, uint32_t init_size, const uint8_t *code,
		  size_t codelen);

#endif
