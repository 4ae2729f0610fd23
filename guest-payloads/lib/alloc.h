/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator over [boot_info.free_start, free_end): rings, buffers and
 * sample arrays that live until the payload ends (nothing is freed).
 * Identity-mapped, so an address is also the guest-physical one a device DMAs to.
 */
#ifndef GUEST_ALLOC_H
#define GUEST_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "exitlab/boot_abi.h"

void alloc_init(const struct boot_info *bi);
/* size bytes aligned to align (a power of two), zeroed; NULL when RAM runs out. */
void *alloc_zeroed(uint64_t size, uint64_t align);
/* Bytes left. */
uint64_t alloc_left(void);
/* Where the next allocation starts; alloc_release(mark) gives back everything allocated since. */
uint64_t alloc_mark(void);
void alloc_release(uint64_t mark);

#endif
